"""The People page's changes: admins make a volunteer a coordinator and back; coordinators
and admins take someone off the hub and reset a password (a link shown once) or a tablet
PIN (shown once); each change is on record with who made it, and nobody changes an admin,
someone of their own rank or higher, or themselves."""

import re

import pytest
from django.contrib.auth.hashers import check_password
from django.urls import reverse

from hub.models import MemberPin, Membership, PeopleAction, PeopleChange
from hub.roles import Role, user_role
from tests.factories import PASSWORD, UserFactory


def change(client, hub, member, action, **kwargs):
    return client.post(
        reverse("people_change", args=[hub.slug, member.pk]), {"action": action}, **kwargs
    )


def fresh_role(user):
    user.refresh_from_db()
    return user_role(type(user).objects.get(pk=user.pk))


@pytest.mark.django_db
def test_it_lets_an_admin_make_a_volunteer_a_coordinator_and_back(
    client, hub, admin_user, volunteer
):
    client.force_login(admin_user)

    promoted = change(client, hub, volunteer, "promote", follow=True)
    assert "vera is a coordinator now." in promoted.text
    assert fresh_role(volunteer) == Role.COORDINATOR
    demoted = change(client, hub, volunteer, "demote", follow=True)
    assert "vera is a volunteer now." in demoted.text
    assert fresh_role(volunteer) == Role.VOLUNTEER

    actions = PeopleChange.objects.order_by("pk").values_list("action", "changed_by__username")
    assert list(actions) == [(PeopleAction.PROMOTED, "ada"), (PeopleAction.DEMOTED, "ada")]
    page = client.get(reverse("people", args=[hub.slug])).text
    assert "vera, by ada" in page and "made a coordinator" in page


@pytest.mark.django_db
def test_it_refuses_role_changes_and_changes_above_ones_rank(
    client, hub, coordinator, admin_user, volunteer
):
    other_coordinator = UserFactory(username="cora", role=Role.COORDINATOR, hubs=[hub])
    client.force_login(coordinator)
    for member, action, message in (
        (volunteer, "promote", "Only an admin can make someone a coordinator"),
        (other_coordinator, "deactivate", "Only an admin can change a coordinator."),
        (admin_user, "reset_password", "An admin is changed on the admin site only."),
        (coordinator, "reset_pin", "You cannot change yourself here"),
        (volunteer, "delete_everything", "Choose one of the changes shown."),
    ):
        response = change(client, hub, member, action, follow=True)
        assert message in response.text, action
    client.force_login(admin_user)
    assert (
        "You cannot change yourself" in change(client, hub, admin_user, "demote", follow=True).text
    )

    assert not PeopleChange.objects.exists()
    assert fresh_role(volunteer) == Role.VOLUNTEER
    assert Membership.objects.filter(user=other_coordinator).exists()


@pytest.mark.django_db
def test_it_refuses_a_role_change_for_someone_also_in_a_hub_the_admin_is_not_in(
    client, hub, other_hub, admin_user
):
    both = UserFactory(username="bo", role=Role.VOLUNTEER, hubs=[hub, other_hub])
    client.force_login(admin_user)

    response = change(client, hub, both, "promote", follow=True)

    assert "also a member of a hub you are not an admin of" in response.text
    assert fresh_role(both) == Role.VOLUNTEER


@pytest.mark.django_db
def test_it_takes_a_member_off_the_hub_who_then_cannot_reach_it(
    client, hub, coordinator, volunteer
):
    client.force_login(coordinator)

    response = change(client, hub, volunteer, "deactivate", follow=True)

    assert "vera is no longer a member of this hub." in response.text
    assert not Membership.objects.filter(user=volunteer, hub=hub).exists()
    assert PeopleChange.objects.get().action == PeopleAction.DEACTIVATED
    client.force_login(volunteer)
    assert client.get(reverse("intake", args=[hub.slug])).status_code == 404


@pytest.mark.django_db
def test_it_resets_a_password_with_a_link_shown_once_that_works_once(
    client, hub, coordinator, volunteer
):
    client.force_login(coordinator)

    response = change(client, hub, volunteer, "reset_password")

    assert response.status_code == 200 and "shown this once" in response.text
    link = re.search(r"<code>(http://testserver(/accounts/password/[^<]+))</code>", response.text)
    assert link
    assert "/accounts/password/" not in client.get(reverse("people", args=[hub.slug])).text
    volunteer.refresh_from_db()
    assert not volunteer.check_password(PASSWORD)
    newcomer = client.__class__()
    form = newcomer.get(link[2], follow=True)
    assert "Choose a new password" in form.text
    new = {"new_password1": "another-long-one", "new_password2": "another-long-one"}
    done = newcomer.post(form.redirect_chain[-1][0], new)
    assert done.status_code == 302
    volunteer.refresh_from_db()
    assert volunteer.check_password("another-long-one")
    assert "does not work" in client.__class__().get(link[2], follow=True).text


@pytest.mark.django_db
def test_it_resets_a_pin_to_a_new_one_shown_once(client, hub, coordinator, volunteer):
    client.force_login(coordinator)

    response = change(client, hub, volunteer, "reset_pin")

    pin = re.search(r"<code>(\d{4})</code>", response.text)
    assert pin and "A new tablet PIN for vera" in response.text
    assert check_password(pin[1], MemberPin.objects.get(user=volunteer).pin_hash)
    assert PeopleChange.objects.get().action == PeopleAction.PIN_RESET


@pytest.mark.django_db
def test_it_keeps_other_hubs_and_volunteers_away(client, hub, volunteer, outsider):
    client.force_login(outsider)
    assert change(client, hub, volunteer, "reset_pin").status_code == 404
    client.force_login(volunteer)
    assert change(client, hub, volunteer, "reset_pin").status_code == 403
    assert not PeopleChange.objects.exists()


@pytest.mark.django_db
def test_it_shows_the_page_in_a_fixed_number_of_queries(
    client, hub, coordinator, django_assert_max_num_queries
):
    for _ in range(15):
        UserFactory(role=Role.VOLUNTEER, hubs=[hub])
    client.force_login(coordinator)
    with django_assert_max_num_queries(11):
        assert client.get(reverse("people", args=[hub.slug])).status_code == 200
