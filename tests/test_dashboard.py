"""The coordinators' dashboard: fill, intake, alerts, the hourly chart and most needed, in
a fixed number of queries, refreshed as an htmx fragment."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from deliveries.models import DestinationNeed
from hub.models import CategoryIntake, IntakeStatus
from inventory.models import AlertLevel, CapacityAlert
from inventory.services import (
    StockLine,
    item_unit_volume_change,
    stock_receive,
    stock_remove,
    stock_void,
)
from tests.coordinator import query_count, receive, stock_many
from tests.factories import DestinationFactory, ItemFactory, StorageLocationFactory
from tests.intake import HTMX


@pytest.fixture
def hall(hub):
    return StorageLocationFactory(hub=hub, name="Main hall", capacity_litres=Decimal("1000"))


@pytest.fixture
def url(hub):
    return reverse("dashboard", args=[hub.slug])


def test_it_shows_the_hub_at_a_glance(client, coordinator, hub, hall, water, url):
    receive(hall, water, 250)  # 400 L of 1000
    CategoryIntake.objects.create(
        hub=hub, category=water.category, status=IntakeStatus.CLOSED, reason="Too much water"
    )
    CapacityAlert.objects.create(
        hub=hub, location=hall, level=AlertLevel.NEARLY_FULL, fill_percent=81, threshold_percent=80
    )
    DestinationNeed.objects.create(
        destination=DestinationFactory(hub=hub), item=ItemFactory(name="Diapers"), quantity=40
    )
    client.force_login(coordinator)

    response = client.get(url)

    assert response.status_code == 200
    html = response.text
    assert "Main hall" in html and 'value="40.0"' in html  # the gauge
    assert "Open: taking donations." in html
    assert "Too much water" in html
    assert "Nearly full (81.0 %)" in html or "nearly full (81.0 %)" in html
    assert "Diapers" in html
    assert "400 litres received" in html
    assert 'hx-trigger="every 30s"' in html


def test_it_draws_the_last_24_hours_in_and_out_per_hour(client, coordinator, hub, hall, water, url):
    receive(hall, water, 100, ago=timedelta(hours=3))  # 160 L, the busiest hour
    receive(hall, water, 50)
    receive(hall, water, 500, ago=timedelta(hours=30))  # before the window
    client.force_login(coordinator)

    html = client.get(url).text

    bars = re.findall(r'<rect class="bar-in" x="(\d+)" y="(\d+)" width="\d+" height="(\d+)"', html)
    assert len(bars) == 24
    heights = [int(h) for _x, _y, h in bars]
    assert heights[-4] == 130 and heights[-1] == 65  # scaled to the busiest hour
    assert heights.count(0) == 22
    # The same figures for a screen reader: a table, and a summary the chart names.
    assert "240 litres received, 0 litres delivered or discarded." in html
    assert 'aria-labelledby="flow-title flow-summary"' in html
    rows = re.findall(r'<tr><th scope="row">[^<]+</th><td class="num">(\d+)</td>', html)
    assert [int(r) for r in rows][-4:] == [160, 0, 0, 80]


def test_it_counts_what_left_and_leaves_out_voided_goods_and_other_hubs(
    client, coordinator, hub, other_hub, hall, water, url
):
    receive(hall, water, 100)  # 160 L in
    [undone] = receive(hall, water, 10)
    stock_void(movement=undone, user=coordinator, reason="Logged twice")
    stock_remove(lines=[StockLine(water, hall, 25)], kind="discarded", user=coordinator)
    receive(StorageLocationFactory(hub=other_hub, name="Their hall"), water, 300)
    client.force_login(coordinator)

    html = client.get(url).text

    assert "160 litres received, 40 litres delivered or discarded." in html


SUMMARY = re.compile(r"(\d+) litres received, (\d+) litres delivered or discarded\.")


def chart_summary(client, url, *, at) -> tuple[int, int]:
    with time_machine.travel(at, tick=False):
        found = SUMMARY.search(client.get(url).text)
    assert found
    return int(found[1]), int(found[2])


@pytest.fixture
def hour():
    """The start of an hour two hours ago: the hours before it are over."""
    return timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(hours=2)


def test_its_chart_leaves_out_a_dropoff_undone_after_its_hour_is_over(
    client, coordinator, hall, water, url, hour
):
    client.force_login(coordinator)
    with time_machine.travel(hour - timedelta(minutes=5), tick=False):
        [logged] = stock_receive(lines=[StockLine(water, hall, 100)], user=None, reason="r")
    assert chart_summary(client, url, at=hour + timedelta(minutes=2)) == (160, 0)

    with time_machine.travel(hour + timedelta(minutes=3), tick=False):
        stock_void(movement=logged, user=coordinator, reason="Logged twice")
        stock_receive(lines=[StockLine(water, hall, 50)], user=None, reason="r")

    assert chart_summary(client, url, at=hour + timedelta(minutes=4)) == (80, 0)


def test_its_chart_counts_a_write_stamped_before_the_hour_ended_and_committed_after(
    client, coordinator, hall, water, url, hour, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    # Read as the hour begins, while a dropoff stamped a second before it is not committed.
    assert chart_summary(client, url, at=hour + timedelta(seconds=1)) == (0, 0)
    with (
        time_machine.travel(hour - timedelta(seconds=1), tick=False),
        django_capture_on_commit_callbacks() as committed,
    ):
        stock_receive(lines=[StockLine(water, hall, 100)], user=None, reason="r")
    with time_machine.travel(hour + timedelta(seconds=2), tick=False):
        for callback in committed:
            callback()

    assert chart_summary(client, url, at=hour + timedelta(seconds=3)) == (160, 0)


def test_its_chart_counts_litres_at_the_items_volume_as_changed(
    client, coordinator, hall, water, url, hour
):
    client.force_login(coordinator)
    with time_machine.travel(hour - timedelta(hours=1), tick=False):
        stock_receive(lines=[StockLine(water, hall, 100)], user=None, reason="r")
    assert chart_summary(client, url, at=hour) == (160, 0)

    item_unit_volume_change(item=water, unit_volume_litres=Decimal("2"))

    assert chart_summary(client, url, at=hour + timedelta(minutes=1)) == (200, 0)


def test_it_answers_its_poll_with_the_fragment_only(client, coordinator, hub, hall, url):
    client.force_login(coordinator)

    response = client.get(url, headers=HTMX)

    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="dashboard"')
    assert "<html" not in response.text
    assert response["Cache-Control"].startswith("max-age=0")


def test_it_refuses_a_volunteer(client, volunteer, url):
    client.force_login(volunteer)
    assert client.get(url).status_code == 403


def test_it_hides_the_hub_from_a_coordinator_of_another(client, outsider, url):
    client.force_login(outsider)
    assert client.get(url).status_code == 404


def test_it_is_in_the_navigation_for_coordinators_only(client, coordinator, volunteer, hub, url):
    client.force_login(volunteer)
    assert url not in client.get(reverse("intake", args=[hub.slug])).text
    client.force_login(coordinator)
    assert url in client.get(reverse("intake", args=[hub.slug])).text


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "poll"])
def test_it_runs_a_fixed_number_of_queries(
    client, coordinator, hub, hall, water, url, django_assert_num_queries, htmx
):
    DestinationNeed.objects.create(destination=DestinationFactory(hub=hub), item=water, quantity=40)
    client.force_login(coordinator)
    headers = HTMX if htmx else {}
    stock_many(hub, 3)
    client.get(url, headers=headers)  # warm caches outside the measurement
    small, _response = query_count(lambda: client.get(url, headers=headers))

    stock_many(hub, 200, start=3)
    for _n in range(20):
        CapacityAlert.objects.create(
            hub=hub, level=AlertLevel.FULL, fill_percent=96, threshold_percent=95
        )
        StorageLocationFactory(hub=hub)

    with django_assert_num_queries(small):
        assert client.get(url, headers=headers).status_code == 200
