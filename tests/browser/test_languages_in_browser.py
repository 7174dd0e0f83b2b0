"""The dropoff table and the public status read in Hindi and in Persian, in a real browser:
no English word is left on them but names (the hub's, a person's), units of measure and
brand-like codes; Persian lays the page out right to left."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from operations.management.commands.seed_demo import seed_catalog
from tests.factories import PASSWORD, StorageLocationFactory

pytestmark = pytest.mark.django_db(transaction=True)

# Words that stay as they are in every language: the hub's name, address and the volunteer's
# name (user data), measures and codes printed on packs.
ALLOWED = {"West", "Adams", "Hub", "Main", "St", "Los", "Angeles", "CA", "vera", "Vera"}
ALLOWED |= {"L", "ml", "lb", "oz", "ft", "N95", "MRE"}
ALLOWED |= {"AA", "JSON", "QR", "CSV", "x"}
# The language buttons, each written in its own language.
ALLOWED |= {"EN", "ES", "TL", "VI"}
TABLET = {"width": 820, "height": 1180}


@pytest.fixture
def shelf(hub):
    return StorageLocationFactory(
        hub=hub,
        name="Main hall",
        capacity_litres=Decimal("5000"),
        translations={"name": {"hi": "मुख्य हॉल", "fa": "سالن اصلی"}},
    )


def english_left(page) -> list[str]:
    """Latin-script words on the visible page that are not allowed to stay English."""
    text = page.locator("body").inner_text()
    left = sorted({w for w in re.findall(r"[A-Za-z]+", text) if w not in ALLOWED})
    return left


def log_in_in(page, live_server, language: str) -> None:
    page.set_viewport_size(TABLET)
    page.goto(live_server.url + reverse("login"))
    page.click(f"button[name=language][value={language}]")
    page.fill("#id_username", "vera")
    page.fill("#id_password", PASSWORD)
    page.click("button.primary")


@pytest.mark.parametrize(("language", "direction"), [("hi", "ltr"), ("fa", "rtl")])
def test_it_reads_the_dropoff_table_with_no_english_left(
    page, live_server, hub, volunteer, shelf, language, direction, csp_violations
):
    seed_catalog()
    log_in_in(page, live_server, language)
    page.wait_for_url(f"**{reverse('intake', args=[hub.slug])}")
    assert page.locator("html").get_attribute("dir") == direction

    page.locator(".tiles-grid .tile-item").first.click()
    page.locator("#lines .line").first.wait_for()
    page.locator("#unlisted summary").click()
    page.locator(".donor summary").click()

    assert english_left(page) == []
    assert csp_violations == []


@pytest.mark.parametrize("language", ["hi", "fa"])
def test_it_reads_the_public_status_with_no_english_left(page, live_server, hub, shelf, language):
    seed_catalog()
    hub.opening_hours = "Daily 8:00-20:00"
    hub.translations = {"opening_hours": {"hi": "रोज़ 8:00-20:00", "fa": "هر روز ۸ تا ۲۰"}}
    hub.save()
    page.set_viewport_size(TABLET)
    page.goto(live_server.url + reverse("public_status"))
    page.click(f"button[name=language][value={language}]")
    assert english_left(page) == []
    page.goto(live_server.url + reverse("public_hub_status", args=[hub.slug]))
    assert english_left(page) == []


def test_it_keeps_the_dropoff_in_progress_when_the_language_changes(
    page, live_server, hub, volunteer, shelf
):
    seed_catalog()
    log_in_in(page, live_server, "en")
    page.wait_for_url(f"**{reverse('intake', args=[hub.slug])}")
    page.locator(".tiles-grid .tile-item").first.click()
    quantity = page.locator("#lines .line input[name=quantity]").first
    quantity.fill("12")

    page.click("button[name=language][value=fa]")

    page.wait_for_selector('html[lang="fa"]')
    assert page.locator("#lines .line input[name=quantity]").first.input_value() == "12"
    assert page.locator("html").get_attribute("dir") == "rtl"
