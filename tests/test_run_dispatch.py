"""Dispatch: every line of every stop leaves stock at once, first-expired-first-out across
the hub's shelves, or nothing does and the error names what is missing."""

from datetime import date

import pytest

from deliveries.models import RunStatus
from deliveries.services import RunError, run_cancel, run_dispatch, run_picking_start
from inventory.models import MovementKind, StockMovement
from inventory.services import Shortfall
from tests.ledger import assert_ledger_matches_balances, qty
from tests.runs import make_run, stock

MAR, JUN = date(2026, 3, 31), date(2026, 6, 30)


def test_it_takes_every_line_first_expired_first_out_across_shelves(
    net, coordinator, volunteer, water, beans
):
    stock(net.garage, beans, 10, JUN)
    stock(net.hall, beans, 4, MAR)
    stock(net.hall, water, 30)
    run = make_run(
        hub=net.hub,
        driver=volunteer,
        user=coordinator,
        stops=[(net.shelter, [(beans, 6), (water, 12)]), (net.to_other_hub, [(beans, 3)])],
    )

    run = run_dispatch(run=run, user=coordinator)

    assert run.status == RunStatus.OUT_FOR_DELIVERY
    assert run.dispatched_by == coordinator and run.dispatched_at
    # The March cans went first (4), then June: 2 for the shelter and 3 for the other hub.
    assert qty(beans, net.hall, MAR) == 0
    assert qty(beans, net.garage, JUN) == 5
    assert qty(water, net.hall) == 18
    kinds = StockMovement.objects.values_list("kind", "quantity", "expiry_date")
    assert sorted(kinds.filter(kind=MovementKind.DELIVERED)) == [
        (MovementKind.DELIVERED, -12, None),
        (MovementKind.DELIVERED, -4, MAR),
        (MovementKind.DELIVERED, -2, JUN),
    ]
    # Goods for another hub of the network leave as a transfer.
    assert list(kinds.filter(kind=MovementKind.TRANSFERRED)) == [
        (MovementKind.TRANSFERRED, -3, JUN)
    ]
    assert_ledger_matches_balances()


def test_it_refuses_the_whole_run_naming_each_item_short_and_by_how_much(
    net, coordinator, volunteer, water, beans
):
    stock(net.garage, beans, 25, JUN)
    stock(net.hall, water, 5)
    run = make_run(
        hub=net.hub,
        driver=volunteer,
        user=coordinator,
        stops=[(net.shelter, [(beans, 30), (water, 4)]), (net.to_other_hub, [(beans, 10)])],
    )
    before = StockMovement.objects.count()

    with pytest.raises(Shortfall) as refused:
        run_dispatch(run=run, user=coordinator)

    message = str(refused.value)
    assert "Canned beans short by 15 (40 needed, 25 in stock)" in message
    assert "water" not in message.lower()  # water is covered
    assert [(m.item, m.shortfall) for m in refused.value.missing] == [(beans, 15)]
    assert StockMovement.objects.count() == before
    assert qty(beans, net.garage, JUN) == 25 and qty(water, net.hall) == 5
    run.refresh_from_db()
    assert run.status == RunStatus.DRAFT


def test_it_names_an_item_with_no_stock_at_all(net, coordinator, volunteer, water):
    run = make_run(
        hub=net.hub, driver=volunteer, user=coordinator, stops=[(net.shelter, [(water, 2)])]
    )

    with pytest.raises(Shortfall, match=r"Bottled water 1.5 L short by 2 \(2 needed, 0 in"):
        run_dispatch(run=run, user=coordinator)


def test_it_does_not_take_stock_held_by_another_hub(net, coordinator, volunteer, water):
    stock(net.other_store, water, 50)
    run = make_run(
        hub=net.hub, driver=volunteer, user=coordinator, stops=[(net.shelter, [(water, 2)])]
    )

    with pytest.raises(Shortfall):
        run_dispatch(run=run, user=coordinator)
    assert qty(water, net.other_store) == 50


def test_it_cannot_dispatch_a_run_twice(net, coordinator, volunteer, water):
    stock(net.hall, water, 10)
    run = make_run(
        hub=net.hub, driver=volunteer, user=coordinator, stops=[(net.shelter, [(water, 4)])]
    )
    run_dispatch(run=run, user=coordinator)

    with pytest.raises(RunError, match="already dispatched"):
        run_dispatch(run=run, user=coordinator)
    assert qty(water, net.hall) == 6


def test_it_dispatches_from_picking(net, coordinator, volunteer, water):
    stock(net.hall, water, 10)
    run = make_run(
        hub=net.hub, driver=volunteer, user=coordinator, stops=[(net.shelter, [(water, 4)])]
    )
    assert run_picking_start(run=run, user=coordinator).status == RunStatus.PICKING

    assert run_dispatch(run=run, user=coordinator).status == RunStatus.OUT_FOR_DELIVERY


def test_it_refuses_a_run_without_lines(net, coordinator, volunteer):
    run = make_run(hub=net.hub, driver=volunteer, user=coordinator, stops=[])

    with pytest.raises(RunError, match="Add a stop"):
        run_dispatch(run=run, user=coordinator)
    with pytest.raises(RunError, match="Add a stop"):
        run_picking_start(run=run, user=coordinator)


def test_it_cancels_before_dispatch_and_takes_nothing(net, coordinator, volunteer, water):
    stock(net.hall, water, 10)
    run = make_run(
        hub=net.hub, driver=volunteer, user=coordinator, stops=[(net.shelter, [(water, 4)])]
    )

    run = run_cancel(run=run, user=coordinator)

    assert run.status == RunStatus.CANCELLED and run.cancelled_at
    with pytest.raises(RunError, match="cancelled"):
        run_dispatch(run=run, user=coordinator)
    assert qty(water, net.hall) == 10


def test_it_cannot_cancel_after_dispatch(net, coordinator, volunteer, water):
    stock(net.hall, water, 10)
    run = make_run(
        hub=net.hub, driver=volunteer, user=coordinator, stops=[(net.shelter, [(water, 4)])]
    )
    run_dispatch(run=run, user=coordinator)

    with pytest.raises(RunError, match="brought back"):
        run_cancel(run=run, user=coordinator)
    run.refresh_from_db()
    assert run.status == RunStatus.OUT_FOR_DELIVERY
