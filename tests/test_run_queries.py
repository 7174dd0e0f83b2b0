"""The run's page, its pick list and the driver view run a number of queries that does not
grow with the run: measured with one stop of one line, asserted with six stops of five
lines each over three shelves."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from deliveries.services import run_dispatch
from tests.factories import DestinationFactory, ItemFactory, StorageLocationFactory
from tests.intake import login
from tests.runs import make_run, stock


def build(hub, coordinator, driver, *, stops, lines, shelves):
    locations = [StorageLocationFactory(hub=hub) for _n in range(shelves)]
    items = [ItemFactory(tracks_expiry=n % 2 == 0) for n in range(lines)]
    for n, item in enumerate(items):
        stock(locations[n % shelves], item, 100)
    return make_run(
        hub=hub,
        driver=driver,
        user=coordinator,
        stops=[(DestinationFactory(hub=hub), [(item, 3) for item in items]) for _n in range(stops)],
    )


def queries(client, address: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(address).status_code == 200
    return len(captured)


@pytest.mark.parametrize("page", ["run_detail", "run_pick_list", "run_drive"])
@pytest.mark.parametrize("dispatched", [False, True], ids=["open", "out"])
def test_it_costs_the_same_for_a_bigger_run(client, hub, coordinator, volunteer, page, dispatched):
    small = build(hub, coordinator, volunteer, stops=1, lines=1, shelves=1)
    big = build(hub, coordinator, volunteer, stops=6, lines=5, shelves=3)
    if dispatched:
        run_dispatch(run=small, user=coordinator)
        run_dispatch(run=big, user=coordinator)
    login(client, coordinator)

    assert queries(client, reverse(page, args=[hub.slug, big.pk])) == queries(
        client, reverse(page, args=[hub.slug, small.pk])
    )


def test_the_driver_view_costs_the_driver_the_same(client, hub, coordinator, volunteer):
    small = build(hub, coordinator, volunteer, stops=1, lines=1, shelves=1)
    big = build(hub, coordinator, volunteer, stops=6, lines=5, shelves=3)
    login(client, volunteer)

    assert queries(client, reverse("run_drive", args=[hub.slug, big.pk])) == queries(
        client, reverse("run_drive", args=[hub.slug, small.pk])
    )


def test_the_list_costs_the_same_with_more_runs(client, hub, coordinator, volunteer):
    build(hub, coordinator, volunteer, stops=1, lines=1, shelves=1)
    login(client, coordinator)
    few = queries(client, reverse("run_list", args=[hub.slug]))
    for _n in range(5):
        build(hub, coordinator, volunteer, stops=2, lines=2, shelves=1)

    assert queries(client, reverse("run_list", args=[hub.slug])) == few
