"""The dropoff table in a real browser (issue 3, point 10): tiles, steppers, search as you
type, a double tap that logs once, a closed hub that refuses, and the number of taps."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from hub.models import Dropoff, DropoffLine, IntakeStatus
from inventory.models import StockBalance, StockMovement
from tests.browser.pages import log_in, small_targets
from tests.factories import ItemFactory, StorageLocationFactory
from tests.ledger import assert_ledger_matches_balances, qty

pytestmark = pytest.mark.django_db(transaction=True)

LOGGED = re.compile(r"Logged dropoff #(\d+)")


class Taps:
    """Every click and keystroke the test makes on the page goes through here and is counted."""

    def __init__(self, page):
        self.page = page
        self.count = 0

    def click(self, target, **kwargs) -> None:
        self.count += 1
        locator = self.page.locator(target) if isinstance(target, str) else target
        locator.click(**kwargs)

    def type(self, text: str, **kwargs) -> None:
        self.count += len(text)
        self.page.keyboard.type(text, **kwargs)


@pytest.fixture
def hall(hub):
    """Plenty of room: 10,000 L."""
    return StorageLocationFactory(hub=hub, name="Main hall", capacity_litres=Decimal("10000"))


@pytest.fixture
def diapers(db):
    return ItemFactory(name="Diapers size 3", unit_volume_litres=Decimal("4"))


@pytest.fixture
def jug(db):
    return ItemFactory(name="Water jug 5 gal", unit_volume_litres=Decimal("20"))


@pytest.fixture
def catalog(water, beans, diapers, jug):
    return [water, beans, diapers, jug]


def open_intake(page, live_server, hub) -> None:
    log_in(page, live_server, "vera")
    page.goto(live_server.url + reverse("intake", args=[hub.slug]))


def tile(page, item):
    """The item's tile among the "most received here" tiles (not a search result)."""
    return page.locator(f'.tiles-grid:not(#search-results) [data-add-item="{item.pk}"]')


def line(page, item):
    return page.locator(f'#lines .line[data-item="{item.pk}"]')


def lines(page):
    return page.locator("#lines .line")


def key_of(page) -> str:
    return page.locator("#intake-form input[name=idempotency_key]").input_value()


def logged_number(page, *, after: int | None = None) -> int:
    """The number of the dropoff the confirmation shows (a newer one than `after`)."""
    heading = page.locator(".confirmation h2")
    if after is not None:
        expect(heading).not_to_have_text(f"Logged dropoff #{after}")
    expect(heading).to_have_text(LOGGED)
    found = LOGGED.search(heading.inner_text())
    assert found, heading.inner_text()
    return int(found.group(1))


def test_it_logs_a_three_line_dropoff_with_tiles_and_steppers(
    page, live_server, hub, volunteer, hall, catalog, water, beans, diapers, csp_violations
):
    open_intake(page, live_server, hub)
    # The emptiest location that fits is chosen already.
    assert page.locator("#intake-form select[name=location]").input_value() == str(hall.pk)
    first_key = key_of(page)

    tile(page, water).click()
    expect(lines(page)).to_have_count(1)
    tile(page, beans).click()
    expect(lines(page)).to_have_count(2)
    tile(page, diapers).click()
    expect(lines(page)).to_have_count(3)
    line(page, water).locator("[data-step='1']").click()
    expect(line(page, water).locator("input[name=quantity]")).to_have_value("2")
    expect(line(page, water).locator(".unit")).to_have_text("each")
    page.locator("#intake-form button.submit").click()

    number = logged_number(page)
    expect(page.locator(".confirmation li")).to_have_text(
        [
            re.compile(r"^\s*2 each Bottled water 1\.5 L: accepted\s*$"),
            re.compile(r"^\s*1 each Canned beans: accepted\s*$"),
            re.compile(r"^\s*1 each Diapers size 3: accepted\s*$"),
        ],
        use_inner_text=True,
    )
    expect(page.locator(".confirmation")).to_contain_text("Main hall is now")
    # Reset for the next donor: no lines, a fresh key.
    expect(lines(page)).to_have_count(0)
    assert key_of(page) != first_key
    # The recent list shows it without a reload.
    expect(page.locator("#recent .recent-list a", has_text=f"#{number}")).to_be_visible()

    dropoff = Dropoff.objects.get()
    assert dropoff.pk == number
    assert dropoff.idempotency_key == first_key
    assert dropoff.logged_by == volunteer
    assert {(li.item, li.quantity) for li in dropoff.lines.all()} == {
        (water, 2),
        (beans, 1),
        (diapers, 1),
    }
    assert (qty(water, hall), qty(beans, hall), qty(diapers, hall)) == (2, 1, 1)
    assert StockMovement.objects.count() == 3
    assert_ledger_matches_balances()
    assert csp_violations == []


