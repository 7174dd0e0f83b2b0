"""Barcodes at the dropoff table (issue 16): a scan the tablet's catalog copy does not know
asks the server for the item's line; a code scanned for an item that is not in the catalog
is kept for the new item when the dropoff is logged, so that the next scan finds it."""

from decimal import Decimal

import pytest
from django.urls import reverse

from inventory.barcodes import item_by_barcode
from inventory.models import Item, ItemBarcode
from tests.factories import CategoryFactory, ItemBarcodeFactory, StorageLocationFactory
from tests.intake import HTMX, dropoff_form, intake_url, line, login

pytestmark = pytest.mark.django_db


@pytest.fixture
def hall(hub):
    return StorageLocationFactory(hub=hub, name="Main hall", capacity_litres=Decimal("10000"))


def post(client, hub, location, *lines):
    rows = {name: [row.get(name, "") for row in lines] for name in lines[0]}
    return client.post(intake_url(hub), {**dropoff_form(location), **rows}, headers=HTMX)


def test_it_answers_the_line_of_a_scanned_code(client, hub, volunteer, water):
    ItemBarcodeFactory(item=water, gtin="00012345678905")
    login(client, volunteer)
    url = reverse("intake_line", args=[hub.slug])
    response = client.get(url, {"barcode": "012345678905"}, headers=HTMX)
    assert response.status_code == 200
    assert f'data-item="{water.pk}"' in response.content.decode()
    assert client.get(url, {"barcode": "4006381333931"}, headers=HTMX).status_code == 404
    assert client.get(url, {"barcode": "not a code"}, headers=HTMX).status_code == 404


def test_it_keeps_the_code_scanned_for_a_new_item(client, hub, volunteer, hall, water):
    other = CategoryFactory(code="other", name="Other")
    login(client, volunteer)
    response = post(
        client,
        hub,
        hall,
        {**line(water, 1), "new_name": "", "new_category": "", "new_size": "", "new_barcode": ""},
        {
            **line("", 2),
            "new_name": "Camping stove",
            "new_category": str(other.pk),
            "new_size": "box",
            "new_barcode": "04006381333931",
        },
    )
    assert "Logged dropoff" in response.content.decode()
    stove = Item.objects.get(name="Camping stove")
    assert item_by_barcode(code="4006381333931") == stove


def test_it_logs_the_dropoff_whatever_the_scanned_code(client, hub, volunteer, hall, water):
    """An invalid code, or one another item took meanwhile, is not kept; the goods are."""
    other = CategoryFactory(code="other", name="Other")
    ItemBarcodeFactory(item=water, gtin="04006381333931")
    login(client, volunteer)
    rows = [
        {
            **line("", 1),
            "new_name": name,
            "new_category": str(other.pk),
            "new_size": "small",
            "new_barcode": code,
        }
        for name, code in (("Lantern", "4006381333931"), ("Tent", "12345"))
    ]
    response = post(client, hub, hall, *rows)
    assert "Logged dropoff" in response.content.decode()
    assert ItemBarcode.objects.get().item == water
    assert Item.objects.filter(name__in=["Lantern", "Tent"]).count() == 2
