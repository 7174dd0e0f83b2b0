"""The Django admin: admins set up their own hubs only; the ledger is read-only."""

from collections.abc import Sequence

import pytest
from django.urls import reverse

from deliveries.models import Run
from inventory.models import StockMovement
from inventory.services import StockLine, stock_receive
from tests.factories import ItemFactory, RunFactory, StorageLocationFactory, UserFactory


@pytest.fixture
def locations(hub, other_hub):
    return (
        StorageLocationFactory(hub=hub, name="West hall"),
        StorageLocationFactory(hub=other_hub, name="Pasadena garage"),
    )


def test_it_lets_an_admin_manage_their_hubs_locations(client, admin_user, locations):
    client.force_login(admin_user)
    response = client.get(reverse("admin:inventory_storagelocation_changelist"))
    assert response.status_code == 200
    assert "West hall" in response.text
    assert "Pasadena garage" not in response.text


def test_it_hides_another_hubs_location_from_an_admin(client, admin_user, locations):
    client.force_login(admin_user)
    theirs = locations[1]
    response = client.get(reverse("admin:inventory_storagelocation_change", args=[theirs.pk]))
    assert response.status_code == 302  # "doesn't exist", back to the list
    response = client.post(
        reverse("admin:inventory_storagelocation_change", args=[theirs.pk]),
        {"hub": theirs.hub_id, "name": "Renamed", "capacity_litres": "5", "is_active": "on"},
    )
    theirs.refresh_from_db()
    assert theirs.name == "Pasadena garage"


def test_it_offers_an_admin_only_their_hubs_in_forms(client, admin_user, other_hub):
    client.force_login(admin_user)
    response = client.get(reverse("admin:inventory_storagelocation_add"))
    assert response.status_code == 200
    assert "West Adams Hub" in response.text
    assert "Pasadena Hub" not in response.text


def hub_form(name: str, slug: str, *, members: Sequence[int] = ()) -> dict:
    """What the hub form in the admin posts, with `members` added in its inline."""
    data = {
        "name": name,
        "slug": slug,
        "is_active": "on",
        "intake_status": "open",
        "nearly_full_percent": "80",
        "full_percent": "95",
        "max_line_quantity": "500",
        "count_confirm_percent": "50",
        "expiry_alert_days": "14",
        "tablet_idle_minutes": "15",
        "time_zone": "America/Los_Angeles",
        "default_language": "en",
        "category_intakes-TOTAL_FORMS": "0",
        "category_intakes-INITIAL_FORMS": "0",
        "memberships-TOTAL_FORMS": str(len(members)),
        "memberships-INITIAL_FORMS": "0",
    }
    data.update({f"memberships-{n}-user": str(pk) for n, pk in enumerate(members)})
    return data


def test_it_makes_whoever_adds_a_hub_its_member(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("admin:hub_hub_add"), hub_form("Echo Park Hub", "echo-park"))
    assert response.status_code == 302
    assert admin_user.hubs.filter(slug="echo-park").exists()


def test_it_shows_an_admin_only_people_of_their_hubs(client, admin_user, outsider, volunteer):
    client.force_login(admin_user)
    response = client.get(reverse("admin:auth_user_changelist"))
    assert response.status_code == 200
    assert "vera" in response.text
    assert "otto" not in response.text


def test_it_keeps_an_admin_from_making_anyone_superuser(client, admin_user, volunteer):
    client.force_login(admin_user)
    response = client.get(reverse("admin:auth_user_change", args=[volunteer.pk]))
    assert response.status_code == 200
    assert "is_superuser" not in response.text
    assert "user_permissions" not in response.text


