"""axe-core finds no serious or critical accessibility violation on the dropoff table, the
dashboard and the stock page."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from deliveries.models import DestinationNeed
from inventory.models import AlertLevel, CapacityAlert
from inventory.services import StockLine, stock_receive
from tests.browser.pages import axe_violations, log_in
from tests.factories import DestinationFactory, StorageLocationFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def stocked(hub, water, beans):
    hall = StorageLocationFactory(hub=hub, name="Hall", capacity_litres=Decimal("500"))
    stock_receive(
        lines=[StockLine(water, hall, 100), StockLine(beans, hall, 20, date(2030, 1, 1))],
        user=None,
    )
    CapacityAlert.objects.create(
        hub=hub, location=hall, level=AlertLevel.NEARLY_FULL, fill_percent=82, threshold_percent=80
    )
    DestinationNeed.objects.create(destination=DestinationFactory(hub=hub), item=beans, quantity=90)
    return hall


def test_it_has_an_accessible_dropoff_table(page, live_server, hub, volunteer, stocked, axe_source):
    log_in(page, live_server, "vera")
    page.goto(live_server.url + reverse("intake", args=[hub.slug]))
    assert axe_violations(page, axe_source) == []


@pytest.mark.parametrize(
    "url_name", ["dashboard", "stock_list", "reports", "location_labels"], ids=lambda name: name
)
def test_it_has_accessible_coordinator_pages(
    page, live_server, hub, coordinator, stocked, axe_source, url_name
):
    log_in(page, live_server, "carlos")
    page.goto(live_server.url + reverse(url_name, args=[hub.slug]))
    assert axe_violations(page, axe_source) == []


def test_it_has_an_accessible_item_page(
    page, live_server, hub, coordinator, stocked, beans, axe_source
):
    log_in(page, live_server, "carlos")
    page.goto(live_server.url + reverse("item_detail", args=[hub.slug, beans.pk]))
    assert axe_violations(page, axe_source) == []


def test_it_would_catch_a_serious_violation(page, live_server, db, axe_source):
    page.goto(live_server.url + reverse("login"))
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=x>')")
    assert [v.split(" ")[1] for v in axe_violations(page, axe_source)] == ["image-alt"]
