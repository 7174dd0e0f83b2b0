"""The hub's People page: coordinators and admins see its members with their role, last
login and whether they are locked out, and unlock one, on record."""

import pytest
from django.urls import reverse

from hub.models import PeopleAction, PeopleChange
from hub.roles import Role
from tests.factories import PASSWORD, UserFactory


def lock_out(client, username, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": username, "password": "wrong"})


def people_url(hub):
    return reverse("people", args=[hub.slug])


@pytest.mark.django_db
def test_it_lists_the_members_with_role_last_login_and_lockout(
    client, hub, volunteer, coordinator, outsider, settings
):
    lock_out(client, "vera", settings)
    client.force_login(coordinator)

    response = client.get(people_url(hub))

    assert response.status_code == 200
    rows = response.text.split("<tbody>")[1]
    vera = rows.split("vera")[1].split("</tr>")[0]
    assert "Volunteer" in vera and "never" in vera and "Locked out" in vera
    carlos = rows.split("carlos")[1].split("</tr>")[0]
    assert "Coordinator" in carlos and "Can log in" in carlos
    assert outsider.get_username() not in rows  # a member of another hub only


@pytest.mark.django_db
def test_it_unlocks_a_member_who_then_logs_in_at_once(
    client, hub, volunteer, coordinator, settings
):
    lock_out(client, "vera", settings)
    client.force_login(coordinator)

    response = client.post(people_url(hub), {"unlock": volunteer.pk}, follow=True)

    assert "vera can log in again." in response.text
    unlock = PeopleChange.objects.get()
    assert (unlock.hub, unlock.member, unlock.changed_by) == (hub, volunteer, coordinator)
    assert unlock.action == PeopleAction.UNLOCKED
    assert "vera, by carlos" in client.get(people_url(hub)).text
    client.logout()
    login = client.post(reverse("login"), {"username": "vera", "password": PASSWORD})
    assert login.status_code == 302


@pytest.mark.django_db
def test_it_refuses_to_unlock_someone_not_locked_out_or_of_another_hub(
    client, hub, volunteer, coordinator, outsider, settings
):
    lock_out(client, outsider.get_username(), settings)
    client.force_login(coordinator)

    for member, message in (
        (volunteer, "vera is not locked out."),
        (outsider, "Choose a member of this hub to unlock."),
    ):
        response = client.post(people_url(hub), {"unlock": member.pk}, follow=True)
        assert message in response.text
    assert not PeopleChange.objects.exists()


@pytest.mark.django_db
def test_it_leaves_an_admin_to_be_unlocked_by_an_admin(
    client, hub, coordinator, admin_user, settings
):
    lock_out(client, admin_user.get_username(), settings)
    client.force_login(coordinator)

    response = client.post(people_url(hub), {"unlock": admin_user.pk}, follow=True)

    assert "Only an admin can unlock an admin." in response.text
    assert not PeopleChange.objects.exists()
    other_admin = UserFactory(username="olga", role=Role.ADMIN, hubs=[hub])
    client.force_login(other_admin)
    client.post(people_url(hub), {"unlock": admin_user.pk})
    assert PeopleChange.objects.get().member == admin_user


@pytest.mark.django_db
def test_it_shows_the_page_to_coordinators_and_admins_only(client, hub, volunteer):
    client.force_login(volunteer)
    assert client.get(people_url(hub)).status_code == 403
    assert client.post(people_url(hub), {"unlock": volunteer.pk}).status_code == 403
