"""The language buttons in a real browser, on the table's tablet (820 x 1180) and on a phone
(390 x 844): every language is one tap away on any page, in one row that fits the screen
with big targets, the dropoff in progress survives the tap, and the choice is remembered."""

import os
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from hub.models import LanguagePreference
from operations.management.commands.seed_demo import seed_catalog
from tests.browser.pages import small_targets
from tests.factories import PASSWORD, StorageLocationFactory

pytestmark = pytest.mark.django_db(transaction=True)

SCREENS = {
    "tablet": {"viewport": {"width": 820, "height": 1180}, "has_touch": True},
    "phone": {"viewport": {"width": 390, "height": 844}, "has_touch": True},
}
LANGUAGES = ["en", "es", "hi", "ko", "zh-hans", "tl", "vi", "fa"]
# Where screenshots go, to look at them (unset: none are kept).
SHOTS = os.environ.get("SCREENSHOT_DIR")


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png")


def check_the_buttons(page, width: int) -> None:
    """All the languages visible in one row of the header, big enough, no sideways scroll."""
    buttons = page.locator("header form.lang button[name=language]")
    assert [b.get_attribute("value") for b in buttons.all()] == LANGUAGES
    tops = {round(b.bounding_box()["y"]) for b in buttons.all()}
    assert len(tops) == 1, f"the languages are on {len(tops)} rows"
    assert small_targets(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("screen", ["tablet", "phone"])
def test_it_switches_the_language_in_one_tap_keeping_the_dropoff_in_progress(
    browser, live_server, hub, volunteer, screen
):
    seed_catalog()
    StorageLocationFactory(hub=hub, name="Main hall", capacity_litres=Decimal("5000"))
    context = browser.new_context(**SCREENS[screen])
    page = context.new_page()
    width = SCREENS[screen]["viewport"]["width"]
    page.goto(live_server.url + reverse("login"))
    page.fill("#id_username", "vera")
    page.fill("#id_password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(f"**{reverse('intake', args=[hub.slug])}")
    page.locator(".tiles-grid .tile-item").first.click()
    page.locator(".tiles-grid .tile-item").nth(1).click()
    expect(page.locator("#lines .line")).to_have_count(2)
    page.locator("#lines .line input[name=quantity]").first.fill("12")
    check_the_buttons(page, width)
    shot(page, f"language-{screen}-en")

    page.get_by_role("button", name="فارسی").tap()

    expect(page.locator("html")).to_have_attribute("lang", "fa")
    assert page.locator("html").get_attribute("dir") == "rtl"
    expect(page.locator("#lines .line")).to_have_count(2)
    assert page.locator("#lines .line input[name=quantity]").first.input_value() == "12"
    expect(page.locator('button[value="fa"]')).to_have_attribute("aria-current", "true")
    check_the_buttons(page, width)
    shot(page, f"language-{screen}-fa")

    page.goto(live_server.url + reverse("transfer_list", args=[hub.slug]))
    page.get_by_role("button", name="español").tap()

    expect(page.locator("html")).to_have_attribute("lang", "es")
    assert page.url.endswith(reverse("transfer_list", args=[hub.slug]))
    check_the_buttons(page, width)
    page.goto(live_server.url + reverse("intake", args=[hub.slug]))
    expect(page.locator("html")).to_have_attribute("lang", "es")
    assert LanguagePreference.objects.get(user=volunteer).language == "es"
    context.close()