def test_it_takes_at_most_eight_taps_for_three_tile_items(
    page, live_server, hub, volunteer, hall, catalog, water, beans, diapers
):
    open_intake(page, live_server, hub)
    expect(tile(page, diapers)).to_be_visible()
    taps = Taps(page)

    # Two cases of water (a second tap adds one), beans and diapers, then submit.
    taps.click(tile(page, water))
    expect(lines(page)).to_have_count(1)
    taps.click(tile(page, water))
    expect(line(page, water).locator("input[name=quantity]")).to_have_value("2")
    taps.click(tile(page, beans))
    expect(lines(page)).to_have_count(2)
    taps.click(tile(page, diapers))
    expect(lines(page)).to_have_count(3)
    taps.click("#intake-form button.submit")
    number = logged_number(page)

    print(f"taps for a 3-line dropoff of tile items: {taps.count}")
    assert taps.count <= 8
    dropoff = Dropoff.objects.get(pk=number)
    assert {(li.item, li.quantity) for li in dropoff.lines.all()} == {
        (water, 2),
        (beans, 1),
        (diapers, 1),
    }


def test_it_logs_one_dropoff_when_submit_is_double_clicked(
    page, live_server, hub, volunteer, hall, catalog, water, beans, csp_violations
):
    posts = []
    page.on("request", lambda r: posts.append(r) if r.method == "POST" else None)
    open_intake(page, live_server, hub)
    posts.clear()  # the login form

    # A double click.
    tile(page, water).click()
    expect(lines(page)).to_have_count(1)
    page.locator("#intake-form button.submit").dblclick()
    first = logged_number(page)
    expect(lines(page)).to_have_count(0)

    # Two clicks as fast as the mouse goes.
    tile(page, beans).click()
    expect(lines(page)).to_have_count(1)
    page.locator("#intake-form button.submit").click(click_count=2)
    second = logged_number(page, after=first)
    assert second != first

    assert len(posts) == 2, [p.url for p in posts]  # hx-sync drops the second submit
    assert Dropoff.objects.count() == 2
    assert DropoffLine.objects.count() == 2
    assert qty(water, hall) == 1
    assert qty(beans, hall) == 1

    # A retry of the first submit (flaky Wi-Fi: the answer was lost, the tablet sends the
    # same form again) is answered with the first dropoff and stores nothing more.
    retry = page.request.post(
        posts[0].url,
        data=posts[0].post_data,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-CSRFToken": posts[0].headers["x-csrftoken"],
            "HX-Request": "true",
        },
    )
    assert retry.ok
    assert f"Logged dropoff #{first}" in retry.text()
    assert Dropoff.objects.count() == 2
    assert qty(water, hall) == 1
    assert_ledger_matches_balances()
    assert csp_violations == []


