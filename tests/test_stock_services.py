"""The stock services: every change is one transaction of ledger rows and balance changes,
never below zero, first-expired-first-out, idempotent, and reversible once by a void."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from hub.roles import Role
from inventory.models import MovementKind, StockBalance, StockMovement
from inventory.services import (
    MAX_QUANTITY,
    InsufficientStock,
    StockError,
    StockLine,
    stock_adjust,
    stock_count,
    stock_receive,
    stock_remove,
    stock_transfer,
    stock_void,
)
from tests.factories import ItemFactory, StorageLocationFactory, UserFactory
from tests.ledger import assert_ledger_matches_balances, qty

JAN = date(2026, 1, 31)
MAR = date(2026, 3, 31)
JUN = date(2026, 6, 30)


@pytest.fixture
def back_room(hub):
    return StorageLocationFactory(hub=hub, name="Back room")


@pytest.fixture
def front_shelves(hub):
    return StorageLocationFactory(hub=hub, name="Front shelves")


@pytest.fixture
def pasadena_garage(other_hub):
    return StorageLocationFactory(hub=other_hub, name="Pasadena garage")


@pytest.fixture
def user(hub):
    return UserFactory(username="cora", role=Role.COORDINATOR, hubs=[hub])


def receive(item, location, quantity, expiry=None, **kwargs):
    kwargs.setdefault("user", None)
    return stock_receive(lines=[StockLine(item, location, quantity, expiry)], **kwargs)


def snapshot():
    """Everything stored about stock, to show that a refused call changed nothing."""
    return (
        sorted(StockMovement.objects.values_list("pk", "quantity")),
        sorted(StockBalance.objects.values_list("pk", "quantity")),
    )


# --- receive ----------------------------------------------------------------------------------


def test_it_receives_a_multi_line_dropoff_as_one_operation(
    user, water, beans, back_room, front_shelves
):
    movements = stock_receive(
        lines=[
            StockLine(water, back_room, 24),
            StockLine(beans, back_room, 10, MAR),
            StockLine(beans, front_shelves, 6),
        ],
        user=user,
        reason="Dropoff from St. Agnes parish",
    )

    assert [(m.kind, m.item, m.location, m.quantity, m.expiry_date) for m in movements] == [
        (MovementKind.RECEIVED, water, back_room, 24, None),
        (MovementKind.RECEIVED, beans, back_room, 10, MAR),
        (MovementKind.RECEIVED, beans, front_shelves, 6, None),
    ]
    assert len({m.operation for m in movements}) == 1
    assert all(
        m.created_by == user and m.reason == "Dropoff from St. Agnes parish" for m in movements
    )
    assert qty(water, back_room) == 24
    assert qty(beans, back_room, MAR) == 10
    assert qty(beans, front_shelves) == 6
    assert StockMovement.objects.count() == 3
    assert_ledger_matches_balances()


def test_it_adds_receipts_of_the_same_expiry_and_keeps_other_dates_apart(beans, back_room):
    receive(beans, back_room, 10, MAR)
    receive(beans, back_room, 5, MAR)
    receive(beans, back_room, 7, JUN)
    receive(beans, back_room, 2)

    assert qty(beans, back_room, MAR) == 15
    assert qty(beans, back_room, JUN) == 7
    assert qty(beans, back_room) == 2
    assert StockBalance.objects.filter(item=beans).count() == 3
    assert_ledger_matches_balances()


def test_it_accepts_exactly_the_maximum_quantity(water, back_room):
    receive(water, back_room, MAX_QUANTITY)

    assert qty(water, back_room) == MAX_QUANTITY
    assert_ledger_matches_balances()


@pytest.mark.parametrize("lines", [1, 3, 6])
def test_it_receives_in_a_fixed_number_of_queries_whatever_the_lines(
    django_assert_num_queries, back_room, lines
):
    """Savepoint, the location's lock, pair locks, balance lock, then the new balances'
    insert, one statement for the guarded UPDATE of the existing balances, the UPDATE of the
    location's litres in use and the movements' insert, the capacity check (hub, the hub's
    check lock, fill with threshold states), release: the same for one line as for six."""
    items = [ItemFactory() for _ in range(lines)]

    with django_assert_num_queries(15):  # the first change also creates the threshold states
        stock_receive(lines=[StockLine(item, back_room, 2) for item in items], user=None)
    with django_assert_num_queries(9):  # the balances and states exist now
        stock_receive(lines=[StockLine(item, back_room, 3) for item in items], user=None)

    assert_ledger_matches_balances()


# --- remove -----------------------------------------------------------------------------------


def test_it_removes_from_the_exact_expiry_date_given(user, beans, back_room):
    receive(beans, back_room, 10, MAR)
    receive(beans, back_room, 10, JUN)

    [movement] = stock_remove(
        lines=[StockLine(beans, back_room, 4, JUN)], kind=MovementKind.DELIVERED, user=user
    )

    assert (movement.kind, movement.quantity, movement.expiry_date) == ("delivered", -4, JUN)
    assert qty(beans, back_room, MAR) == 10
    assert qty(beans, back_room, JUN) == 6
    assert_ledger_matches_balances()


def test_it_picks_first_expired_first_out_and_undated_last(user, beans, back_room):
    receive(beans, back_room, 5, JUN)
    receive(beans, back_room, 10)
    receive(beans, back_room, 3, JAN)
    receive(beans, back_room, 4, MAR)

    movements = stock_remove(
        lines=[StockLine(beans, back_room, 10)], kind=MovementKind.DELIVERED, user=user
    )

    assert [(m.expiry_date, m.quantity) for m in movements] == [(JAN, -3), (MAR, -4), (JUN, -3)]
    assert len({m.operation for m in movements}) == 1
    assert qty(beans, back_room, JAN) == 0
    assert qty(beans, back_room, MAR) == 0
    assert qty(beans, back_room, JUN) == 2
    assert qty(beans, back_room) == 10
    assert_ledger_matches_balances()


def test_it_takes_the_undated_stock_only_after_all_dated_stock(user, beans, back_room):
    receive(beans, back_room, 10)
    receive(beans, back_room, 3, JUN)

    movements = stock_remove(
        lines=[StockLine(beans, back_room, 5)], kind=MovementKind.DISCARDED, user=user
    )

    assert [(m.kind, m.expiry_date, m.quantity) for m in movements] == [
        ("discarded", JUN, -3),
        ("discarded", None, -2),
    ]
    assert qty(beans, back_room) == 8
    assert_ledger_matches_balances()


def test_it_shares_stock_between_two_lines_of_one_removal(user, beans, back_room):
    receive(beans, back_room, 3, JAN)
    receive(beans, back_room, 5, MAR)

    movements = stock_remove(
        lines=[StockLine(beans, back_room, 2), StockLine(beans, back_room, 4)],
        kind=MovementKind.DELIVERED,
        user=user,
    )

    assert [(m.expiry_date, m.quantity) for m in movements] == [(JAN, -2), (JAN, -1), (MAR, -3)]
    assert qty(beans, back_room, JAN) == 0
    assert qty(beans, back_room, MAR) == 2
    assert_ledger_matches_balances()


def test_it_refuses_a_removal_beyond_stock_naming_item_and_shortfall(water, back_room):
    receive(water, back_room, 24)
    before = snapshot()

    with pytest.raises(InsufficientStock) as refused:
        stock_remove(
            lines=[StockLine(water, back_room, 30)], kind=MovementKind.DELIVERED, user=None
        )

    assert str(refused.value) == (
        "Not enough Bottled water 1.5 L at Back room: 30 requested, 24 in stock, short by 6."
    )
    assert (refused.value.item, refused.value.shortfall) == (water, 6)
    assert snapshot() == before
    assert_ledger_matches_balances()


def test_it_counts_every_expiry_date_towards_what_a_fefo_removal_can_take(beans, back_room):
    receive(beans, back_room, 3, JAN)
    receive(beans, back_room, 4)
    before = snapshot()

    with pytest.raises(InsufficientStock) as refused:
        stock_remove(lines=[StockLine(beans, back_room, 9)], kind=MovementKind.DELIVERED, user=None)

    assert "Canned beans" in str(refused.value)
    assert "9 requested, 7 in stock, short by 2" in str(refused.value)
    assert snapshot() == before


def test_it_removes_all_lines_or_none(water, beans, back_room):
    receive(water, back_room, 24)
    receive(beans, back_room, 3, MAR)
    before = snapshot()

    with pytest.raises(InsufficientStock) as refused:
        stock_remove(
            lines=[StockLine(water, back_room, 20), StockLine(beans, back_room, 5)],
            kind=MovementKind.DELIVERED,
            user=None,
        )

    assert refused.value.item == beans
    assert refused.value.shortfall == 2
    assert snapshot() == before
    assert qty(water, back_room) == 24
    assert_ledger_matches_balances()


def test_it_refuses_a_second_line_that_the_first_line_used_up(water, back_room):
    receive(water, back_room, 24)

    with pytest.raises(InsufficientStock) as refused:
        stock_remove(
            lines=[StockLine(water, back_room, 20), StockLine(water, back_room, 10)],
            kind=MovementKind.DELIVERED,
            user=None,
        )

    assert "10 requested, 4 in stock, short by 6" in str(refused.value)
    assert qty(water, back_room) == 24
    assert_ledger_matches_balances()


def test_it_refuses_a_removal_of_stock_never_received(water, back_room):
    with pytest.raises(InsufficientStock) as refused:
        stock_remove(lines=[StockLine(water, back_room, 1)], kind=MovementKind.DELIVERED, user=None)

    assert refused.value.shortfall == 1
    assert not StockMovement.objects.exists()
    assert not StockBalance.objects.exists()


@pytest.mark.parametrize("kind", [MovementKind.RECEIVED, MovementKind.VOIDED, "stolen"])
def test_it_refuses_a_removal_of_a_kind_that_is_not_one(water, back_room, kind):
    receive(water, back_room, 5)

    with pytest.raises(ValueError, match="is not a removal"):
        stock_remove(lines=[StockLine(water, back_room, 1)], kind=kind, user=None)

    assert qty(water, back_room) == 5


# --- transfer ---------------------------------------------------------------------------------


def test_it_transfers_between_locations_of_one_hub(user, water, back_room, front_shelves):
    receive(water, back_room, 24)

    movements = stock_transfer(
        item=water, from_location=back_room, to_location=front_shelves, quantity=10, user=user
    )

    assert [(m.kind, m.location, m.quantity) for m in movements] == [
        ("transferred", back_room, -10),
        ("transferred", front_shelves, 10),
    ]
    assert len({m.operation for m in movements}) == 1
    assert qty(water, back_room) == 14
    assert qty(water, front_shelves) == 10
    assert_ledger_matches_balances()


def test_it_transfers_to_another_hub_first_expired_first_out_keeping_dates(
    user, beans, back_room, pasadena_garage
):
    receive(beans, back_room, 5, JUN)
    receive(beans, back_room, 3, MAR)
    receive(beans, back_room, 2)

    movements = stock_transfer(
        item=beans, from_location=back_room, to_location=pasadena_garage, quantity=6, user=user
    )

    assert [(m.location, m.expiry_date, m.quantity) for m in movements] == [
        (back_room, MAR, -3),
        (pasadena_garage, MAR, 3),
        (back_room, JUN, -3),
        (pasadena_garage, JUN, 3),
    ]
    assert (qty(beans, back_room, MAR), qty(beans, back_room, JUN), qty(beans, back_room)) == (
        0,
        2,
        2,
    )
    assert qty(beans, pasadena_garage, MAR) == 3
    assert qty(beans, pasadena_garage, JUN) == 3
    assert qty(beans, pasadena_garage) == 0
    assert_ledger_matches_balances()


def test_it_transfers_only_the_expiry_date_given(beans, back_room, front_shelves):
    receive(beans, back_room, 3, MAR)
    receive(beans, back_room, 5, JUN)

    stock_transfer(
        item=beans,
        from_location=back_room,
        to_location=front_shelves,
        quantity=4,
        expiry_date=JUN,
        user=None,
    )

    assert qty(beans, back_room, MAR) == 3
    assert qty(beans, back_room, JUN) == 1
    assert qty(beans, front_shelves, JUN) == 4
    assert qty(beans, front_shelves, MAR) == 0
    assert_ledger_matches_balances()


def test_it_refuses_a_transfer_to_the_same_location(water, back_room):
    receive(water, back_room, 24)
    before = snapshot()

    with pytest.raises(StockError, match="two different locations"):
        stock_transfer(
            item=water, from_location=back_room, to_location=back_room, quantity=5, user=None
        )

    assert snapshot() == before


def test_it_refuses_a_transfer_beyond_stock_and_leaves_no_trace(beans, back_room, pasadena_garage):
    receive(beans, back_room, 3, MAR)
    before = snapshot()

    with pytest.raises(InsufficientStock) as refused:
        stock_transfer(
            item=beans, from_location=back_room, to_location=pasadena_garage, quantity=5, user=None
        )

    assert "Canned beans at Back room: 5 requested, 3 in stock, short by 2" in str(refused.value)
    assert snapshot() == before
    assert not StockBalance.objects.filter(location=pasadena_garage).exists()


# --- adjust -----------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   "])
def test_it_requires_a_reason_to_adjust(water, back_room, reason):
    receive(water, back_room, 24)
    before = snapshot()

    with pytest.raises(StockError, match="Give a reason"):
        stock_adjust(item=water, location=back_room, delta=-2, user=None, reason=reason)

    assert snapshot() == before


def test_it_adjusts_up_and_down_with_the_reason_on_record(user, water, back_room):
    [up] = stock_adjust(
        item=water, location=back_room, delta=5, user=user, reason="Found a case behind door"
    )
    [down] = stock_adjust(
        item=water, location=back_room, delta=-2, user=user, reason="Two bottles leaking"
    )

    assert (up.kind, up.quantity, up.reason) == ("adjusted", 5, "Found a case behind door")
    assert (down.kind, down.quantity, down.reason) == ("adjusted", -2, "Two bottles leaking")
    assert qty(water, back_room) == 3
    assert_ledger_matches_balances()


def test_it_refuses_to_adjust_below_zero(water, back_room):
    receive(water, back_room, 4)
    before = snapshot()

    with pytest.raises(InsufficientStock) as refused:
        stock_adjust(item=water, location=back_room, delta=-6, user=None, reason="Broken")

    assert refused.value.shortfall == 2
    assert "Bottled water 1.5 L" in str(refused.value)
    assert snapshot() == before
    assert qty(water, back_room) == 4


# --- count ------------------------------------------------------------------------------------


def test_it_sets_the_counted_quantity_through_one_counted_movement(user, water, back_room):
    receive(water, back_room, 24)

    [movement] = stock_count(item=water, location=back_room, counted_quantity=19, user=user)

    assert (movement.kind, movement.quantity, movement.reason) == ("counted", -5, "Physical count")
    assert qty(water, back_room) == 19
    assert_ledger_matches_balances()


def test_it_counts_up_and_counts_stock_that_was_never_received(water, beans, back_room):
    receive(water, back_room, 24)

    [more] = stock_count(item=water, location=back_room, counted_quantity=30, user=None)
    [found] = stock_count(
        item=beans, location=back_room, counted_quantity=12, expiry_date=MAR, user=None
    )

    assert (more.quantity, found.quantity, found.expiry_date) == (6, 12, MAR)
    assert qty(water, back_room) == 30
    assert qty(beans, back_room, MAR) == 12
    assert_ledger_matches_balances()


def test_it_records_a_matching_count_as_a_zero_movement(water, back_room):
    receive(water, back_room, 24)

    [movement] = stock_count(item=water, location=back_room, counted_quantity=24, user=None)

    assert (movement.kind, movement.quantity) == ("counted", 0)
    assert StockMovement.objects.filter(kind="counted").count() == 1
    assert qty(water, back_room) == 24
    assert_ledger_matches_balances()


def test_it_counts_a_shelf_down_to_empty(water, back_room):
    receive(water, back_room, 24)

    stock_count(item=water, location=back_room, counted_quantity=0, user=None)

    assert qty(water, back_room) == 0
    assert_ledger_matches_balances()


def test_it_counts_only_the_expiry_date_counted(beans, back_room):
    receive(beans, back_room, 5, MAR)
    receive(beans, back_room, 7, JUN)

    stock_count(item=beans, location=back_room, counted_quantity=2, expiry_date=JUN, user=None)

    assert qty(beans, back_room, MAR) == 5
    assert qty(beans, back_room, JUN) == 2
    assert_ledger_matches_balances()


# --- void -------------------------------------------------------------------------------------


def test_it_voids_every_movement_of_an_operation_by_new_rows(
    user, water, beans, back_room, front_shelves
):
    receive(water, back_room, 4)
    originals = stock_receive(
        lines=[
            StockLine(water, back_room, 24),
            StockLine(beans, back_room, 10, MAR),
            StockLine(beans, front_shelves, 6),
        ],
        user=user,
    )

    # Voiding through any one movement of the operation reverses all of it.
    voids = stock_void(movement=originals[1], user=user, reason="Logged at the wrong hub")

    assert [(v.kind, v.item, v.location, v.quantity, v.expiry_date) for v in voids] == [
        ("voided", water, back_room, -24, None),
        ("voided", beans, back_room, -10, MAR),
        ("voided", beans, front_shelves, -6, None),
    ]
    assert [v.reverses_id for v in voids] == [m.pk for m in originals]
    assert len({v.operation for v in voids} | {originals[0].operation}) == 2
    assert StockMovement.objects.filter(pk__in=[m.pk for m in originals]).count() == 3
    assert StockMovement.objects.count() == 7
    assert qty(water, back_room) == 4
    assert qty(beans, back_room, MAR) == 0
    assert qty(beans, front_shelves) == 0
    assert_ledger_matches_balances()


def test_it_voids_a_transfer_back_to_where_it_came_from(water, back_room, pasadena_garage):
    receive(water, back_room, 24)
    moved = stock_transfer(
        item=water, from_location=back_room, to_location=pasadena_garage, quantity=10, user=None
    )

    voids = stock_void(movement=moved[0], user=None, reason="Truck did not leave")

    assert [(v.location, v.quantity) for v in voids] == [(back_room, 10), (pasadena_garage, -10)]
    assert qty(water, back_room) == 24
    assert qty(water, pasadena_garage) == 0
    assert_ledger_matches_balances()


def test_it_voids_a_delivery_back_into_stock(water, back_room):
    receive(water, back_room, 24)
    [delivered] = stock_remove(
        lines=[StockLine(water, back_room, 20)], kind=MovementKind.DELIVERED, user=None
    )

    stock_void(movement=delivered, user=None, reason="Run cancelled at the door")

    assert qty(water, back_room) == 24
    assert_ledger_matches_balances()


def test_it_refuses_a_second_void_of_an_operation(water, beans, back_room):
    originals = stock_receive(
        lines=[StockLine(water, back_room, 24), StockLine(beans, back_room, 3)], user=None
    )
    stock_void(movement=originals[0], user=None, reason="Duplicate entry")
    before = snapshot()

    for movement in originals:
        with pytest.raises(StockError, match="already voided"):
            stock_void(movement=movement, user=None, reason="Duplicate entry")

    assert snapshot() == before
    assert_ledger_matches_balances()


def test_it_refuses_to_void_a_void(water, back_room):
    [received] = receive(water, back_room, 24)
    [void] = stock_void(movement=received, user=None, reason="Duplicate entry")
    before = snapshot()

    with pytest.raises(StockError, match="A void cannot be voided"):
        stock_void(movement=void, user=None, reason="Undo the undo")

    assert snapshot() == before
    assert qty(water, back_room) == 0


def test_it_refuses_to_void_a_receipt_whose_goods_have_left(water, back_room):
    [received] = receive(water, back_room, 10)
    stock_remove(lines=[StockLine(water, back_room, 7)], kind=MovementKind.DELIVERED, user=None)
    before = snapshot()

    with pytest.raises(InsufficientStock) as refused:
        stock_void(movement=received, user=None, reason="Wrong item")

    assert str(refused.value) == (
        "Not enough Bottled water 1.5 L at Back room: 10 requested, 3 in stock, short by 7."
    )
    assert snapshot() == before
    assert not StockMovement.objects.filter(kind="voided").exists()
    assert_ledger_matches_balances()


def test_it_requires_a_reason_to_void(water, back_room):
    [received] = receive(water, back_room, 10)

    with pytest.raises(StockError, match="Give a reason"):
        stock_void(movement=received, user=None, reason=" ")

    assert qty(water, back_room) == 10
    assert not StockMovement.objects.filter(kind="voided").exists()


def test_it_has_nothing_to_void_in_a_count_that_matched(water, back_room):
    receive(water, back_room, 24)
    [count] = stock_count(item=water, location=back_room, counted_quantity=24, user=None)

    with pytest.raises(StockError, match="Nothing to void"):
        stock_void(movement=count, user=None, reason="Miscounted")

    assert qty(water, back_room) == 24


# --- idempotency ------------------------------------------------------------------------------


def test_it_answers_a_repeated_receipt_key_with_the_first_receipt(water, beans, back_room):
    def submit(quantity):
        return stock_receive(
            lines=[StockLine(water, back_room, quantity), StockLine(beans, back_room, 2, MAR)],
            user=None,
            idempotency_key="tablet-3:dropoff-17",
        )

    first = submit(24)
    after_first = snapshot()
    again = submit(24)
    changed_payload = submit(99)

    assert [m.pk for m in again] == [m.pk for m in first]
    assert [m.pk for m in changed_payload] == [m.pk for m in first]
    assert snapshot() == after_first
    assert qty(water, back_room) == 24
    assert_ledger_matches_balances()


@pytest.mark.parametrize("service", ["remove", "transfer", "adjust", "count", "void"])
def test_it_answers_a_repeated_key_with_the_first_result(water, back_room, front_shelves, service):
    [received] = receive(water, back_room, 24)
    calls = {
        "remove": lambda: stock_remove(
            lines=[StockLine(water, back_room, 5)], kind=MovementKind.DELIVERED, user=None,
            idempotency_key="k",
        ),
        "transfer": lambda: stock_transfer(
            item=water, from_location=back_room, to_location=front_shelves, quantity=5,
            user=None, idempotency_key="k",
        ),
        "adjust": lambda: stock_adjust(
            item=water, location=back_room, delta=-5, user=None, reason="Leak",
            idempotency_key="k",
        ),
        "count": lambda: stock_count(
            item=water, location=back_room, counted_quantity=19, user=None, idempotency_key="k"
        ),
        "void": lambda: stock_void(
            movement=received, user=None, reason="Duplicate", idempotency_key="k"
        ),
    }  # fmt: skip

    first = calls[service]()
    after_first = snapshot()
    again = calls[service]()

    assert first and [m.pk for m in again] == [m.pk for m in first]
    assert snapshot() == after_first
    assert qty(water, back_room) == (0 if service == "void" else 19)
    assert_ledger_matches_balances()


def test_it_lets_a_refused_call_be_retried_with_the_same_key(water, back_room):
    def deliver():
        return stock_remove(
            lines=[StockLine(water, back_room, 10)],
            kind=MovementKind.DELIVERED,
            user=None,
            idempotency_key="run-4:stop-1",
        )

    receive(water, back_room, 6)
    with pytest.raises(InsufficientStock):
        deliver()
    receive(water, back_room, 6)

    [delivered] = deliver()

    assert delivered.quantity == -10
    assert qty(water, back_room) == 2
    assert_ledger_matches_balances()


# --- bad input --------------------------------------------------------------------------------

BAD_QUANTITIES = [
    pytest.param(0, "more than zero", id="zero"),
    pytest.param(-3, "more than zero", id="negative"),
    pytest.param(2.5, "whole number", id="float"),
    pytest.param(Decimal("3"), "whole number", id="decimal"),
    pytest.param("3", "whole number", id="string"),
    pytest.param(None, "whole number", id="none"),
    pytest.param(True, "whole number", id="bool"),
    pytest.param(MAX_QUANTITY + 1, "at most 1000000", id="over-max"),
]


@pytest.mark.parametrize(("bad", "message"), BAD_QUANTITIES)
def test_it_refuses_a_bad_quantity_on_receive_and_stores_nothing(
    water, back_room, front_shelves, bad, message
):
    with pytest.raises(StockError, match=message):
        stock_receive(
            lines=[StockLine(water, back_room, 5), StockLine(water, front_shelves, bad)],
            user=None,
        )

    assert not StockMovement.objects.exists()
    assert not StockBalance.objects.exists()


@pytest.mark.parametrize(
    ("service", "bad", "message"),
    [
        pytest.param(service, *case.values, id=f"{service}-{case.id}")
        for service in ("remove", "transfer", "count")
        for case in BAD_QUANTITIES
        # A count of zero is a real count: the shelf is empty.
        if not (service == "count" and case.id == "zero")
    ],
)
def test_it_refuses_a_bad_quantity_on_every_service(
    water, back_room, front_shelves, service, bad, message
):
    receive(water, back_room, 24)
    before = snapshot()

    with pytest.raises(StockError, match=message):
        if service == "remove":
            stock_remove(
                lines=[StockLine(water, back_room, bad)], kind=MovementKind.DELIVERED, user=None
            )
        elif service == "transfer":
            stock_transfer(
                item=water, from_location=back_room, to_location=front_shelves, quantity=bad,
                user=None,
            )  # fmt: skip
        else:
            stock_count(item=water, location=back_room, counted_quantity=bad, user=None)

    assert snapshot() == before
    assert_ledger_matches_balances()


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        pytest.param(0, "other than zero", id="zero"),
        pytest.param(2.5, "whole number", id="float"),
        pytest.param("3", "whole number", id="string"),
        pytest.param(None, "whole number", id="none"),
        pytest.param(True, "whole number", id="bool"),
        pytest.param(MAX_QUANTITY + 1, "at most 1000000", id="over-max"),
        pytest.param(-MAX_QUANTITY - 1, "at most 1000000", id="under-minus-max"),
    ],
)
def test_it_refuses_a_bad_adjustment_and_stores_nothing(water, back_room, bad, message):
    receive(water, back_room, 24)
    before = snapshot()

    with pytest.raises(StockError, match=message):
        stock_adjust(item=water, location=back_room, delta=bad, user=None, reason="Recount")

    assert snapshot() == before


def test_it_refuses_an_expiry_date_on_an_item_that_does_not_track_one(
    water, beans, back_room, front_shelves
):
    receive(water, back_room, 24)
    before = snapshot()

    with pytest.raises(StockError, match=r"Bottled water 1\.5 L has no expiry date"):
        stock_receive(
            lines=[StockLine(beans, back_room, 5, MAR), StockLine(water, back_room, 5, MAR)],
            user=None,
        )
    with pytest.raises(StockError, match="has no expiry date"):
        stock_remove(
            lines=[StockLine(water, back_room, 5, MAR)], kind=MovementKind.DELIVERED, user=None
        )
    with pytest.raises(StockError, match="has no expiry date"):
        stock_transfer(
            item=water,
            from_location=back_room,
            to_location=front_shelves,
            quantity=5,
            expiry_date=MAR,
            user=None,
        )

    assert snapshot() == before


def test_it_refuses_to_receive_an_item_no_longer_in_the_catalog(water, beans, back_room):
    beans.is_active = False
    beans.save()

    with pytest.raises(StockError, match="Canned beans is no longer in the catalog"):
        stock_receive(
            lines=[StockLine(water, back_room, 24), StockLine(beans, back_room, 5)], user=None
        )

    assert not StockMovement.objects.exists()
    assert not StockBalance.objects.exists()


# --- the database guard -----------------------------------------------------------------------


def test_it_has_the_database_refuse_a_negative_balance(water, back_room):
    receive(water, back_room, 3)

    with pytest.raises(IntegrityError, match="balance_never_negative"), transaction.atomic():
        StockBalance.objects.filter(item=water, location=back_room).update(quantity=-1)

    assert qty(water, back_room) == 3


def test_it_answers_a_repeated_key_from_the_ledger_alone(water, back_room):
    """A repeated key is answered from the ledger without touching balances."""
    receive(water, back_room, 24, idempotency_key="dropoff-1")

    with CaptureQueriesContext(connection) as queries:
        receive(water, back_room, 24, idempotency_key="dropoff-1")

    assert len(queries) == 2
    assert not any("stockbalance" in q["sql"].lower() for q in queries.captured_queries)


# --- the ledger itself ------------------------------------------------------------------------


def test_it_refuses_to_change_or_delete_a_ledger_row_in_the_database(water, back_room):
    [movement] = receive(water, back_room, 24)

    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        StockMovement.objects.filter(pk=movement.pk).update(quantity=240)
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        StockMovement.objects.filter(pk=movement.pk).delete()

    movement.refresh_from_db()
    assert movement.quantity == 24
