"""What was delivered, per destination and per category, over a date range; and the runs'
CSV rows."""

from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone

from deliveries.selectors import (
    RUN_EXPORT_HEADER,
    delivered_by_category_list,
    delivered_by_destination_list,
    run_export_rows,
)
from deliveries.services import run_dispatch, stop_deliver
from tests.factories import CategoryFactory, ItemFactory
from tests.runs import make_run, stock

DAY = date(2026, 11, 20)


@pytest.fixture
def delivered(net, coordinator, volunteer, water, beans):
    """On DAY: the shelter got 10 water and 4 of 6 cans; the other hub got 5 water."""
    stock(net.hall, water, 100)
    stock(net.hall, beans, 20)
    with time_machine.travel(timezone.make_aware(timezone.datetime(2026, 11, 20, 10)), tick=False):
        run = make_run(
            hub=net.hub,
            driver=volunteer,
            user=coordinator,
            stops=[(net.shelter, [(water, 10), (beans, 6)]), (net.to_other_hub, [(water, 5)])],
        )
        run_dispatch(run=run, user=coordinator)
        shelter, other = run.stops.order_by("position")
        cans = shelter.lines.get(item=beans)
        stop_deliver(
            stop=shelter, user=volunteer, received_by="Maria", note="", returned={cans.pk: 2}
        )
        stop_deliver(stop=other, user=volunteer, received_by="Ruth", note="", returned={})
    return run


def test_it_totals_units_delivered_per_destination(delivered, hub):
    rows = delivered_by_destination_list(hub=hub, since=DAY, until=DAY)
    assert [(r.name, r.units, r.stops) for r in rows] == [
        ("Pasadena Convention Center", 14, 1),
        ("Pasadena Hub", 5, 1),
    ]


def test_it_totals_units_delivered_per_category(delivered, hub, water, beans):
    food = CategoryFactory(code="food", name="Food")
    beans.category = food
    beans.save()

    rows = delivered_by_category_list(hub=hub, since=DAY, until=DAY)

    assert [(r.name, r.units) for r in rows] == [(water.category.name, 15), ("Food", 4)]


def test_it_counts_only_the_days_asked_for(delivered, hub, other_hub):
    day_after = DAY + timedelta(days=1)
    assert delivered_by_destination_list(hub=hub, since=day_after, until=day_after) == []
    assert delivered_by_destination_list(hub=other_hub, since=DAY, until=DAY) == []


def test_it_exports_one_row_per_line(delivered, hub):
    rows = list(run_export_rows(hub=hub, since=DAY, until=DAY))
    named = [dict(zip(RUN_EXPORT_HEADER, row, strict=True)) for row in rows]

    assert len(named) == 3
    cans = next(r for r in named if r["item"] == "Canned beans")
    assert (cans["quantity"], cans["brought_back"], cans["delivered"]) == (6, 2, 4)
    assert (cans["stop"], cans["destination"], cans["received_by"]) == (
        1,
        "Pasadena Convention Center",
        "Maria",
    )
    assert cans["run_status"] == "partially_delivered"
    assert cans["planned_at"].startswith("2026-11-20T")


def test_it_exports_in_chunks_with_a_fixed_number_of_queries(
    net, coordinator, volunteer, django_assert_max_num_queries
):
    items = [ItemFactory() for _ in range(30)]
    for item in items:
        stock(net.hall, item, 10)
    make_run(
        hub=net.hub,
        driver=volunteer,
        user=coordinator,
        stops=[(net.shelter, [(item, 1) for item in items])],
    )
    today = timezone.localdate()
    with django_assert_max_num_queries(2):
        assert len(list(run_export_rows(hub=net.hub, since=today, until=today))) == 30
