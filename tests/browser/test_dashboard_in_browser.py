"""The dashboard in a real browser: it refreshes its figures by itself, without reloading
the page, under the CSP, with big targets."""

from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from inventory.services import StockLine, stock_receive
from tests.browser.pages import log_in, small_targets
from tests.factories import StorageLocationFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_refreshes_itself_without_reloading(
    page, live_server, hub, coordinator, water, settings, csp_violations
):
    settings.DASHBOARD_REFRESH_SECONDS = 1
    hall = StorageLocationFactory(hub=hub, name="Hall", capacity_litres=Decimal("1000"))
    log_in(page, live_server, "carlos")
    page.goto(live_server.url + reverse("dashboard", args=[hub.slug]))
    expect(page.locator("#flow-summary")).to_contain_text("0 litres received")
    page.evaluate("window.notReloaded = true")

    stock_receive(lines=[StockLine(water, hall, 250)], user=None, reason="test")

    expect(page.locator("#flow-summary")).to_contain_text("400 litres received", timeout=10_000)
    expect(page.locator("#dashboard")).to_contain_text("40.0 %")
    assert page.evaluate("window.notReloaded === true")
    assert small_targets(page) == []
    assert csp_violations == []
