"""Ten tablets and three coordinators at once: real threads on real Postgres connections."""

from datetime import date

import pytest
from django.db import transaction

from inventory.models import MovementKind, StockBalance, StockMovement
from inventory.services import (
    InsufficientStock,
    StockError,
    StockLine,
    stock_receive,
    stock_remove,
    stock_transfer,
    stock_void,
)
from tests.factories import HubFactory, StorageLocationFactory
from tests.ledger import assert_ledger_matches_balances, qty
from tests.threads import run_at_once

pytestmark = pytest.mark.django_db(transaction=True)

MAR = date(2026, 3, 31)
JUN = date(2026, 6, 30)


@pytest.fixture
def place():
    hub = HubFactory(name="Altadena Hub", slug="altadena")
    other = HubFactory(name="Pasadena Hub", slug="pasadena")
    return (
        StorageLocationFactory(hub=hub, name="Church hall"),
        StorageLocationFactory(hub=other, name="Pasadena garage"),
    )


def test_it_lets_exactly_six_of_eight_tablets_take_three_from_twenty(place, water):
    hall, _ = place
    stock_receive(lines=[StockLine(water, hall, 20)], user=None)

    results = run_at_once(
        [
            lambda: stock_remove(
                lines=[StockLine(water, hall, 3)], kind=MovementKind.DELIVERED, user=None
            )
        ]
        * 8
    )

    taken = [r for r in results if isinstance(r, list)]
    refused = [r for r in results if isinstance(r, InsufficientStock)]
    assert len(taken) == 6 and len(refused) == 2, results
    assert all([m.quantity for m in r] == [-3] for r in taken)
    assert all((e.requested, e.available, e.shortfall) == (3, 2, 1) for e in refused)
    assert all("short by 1" in str(e) for e in refused)
    assert qty(water, hall) == 2
    assert_ledger_matches_balances()


def test_it_runs_crossing_transfers_and_receipts_without_deadlock(place, water, beans):
    hall, garage = place
    stock_receive(
        lines=[
            StockLine(water, hall, 100),
            StockLine(water, garage, 100),
            StockLine(beans, hall, 50, MAR),
            StockLine(beans, garage, 50, MAR),
        ],
        user=None,
    )

    def transfer(item, source, target, quantity):
        return lambda: stock_transfer(
            item=item, from_location=source, to_location=target, quantity=quantity, user=None
        )

    def receive(*lines):
        return lambda: stock_receive(lines=[StockLine(*line) for line in lines], user=None)

    def deliver(*lines):
        return lambda: stock_remove(
            lines=[StockLine(*line) for line in lines], kind=MovementKind.DELIVERED, user=None
        )

    def repeat(call, times=5):
        return lambda: [call() for _ in range(times)]

    # Lines listed against pk order on purpose: the locks must still be taken in pk order.
    results = run_at_once(
        [
            repeat(transfer(water, hall, garage, 5)),
            repeat(transfer(water, garage, hall, 7)),
            repeat(transfer(beans, hall, garage, 3)),  # first-expired-first-out
            repeat(transfer(beans, garage, hall, 2)),
            repeat(receive((water, garage, 4), (water, hall, 1))),
            repeat(receive((beans, hall, 2, MAR), (water, garage, 3))),
            repeat(deliver((water, garage, 2), (water, hall, 2))),
            repeat(receive((beans, garage, 1, MAR), (water, hall, 6))),
        ]
    )

    assert [r for r in results if isinstance(r, Exception)] == []
    # Per round: water hall -5 +7 +1 -2 +6, garage +5 -7 +4 +3 -2; beans hall -3 +2 +2,
    # garage +3 -2 +1. Five rounds each.
    assert qty(water, hall) == 100 + 5 * 7
    assert qty(water, garage) == 100 + 5 * 3
    assert qty(beans, hall, MAR) == 50 + 5 * 1
    assert qty(beans, garage, MAR) == 50 + 5 * 2
    assert StockMovement.objects.count() == 4 + 5 * (2 + 2 + 2 + 2 + 2 + 2 + 2 + 2)
    assert_ledger_matches_balances()


