"""The network's public doors in a real browser, under the CSP: a closed hub's table sends a
donor on (tablet, 820 x 1180), a donor pledges before driving (phone, 390 x 844), and a
shelter's contact asks for what they need through its private link (phone)."""

import os
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from deliveries.models import NeedRequest
from deliveries.shelter_services import request_link_make
from hub.models import DropoffLine, IntakeStatus, Outcome, Pledge
from tests.browser.pages import axe_violations, log_in, small_targets
from tests.factories import (
    CategoryFactory,
    DestinationFactory,
    HubFactory,
    ItemFactory,
    PlaceFactory,
    StorageLocationFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)
# Where to keep screenshots to look at (SCREENSHOTS=/some/dir); none are taken without it.
SCREENSHOTS = os.environ.get("SCREENSHOTS")
TABLET = {"width": 820, "height": 1180}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def mid_city(db):
    hub = HubFactory(
        name="Mid-City Hub",
        slug="mid-city",
        address="4800 W Washington Blvd, Los Angeles",
        opening_hours="Daily 8:00-20:00",
        latitude=Decimal("34.04"),
        longitude=Decimal("-118.36"),
    )
    StorageLocationFactory(hub=hub, capacity_litres=Decimal("5000"))
    return hub


@pytest.fixture
def water(db):
    return ItemFactory(name="Bottled water", category=CategoryFactory(code="water", name="Water"))


def listen(page, found: list) -> None:
    """CSP errors of a page opened in a context of its own (the fixture listens to `page`)."""
    page.on(
        "console",
        lambda m: found.append(m.text) if "Content Security Policy" in m.text else None,
    )


def shot(page, name: str) -> None:
    if SCREENSHOTS:
        # caret="initial": hiding the caret injects a style, which the CSP refuses.
        page.screenshot(
            path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True, caret="initial"
        )


def test_a_closed_hubs_table_sends_a_donor_on_to_the_nearest_hub_with_room(
    browser, live_server, hub, mid_city, volunteer, water, csp_violations
):
    hub.intake_status, hub.intake_reason = IntakeStatus.CLOSED, "Storage full"
    hub.latitude, hub.longitude = Decimal("34.03"), Decimal("-118.33")
    hub.save()
    StorageLocationFactory(hub=hub, capacity_litres=Decimal("100"))
    tablet = browser.new_context(viewport=TABLET, has_touch=True)
    page = tablet.new_page()
    listen(page, csp_violations)
    log_in(page, live_server, volunteer.username)
    page.goto(live_server.url + reverse("intake", args=[hub.slug]))

    expect(page.locator("#nearby-hubs")).to_contain_text("Mid-City Hub")
    expect(page.locator("#nearby-hubs")).to_contain_text("Daily 8:00-20:00")
    page.locator(f'[data-add-item="{water.pk}"]').first.click()
    line = page.locator("#lines .line")
    expect(line).to_have_count(1)
    expect(line.locator("select[name=outcome]")).to_have_value("redirected")
    expect(line.locator("select[name=redirected_to]")).to_have_value(str(mid_city.pk))
    expect(page.locator("#nearby-hubs .nearby-match").first).to_be_visible()
    shot(page, "closed-table-tablet")
    page.locator("#intake-form button.submit").click()
    expect(page.locator(".confirmation h2")).to_have_text(re.compile(r"Logged dropoff #\d+"))
    expect(page.locator(".confirmation")).to_contain_text("Mid-City Hub")

    sent = DropoffLine.objects.get()
    assert (sent.outcome, sent.redirected_to) == (Outcome.REDIRECTED, mid_city)
    assert csp_violations == []
    tablet.close()


def test_a_donor_pledges_on_a_phone_before_driving(
    browser, live_server, mid_city, water, csp_violations, axe_source
):
    PlaceFactory(name="90016", latitude=Decimal("34.029"), longitude=Decimal("-118.353"))
    phone = browser.new_context(viewport=PHONE, has_touch=True)
    page = phone.new_page()
    listen(page, csp_violations)
    page.goto(live_server.url + reverse("pledge"))

    page.locator("input[name=what]").first.fill("Bottled water")
    page.locator("input[name=quantity]").first.fill("10")
    page.get_by_label("Your postcode or neighbourhood").fill("90016")
    page.get_by_role("button", name="Find hubs with room").click()
    expect(page.locator("#pledge-answer")).to_contain_text("Mid-City Hub")
    shot(page, "pledge-phone-answer")
    page.get_by_role("button", name="I will bring it to Mid-City Hub").click()
    expect(page.locator("h1")).to_contain_text("Mid-City Hub expects you")
    shot(page, "pledge-phone-done")

    pledge = Pledge.objects.get()
    assert [(line.item, line.quantity) for line in pledge.lines.all()] == [(water, 10)]
    assert csp_violations == []
    # Last: axe sets inline styles itself, which the CSP refuses.
    page.goto(live_server.url + reverse("pledge"))
    assert small_targets(page) == []
    assert axe_violations(page, axe_source) == []
    phone.close()


def test_a_shelter_asks_for_what_it_needs_on_a_phone(
    browser, live_server, hub, coordinator, water, csp_violations, axe_source
):
    shelter = DestinationFactory(hub=hub, name="Crenshaw Rec Center shelter")
    token = request_link_make(destination=shelter, user=coordinator)
    phone = browser.new_context(viewport=PHONE, has_touch=True)
    page = phone.new_page()
    listen(page, csp_violations)
    page.goto(live_server.url + reverse("shelter_needs", args=[token]))

    page.get_by_label("Item").select_option(label="Bottled water")
    page.get_by_label("How many (0 if you have enough now)").fill("48")
    page.get_by_label("How urgent").select_option(label="high")
    page.get_by_role("button", name="Send to the hub").click()
    expect(page.locator("#messages")).to_contain_text("Sent.")
    expect(page.locator("main")).to_contain_text("48")
    shot(page, "shelter-phone")

    assert NeedRequest.objects.get().quantity == 48
    assert csp_violations == []
    # Last: axe sets inline styles itself, which the CSP refuses.
    assert small_targets(page) == []
    assert axe_violations(page, axe_source) == []
    phone.close()
