"""The dropoff table on a tablet (820x1180, touch), as a volunteer new to it uses it: the
three-line dropoff of the README's demo in at most eight taps or field entries, counted
here one by one; quantities that select on focus; the search that clears; an unusual
quantity confirmed on its line; the location kept per device; an item not in the list."""

import os
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from hub.models import Dropoff, PinnedTile
from inventory.models import Item
from tests.browser.pages import log_in
from tests.factories import CategoryFactory, ItemFactory, StorageLocationFactory
from tests.ledger import assert_ledger_matches_balances, qty

pytestmark = pytest.mark.django_db(transaction=True)

TABLET = {"width": 820, "height": 1180}
# Where to keep screenshots to look at (SCREENSHOTS=/some/dir); none are taken without it.
SCREENSHOTS = os.environ.get("SCREENSHOTS")


def shot(page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


class Taps:
    """Every tap and every field entry (tapping a box and typing its value) the test makes
    on the page goes through here and is counted."""

    def __init__(self, page):
        self.page, self.count, self.log = page, 0, []

    def tap(self, locator, what: str) -> None:
        self.count += 1
        self.log.append(f"tap {what}")
        locator.tap()

    def enter(self, locator, text: str, what: str) -> None:
        self.count += 1
        self.log.append(f"enter {text!r} in {what}")
        locator.tap()
        self.page.keyboard.type(text)


@pytest.fixture
def tablet(browser, live_server):
    context = browser.new_context(viewport=TABLET, has_touch=True, is_mobile=True)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def table(hub, volunteer):
    """The demo's kind of catalog: more items than tiles, the kit not among them."""
    # Both empty: the table starts with the first by name, the shelf.
    hall = StorageLocationFactory(hub=hub, name="Main hall", capacity_litres=Decimal("9000"))
    shelf = StorageLocationFactory(hub=hub, name="Back shelf", capacity_litres=Decimal("3000"))
    food = CategoryFactory(code="food", name="Food", sort_order=1, aliases="comida")
    bedding = CategoryFactory(code="bedding", name="Bedding", sort_order=2)
    hygiene = CategoryFactory(code="hygiene", name="Hygiene", sort_order=3)
    soup = ItemFactory(name="Canned soup", category=food, unit_volume_litres=Decimal("0.5"))
    blanket = ItemFactory(
        name="Blanket", category=bedding, unit_volume_litres=Decimal("10"), aliases="manta"
    )
    kit = ItemFactory(name="Toothbrush and toothpaste kit", category=hygiene)
    for n in range(14):
        ItemFactory(name=f"Canned item {n:02}", category=food)
    PinnedTile.objects.create(hub=hub, item=soup, position=1)
    PinnedTile.objects.create(hub=hub, item=blanket, position=2)
    return {"hall": hall, "shelf": shelf, "soup": soup, "blanket": blanket, "kit": kit}


def open_table(page, live_server, hub):
    log_in(page, live_server, "vera")
    page.goto(live_server.url + reverse("intake", args=[hub.slug]))


def tile(page, item):
    return page.locator(f'.tiles-grid:not(#search-results) [data-add-item="{item.pk}"]')


def quantity(page, item):
    return page.locator(f'#lines .line[data-item="{item.pk}"] input[name=quantity]')


def test_it_logs_the_demo_dropoff_in_eight_taps_or_field_entries_on_a_tablet(
    tablet, live_server, hub, volunteer, table
):
    page, soup, blanket, kit = tablet, table["soup"], table["blanket"], table["kit"]
    open_table(page, live_server, hub)
    expect(tile(page, kit)).to_have_count(0)  # not among the tiles: found by search
    shot(page, "intake-tablet-start")
    taps = Taps(page)

    taps.tap(tile(page, soup), "Canned soup tile")
    expect(quantity(page, soup)).to_have_value("1")
    taps.enter(quantity(page, soup), "12", "its quantity")
    taps.tap(tile(page, blanket), "Blanket tile")
    expect(quantity(page, blanket)).to_have_value("1")
    taps.enter(quantity(page, blanket), "3", "its quantity")
    taps.enter(page.locator("#item-search"), "toothpaste kits", "the search box")
    result = page.locator(f'#search-results [data-add-item="{kit.pk}"]')
    expect(page.locator("#search-results [data-add-item]")).to_have_count(1)
    taps.tap(result, "the kit found")
    expect(quantity(page, kit)).to_have_value("1")
    expect(page.locator("#item-search")).to_have_value("")  # ready for the next word
    taps.enter(quantity(page, kit), "5", "its quantity")
    shot(page, "intake-tablet-lines")
    taps.tap(page.locator("#intake-form button.submit"), "Log dropoff")

    confirmation = page.locator(".confirmation")
    expect(confirmation).to_contain_text("Logged dropoff #")
    expect(confirmation.locator("li")).to_have_text(
        [
            re.compile(r"12 each Canned soup: accepted"),
            re.compile(r"3 each Blanket: accepted"),
            re.compile(r"5 each Toothbrush and toothpaste kit: accepted"),
        ]
    )
    shot(page, "intake-tablet-logged")
    print(f"{taps.count} taps or field entries: " + "; ".join(taps.log))
    assert taps.count <= 8

    dropoff = Dropoff.objects.get()
    assert {(li.item, li.quantity, li.location) for li in dropoff.lines.all()} == {
        (soup, 12, table["shelf"]),
        (blanket, 3, table["shelf"]),
        (kit, 5, table["shelf"]),
    }
    assert (qty(soup, table["shelf"]), qty(blanket, table["shelf"]), qty(kit, table["shelf"])) == (
        12,
        3,
        5,
    )
    assert_ledger_matches_balances()
    # Ready for the next donor: no lines, an empty search, the confirmation still there.
    expect(page.locator("#lines .line")).to_have_count(0)
    expect(page.locator("#item-search")).to_have_value("")
    expect(confirmation).to_be_visible()
    tile(page, soup).tap()
    expect(confirmation).to_be_visible()


def test_it_confirms_an_unusual_quantity_on_its_line_before_logging(
    tablet, live_server, hub, volunteer, table
):
    page, soup = tablet, table["soup"]
    open_table(page, live_server, hub)
    tile(page, soup).tap()
    quantity(page, soup).tap()
    page.keyboard.type("112")  # a slip of the finger: 112 for 12
    page.locator("#intake-form button.submit").tap()

    line = page.locator(f'#lines .line[data-item="{soup.pk}"]')
    expect(line).to_contain_text("112 Canned soup on one line is a lot")
    shot(page, "intake-tablet-unusual")
    assert Dropoff.objects.count() == 0
    line.locator("button.confirm-quantity").tap()

    expect(page.locator(".confirmation")).to_contain_text("112 each Canned soup")
    assert qty(soup, table["shelf"]) == 112


def test_it_keeps_the_location_chosen_on_the_tablet_and_adds_an_unlisted_item(
    tablet, live_server, hub, volunteer, table
):
    page, hall = tablet, table["hall"]
    open_table(page, live_server, hub)
    page.locator("#id_location").select_option(str(hall.pk))
    # Chromium stores a cookie set by a script asynchronously: reload once it is stored.
    remembered = {"name": "intake_location", "value": str(hall.pk)}
    for _ in range(50):
        if any(remembered.items() <= cookie.items() for cookie in page.context.cookies()):
            break
        page.wait_for_timeout(100)
    page.reload()
    expect(page.locator("#id_location")).to_have_value(str(hall.pk))

    page.locator("#unlisted summary").tap()
    page.locator("#unlisted-name").fill("Camping stove")
    page.locator("#unlisted-category").select_option(label="Hygiene")
    page.locator("#unlisted input[value=box]").check()
    page.locator("#unlisted button.add-unlisted").tap()
    expect(page.locator("#lines .line")).to_contain_text("Camping stove")
    shot(page, "intake-tablet-unlisted")
    page.locator("#intake-form button.submit").tap()

    expect(page.locator(".confirmation")).to_contain_text("1 box Camping stove: accepted")
    expect(page.locator("#id_location")).to_have_value(str(hall.pk))
    stove = Item.objects.get(name="Camping stove")
    assert stove.needs_review and stove.created_at_hub == hub
    assert qty(stove, hall) == 1
