"""CSV exports of dropoffs, stock and the ledger: streamed a chunk at a time from the
database, hub-scoped, for coordinators, and safe to open in a spreadsheet."""

import csv
import io
from decimal import Decimal

import pytest
from django.db.models.query import QuerySet
from django.http import StreamingHttpResponse
from django.urls import reverse

from hub import exports
from hub.exports import csv_cell
from hub.intake.services import DropoffLineInput
from hub.models import Outcome
from inventory.services import StockLine, stock_adjust, stock_receive
from tests.factories import ItemFactory, StorageLocationFactory
from tests.intake import logged


@pytest.fixture
def hall(hub):
    return StorageLocationFactory(hub=hub, name="Hall", capacity_litres=Decimal("100000"))


def rows(response) -> list[list[str]]:
    assert isinstance(response, StreamingHttpResponse)
    body = response.getvalue().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def export(client, hub, name, **params):
    return client.get(reverse(name, args=[hub.slug]), params)


def test_it_exports_dropoff_lines_without_donor_details(
    client, coordinator, volunteer, hub, other_hub, hall, water
):
    logged(
        hub,
        volunteer,
        DropoffLineInput(water, 4, location=hall),
        DropoffLineInput(water, 2, outcome=Outcome.REDIRECTED, redirected_to=other_hub),
        donor_name="Dana Donor",
        donor_contact="555-0100",
        donor_consent=True,
    )
    client.force_login(coordinator)

    response = export(client, hub, "export_dropoffs")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="west-adams-dropoffs-')
    header, *lines = rows(response)
    assert header[:3] == ["dropoff", "logged at", "logged by"]
    assert [(r[2], r[4], r[6], r[8], r[9], r[10]) for r in lines] == [
        ("vera", water.name, "4", "accepted", "Hall", ""),
        ("vera", water.name, "2", "redirected to another hub", "", "Pasadena Hub"),
    ]
    assert not [cell for row in lines for cell in row if "Dana" in cell or "555" in cell]


def test_it_exports_the_stock_now(client, coordinator, hub, hall, water):
    stock_receive(lines=[StockLine(water, hall, 5)], user=None, reason="in")
    client.force_login(coordinator)
    header, *lines = rows(export(client, hub, "export_stock"))
    assert header == ["item", "category", "location", "expiry date", "quantity", "unit", "litres"]
    assert lines == [[water.name, water.category.name, "Hall", "", "5", "each", "8.000"]]


def test_it_exports_the_ledger_with_who_and_why(client, coordinator, hub, other_hub, hall, water):
    stock_receive(lines=[StockLine(water, hall, 5)], user=coordinator, reason="=HYPERLINK(1)")
    stock_adjust(item=water, location=hall, delta=-2, user=coordinator, reason="crushed")
    theirs = StorageLocationFactory(hub=other_hub)
    stock_receive(lines=[StockLine(water, theirs, 9)], user=None, reason="not ours")
    client.force_login(coordinator)

    _header, *lines = rows(export(client, hub, "export_ledger"))

    assert [(r[2], r[7], r[8], r[9]) for r in lines] == [
        ("received", "5", "carlos", "'=HYPERLINK(1)"),  # defused for spreadsheets
        ("adjusted", "-2", "carlos", "crushed"),  # a negative number stays a number
    ]


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+33 1 23", "'+33 1 23"),
        ("-cmd", "'-cmd"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("Water", "Water"),
        (-3, "-3"),
        (Decimal("-1.5"), "-1.5"),
        (None, ""),
    ],
)
def test_it_defuses_cells_a_spreadsheet_would_run(value, cell):
    assert csv_cell(value) == cell


def test_it_streams_the_ledger_in_chunks_without_reading_it_all(
    client, coordinator, hub, hall, monkeypatch
):
    items = [ItemFactory() for _n in range(30)]
    for item in items:
        stock_receive(lines=[StockLine(item, hall, 1)], user=None, reason="in")
    monkeypatch.setattr("overview.report_views.CHUNK_SIZE", 7)
    pulled, chunk_sizes = [], []
    iterator = QuerySet.iterator

    def counting_iterator(self, chunk_size=None):
        chunk_sizes.append(chunk_size)
        for row in iterator(self, chunk_size=chunk_size):
            pulled.append(row)
            yield row

    monkeypatch.setattr(QuerySet, "iterator", counting_iterator)
    client.force_login(coordinator)

    response = export(client, hub, "export_ledger")
    content = iter(response.streaming_content)
    next(content), next(content), next(content)  # the BOM, the header, the first row

    assert chunk_sizes == [7]
    assert len(pulled) == 1  # rows are read as they are written, not all at once
    assert len(list(content)) == 29
    assert exports.CHUNK_SIZE >= 1000  # a real chunk is large enough to be quick


@pytest.mark.parametrize("name", ["export_dropoffs", "export_stock", "export_ledger"])
def test_it_keeps_exports_to_coordinators_of_the_hub(client, volunteer, outsider, hub, name):
    client.force_login(volunteer)
    assert export(client, hub, name).status_code == 403
    client.force_login(outsider)
    assert export(client, hub, name).status_code == 404


@pytest.mark.parametrize("name", ["export_dropoffs", "export_ledger"])
def test_it_refuses_a_bad_period(client, coordinator, hub, name):
    client.force_login(coordinator)
    response = export(client, hub, name, since="2025-02-10", until="2025-02-01")
    assert response.status_code == 400
    assert "The end must be on or after the start." in response.text
