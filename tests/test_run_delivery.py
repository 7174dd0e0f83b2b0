"""Settling a stop: delivered in full, or in part with what came back returned to stock
through the ledger; what a stop at another hub of the network leaves there stays in transit
until that hub receives it (tests/test_transfers.py)."""

from datetime import date

import pytest

from deliveries.models import RunStatus, StopStatus
from deliveries.services import RunError, run_dispatch, stop_deliver
from hub.errors import UserError
from hub.roles import Role
from inventory.models import MovementKind, StockMovement
from tests.factories import UserFactory
from tests.ledger import assert_ledger_matches_balances, qty
from tests.runs import make_run, stock

MAR, JUN = date(2026, 3, 31), date(2026, 6, 30)


@pytest.fixture
def run(net, coordinator, volunteer, water, beans):
    """Out for delivery: 6 cans (4 of March from the hall, 2 of June from the garage) and
    12 waters to the shelter, then 3 June cans to the other hub."""
    stock(net.garage, beans, 10, JUN)
    stock(net.hall, beans, 4, MAR)
    stock(net.hall, water, 30)
    run = make_run(
        hub=net.hub,
        driver=volunteer,
        user=coordinator,
        stops=[(net.shelter, [(beans, 6), (water, 12)]), (net.to_other_hub, [(beans, 3)])],
    )
    return run_dispatch(run=run, user=coordinator)


def stops(run):
    return list(run.stops.order_by("position"))


def lines(stop):
    return {line.item.name: line for line in stop.lines.all()}


def test_it_marks_a_stop_delivered_with_who_received_it(run, volunteer, net, beans, water):
    shelter = stops(run)[0]
    moved = StockMovement.objects.count()

    stop = stop_deliver(
        stop=shelter, user=volunteer, received_by="Maria at the door", note="Side door", returned={}
    )

    assert stop.status == StopStatus.DELIVERED
    assert (stop.received_by, stop.note, stop.delivered_by) == (
        "Maria at the door",
        "Side door",
        volunteer,
    )
    assert all(line.delivered == line.quantity for line in stop.lines.all())
    assert StockMovement.objects.count() == moved  # delivered goods already left at dispatch
    run.refresh_from_db()
    assert run.status == RunStatus.OUT_FOR_DELIVERY  # one stop still to go


def test_it_returns_what_came_back_to_where_it_was_picked_latest_expiry_first(
    run, volunteer, net, beans, water
):
    shelter = stops(run)[0]
    by_item = lines(shelter)

    stop_deliver(
        stop=shelter,
        user=volunteer,
        received_by="Maria",
        note="",
        returned={by_item["Canned beans"].pk: 3, by_item["Bottled water 1.5 L"].pk: 2},
    )

    shelter.refresh_from_db()
    assert shelter.status == StopStatus.PARTIAL
    assert {n: (line.returned, line.delivered) for n, line in lines(shelter).items()} == {
        "Canned beans": (3, 3),
        "Bottled water 1.5 L": (2, 10),
    }
    # The 2 June cans go back to the garage, then 1 March can to the hall.
    assert qty(beans, net.garage, JUN) == 5 + 2
    assert qty(beans, net.hall, MAR) == 1
    assert qty(water, net.hall) == 18 + 2
    returned = StockMovement.objects.filter(kind=MovementKind.RETURNED)
    assert sorted(returned.values_list("location__name", "quantity", "expiry_date")) == [
        ("Garage", 2, JUN),
        ("Hall", 1, MAR),
        ("Hall", 2, None),
    ]
    assert all(m.source == by_item["Canned beans"] for m in returned if m.item == beans)
    assert all(m.created_by == volunteer and "Run" in m.reason for m in returned)
    assert_ledger_matches_balances()


