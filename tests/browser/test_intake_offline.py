"""The dropoff table without the network (issue 16): dropoffs logged offline wait on the
device, survive a reload, and are sent in order, each once, when the network is back; a
refused one says why."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from hub.models import Dropoff, DropoffLine, IntakeStatus
from tests.browser.pages import log_in
from tests.browser.test_intake_in_browser import line, lines, open_intake, tile
from tests.factories import StorageLocationFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def hall(hub):
    return StorageLocationFactory(hub=hub, name="Main hall", capacity_litres=Decimal("10000"))


def go_offline(context) -> list[str]:
    """The page and its service worker both lose the network: the worker's own requests
    are seen by Playwright only with PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS (set in
    conftest), and set_offline alone does not reach them. Returns the list of what the
    worker tried to fetch, filled as it goes."""
    refused: list[str] = []

    def cut(route) -> None:
        if route.request.service_worker:
            refused.append(route.request.url)
            route.abort("internetdisconnected")
        else:
            route.fallback()

    context.set_offline(True)
    context.route("**/*", cut)
    return refused


def go_online(context) -> None:
    context.unroute("**/*")
    context.set_offline(False)


def ready_offline(page) -> None:
    """Wait until the service worker controls the page and keeps the page and catalog. A
    worker whose first install did not finish (a busy machine) is installed again by the
    next load, as at a real table: then the page is reloaded once."""
    controlled = "() => Boolean(navigator.serviceWorker.controller)"
    try:
        page.wait_for_function(controlled, timeout=10_000)
    except PlaywrightTimeoutError:
        page.reload()
        page.wait_for_function(controlled)
    page.wait_for_function(
        """async () => {
            const cache = await caches.open('dh-pages');
            return (await cache.keys()).length >= 2;
        }"""
    )


def queue_count(page) -> int:
    return page.evaluate(
        """() => new Promise((resolve) => {
            const open = indexedDB.open('donation-hub', 1);
            open.onsuccess = () => {
                const tx = open.result.transaction('dropoffs', 'readonly');
                const all = tx.objectStore('dropoffs').count();
                all.onsuccess = () => resolve(all.result);
            };
        })"""
    )


def test_it_logs_three_dropoffs_offline_and_sends_each_once_after_a_reload(
    page, context, live_server, hub, volunteer, hall, water, beans, csp_violations
):
    open_intake(page, live_server, hub)
    ready_offline(page)
    page.reload()  # now from the service worker, which keeps each fresh copy
    expect(page.locator("#intake-form")).to_be_visible()

    refused = go_offline(context)
    submit = page.locator("#intake-form button.submit")
    # 1: two waters; 2: beans; 3: one water and one beans.
    tile(page, water).click()
    line(page, water).locator("[data-step='1']").click()
    submit.click()
    expect(page.locator("[data-queue-count]")).to_have_text("Waiting to send: 1")
    expect(lines(page)).to_have_count(0)
    expect(page.locator("[data-offline-status]")).to_contain_text("No connection")

    tile(page, beans).click()
    expect(line(page, beans).locator("input[type=date]")).to_be_visible()
    submit.click()
    expect(page.locator("[data-queue-count]")).to_have_text("Waiting to send: 2")

    tile(page, water).click()
    tile(page, beans).click()
    expect(lines(page)).to_have_count(2)
    submit.click()
    expect(page.locator("[data-queue-count]")).to_have_text("Waiting to send: 3")

    # A fourth in progress survives the reload, offline, from the device's copy.
    tile(page, water).click()
    line(page, water).locator("input[name=quantity]").fill("7")
    page.locator("#item-search").click()  # the quantity's change is saved
    response = page.reload()
    # The page came from the device's copy: the worker's try of the network was refused.
    assert response is not None and response.from_service_worker
    assert any(url.endswith(f"/hubs/{hub.slug}/intake/") for url in refused), refused
    expect(page.locator("[data-queue-count]")).to_have_text("Waiting to send: 3")
    expect(line(page, water).locator("input[name=quantity]")).to_have_value("7")
    expect(page.locator("[data-queue-list] li")).to_have_count(3)
    assert Dropoff.objects.count() == 0

    go_online(context)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    answers = page.locator("[data-queue-answers] li")
    expect(answers).to_have_count(3)
    expect(answers).to_have_text([re.compile(r"Logged dropoff #\d+")] * 3)
    expect(page.locator("[data-queue-count]")).to_be_hidden()
    assert queue_count(page) == 0

    dropoffs = list(Dropoff.objects.order_by("pk"))
    assert len(dropoffs) == 3
    got = [
        sorted((line.item.name, line.quantity) for line in dropoff.lines.all())
        for dropoff in dropoffs
    ]
    assert got == [
        [("Bottled water 1.5 L", 2)],
        [("Canned beans", 1)],
        [("Bottled water 1.5 L", 1), ("Canned beans", 1)],
    ]
    # The one in progress is still there, to be logged online.
    page.locator("#intake-form button.submit").click()
    expect(page.locator(".confirmation h2")).to_have_text(re.compile(r"Logged dropoff #\d+"))
    assert DropoffLine.objects.filter(quantity=7).count() == 1
    assert Dropoff.objects.count() == 4
    assert csp_violations == []


def test_it_shows_why_a_queued_dropoff_was_refused(
    page, context, live_server, hub, volunteer, hall, water
):
    open_intake(page, live_server, hub)
    ready_offline(page)
    go_offline(context)
    tile(page, water).click()
    expect(line(page, water)).to_have_count(1)  # added before the submit, not after
    page.locator("#intake-form button.submit").click()
    expect(page.locator("[data-queue-count]")).to_have_text("Waiting to send: 1")

    # Meanwhile an admin closes the hub.
    hub.intake_status = IntakeStatus.CLOSED
    hub.intake_reason = "Storage full until Monday"
    hub.save()

    go_online(context)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    refused = page.locator("[data-queue-answers] li.answer-refused")
    expect(refused).to_contain_text("Not logged:")
    expect(refused).to_contain_text("not taking donations now")
    expect(refused).to_contain_text("Storage full until Monday")
    expect(refused).to_contain_text("1 Bottled water 1.5 L")
    assert queue_count(page) == 0
    assert Dropoff.objects.count() == 0

    # Reopened, it comes back to the form to be logged again once the hub takes it.
    hub.intake_status = IntakeStatus.OPEN
    hub.save()
    page.reload()
    page.locator("[data-answer-reopen]").click()
    expect(line(page, water)).to_have_count(1)
    expect(page.locator("[data-queue-answers] li")).to_have_count(0)
    page.locator("#intake-form button.submit").click()
    expect(page.locator(".confirmation h2")).to_have_text(re.compile(r"Logged dropoff #\d+"))
    assert Dropoff.objects.get().lines.get().item == water


def test_it_undoes_an_unsent_dropoff_by_deleting_it_on_the_device(
    page, context, live_server, hub, volunteer, hall, water
):
    open_intake(page, live_server, hub)
    ready_offline(page)
    go_offline(context)
    tile(page, water).click()
    expect(line(page, water)).to_have_count(1)  # added before the submit, not after
    page.locator("#intake-form button.submit").click()
    page.locator("[data-queue-remove]").click()
    expect(page.locator("[data-queue-list] li")).to_have_count(0)
    assert queue_count(page) == 0
    go_online(context)
    page.goto(live_server.url + reverse("intake", args=[hub.slug]))
    assert Dropoff.objects.count() == 0


def test_it_tells_a_coordinator_their_page_needs_the_network(
    page, context, live_server, hub, coordinator, hall, water
):
    log_in(page, live_server, "carlos")
    page.goto(live_server.url + reverse("stock_list", args=[hub.slug]))
    notice = page.locator("#offline-notice")
    expect(notice).to_be_hidden()
    context.set_offline(True)
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("No connection")
    context.set_offline(False)
    expect(notice).to_be_hidden()
