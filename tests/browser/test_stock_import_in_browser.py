"""Bringing in the spreadsheet in a real browser: a coordinator uploads a 200-row file with 5
bad rows, sees the preview (accessible, under the CSP), confirms, and exactly the 195 good
rows are in stock."""

from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from inventory.models import MovementKind, StockMovement
from tests.browser.pages import axe_violations, log_in
from tests.factories import CategoryFactory, StorageLocationFactory
from tests.ledger import assert_ledger_matches_balances
from tests.spreadsheets import two_hundred_rows_with_five_bad

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_coordinator_imports_195_of_200_rows(
    page, live_server, hub, coordinator, csp_violations, axe_source, tmp_path
):
    CategoryFactory(code="food", name="Food")
    for name in ("Main hall", "Shelf B"):
        StorageLocationFactory(hub=hub, name=name, capacity_litres=Decimal("100000"))
    sheet = tmp_path / "stock.csv"
    sheet.write_bytes(two_hundred_rows_with_five_bad())
    log_in(page, live_server, "carlos")
    page.goto(live_server.url + reverse("stock_list", args=[hub.slug]))

    page.get_by_role("link", name="Import a spreadsheet").click()
    page.get_by_label("The spreadsheet (.csv or .xlsx)").set_input_files(sheet)
    page.get_by_role("button", name="Preview").click()

    expect(page.locator("#preview-heading")).to_have_text("Preview of stock.csv")
    expect(page.locator(".row-error")).to_have_count(5)
    assert StockMovement.objects.count() == 0
    assert axe_violations(page, axe_source) == []
    page.get_by_role("button", name="Import 195 rows").click()

    expect(page.locator("#messages")).to_contain_text(
        "Imported 195 rows: 195 new items, 195 stock lines counted."
    )
    assert StockMovement.objects.filter(kind=MovementKind.COUNTED).count() == 195
    assert_ledger_matches_balances()
    assert csp_violations == []
