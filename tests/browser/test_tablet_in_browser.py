"""The table's shared tablet in a real browser (820 x 1180): a coordinator enrols it from
the People page, two volunteers switch in on it by name and PIN, and each dropoff names
the right person; the People page on a coordinator's phone (390 x 844)."""

import os
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from hub.models import Dropoff
from hub.roles import Role
from tests.browser.pages import axe_violations, small_targets
from tests.factories import PASSWORD, StorageLocationFactory, UserFactory
from tests.tablets import with_pin

pytestmark = pytest.mark.django_db(transaction=True)

TABLET = {"viewport": {"width": 820, "height": 1180}, "has_touch": True}
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True}
# Where screenshots go, to look at them (unset: none are kept).
SHOTS = os.environ.get("SCREENSHOT_DIR")


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def log_one(page, item) -> None:
    page.locator(f'[data-add-item="{item.pk}"]').first.click()
    expect(page.locator("#lines .line")).to_have_count(1)
    page.locator("#intake-form button.submit").click()
    expect(page.locator(".confirmation h2")).to_have_text(re.compile(r"Logged dropoff #\d+"))


def switch_in(page, name: str, pin: str) -> None:
    page.get_by_role("link", name=name, exact=True).click()
    # Loaded, its script with it: typed before that, the 4th digit would send nothing.
    page.wait_for_url(re.compile(r".*/tablet/\d+/$"))
    page.get_by_label("Your 4-digit PIN").press_sequentially(pin)  # the 4th digit sends it
    page.wait_for_url(re.compile(r".*/intake/$"))


def test_two_volunteers_switch_on_one_tablet_and_each_dropoff_names_them(
    browser, live_server, hub, coordinator, water, csp_violations, axe_source
):
    StorageLocationFactory(hub=hub, name="Main hall", capacity_litres=Decimal("10000"))
    with_pin(UserFactory(username="vera", first_name="Vera", role=Role.VOLUNTEER, hubs=[hub]))
    with_pin(
        UserFactory(username="maria", first_name="María", role=Role.VOLUNTEER, hubs=[hub]), "4321"
    )
    tablet = browser.new_context(**TABLET)
    page = tablet.new_page()
    # The switch screen and PIN page under the CSP (the dropoff page has its own tests).
    page.on(
        "console",
        lambda msg: (
            csp_violations.append(msg.text)
            if msg.type == "error"
            and "Content Security Policy" in msg.text
            and "/tablet/" in page.url
            else None
        ),
    )
    page.goto(live_server.url + reverse("login"))
    page.fill("#id_username", "carlos")
    page.fill("#id_password", PASSWORD)
    page.click("button.primary")
    page.goto(live_server.url + reverse("people", args=[hub.slug]))
    page.get_by_label("Name of this tablet").fill("Front table")
    page.get_by_role("button", name="Enrol this device as a table tablet").click()
    page.wait_for_url(re.compile(r".*/tablet/$"))
    expect(page.get_by_role("heading", name="Who is at the table?")).to_be_visible()
    shot(page, "tablet-switch")
    assert small_targets(page) == []
    assert axe_violations(page, axe_source) == []

    switch_in(page, "Vera", "1234")
    expect(page.locator(".tablet-who")).to_have_text("Vera")
    log_one(page, water)
    page.get_by_role("button", name="Switch person").click()
    page.wait_for_url(re.compile(r".*/tablet/$"))
    page.get_by_role("link", name="María", exact=True).click()
    shot(page, "tablet-pin")
    assert small_targets(page) == []
    assert axe_violations(page, axe_source) == []
    page.get_by_label("Your 4-digit PIN").press_sequentially("4321")
    page.wait_for_url(re.compile(r".*/intake/$"))
    expect(page.locator(".tablet-who")).to_have_text("María")
    shot(page, "tablet-intake")
    log_one(page, water)

    logged = Dropoff.objects.order_by("pk").values_list("logged_by__username", flat=True)
    assert list(logged) == ["vera", "maria"]
    page.goto(live_server.url + reverse("stock_list", args=[hub.slug]))
    expect(page.locator("#messages")).to_contain_text("opens the dropoff pages only")
    assert csp_violations == []
    tablet.close()


def test_the_people_page_fits_a_coordinators_phone(
    browser, live_server, hub, coordinator, volunteer, axe_source
):
    UserFactory(username="maria", first_name="María López", role=Role.VOLUNTEER, hubs=[hub])
    phone = browser.new_context(**PHONE)
    page = phone.new_page()
    page.goto(live_server.url + reverse("login"))
    page.fill("#id_username", "carlos")
    page.fill("#id_password", PASSWORD)
    page.click("button.primary")
    page.goto(live_server.url + reverse("people", args=[hub.slug]))
    page.locator("details.member-actions summary").first.click()
    shot(page, "people-phone")
    assert small_targets(page) == []
    assert axe_violations(page, axe_source) == []
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide on a 390 px phone"
    page.get_by_role("button", name="Reset PIN").first.click()
    expect(page.locator(".shown-once code")).to_have_text(re.compile(r"^\d{4}$"))
    phone.close()
