"""Expiry in a real browser: a line past its date asks, on the tablet at the table, whether
to discard it or (for items safe after their date) accept it anyway; the coordinators'
dashboard lists what expires soon and what is under its minimum, and puts a batch on a
run or discards it after a confirmation, on a laptop."""

import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from deliveries.models import StopLine
from hub.models import DropoffLine, Outcome
from inventory.models import MovementKind, StockBalance, StockMovement
from inventory.stock_alerts import item_stock_rules_set
from tests.browser.pages import log_in, small_targets
from tests.browser.test_intake_field_ready import SCREENSHOTS, TABLET
from tests.browser.test_intake_in_browser import line, tile
from tests.factories import ItemFactory, StorageLocationFactory
from tests.runs import network, stock

pytestmark = pytest.mark.django_db(transaction=True)

LAPTOP = {"width": 1366, "height": 768}


def shot(page, name: str) -> None:
    # The caret left as it is: hiding it injects a style the page's CSP refuses.
    if SCREENSHOTS:
        page.screenshot(
            path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True, caret="initial"
        )


@pytest.fixture
def hall(hub):
    return StorageLocationFactory(hub=hub, name="Main hall", capacity_litres=Decimal("10000"))


@pytest.fixture
def soup(db):
    return ItemFactory(
        name="Canned soup",
        tracks_expiry=True,
        safe_after_expiry=True,
        unit_volume_litres=Decimal("0.5"),
    )


@pytest.fixture
def formula(db):
    return ItemFactory(name="Baby formula", tracks_expiry=True, unit_volume_litres=Decimal("1"))


def test_a_volunteer_chooses_what_happens_to_expired_lines(
    page, live_server, hub, volunteer, hall, soup, formula, csp_violations
):
    page.set_viewport_size(TABLET)
    log_in(page, live_server, "vera")
    page.goto(live_server.url + reverse("intake", args=[hub.slug]))
    last_year = (timezone.localdate() - timedelta(days=365)).isoformat()

    tile(page, soup).click()
    tile(page, formula).click()
    for item in (soup, formula):
        choice = line(page, item).locator("[data-expired-choice]")
        expect(choice).to_be_hidden()
        line(page, item).locator("input[name=expiry_date]").fill(last_year)
        line(page, item).locator("input[name=expiry_date]").dispatch_event("change")
        expect(choice).to_be_visible()
    # Formula is never accepted past its date: only "discard" is offered.
    options = line(page, formula).locator("select[name=expired] option")
    expect(options).to_have_text(["Choose…", "Discard it (not stocked)"])

    # Logged without a choice: each line says what is needed, nothing is stored.
    page.locator("#intake-form button.submit").click()
    expect(line(page, soup).locator(".line-message")).to_contain_text(
        "discard it, or accept it anyway"
    )
    expect(line(page, formula).locator(".line-message")).to_contain_text("not safe")
    assert not DropoffLine.objects.exists()
    assert small_targets(page) == []
    shot(page, "expired-lines-tablet")

    line(page, soup).locator("select[name=expired]").select_option("accept")
    line(page, formula).locator("select[name=expired]").select_option("discard")
    page.locator("#intake-form button.submit").click()

    expect(page.locator(".confirmation li")).to_have_text(
        [
            re.compile(r"1 each Canned soup: accepted"),
            re.compile(r"1 each Baby formula: discarded \(expired\)"),
        ],
        use_inner_text=True,
    )
    shot(page, "expired-lines-logged-tablet")
    outcomes = dict(DropoffLine.objects.values_list("item__name", "outcome"))
    assert outcomes == {soup.name: Outcome.ACCEPTED, formula.name: Outcome.DISCARDED}
    assert list(StockBalance.objects.values_list("item__name", "quantity")) == [(soup.name, 1)]
    assert csp_violations == []


def test_the_choice_goes_away_when_the_date_is_corrected(
    page, live_server, hub, volunteer, hall, formula
):
    page.set_viewport_size(TABLET)
    log_in(page, live_server, "vera")
    page.goto(live_server.url + reverse("intake", args=[hub.slug]))
    tile(page, formula).click()
    date_box = line(page, formula).locator("input[name=expiry_date]")
    date_box.fill((timezone.localdate() - timedelta(days=2)).isoformat())
    date_box.dispatch_event("change")
    line(page, formula).locator("select[name=expired]").select_option("discard")
    date_box.fill((timezone.localdate() + timedelta(days=200)).isoformat())
    date_box.dispatch_event("change")
    expect(line(page, formula).locator("[data-expired-choice]")).to_be_hidden()
    page.locator("#intake-form button.submit").click()
    expect(page.locator(".confirmation li")).to_have_text(
        [re.compile(r"Baby formula: accepted")], use_inner_text=True
    )


def test_a_coordinator_acts_on_expiring_stock_from_the_dashboard(
    page, live_server, hub, other_hub, coordinator, soup, formula, water, csp_violations
):
    net = network(hub, other_hub)
    soon = timezone.localdate() + timedelta(days=4)
    stock(net.garage, soup, 24, soon)
    stock(net.hall, formula, 6, timezone.localdate() - timedelta(days=1))
    stock(net.garage, water, 3)
    item_stock_rules_set(hub=hub, item=water, user=coordinator, safe_after_expiry=False, minimum=20)
    page.set_viewport_size(LAPTOP)
    log_in(page, live_server, "carlos")
    page.goto(live_server.url + reverse("dashboard", args=[hub.slug]))

    expiring = page.locator("#expiring")
    expect(expiring.locator(".expiring-row")).to_have_count(2)
    expect(expiring).to_contain_text("expired")
    expect(page.locator("#under-minimum")).to_contain_text(water.name)
    shot(page, "dashboard-stock-lists-laptop")

    soup_row = expiring.locator(".expiring-row", has_text="Canned soup")
    soup_row.get_by_text("Put on a run").click()
    soup_row.get_by_label("Stop").select_option(label=net.shelter.name)
    shot(page, "dashboard-put-on-run-laptop")
    soup_row.get_by_role("button", name="Put on the run").click()
    expect(page.locator("#messages")).to_contain_text("24 Canned soup put on run #")
    assert StopLine.objects.get().quantity == 24

    formula_row = page.locator("#expiring .expiring-row", has_text="Baby formula")
    formula_row.get_by_text("Discard", exact=True).click()
    expect(formula_row).to_contain_text("Discard all 6")
    assert not StockMovement.objects.filter(kind=MovementKind.DISCARDED).exists()
    formula_row.get_by_role("button", name="Yes, discard them").click()
    expect(page.locator("#messages")).to_contain_text("6 Baby formula discarded from Hall.")
    assert StockMovement.objects.get(kind=MovementKind.DISCARDED).reason.startswith("Expired on")
    expect(page.locator("#expiring .expiring-row")).to_have_count(1)
    shot(page, "dashboard-after-discard-laptop")
    assert csp_violations == []
