"""Fill levels: litres used = sum of quantity x unit volume over a location's stock, against
its capacity; kept on the location's row, read in one query whatever the stock."""

from datetime import date
from decimal import Decimal

import pytest

from inventory.models import MovementKind
from inventory.selectors import hub_fill, location_fill_list
from inventory.services import StockLine, stock_receive, stock_remove
from tests.factories import ItemFactory, StorageLocationFactory
from tests.ledger import assert_ledger_matches_balances

MAR = date(2026, 3, 31)


@pytest.fixture
def blankets(db):
    return ItemFactory(name="Wool blanket", unit_volume_litres=Decimal("4.25"))


@pytest.fixture
def stocked(hub, other_hub, water, beans, blankets):
    """Back room (100 L): 24 water + 10 dated and 4 undated beans = 38.4 + 7 = 45.4 L.
    Front shelves (2,270 L, a pallet position): 5 blankets = 21.25 L.
    Side door (30 L, a banker's box): empty. Old trailer: stocked but no longer in use.
    Pasadena garage: another hub's stock."""
    back = StorageLocationFactory(hub=hub, name="Back room", capacity_litres=Decimal("100"))
    front = StorageLocationFactory(hub=hub, name="Front shelves", capacity_litres=Decimal("2270"))
    side = StorageLocationFactory(hub=hub, name="Side door", capacity_litres=Decimal("30"))
    trailer = StorageLocationFactory(hub=hub, name="Old trailer", capacity_litres=Decimal("500"))
    garage = StorageLocationFactory(hub=other_hub, name="Garage", capacity_litres=Decimal("50"))
    stock_receive(
        lines=[
            StockLine(water, back, 24),
            StockLine(beans, back, 10, MAR),
            StockLine(beans, back, 4),
            StockLine(blankets, front, 5),
            StockLine(water, trailer, 100),
            StockLine(blankets, garage, 10),
        ],
        user=None,
    )
    trailer.is_active = False
    trailer.save()
    return back, front, side


def test_it_computes_each_active_locations_litres_percent_and_room(hub, stocked):
    fills = location_fill_list(hub=hub)

    assert [
        (f.location.name, f.used_litres, f.capacity_litres, f.percent, f.free_litres) for f in fills
    ] == [
        ("Back room", Decimal("45.4"), Decimal("100"), Decimal("45.4"), Decimal("54.6")),
        ("Front shelves", Decimal("21.25"), Decimal("2270"), Decimal("0.9"), Decimal("2248.75")),
        ("Side door", Decimal("0"), Decimal("30"), Decimal("0.0"), Decimal("30")),
    ]
    assert_ledger_matches_balances()


def test_it_sums_the_hub_over_its_active_locations_only(hub, stocked):
    fill = hub_fill(hub=hub)

    assert fill.used_litres == Decimal("66.65")
    assert fill.capacity_litres == Decimal("2400")
    assert fill.percent == Decimal("2.8")
    assert fill.free_litres == Decimal("2333.35")


def test_it_frees_the_room_of_goods_that_left(hub, stocked, water):
    back, _, _ = stocked
    stock_remove(lines=[StockLine(water, back, 24)], kind=MovementKind.DELIVERED, user=None)

    [back_fill, *_] = location_fill_list(hub=hub)

    assert (back_fill.used_litres, back_fill.percent, back_fill.free_litres) == (
        Decimal("7"),
        Decimal("7.0"),
        Decimal("93"),
    )
    assert_ledger_matches_balances()


def test_it_shows_an_overfull_location_above_100_percent_with_no_room(hub, water):
    box = StorageLocationFactory(hub=hub, name="Banker's box", capacity_litres=Decimal("30"))
    stock_receive(lines=[StockLine(water, box, 24)], user=None)

    [fill] = location_fill_list(hub=hub)

    assert (fill.used_litres, fill.percent, fill.free_litres) == (
        Decimal("38.4"),
        Decimal("128.0"),
        Decimal("0"),
    )


def test_it_reports_an_empty_hub_without_locations_as_zero(hub):
    fill = hub_fill(hub=hub)

    assert (fill.used_litres, fill.capacity_litres, fill.percent, fill.free_litres) == (
        Decimal("0"),
        Decimal("0"),
        Decimal("0"),
        Decimal("0"),
    )


@pytest.mark.parametrize(("locations", "items"), [(2, 3), (20, 60)])
def test_it_reads_fill_in_one_query_however_much_is_stored(
    django_assert_num_queries, hub, locations, items
):
    places = [StorageLocationFactory(hub=hub) for _ in range(locations)]
    stock_receive(
        lines=[
            StockLine(ItemFactory(unit_volume_litres=Decimal("0.5")), places[n % locations], 2)
            for n in range(items)
        ],
        user=None,
    )

    with django_assert_num_queries(1):
        fills = location_fill_list(hub=hub)
    with django_assert_num_queries(0):
        fill = hub_fill(hub=hub, locations=fills)
    with django_assert_num_queries(1):
        assert hub_fill(hub=hub) == fill

    assert len(fills) == locations
    assert fill.used_litres == Decimal(items)  # each item: 2 x 0.5 L