def test_it_makes_one_operation_of_a_key_sent_by_eight_tablets_at_once(place, water, beans):
    hall, _ = place

    def submit():
        return stock_receive(
            lines=[StockLine(water, hall, 24), StockLine(beans, hall, 6, MAR)],
            user=None,
            idempotency_key="tablet-2:dropoff-31",
        )

    results = run_at_once([submit] * 8)

    assert not [r for r in results if isinstance(r, Exception)], results
    first = [m.pk for m in results[0]]
    assert len(first) == 2
    assert all([m.pk for m in r] == first for r in results)
    assert StockMovement.objects.values("operation").distinct().count() == 1
    assert qty(water, hall) == 24
    assert qty(beans, hall, MAR) == 6
    assert_ledger_matches_balances()


def test_it_answers_a_repeated_pick_with_the_first_result_not_a_shortage(place, water):
    """A driver's double tap on "load" sends the same key twice at once: the second waits
    for the first and must get its result, not "not enough stock" for the goods it took."""
    hall, _ = place
    stock_receive(lines=[StockLine(water, hall, 20)], user=None)

    def load():
        return stock_remove(
            lines=[StockLine(water, hall, 15)],
            kind=MovementKind.DELIVERED,
            user=None,
            idempotency_key="run-7:load",
        )

    results = run_at_once([load] * 8)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert all([m.pk for m in r] == [m.pk for m in results[0]] for r in results)
    assert qty(water, hall) == 5
    assert_ledger_matches_balances()


def test_it_voids_once_and_tells_the_others_it_was_already_voided(place, water):
    """Coordinators voiding one dropoff from several screens: the first void wins, the rest
    are told so, even when they were already past the first check and waiting on the lock."""
    hall, _ = place
    [received] = stock_receive(lines=[StockLine(water, hall, 24)], user=None)

    class HoldTheBalance:
        def __enter__(self):
            self.atomic = transaction.atomic()
            self.atomic.__enter__()
            list(StockBalance.objects.select_for_update().filter(item=water, location=hall))

        def __exit__(self, *exc):
            return self.atomic.__exit__(*exc)

    results = run_at_once(
        [lambda: stock_void(movement=received, user=None, reason="Duplicate entry")] * 4,
        held=HoldTheBalance(),
    )

    voided = [r for r in results if isinstance(r, list)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(voided) == 1, results
    assert [(type(e), str(e)) for e in refused] == [(StockError, "This was already voided.")] * 3
    assert qty(water, hall) == 0
    assert StockMovement.objects.filter(kind=MovementKind.VOIDED).count() == 1
    assert_ledger_matches_balances()


def test_it_picks_first_expired_first_out_from_a_dropoff_it_waited_for(place, beans):
    hall, _ = place
    stock_receive(lines=[StockLine(beans, hall, 5, JUN)], user=None)

    class DropoffStillSaving:
        """A dropoff of beans (June and March), committed while the pick waits for it."""

        def __enter__(self):
            self.atomic = transaction.atomic()
            self.atomic.__enter__()
            stock_receive(
                lines=[StockLine(beans, hall, 1, JUN), StockLine(beans, hall, 10, MAR)],
                user=None,
            )

        def __exit__(self, *exc):
            return self.atomic.__exit__(*exc)

    [result] = run_at_once(
        [
            lambda: stock_remove(
                lines=[StockLine(beans, hall, 8)], kind=MovementKind.DELIVERED, user=None
            )
        ],
        held=DropoffStillSaving(),
    )

    assert_ledger_matches_balances()
    # The pick waited for the dropoff, then saw its new March cans and took those first.
    assert [(m.expiry_date, m.quantity) for m in result] == [(MAR, -8)]
    assert qty(beans, hall, MAR) == 2
    assert qty(beans, hall, JUN) == 6
