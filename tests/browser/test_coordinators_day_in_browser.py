"""A coordinator's day in a real browser: a planned run holds its stock and asks before it
leaves, a discard that leaves it short is flagged on the runs list, a count far from the
record is confirmed on its line, the item page's corrections read like the rest of the site,
and the driver's view fits a phone with maps and call links."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from deliveries.models import RunStatus
from deliveries.services import run_dispatch
from inventory.models import MovementKind
from inventory.services import StockLine, stock_remove
from tests.browser.pages import log_in, small_targets
from tests.factories import ItemFactory
from tests.ledger import qty
from tests.runs import make_run, network, stock

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def net(hub, other_hub):
    net = network(hub, other_hub)
    net.shelter.address = "300 E Green St, Pasadena, CA 91101"
    net.shelter.contact_name = "Dana"
    net.shelter.contact_phone = "(626) 555-0100"
    net.shelter.save()
    return net


@pytest.fixture
def masks(db):
    return ItemFactory(name="N95 masks, box of 20", unit_volume_litres=Decimal("2"))


@pytest.fixture
def run(net, coordinator, volunteer, masks):
    stock(net.garage, masks, 150)
    return make_run(
        hub=net.hub, driver=volunteer, user=coordinator, stops=[(net.shelter, [(masks, 150)])]
    )


@pytest.mark.parametrize("size", [PHONE, {"width": 1280, "height": 800}], ids=["phone", "laptop"])
def test_a_coordinator_confirms_a_runs_totals_before_it_leaves(
    page, live_server, hub, coordinator, run, csp_violations, size
):
    page.set_viewport_size(size)
    log_in(page, live_server, "carlos")
    page.goto(live_server.url + reverse("run_detail", args=[hub.slug, run.pk]))

    page.get_by_role("link", name="Dispatch (out for delivery)").click()

    expect(page.locator("#run-totals")).to_contain_text("150 units, about 300 litres, for 1 stop")
    run.refresh_from_db()
    assert run.status == RunStatus.DRAFT
    assert small_targets(page) == []
    page.get_by_role("button", name="Yes, dispatch: the goods leave the stock").click()
    expect(page.locator("#messages")).to_contain_text("is out for delivery")
    run.refresh_from_db()
    assert run.status == RunStatus.OUT_FOR_DELIVERY
    assert csp_violations == []


def test_a_discard_that_leaves_a_planned_run_short_is_flagged_before_anyone_drives(
    page, live_server, hub, net, coordinator, run, masks
):
    stock_remove(
        lines=[StockLine(masks, net.garage, 20)],
        kind=MovementKind.DISCARDED,
        reason="Wet",
        user=coordinator,
    )
    log_in(page, live_server, "carlos")

    page.goto(live_server.url + reverse("run_list", args=[hub.slug]))
    expect(page.locator(".badge-closed")).to_have_text("Short of stock: N95 masks, box of 20")
    page.get_by_role("link", name=f"Run {run.pk}").click()
    expect(page.locator("#run .banner")).to_contain_text(
        "N95 masks, box of 20: short by 20 (150 needed, 130 in stock)"
    )
    page.goto(live_server.url + reverse("stock_list", args=[hub.slug]))
    expect(page.locator("tbody tr").first).to_contain_text("0 (150 held for runs)")


def test_a_count_far_from_the_record_is_confirmed_on_its_line(
    page, live_server, hub, net, coordinator, run, masks
):
    page.set_viewport_size({"width": 820, "height": 1180})
    log_in(page, live_server, "carlos")
    page.goto(live_server.url + reverse("location_count", args=[hub.slug, net.garage.pk]))

    page.get_by_label("Counted N95 masks, box of 20").fill("15")
    page.get_by_role("button", name="Save the count").click()

    expect(page.locator("td .error")).to_contain_text("15 is far from the 150 on record")
    assert qty(masks, net.garage) == 150
    page.get_by_label("Yes, that is what is there").check()
    page.get_by_role("button", name="Save the count").click()
    expect(page.locator("#messages")).to_contain_text("1 balance corrected")
    assert qty(masks, net.garage) == 15
    assert small_targets(page) == []


def test_the_item_pages_corrections_show_units_and_what_is_on_record(
    page, live_server, hub, net, coordinator, masks
):
    stock(net.garage, masks, 1200)
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, live_server, "carlos")
    page.goto(live_server.url + reverse("item_detail", args=[hub.slug, masks.pk]))

    discard = page.locator("#discard-form")
    expect(discard.get_by_label("Location")).to_contain_text("Garage (1,200 each on record)")
    expect(discard.locator(".unit")).to_have_text("each")
    assert "---------" not in page.content()
    discard.get_by_label("Location").select_option(label="Garage (1,200 each on record)")
    discard.get_by_label("Quantity").fill("200")
    discard.get_by_role("button", name="Discard").click()
    expect(page.locator("#messages")).to_contain_text("discarded")
    assert qty(masks, net.garage) == 1000


def test_the_drivers_view_fits_a_phone_with_maps_and_call_links(
    page, live_server, hub, coordinator, run
):
    run_dispatch(run=run, user=coordinator)
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "vera")
    page.goto(live_server.url + reverse("run_drive", args=[hub.slug, run.pk]))

    # The header (brand and log out, the hub's pages, the languages: three rows of 44 px
    # targets) and the run's title take less than a quarter of the screen.
    assert page.locator("header.topbar").bounding_box()["height"] < 150
    assert page.locator(".drive-stop").first.bounding_box()["y"] < PHONE["height"] / 4
    address = page.get_by_role("link", name=re.compile("in the maps app"))
    assert address.get_attribute("href") == (
        "https://www.google.com/maps/search/?api=1&query=300%20E%20Green%20St%2C%20Pasadena"
        "%2C%20CA%2091101"
    )
    assert page.get_by_role("link", name="Call (626) 555-0100").get_attribute("href") == (
        "tel:(626)555-0100"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert small_targets(page) == []
