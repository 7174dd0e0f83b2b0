"""The driver's view on a phone (390 x 844): from the hub's page to the run, one stop
marked delivered and one partly delivered with htmx under the CSP, every target big
enough for a thumb."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from deliveries.models import RunStatus, StopStatus
from deliveries.services import run_dispatch
from inventory.models import StockBalance
from tests.browser.pages import small_targets
from tests.factories import PASSWORD
from tests.runs import make_run, network, stock

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def run(hub, other_hub, coordinator, volunteer, water, beans):
    net = network(hub, other_hub)
    stock(net.garage, water, 50)
    stock(net.hall, beans, 30)
    run = make_run(
        hub=hub,
        driver=volunteer,
        user=coordinator,
        stops=[(net.shelter, [(water, 20)]), (net.to_other_hub, [(water, 6), (beans, 10)])],
    )
    run_dispatch(run=run, user=coordinator)
    return run


def test_the_driver_marks_two_stops_on_a_phone(page, live_server, hub, run, beans, csp_violations):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + reverse("login"))
    page.fill("#id_username", "vera")
    page.fill("#id_password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(re.compile(r".*/hubs/west-adams/$"))

    page.get_by_role("link", name=re.compile(rf"Run {run.pk}")).click()
    page.wait_for_url(f"**{reverse('run_drive', args=[hub.slug, run.pk])}")
    assert small_targets(page) == []

    first, second = (page.locator(f"#stop-{stop.pk}") for stop in run.stops.order_by("position"))
    first.get_by_label("Received by (name)").fill("Maria")
    first.get_by_role("button", name="Delivered").click()
    expect(first).to_contain_text("received by Maria")
    expect(page.locator("#messages")).to_contain_text("Pasadena Convention Center: delivered.")

    second.get_by_label("Canned beans brought back").fill("3")
    second.get_by_label("Received by (name)").fill("Pat")
    second.get_by_label("Note (optional)").fill("Short of room")
    second.get_by_role("button", name="Delivered").click()
    expect(second).to_contain_text("partially delivered")
    expect(page.locator("#run-status")).to_have_text("partially delivered")

    assert small_targets(page) == []
    assert csp_violations == []
    run.refresh_from_db()
    assert run.status == RunStatus.PARTIALLY_DELIVERED
    stops = list(run.stops.order_by("position"))
    assert [(s.status, s.received_by) for s in stops] == [
        (StopStatus.DELIVERED, "Maria"),
        (StopStatus.PARTIAL, "Pat"),
    ]
    # What came back is on its shelf again; the rest is in transit to the other hub.
    beans_at = dict(
        StockBalance.objects.filter(item=beans, quantity__gt=0).values_list(
            "location__name", "quantity"
        )
    )
    assert beans_at == {"Hall": 23}
    assert stops[1].transfer.lines.get(item=beans).in_transit == 7
