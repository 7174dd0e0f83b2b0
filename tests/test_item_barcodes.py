"""Item barcodes (issue 16): GTINs checked by their check digit, one form for UPC-A and
EAN-13, unique across the catalog, kept by coordinators on the item page, attached to an
item added at the table, and moved with it when it is merged."""

import pytest
from django.urls import reverse

from hub.intake.selectors import offline_catalog_list
from inventory.barcodes import BarcodeError, gtin_normalize, item_barcode_add, item_by_barcode
from inventory.models import ItemBarcode
from inventory.services import item_merge
from tests.factories import ItemBarcodeFactory, ItemFactory, StorageLocationFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("code", "gtin"),
    [
        ("012345678905", "00012345678905"),  # UPC-A
        ("0012345678905", "00012345678905"),  # the same as EAN-13
        ("4006381333931", "04006381333931"),
        ("96385074", "00000096385074"),  # EAN-8
        (" 4006381333931 ", "04006381333931"),
    ],
)
def test_it_keeps_a_valid_code_as_14_digits(code, gtin):
    assert gtin_normalize(code) == gtin


@pytest.mark.parametrize("code", ["4006381333932", "12345", "abcdefghijklm", "٤٠٠٦٣٨١٣٣٣٩٣١", ""])
def test_it_refuses_a_code_that_is_not_a_gtin(code):
    with pytest.raises(BarcodeError):
        gtin_normalize(code)


def test_it_refuses_a_code_another_item_has(water, beans):
    item_barcode_add(item=water, code="012345678905")
    with pytest.raises(BarcodeError, match="already the barcode of Bottled water"):
        item_barcode_add(item=beans, code="0012345678905")
    assert item_by_barcode(code="0012345678905") == water


def test_it_moves_the_codes_of_a_merged_item(water, hub):
    added = ItemFactory(name="Water bottle", needs_review=True, created_at_hub=hub)
    ItemBarcodeFactory(item=added, gtin="04006381333931")
    item_merge(item=added, into=water, user=None)
    assert item_by_barcode(code="4006381333931") == water


def test_it_lists_codes_in_the_offline_catalog(water, django_assert_max_num_queries):
    ItemBarcodeFactory(item=water, gtin="00012345678905")
    with django_assert_max_num_queries(2):
        rows = {row["id"]: row for row in offline_catalog_list()}
    assert rows[water.pk]["codes"] == ["00012345678905"]


def test_it_lets_a_coordinator_add_and_remove_a_code(client, coordinator, hub, water):
    client.force_login(coordinator)
    url = reverse("item_barcodes", args=[hub.slug, water.pk])
    page = reverse("item_detail", args=[hub.slug, water.pk])
    assert client.post(url, {"code": "012345678905"}).status_code == 302
    assert "012345678905" in client.get(page).content.decode()
    response = client.post(url, {"code": "012345678906"}, follow=True)
    assert "is not a valid barcode" in response.content.decode()
    barcode = ItemBarcode.objects.get()
    client.post(url, {"remove": barcode.pk})
    assert not ItemBarcode.objects.exists()


def test_it_prints_a_label_per_location(client, coordinator, hub):
    location = StorageLocationFactory(hub=hub, name="Shelf A")
    client.force_login(coordinator)
    response = client.get(reverse("location_labels", args=[hub.slug]))
    body = response.content.decode()
    assert response.status_code == 200
    assert location.name in body
    assert body.count('class="label-qr"') == 1