def test_it_shows_a_closed_hub_and_refuses_to_accept_anything(
    page, live_server, hub, volunteer, hall, catalog, water, csp_violations
):
    hub.intake_status = IntakeStatus.CLOSED
    hub.intake_reason = "Storage full"
    hub.intake_reopens_at = timezone.now() + timedelta(days=1)
    hub.save()

    open_intake(page, live_server, hub)

    banner = page.locator(".banner-closed")
    expect(banner).to_be_visible()
    expect(banner).to_have_attribute("role", "alert")
    expect(banner).to_contain_text("West Adams Hub is not taking donations now")
    expect(banner).to_contain_text("Storage full")
    expect(banner).to_contain_text("Reopens")
    # The table still logs what it declines or sends on (tests/test_closed_hub_door.py),
    # but takes nothing in: no location to put goods, every tile marked.
    expect(page.locator("#location-picker")).to_have_count(0)
    expect(page.locator(f'[data-add-item="{water.pk}"] .badge-closed').first).to_be_visible()

    # A form crafted from the page (the session and its CSRF token), as htmx and as a plain post.
    token = page.locator("input[name=csrfmiddlewaretoken]").first.input_value()
    url = live_server.url + reverse("intake", args=[hub.slug])
    fields = {
        "csrfmiddlewaretoken": token,
        "idempotency_key": "crafted-1",
        "location": str(hall.pk),
        "item": str(water.pk),
        "quantity": "6",
        "expiry_date": "",
        "outcome": "accepted",
        "redirected_to": "",
    }
    as_htmx = page.request.post(url, form=fields, headers={"HX-Request": "true"})
    plain = page.request.post(url, form={**fields, "idempotency_key": "crafted-2"})

    for response in (as_htmx, plain):
        assert response.status in (200, 400, 403, 409), response.status
        assert "is not taking donations now" in response.text()
    assert Dropoff.objects.count() == 0
    assert StockMovement.objects.count() == 0
    assert StockBalance.objects.filter(quantity__gt=0).count() == 0
    assert csp_violations == []


def test_it_refuses_a_dropoff_when_the_hub_closes_while_the_form_is_open(
    page, live_server, hub, volunteer, hall, catalog, water, csp_violations
):
    open_intake(page, live_server, hub)
    tile(page, water).click()
    expect(lines(page)).to_have_count(1)

    hub.intake_status = IntakeStatus.CLOSED
    hub.intake_reason = "Storage full"
    hub.save()
    page.locator("#intake-form button.submit").click()

    expect(page.locator(".banner-closed")).to_contain_text("Storage full")
    expect(page.locator(".confirmation")).to_have_count(0)
    assert Dropoff.objects.count() == 0
    assert qty(water, hall) == 0
    assert csp_violations == []


def test_it_searches_as_you_type_with_one_request_per_pause(
    page, live_server, hub, volunteer, hall, catalog, water, jug, csp_violations
):
    search_path = reverse("intake_item_search", args=[hub.slug])
    searches = []
    page.on("request", lambda r: searches.append(r.url) if search_path in r.url else None)
    open_intake(page, live_server, hub)

    page.locator("#item-search").click()
    page.keyboard.type("wat", delay=50)

    results = page.locator("#search-results [data-add-item]")
    expect(results).to_have_count(2)
    page.wait_for_timeout(600)  # longer than the 300 ms debounce: nothing more goes out
    assert len(searches) == 1, searches
    assert "q=wat" in searches[0]
    expect(results.locator("span")).to_have_text(["Bottled water 1.5 L", "Water jug 5 gal"])

    page.locator(f'#search-results [data-add-item="{jug.pk}"]').click()
    expect(lines(page)).to_have_count(1)
    expect(line(page, jug)).to_contain_text("Water jug 5 gal")
    expect(line(page, jug).locator("input[name=quantity]")).to_have_value("1")
    assert csp_violations == []


def test_it_shows_search_results_as_a_grid_of_tiles(
    page, live_server, hub, volunteer, hall, catalog, water, jug
):
    open_intake(page, live_server, hub)
    page.locator("#item-search").fill("wat")
    expect(page.locator("#search-results [data-add-item]")).to_have_count(2)

    expect(page.locator("[id=search-results]")).to_have_count(1, timeout=1000)
    first, second = (
        page.locator(f'#search-results [data-add-item="{item.pk}"]').bounding_box()
        for item in (water, jug)
    )
    assert first["y"] == second["y"]  # side by side, as the tiles below


def test_it_adds_one_to_a_line_when_its_tile_is_tapped_again(
    page, live_server, hub, volunteer, hall, catalog, water
):
    open_intake(page, live_server, hub)

    tile(page, water).click()
    expect(lines(page)).to_have_count(1)
    tile(page, water).click()

    expect(line(page, water).locator("input[name=quantity]")).to_have_value("2")
    expect(lines(page)).to_have_count(1)


