"""A new hub from one page: an admin names it, sets its time zone and language, and gets its
storage from presets; the hub shares the catalog and its creator is its member. Anyone
else is refused, and bad input stores nothing."""

from decimal import Decimal

import pytest
from django.urls import reverse

from hub.models import Hub, Membership
from inventory.models import StorageLocation

FORM = {
    "name": "Altadena Hub",
    "address": "2 Lake Ave, Altadena",
    "opening_hours": "Mon-Sat 9:00-18:00",
    "time_zone": "America/Los_Angeles",
    "default_language": "es",
    "room_count": "1",
    "room_name": "Main hall",
    "room_litres": "12000",
    "shelving_count": "3",
    "shelving_name": "Shelving run",
    "shelving_litres": "1000",
    "pallet_count": "2",
    "pallet_name": "Pallet position",
    "pallet_litres": "2270",
    "container_count": "0",
    "container_name": "Container",
    "container_litres": "33000",
}


def hub_count() -> int:
    return Hub.objects.count()


def test_it_creates_the_hub_with_its_storage_and_the_admin_as_its_member(client, admin_user, water):
    client.force_login(admin_user)

    response = client.post(reverse("hub_create"), FORM)

    hub = Hub.objects.get(name="Altadena Hub")
    assert response.status_code == 302
    assert response["Location"] == reverse("join_code", args=[hub.slug])
    assert (hub.slug, hub.address, hub.opening_hours, hub.time_zone, hub.default_language) == (
        "altadena-hub",
        "2 Lake Ave, Altadena",
        "Mon-Sat 9:00-18:00",
        "America/Los_Angeles",
        "es",
    )
    assert sorted(
        StorageLocation.objects.filter(hub=hub).values_list("name", "capacity_litres")
    ) == [
        ("Main hall", Decimal("12000.0")),
        ("Pallet position 1", Decimal("2270.0")),
        ("Pallet position 2", Decimal("2270.0")),
        ("Shelving run 1", Decimal("1000.0")),
        ("Shelving run 2", Decimal("1000.0")),
        ("Shelving run 3", Decimal("1000.0")),
    ]
    assert Membership.objects.filter(hub=hub, user=admin_user).exists()
    # The network's catalog, at the new hub's dropoff table.
    intake = client.get(reverse("intake", args=[hub.slug]))
    assert intake.status_code == 200
    assert water.name in intake.content.decode()


def test_it_offers_the_presets_with_their_litres(client, admin_user):
    client.force_login(admin_user)

    page = client.get(reverse("hub_create")).content.decode()

    for name, litres in (
        ("Room", "10000"),
        ("Shelving run", "1000"),
        ("Pallet position", "2270"),
        ("Container", "33000"),
    ):
        assert f'value="{name}"' in page
        assert f'value="{litres}' in page


def test_it_lets_only_admins_create_hubs(client, hub, volunteer, coordinator):
    for user in (volunteer, coordinator):
        client.force_login(user)
        assert client.get(reverse("hub_create")).status_code == 403
        assert client.post(reverse("hub_create"), FORM).status_code == 403
    assert hub_count() == 1


@pytest.mark.parametrize(
    "changes",
    [
        {"name": "  "},
        {"name": "West Adams Hub"},
        {"name": "west adams hub"},
        {"time_zone": "Mars/Olympus"},
        {"default_language": "xx"},
        {"room_count": "0", "shelving_count": "0", "pallet_count": "0"},
        {"room_count": "-1"},
        {"room_count": "51"},
        {"room_count": "two"},
        {"room_litres": "0"},
        {"room_litres": "1e9"},
        {"room_litres": "NaN"},
        {"room_name": ""},
        {"room_name": "Shelving run 1"},
    ],
)
def test_it_refuses_bad_input_with_a_message_and_stores_nothing(client, hub, admin_user, changes):
    client.force_login(admin_user)
    before = (hub_count(), StorageLocation.objects.count(), Membership.objects.count())

    response = client.post(reverse("hub_create"), {**FORM, **changes})

    assert response.status_code == 400
    assert 'class="error"' in response.content.decode()
    assert (hub_count(), StorageLocation.objects.count(), Membership.objects.count()) == before


def test_it_gives_a_hub_a_free_link_name(client, admin_user):
    Hub.objects.create(name="Altadena hub (old)", slug="altadena-hub")
    client.force_login(admin_user)

    client.post(reverse("hub_create"), FORM)

    assert Hub.objects.get(name="Altadena Hub").slug == "altadena-hub-2"


def test_it_shows_reopen_times_in_the_hubs_own_time_zone(client, admin_user, hub):
    hub.time_zone = "Asia/Tokyo"
    hub.save()
    client.force_login(admin_user)

    page = client.get(reverse("intake_control", args=[hub.slug])).content.decode()

    assert "Asia/Tokyo" in page
