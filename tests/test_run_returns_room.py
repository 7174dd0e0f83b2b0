"""What a driver brings back from a stop never takes a location past 100 %: it goes back
where it was picked from when there is room, else to the hub's emptiest location with room,
and when no location has room the stop is refused with a clear message, nothing stored."""

from datetime import date

import pytest
from django.db.models import F
from django.urls import reverse

from deliveries.models import StopStatus
from deliveries.services import run_dispatch, stop_deliver
from hub.errors import UserError
from inventory.models import MovementKind, StockMovement, StorageLocation
from tests.intake import HTMX, login
from tests.ledger import assert_ledger_matches_balances, qty
from tests.runs import make_run, stock

MAR, JUN = date(2026, 3, 31), date(2026, 6, 30)


@pytest.fixture
def run(net, coordinator, volunteer, water, beans):
    """Out for delivery: 4 March cans and 12 waters from the hall to the shelter, 3 June
    cans from the garage to the other hub."""
    stock(net.garage, beans, 10, JUN)
    stock(net.hall, beans, 4, MAR)
    stock(net.hall, water, 30)
    run = make_run(
        hub=net.hub,
        driver=volunteer,
        user=coordinator,
        stops=[(net.shelter, [(beans, 4), (water, 12)]), (net.to_other_hub, [(beans, 3)])],
    )
    return run_dispatch(run=run, user=coordinator)


def full(location):
    """The location filled to the brim while the run was out."""
    StorageLocation.objects.filter(pk=location.pk).update(capacity_litres=F("used_litres"))


def never_past_full():
    return [
        loc.name for loc in StorageLocation.objects.all() if loc.used_litres > loc.capacity_litres
    ]


def stop_lines(run, position):
    stop = run.stops.get(position=position)
    return stop, {line.item.name: line for line in stop.lines.all()}


def test_it_puts_returns_where_there_is_room_when_their_location_filled_up(
    run, volunteer, net, beans, water
):
    full(net.hall)
    stop, lines = stop_lines(run, 1)

    stop_deliver(
        stop=stop,
        user=volunteer,
        received_by="Maria",
        note="",
        returned={lines["Canned beans"].pk: 1, lines["Bottled water 1.5 L"].pk: 2},
    )

    assert (qty(beans, net.hall, MAR), qty(water, net.hall)) == (0, 18)
    assert (qty(beans, net.garage, MAR), qty(water, net.garage)) == (1, 2)
    returned = StockMovement.objects.filter(kind=MovementKind.RETURNED)
    assert set(returned.values_list("location__name", flat=True)) == {"Garage"}
    assert never_past_full() == []
    assert_ledger_matches_balances()


def test_it_keeps_returns_where_they_were_picked_when_there_is_room(
    run, volunteer, net, beans, water
):
    full(net.garage)
    stop, lines = stop_lines(run, 1)

    stop_deliver(
        stop=stop,
        user=volunteer,
        received_by="Maria",
        note="",
        returned={lines["Canned beans"].pk: 1, lines["Bottled water 1.5 L"].pk: 2},
    )

    assert (qty(beans, net.hall, MAR), qty(water, net.hall)) == (1, 20)
    assert never_past_full() == []


def test_it_refuses_returns_no_location_has_room_for_and_stores_nothing(run, volunteer, net, water):
    full(net.hall)
    full(net.garage)
    stop, lines = stop_lines(run, 1)
    moved = StockMovement.objects.count()

    with pytest.raises(UserError) as refused:
        stop_deliver(
            stop=stop,
            user=volunteer,
            received_by="Maria",
            note="",
            returned={lines["Bottled water 1.5 L"].pk: 2},
        )

    assert str(refused.value) == (
        "West Adams Hub has no location with room for 2 Bottled water 1.5 L: make room there first."
    )
    stop.refresh_from_db()
    assert stop.status == StopStatus.PENDING
    assert StockMovement.objects.count() == moved
    assert never_past_full() == []


def test_it_puts_what_comes_back_from_another_hub_where_there_is_room(run, coordinator, net, beans):
    full(net.garage)
    stop, lines = stop_lines(run, 2)

    stop_deliver(
        stop=stop,
        user=coordinator,
        received_by="Ruth, Pasadena Hub",
        note="",
        returned={lines["Canned beans"].pk: 1},
    )

    assert (qty(beans, net.garage, JUN), qty(beans, net.hall, JUN)) == (7, 1)
    [line] = stop.transfer.lines.all()
    assert (line.returned, line.in_transit) == (1, 2)
    assert never_past_full() == []
    assert_ledger_matches_balances()


def test_the_driver_sees_why_returns_are_refused_on_the_phone(client, run, volunteer, net, water):
    full(net.hall)
    full(net.garage)
    stop, lines = stop_lines(run, 1)
    data = {"received_by": "Maria", "note": ""}
    data |= {f"returned-{line.pk}": "0" for line in lines.values()}
    data[f"returned-{lines['Bottled water 1.5 L'].pk}"] = "2"

    page = login(client, volunteer).post(
        reverse("stop_deliver", args=[net.hub.slug, run.pk, stop.pk]), data, headers=HTMX
    )

    assert page.status_code == 200
    assert "has no location with room for 2 Bottled water 1.5 L: make room there" in page.text
    stop.refresh_from_db()
    assert stop.status == StopStatus.PENDING