def test_it_adds_one_line_when_a_tile_is_tapped_twice_quickly(
    page, live_server, hub, volunteer, hall, catalog, water
):
    """A double tap on a tile over a slow network, before the first line has come back."""
    page.route(
        re.compile(r".*/intake/line/.*"),
        lambda route: (page.wait_for_timeout(300), route.continue_()),
    )
    open_intake(page, live_server, hub)

    tile(page, water).click()
    tile(page, water).click()

    expect(line(page, water).locator("input[name=quantity]")).to_have_value("2")
    page.wait_for_timeout(700)
    expect(lines(page)).to_have_count(1)


def test_it_asks_an_expiry_date_only_for_items_that_track_it(
    page, live_server, hub, volunteer, hall, catalog, water, beans
):
    open_intake(page, live_server, hub)

    tile(page, water).click()
    tile(page, beans).click()
    expect(lines(page)).to_have_count(2)

    expect(line(page, beans).locator("input[type=date][name=expiry_date]")).to_be_visible()
    expect(line(page, water).locator("input[type=date]")).to_have_count(0)


def test_it_has_big_targets_everywhere_on_the_intake_page(
    page, live_server, hub, volunteer, hall, catalog, water, beans
):
    open_intake(page, live_server, hub)
    assert small_targets(page) == []

    tile(page, water).click()
    tile(page, beans).click()
    expect(lines(page)).to_have_count(2)
    page.locator("#intake-form details.donor summary").click()
    expect(page.locator("input[name=donor_consent]")).to_be_visible()
    page.locator("#item-search").fill("wat")
    expect(page.locator("#search-results [data-add-item]")).to_have_count(2)
    assert small_targets(page) == []

    page.locator("#intake-form button.submit").click()
    expect(page.locator(".confirmation button.undo")).to_be_visible()
    assert small_targets(page) == []


def test_it_logs_a_dropoff_with_javascript_switched_off(
    browser, live_server, hub, volunteer, hall, catalog, water, beans
):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    open_intake(page, live_server, hub)

    tile(page, water).click()  # each tap posts the form and the page comes back with the line
    tile(page, water).click()
    tile(page, beans).click()
    expect(lines(page)).to_have_count(2)
    expect(line(page, water).locator("input[name=quantity]")).to_have_value("2")
    page.locator("#intake-form button.submit").click()

    logged_number(page)
    dropoff = Dropoff.objects.get()
    assert sorted(dropoff.lines.values_list("item__name", "quantity")) == [
        ("Bottled water 1.5 L", 2),
        ("Canned beans", 1),
    ]
    context.close()


def test_it_undoes_a_dropoff_without_losing_the_next_donors_lines(
    page, live_server, hub, volunteer, hall, catalog, water, beans, csp_violations
):
    open_intake(page, live_server, hub)
    tile(page, water).click()
    expect(lines(page)).to_have_count(1)
    page.locator("#intake-form button.submit").click()
    number = logged_number(page)
    tile(page, beans).click()  # the next donor is already at the table
    expect(lines(page)).to_have_count(1)

    page.locator(".confirmation button.undo").click()

    expect(page.locator(".confirmation h2")).to_have_text(f"Dropoff #{number} undone")
    expect(page.locator("#messages")).to_contain_text(f"Dropoff #{number} undone.")
    expect(line(page, beans)).to_have_count(1)
    assert Dropoff.objects.get(pk=number).undone_at is not None
    assert csp_violations == []


def test_it_says_so_when_the_dropoff_could_not_be_saved(
    page, live_server, hub, volunteer, hall, catalog, water
):
    open_intake(page, live_server, hub)
    tile(page, water).click()
    expect(lines(page)).to_have_count(1)
    intake = live_server.url + reverse("intake", args=[hub.slug])
    page.route(intake, lambda route: route.fulfill(status=502, body="Bad gateway"))

    page.locator("#intake-form button.submit").click()

    expect(page.locator("#request-failed")).to_be_visible()
    expect(lines(page)).to_have_count(1)  # nothing lost: tap again
    page.unroute(intake)
    page.locator("#intake-form button.submit").click()
    logged_number(page)
    expect(page.locator("#request-failed")).to_be_hidden()
    assert Dropoff.objects.count() == 1
