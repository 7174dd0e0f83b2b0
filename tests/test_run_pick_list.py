"""The pick list: per shelf, soonest expiry first, the same allocation dispatch makes."""

from datetime import date

import pytest

from deliveries.selectors import pick_list
from deliveries.services import run_dispatch
from inventory.models import StockMovement
from tests.factories import DestinationFactory, ItemFactory
from tests.runs import make_run, stock

MAR, JUN = date(2026, 3, 31), date(2026, 6, 30)


def rows(picks):
    return [
        (g.location.name, r.item.name, r.expiry_date, r.quantity, r.stops)
        for g in picks.groups
        for r in g.rows
    ]


def test_it_groups_by_shelf_soonest_expiry_first(net, coordinator, volunteer, water, beans):
    stock(net.garage, beans, 10, JUN)
    stock(net.hall, beans, 4, MAR)
    stock(net.hall, water, 30)
    run = make_run(
        hub=net.hub,
        driver=volunteer,
        user=coordinator,
        stops=[(net.shelter, [(beans, 6), (water, 12)]), (net.to_other_hub, [(beans, 3)])],
    )

    picks = pick_list(run=run)

    assert rows(picks) == [
        ("Garage", "Canned beans", JUN, 5, [1, 2]),
        ("Hall", "Bottled water 1.5 L", None, 12, [1]),
        ("Hall", "Canned beans", MAR, 4, [1]),
    ]
    assert picks.shortfalls == []


def test_it_shows_what_dispatch_took_once_dispatched(net, coordinator, volunteer, beans):
    stock(net.garage, beans, 10, JUN)
    stock(net.hall, beans, 4, MAR)
    run = make_run(
        hub=net.hub, driver=volunteer, user=coordinator, stops=[(net.shelter, [(beans, 6)])]
    )
    planned = rows(pick_list(run=run))

    run = run_dispatch(run=run, user=coordinator)
    stock(net.hall, beans, 50, date(2026, 1, 1))  # arrives later; changes nothing taken

    assert rows(pick_list(run=run)) == planned


def test_it_lists_shortfalls_before_dispatch(net, coordinator, volunteer, water, beans):
    stock(net.hall, beans, 2, MAR)
    run = make_run(
        hub=net.hub,
        driver=volunteer,
        user=coordinator,
        stops=[(net.shelter, [(beans, 6), (water, 1)])],
    )

    picks = pick_list(run=run)

    assert [(m.item, m.shortfall) for m in picks.shortfalls] == [(beans, 4), (water, 1)]
    assert rows(picks) == [("Hall", "Canned beans", MAR, 2, [1])]


@pytest.mark.parametrize("size", [1, 12])
def test_it_takes_the_same_queries_whatever_the_size(
    net, coordinator, volunteer, size, django_assert_num_queries
):
    items = [ItemFactory(tracks_expiry=True) for _ in range(size)]
    for n, item in enumerate(items):
        stock(net.garage, item, 10, JUN)
        stock(net.hall, item, 10, date(2026, 4, 1 + n))
    shelters = [DestinationFactory(hub=net.hub) for _ in range(2)]
    run = make_run(
        hub=net.hub,
        driver=volunteer,
        user=coordinator,
        stops=[(shelter, [(item, 7) for item in items]) for shelter in shelters],
    )
    with django_assert_num_queries(3):
        picks = pick_list(run=run)
    assert sum(r.quantity for g in picks.groups for r in g.rows) == 14 * size

    run = run_dispatch(run=run, user=coordinator)
    with django_assert_num_queries(2):
        taken = pick_list(run=run)
    assert sum(r.quantity for g in taken.groups for r in g.rows) == -sum(
        StockMovement.objects.filter(quantity__lt=0).values_list("quantity", flat=True)
    )