def test_it_keeps_the_ledger_read_only(client, admin_user, locations):
    stock_receive(lines=[StockLine(ItemFactory(), locations[0], 3)], user=admin_user)
    movement = StockMovement.objects.get()
    client.force_login(admin_user)

    assert client.get(reverse("admin:inventory_stockmovement_changelist")).status_code == 200
    assert client.get(reverse("admin:inventory_stockmovement_add")).status_code == 403
    assert (
        client.post(
            reverse("admin:inventory_stockmovement_delete", args=[movement.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    response = client.get(reverse("admin:inventory_stockmovement_change", args=[movement.pk]))
    assert response.status_code == 200
    assert 'name="quantity"' not in response.text  # shown, not editable
    assert StockMovement.objects.count() == 1


def test_it_keeps_volunteers_and_coordinators_out_of_the_admin(client, volunteer, coordinator):
    for user in (volunteer, coordinator):
        client.force_login(user)
        response = client.get(reverse("admin:index"))
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]


def test_it_keeps_a_staff_member_without_the_admin_role_from_changing_things(client, hub):
    staff = UserFactory(hubs=[hub], is_staff=True)
    client.force_login(staff)
    assert client.get(reverse("admin:inventory_storagelocation_changelist")).status_code == 403


def test_it_hides_superusers_from_an_admin(client, admin_user):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(admin_user)

    assert "root" not in client.get(reverse("admin:auth_user_changelist")).text
    response = client.post(
        reverse("admin:auth_user_password_change", args=[root.pk]),
        {"password1": "taken-over-2026", "password2": "taken-over-2026"},
    )
    assert response.status_code in (302, 404)  # "doesn't exist", never a change
    root.refresh_from_db()
    assert not root.check_password("taken-over-2026")


def test_it_keeps_an_admin_from_pulling_another_hubs_people_into_theirs(
    client, admin_user, hub, outsider
):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:hub_hub_change", args=[hub.pk]),
        hub_form(hub.name, hub.slug, members=[outsider.pk]),
    )
    assert response.status_code == 200  # the form again, with the error
    assert "Select a valid choice" in response.text
    assert not outsider.hubs.filter(pk=hub.pk).exists()


def test_it_lets_an_admin_add_a_new_person_to_their_hub(client, admin_user, hub):
    newcomer = UserFactory(username="nina")
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:hub_hub_change", args=[hub.pk]),
        hub_form(hub.name, hub.slug, members=[newcomer.pk]),
    )
    assert response.status_code == 302
    assert newcomer.hubs.filter(pk=hub.pk).exists()


@pytest.mark.parametrize("who", ["shared", "fellow_admin"])
def test_it_keeps_an_admin_from_changing_people_they_do_not_fully_manage(
    client, admin_user, hub, other_hub, who
):
    person = {
        "shared": lambda: UserFactory(username="sam", role="Volunteer", hubs=[hub, other_hub]),
        "fellow_admin": lambda: UserFactory(username="alma", role="Admin", hubs=[hub]),
    }[who]()
    client.force_login(admin_user)

    assert client.get(reverse("admin:auth_user_change", args=[person.pk])).status_code == 200
    response = client.post(
        reverse("admin:auth_user_password_change", args=[person.pk]),
        {"password1": "taken-over-2026", "password2": "taken-over-2026"},
    )
    assert response.status_code == 403
    person.refresh_from_db()
    assert not person.check_password("taken-over-2026")


def test_it_lets_an_admin_change_a_volunteer_of_their_hub(client, admin_user, volunteer):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:auth_user_password_change", args=[volunteer.pk]),
        {"password1": "new-shift-2026", "password2": "new-shift-2026"},
    )
    assert response.status_code == 302
    volunteer.refresh_from_db()
    assert volunteer.check_password("new-shift-2026")


def test_it_shows_an_admin_their_hubs_runs_read_only(client, admin_user, hub, other_hub):
    ours = RunFactory(hub=hub, vehicle="Our van")
    RunFactory(hub=other_hub, vehicle="Their van")
    client.force_login(admin_user)

    listing = client.get(reverse("admin:deliveries_run_changelist"))
    assert listing.status_code == 200
    assert f">{ours.pk}<" in listing.text
    assert client.get(reverse("admin:deliveries_run_add")).status_code == 403
    page = client.get(reverse("admin:deliveries_run_change", args=[ours.pk]))
    assert page.status_code == 200 and "Our van" in page.text
    assert 'name="vehicle"' not in page.text
    theirs = Run.objects.get(hub=other_hub)
    assert client.get(reverse("admin:deliveries_run_change", args=[theirs.pk])).status_code == 302