def test_it_leaves_a_stop_at_another_hub_in_transit_less_what_came_back(
    run, coordinator, net, beans
):
    to_other = stops(run)[1]

    stop_deliver(
        stop=to_other,
        user=coordinator,
        received_by="Ruth, Pasadena Hub",
        note="",
        returned={lines(to_other)["Canned beans"].pk: 1},
    )

    assert qty(beans, net.other_store, JUN) == 0
    assert not StockMovement.objects.filter(location=net.other_store).exists()
    assert qty(beans, net.garage, JUN) == 5 + 1
    [line] = to_other.transfer.lines.all()
    assert (line.quantity, line.returned, line.in_transit) == (3, 1, 2)
    assert_ledger_matches_balances()


def test_it_finishes_the_run_when_every_stop_is_marked(run, volunteer):
    first, second = stops(run)
    stop_deliver(stop=first, user=volunteer, received_by="Maria", note="", returned={})
    stop_deliver(stop=second, user=volunteer, received_by="Ruth", note="", returned={})

    run.refresh_from_db()
    assert run.status == RunStatus.DELIVERED and run.finished_at


def test_it_finishes_partially_delivered_when_anything_came_back(run, volunteer):
    first, second = stops(run)
    stop_deliver(stop=first, user=volunteer, received_by="Maria", note="", returned={})
    everything_back = {line.pk: line.quantity for line in second.lines.all()}
    stop_deliver(
        stop=second, user=volunteer, received_by="", note="Closed", returned=everything_back
    )

    run.refresh_from_db()
    assert run.status == RunStatus.PARTIALLY_DELIVERED
    assert_ledger_matches_balances()


@pytest.mark.parametrize(
    ("returned", "received_by", "message"),
    [
        ({"beans": 7}, "Maria", "7 brought back, but only 6 went out"),
        ({"beans": -1}, "Maria", "more than zero"),
        ({"beans": "2"}, "Maria", "whole number"),
        ({"other": 1}, "Maria", "not on this stop"),
        ({}, "  ", "who received"),
        ({}, "x" * 121, "at most 120"),
    ],
)
def test_it_refuses_bad_input_and_stores_nothing(run, volunteer, returned, received_by, message):
    shelter, other = stops(run)
    keys = {"beans": lines(shelter)["Canned beans"].pk, "other": lines(other)["Canned beans"].pk}
    moved = StockMovement.objects.count()

    with pytest.raises(UserError, match=message):
        stop_deliver(
            stop=shelter,
            user=volunteer,
            received_by=received_by,
            note="",
            returned={keys[k]: v for k, v in returned.items()},
        )

    shelter.refresh_from_db()
    assert shelter.status == StopStatus.PENDING
    assert StockMovement.objects.count() == moved


def test_it_marks_a_stop_once(run, volunteer, coordinator):
    shelter = stops(run)[0]
    stop_deliver(stop=shelter, user=volunteer, received_by="Maria", note="", returned={})

    with pytest.raises(RunError, match="already marked"):
        stop_deliver(
            stop=shelter,
            user=coordinator,
            received_by="Maria",
            note="",
            returned={line.pk: 1 for line in shelter.lines.all()},
        )
    assert not StockMovement.objects.filter(kind=MovementKind.RETURNED).exists()


def test_it_lets_only_the_driver_or_a_coordinator_mark_stops(run, hub):
    other_volunteer = UserFactory(role=Role.VOLUNTEER, hubs=[hub])

    with pytest.raises(RunError, match="driver or a coordinator"):
        stop_deliver(
            stop=stops(run)[0], user=other_volunteer, received_by="Maria", note="", returned={}
        )


def test_it_refuses_a_stop_of_a_run_not_yet_dispatched(net, coordinator, volunteer, water):
    stock(net.hall, water, 5)
    draft = make_run(
        hub=net.hub, driver=volunteer, user=coordinator, stops=[(net.shelter, [(water, 2)])]
    )

    with pytest.raises(RunError, match="not out for delivery"):
        stop_deliver(
            stop=draft.stops.get(), user=coordinator, received_by="Maria", note="", returned={}
        )
