"""Bringing in the spreadsheet: a coordinator uploads a CSV or XLSX, sees a preview row by
row, and only on confirming are the new items created and the quantities counted as
opening stock, once per file. Oversized, malformed and hostile files store nothing."""

import io
import zipfile
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from inventory.models import Item, MovementKind, StockBalance, StockMovement
from inventory.services import StockLine, stock_receive
from tests.factories import CategoryFactory, StorageLocationFactory
from tests.ledger import assert_ledger_matches_balances, qty
from tests.spreadsheets import HEADER, two_hundred_rows_with_five_bad


@pytest.fixture
def food(db):
    return CategoryFactory(code="food", name="Food")


@pytest.fixture
def hall(hub):
    return StorageLocationFactory(hub=hub, name="Main hall", capacity_litres=Decimal("100000"))


@pytest.fixture
def shelf(hub):
    return StorageLocationFactory(hub=hub, name="Shelf B", capacity_litres=Decimal("100000"))


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


def url(hub) -> str:
    return reverse("stock_import", args=[hub.slug])


def upload(client, hub, content: bytes, name="stock.csv"):
    return client.post(url(hub), {"action": "preview", "file": SimpleUploadedFile(name, content)})


def confirm(client, hub, response):
    return client.post(
        url(hub), {"action": "confirm", "digest": response.context["preview"].digest}
    )


def stored() -> tuple[int, int, int]:
    return Item.objects.count(), StockMovement.objects.count(), StockBalance.objects.count()


def test_it_previews_a_200_row_file_with_5_bad_rows_then_stocks_exactly_195(
    coordinator_client, hub, food, hall, shelf
):
    before = stored()

    preview = upload(coordinator_client, hub, two_hundred_rows_with_five_bad())

    page = preview.content.decode()
    assert preview.status_code == 200
    assert stored() == before, "a preview stores nothing"
    assert "195 rows can be taken; 5 rows cannot" in page
    for message in (
        "not-a-category is not a category of the catalog.",
        "The unit must be one of: each, pack, case, bag, box.",
        "A new item needs its size",
        "The quantity must be a whole number",
        "Attic is not a storage location of this hub.",
    ):
        assert message in page

    response = confirm(coordinator_client, hub, preview)

    assert response.status_code == 302
    assert Item.objects.filter(name__startswith="Donated item").count() == 195
    counted = StockMovement.objects.filter(kind=MovementKind.COUNTED)
    assert counted.count() == 195
    assert sum(counted.values_list("quantity", flat=True)) == sum(range(1, 196))
    assert not Item.objects.filter(name__in=["Mystery", "Tins", "Rice", "Beans", "Soap"]).exists()
    dated = Item.objects.get(name="Donated item 0")
    assert (dated.unit, dated.unit_volume_litres, dated.tracks_expiry) == ("box", 2, True)
    assert qty(dated, shelf, date(2027, 1, 1)) == 1
    assert qty(Item.objects.get(name="Donated item 1"), hall) == 2
    assert_ledger_matches_balances()


def test_it_never_counts_the_same_file_twice(coordinator_client, hub, food, hall, shelf):
    content = two_hundred_rows_with_five_bad()
    confirm(coordinator_client, hub, upload(coordinator_client, hub, content))
    after_first = stored()

    again = upload(coordinator_client, hub, content)
    response = confirm(coordinator_client, hub, again)

    assert "imported already" in again.content.decode()
    assert response.status_code == 400
    assert "imported already" in response.content.decode()
    assert stored() == after_first


def test_it_matches_the_catalog_and_counts_an_existing_item_over_what_is_on_record(
    coordinator_client, hub, coordinator, hall, water
):
    stock_receive(lines=[StockLine(water, hall, 15)], user=coordinator, idempotency_key="before")
    content = f"Name,Quantity\n{water.name.upper()},40\n".encode()

    preview = upload(coordinator_client, hub, content)
    confirm(coordinator_client, hub, preview)

    assert "found (" in preview.content.decode()
    rows = preview.context["preview"].rows
    assert [(row.item, row.on_record, row.quantity) for row in rows] == [(water, 15, 40)]
    assert Item.objects.count() == 1
    assert qty(water, hall) == 40
    assert StockMovement.objects.get(kind=MovementKind.COUNTED).quantity == 25


