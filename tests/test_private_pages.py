"""Pages behind the login, which hold donors' and contacts' details, are never kept by the
browser or a proxy; the public status stays cacheable. The catalog, shared by the whole
network, is changed by the network's operators only: a hub's admin may look it up."""

from decimal import Decimal

from django.urls import reverse

from hub.intake.services import DropoffLineInput
from inventory.models import Item
from tests.factories import StorageLocationFactory, UserFactory
from tests.intake import logged


def assert_not_kept(response):
    assert response.status_code == 200
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= directives


def test_it_sends_a_dropoff_with_donor_details_and_the_csv_with_no_store(
    client, hub, coordinator, water
):
    hall = StorageLocationFactory(hub=hub, name="Hall", capacity_litres=Decimal("1000"))
    dropoff = logged(
        hub,
        coordinator,
        DropoffLineInput(water, 2, location=hall),
        donor_name="Dana Donor",
        donor_contact="555-0100",
        donor_consent=True,
    )
    client.force_login(coordinator)

    page = client.get(reverse("dropoff_detail", args=[hub.slug, dropoff.pk]))
    assert "555-0100" in page.text
    assert_not_kept(page)
    assert_not_kept(client.get(reverse("export_dropoffs", args=[hub.slug])))
    assert_not_kept(client.get(reverse("intake", args=[hub.slug])))


def test_it_leaves_the_public_status_cacheable(client, hub):
    response = client.get(reverse("public_status"))

    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_it_lets_a_hubs_admin_look_up_but_not_rename_a_catalog_item(client, admin_user, water):
    client.force_login(admin_user)
    url = reverse("admin:inventory_item_change", args=[water.pk])

    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "name": "Renamed water",
            "category": water.category_id,
            "unit": water.unit,
            "unit_volume_litres": "1",
            "is_active": "on",
        },
    )

    assert response.status_code == 403
    water.refresh_from_db()
    assert water.name != "Renamed water"
    assert client.get(reverse("admin:inventory_item_add")).status_code == 403
    assert client.get(reverse("admin:inventory_category_add")).status_code == 403


def test_it_lets_a_network_operator_rename_a_catalog_item(client, water):
    operator = UserFactory(username="operator", is_staff=True, is_superuser=True)
    client.force_login(operator)

    response = client.post(
        reverse("admin:inventory_item_change", args=[water.pk]),
        {
            "name": "Bottled water",
            "category": water.category_id,
            "unit": water.unit,
            "unit_volume_litres": "1",
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    assert Item.objects.get(pk=water.pk).name == "Bottled water"
