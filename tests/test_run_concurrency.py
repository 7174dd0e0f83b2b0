"""Runs dispatched at once on real Postgres: never oversold, never deadlocked."""

from datetime import date

import pytest
from django.db.models import Sum

from deliveries.models import DestinationKind, RunStatus, StopLine
from deliveries.services import run_dispatch, stop_deliver
from deliveries.transfers import ArrivalLine, transfer_receive
from inventory.models import StockBalance
from inventory.services import Shortfall
from tests.factories import DestinationFactory, StorageLocationFactory, UserFactory
from tests.ledger import assert_ledger_matches_balances
from tests.runs import make_run, stock
from tests.threads import run_at_once

pytestmark = pytest.mark.django_db(transaction=True)

MAR, APR, JUN = date(2026, 3, 31), date(2026, 4, 30), date(2026, 6, 30)


@pytest.fixture
def people(hub, coordinator, volunteer):
    return coordinator, volunteer


def on_hand(item, hub) -> int:
    total = StockBalance.objects.filter(item=item, location__hub=hub).aggregate(t=Sum("quantity"))
    return total["t"] or 0


def test_it_dispatches_one_of_two_runs_competing_for_the_same_stock(hub, people, water):
    coordinator, driver = people
    garage = StorageLocationFactory(hub=hub, name="Garage")
    hall = StorageLocationFactory(hub=hub, name="Hall")
    stock(garage, water, 12)
    stock(hall, water, 8)
    runs = [
        make_run(
            hub=hub,
            driver=driver,
            user=coordinator,
            stops=[(DestinationFactory(hub=hub), [(water, 15)])],
        )
        for _ in range(2)
    ]

    results = run_at_once([lambda run=run: run_dispatch(run=run, user=coordinator) for run in runs])

    sent = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, Shortfall)]
    assert len(sent) == 1 and len(refused) == 1, results
    # The second run is refused whichever dispatch ran first: after the first run left, 5 of
    # the 20 are in stock; before, the first run holds 15 of them.
    assert any(
        words in str(refused[0])
        for words in ("short by 10 (15 needed, 5 ", "short by 15 (15 needed, 0 free: 15 more")
    ), refused[0]
    assert on_hand(water, hub) == 5
    assert not StockBalance.objects.filter(quantity__lt=0).exists()
    # The run planned first holds the stock: it is the one that left.
    statuses = [run.status for run in type(runs[0]).objects.order_by("pk")]
    assert statuses == [RunStatus.OUT_FOR_DELIVERY, RunStatus.DRAFT]
    assert_ledger_matches_balances()


def test_it_dispatches_eight_overlapping_runs_at_once_without_deadlock(
    hub, other_hub, people, water, beans
):
    coordinator, driver = people
    rice = type(water).objects.create(
        name="Rice 2 kg", category=water.category, unit_volume_litres=2, tracks_expiry=True
    )
    shelves = [StorageLocationFactory(hub=hub, name=f"Shelf {n}") for n in range(3)]
    StorageLocationFactory(hub=other_hub, name="Pasadena garage")
    for n, shelf in enumerate(shelves):
        stock(shelf, water, 40)
        stock(shelf, beans, 10, [MAR, APR, JUN][n])
        stock(shelf, rice, 10, [JUN, MAR, APR][n])
    start = {item: on_hand(item, hub) for item in (water, beans, rice)}
    to_other_hub = DestinationFactory(
        hub=hub, kind=DestinationKind.OTHER_HUB, receiving_hub=other_hub
    )
    # Each run asks for the items in its own order, over two stops: the locks must still
    # be taken in one order. Together they ask for more beans and rice than there are.
    orders = [(water, beans, rice), (rice, water, beans), (beans, rice, water)]
    runs = []
    for n in range(8):
        first, second, third = orders[n % 3]
        runs.append(
            make_run(
                hub=hub,
                driver=driver,
                user=coordinator,
                stops=[
                    (DestinationFactory(hub=hub), [(first, 5 + n), (second, 3)]),
                    (to_other_hub, [(third, 4), (first, 2)]),
                ],
            )
        )

    results = run_at_once([lambda run=run: run_dispatch(run=run, user=coordinator) for run in runs])

    unexpected = [r for r in results if isinstance(r, Exception) and not isinstance(r, Shortfall)]
    assert not unexpected, unexpected
    sent = [run for run, r in zip(runs, results, strict=True) if not isinstance(r, Exception)]
    assert sent and len(sent) < 8  # some won, some met the shortfall
    for item in (water, beans, rice):
        taken = StopLine.objects.filter(stop__run__in=sent, item=item).aggregate(t=Sum("quantity"))[
            "t"
        ]
        assert on_hand(item, hub) == start[item] - (taken or 0), item
    assert not StockBalance.objects.filter(quantity__lt=0).exists()
    assert_ledger_matches_balances()


def test_it_settles_runs_crossing_between_two_hubs_at_once(hub, other_hub, coordinator, water):
    here = StorageLocationFactory(hub=hub, name="Here")
    there = StorageLocationFactory(hub=other_hub, name="There")
    their_coordinator = UserFactory(role=coordinator.groups.get().name, hubs=[other_hub])
    stock(here, water, 50)
    stock(there, water, 50)
    outbound, inbound = (
        make_run(
            hub=source,
            driver=user,
            user=user,
            stops=[
                (
                    DestinationFactory(
                        hub=source, kind=DestinationKind.OTHER_HUB, receiving_hub=target
                    ),
                    [(water, 20)],
                )
            ],
        )
        for source, target, user in (
            (hub, other_hub, coordinator),
            (other_hub, hub, their_coordinator),
        )
    )
    run_dispatch(run=outbound, user=coordinator)
    run_dispatch(run=inbound, user=their_coordinator)

    def settle(run, user):
        stop = run.stops.get()
        line = stop.lines.get()
        return stop_deliver(
            stop=stop, user=user, received_by="Door", note="", returned={line.pk: 5}
        )

    results = run_at_once(
        [lambda: settle(outbound, coordinator), lambda: settle(inbound, their_coordinator)]
    )

    assert not any(isinstance(r, Exception) for r in results), results
    # Each hub: 50 - 20 sent + 5 back; the other's 15 are in transit.
    assert on_hand(water, hub) == on_hand(water, other_hub) == 35

    def receive(run, location, user):
        transfer = run.stops.get().transfer
        [line] = transfer.lines.all()
        return transfer_receive(
            transfer=transfer,
            arrivals=[ArrivalLine(line.pk, 15, 15, location)],
            note="",
            user=user,
        )

    results = run_at_once(
        [
            lambda: receive(outbound, there, their_coordinator),
            lambda: receive(inbound, here, coordinator),
        ]
    )

    assert not any(isinstance(r, Exception) for r in results), results
    assert on_hand(water, hub) == on_hand(water, other_hub) == 50
    assert_ledger_matches_balances()