def test_it_reads_an_xlsx_with_date_cells_and_refuses_formula_cells(
    coordinator_client, hub, food, hall
):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["name", "category", "unit", "size", "quantity", "location", "expiry"])
    sheet.append(["Canned corn", "food", "each", 0.4, 12, "Main hall", date(2027, 5, 1)])
    sheet.append(["=cmd|' /C calc'!A0", "food", "each", 1, 1, "Main hall", None])
    sheet.append(["Pasta", "food", "pack", 0.6, "=2*3", "Main hall", None])
    data = io.BytesIO()
    book.save(data)

    preview = upload(coordinator_client, hub, data.getvalue(), name="stock.xlsx")
    confirm(coordinator_client, hub, preview)

    page = preview.content.decode()
    assert page.count("starts like a formula") == 2
    assert list(Item.objects.values_list("name", flat=True)) == ["Canned corn"]
    assert qty(Item.objects.get(name="Canned corn"), hall, date(2027, 5, 1)) == 12


@pytest.mark.parametrize("cell", ['=HYPERLINK("http://x")', "+1+1", "@SUM(A1)", "-2+3"])
def test_it_refuses_csv_cells_that_a_spreadsheet_would_run(
    coordinator_client, hub, food, hall, cell
):
    content = f'{HEADER}"{cell}",food,each,1,1,Main hall,\n'.encode()

    preview = upload(coordinator_client, hub, content)

    assert "starts like a formula" in preview.content.decode()
    assert not preview.context["preview"].good


def test_it_reads_utf16_but_refuses_other_encodings_with_a_message(
    coordinator_client, hub, food, hall
):
    text = HEADER + "Café molido,food,pack,0.5,3,Main hall,\n"
    before = stored()

    latin = upload(coordinator_client, hub, text.encode("latin-1"))
    utf16 = upload(coordinator_client, hub, text.encode("utf-16"))

    assert latin.status_code == 400
    assert "not in UTF-8" in latin.content.decode()
    assert "Nothing was stored." in latin.content.decode()
    assert utf16.status_code == 200
    assert [row.name for row in utf16.context["preview"].good] == ["Café molido"]
    assert stored() == before


def zip_bomb() -> bytes:
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (40 * 1024 * 1024))
    return data.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("big.csv", HEADER.encode() + b"x" * (2 * 1024 * 1024 + 1), "larger than 2 MB"),
        ("long.csv", b"name\n" + b"x\n" * 100_000, "more than 5000 rows"),
        ("bomb.xlsx", zip_bomb(), "unpacks to far more than its size"),
        ("broken.xlsx", b"PK\x03\x04 not really a zip", "not a valid .xlsx"),
        ("notabook.xlsx", b"", "The file is empty."),
        ("stock.pdf", b"%PDF-1.4", "Upload a .csv or .xlsx file."),
        ("nul.csv", b"name\n\x00\x00\x00", "not a text CSV"),
        ("header.csv", b"what,ever\n1,2\n", "No column is called name"),
        ("empty.csv", HEADER.encode(), "no rows of items"),
    ],
    ids=[
        "oversized",
        "100000-rows",
        "zip-bomb",
        "broken-xlsx",
        "empty",
        "pdf",
        "nul",
        "no-name",
        "no-rows",
    ],
)
def test_it_refuses_a_file_it_cannot_read_with_a_message_and_stores_nothing(
    coordinator_client, hub, food, hall, name, content, message
):
    before = stored()

    response = upload(coordinator_client, hub, content, name=name)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert stored() == before


def test_it_asks_for_the_file_again_when_the_preview_has_expired(
    coordinator_client, hub, food, hall
):
    preview = upload(coordinator_client, hub, (HEADER + "Rice,food,bag,1,3,,\n").encode())
    cache.clear()

    response = confirm(coordinator_client, hub, preview)

    assert response.status_code == 400
    assert "Upload the file again" in response.content.decode()
    assert not Item.objects.filter(name="Rice").exists()


def test_it_lets_no_one_confirm_another_persons_preview(
    coordinator_client, hub, food, hall, admin_user
):
    preview = upload(coordinator_client, hub, (HEADER + "Rice,food,bag,1,3,,\n").encode())
    other = Client()
    other.force_login(admin_user)

    response = confirm(other, hub, preview)

    assert response.status_code == 400
    assert not Item.objects.filter(name="Rice").exists()
