"""Goods sent to another hub of the network: checked against its intake and room when the
stop is planned and at dispatch, in transit (in neither hub's stock) until someone there
counts them into a location with room, or sent back into the sender's stock."""

from datetime import date
from decimal import Decimal

import pytest

from deliveries.models import TransferStatus
from deliveries.services import RunError, run_dispatch, stop_add
from deliveries.transfers import (
    ArrivalLine,
    TransferDenied,
    TransferError,
    transfer_receive,
    transfer_return,
    transfer_send,
)
from hub.models import CategoryIntake, IntakeStatus
from hub.roles import Role
from inventory.models import MovementKind, StockMovement, StorageLocation
from inventory.services import NoRoom
from tests.factories import StorageLocationFactory, UserFactory
from tests.ledger import assert_ledger_matches_balances, qty
from tests.runs import make_run, stock
from tests.transfers import everything_into, sent

JUN = date(2026, 6, 30)


@pytest.fixture
def receiver(other_hub):
    return UserFactory(username="rosa", role=Role.VOLUNTEER, hubs=[other_hub])


@pytest.fixture
def stocked(net, water, beans):
    stock(net.garage, water, 100)
    stock(net.garage, beans, 20, JUN)
    return net


def used(location) -> Decimal:
    return StorageLocation.objects.get(pk=location.pk).used_litres


def test_it_refuses_a_stop_at_a_hub_whose_intake_is_closed(stocked, coordinator, volunteer, water):
    stocked.other_hub.intake_status = IntakeStatus.CLOSED
    stocked.other_hub.intake_reason = "full"
    stocked.other_hub.save()
    run = make_run(hub=stocked.hub, driver=volunteer, user=coordinator, stops=[])

    with pytest.raises(RunError, match=r"Pasadena Hub does not take .* now \(full\)"):
        stop_add(run=run, destination=stocked.to_other_hub, lines=[(water, 5)], user=coordinator)
    assert not run.stops.exists()


def test_it_refuses_a_stop_of_a_category_the_hub_closed(stocked, coordinator, volunteer, water):
    CategoryIntake.objects.create(
        hub=stocked.other_hub, category=water.category, status=IntakeStatus.CLOSED
    )
    run = make_run(hub=stocked.hub, driver=volunteer, user=coordinator, stops=[])

    with pytest.raises(RunError, match="does not take"):
        stop_add(run=run, destination=stocked.to_other_hub, lines=[(water, 5)], user=coordinator)


def test_it_refuses_a_stop_the_hub_has_no_room_for(stocked, coordinator, volunteer, water):
    # 1,000 L at the other hub; 700 waters take 1,120 L.
    stock(stocked.garage, water, 700)
    run = make_run(hub=stocked.hub, driver=volunteer, user=coordinator, stops=[])

    with pytest.raises(RunError, match="has no room for this: it needs 1120 L"):
        stop_add(run=run, destination=stocked.to_other_hub, lines=[(water, 700)], user=coordinator)


def test_it_counts_goods_already_on_their_way_against_the_room(
    stocked, coordinator, volunteer, water
):
    stock(stocked.garage, water, 600)
    sent(stocked, user=coordinator, driver=volunteer, lines=[(water, 400)])  # 640 L coming
    run = make_run(hub=stocked.hub, driver=volunteer, user=coordinator, stops=[])

    with pytest.raises(RunError, match="640 L of it promised"):
        stop_add(run=run, destination=stocked.to_other_hub, lines=[(water, 250)], user=coordinator)


def test_it_checks_again_at_dispatch_and_takes_nothing(stocked, coordinator, volunteer, water):
    run = make_run(
        hub=stocked.hub,
        driver=volunteer,
        user=coordinator,
        stops=[(stocked.to_other_hub, [(water, 10)])],
    )
    stocked.other_hub.intake_status = IntakeStatus.CLOSED
    stocked.other_hub.save()

    with pytest.raises(RunError, match="does not take"):
        run_dispatch(run=run, user=coordinator)
    assert qty(water, stocked.garage) == 100


def test_it_sends_goods_in_transit_in_neither_hubs_stock(
    stocked, coordinator, volunteer, water, beans
):
    transfer = sent(stocked, user=coordinator, driver=volunteer, lines=[(water, 10), (beans, 4)])

    assert transfer.status == TransferStatus.IN_TRANSIT
    assert (transfer.from_hub, transfer.to_hub) == (stocked.hub, stocked.other_hub)
    assert sorted(
        (line.item.name, line.expiry_date, line.in_transit) for line in transfer.lines.all()
    ) == [
        ("Bottled water 1.5 L", None, 10),
        ("Canned beans", JUN, 4),
    ]
    assert qty(water, stocked.garage) == 90
    assert not StockMovement.objects.filter(location=stocked.other_store).exists()
    assert_ledger_matches_balances()


def test_it_receives_goods_counted_as_sent(stocked, coordinator, volunteer, receiver, water, beans):
    transfer = sent(stocked, user=coordinator, driver=volunteer, lines=[(water, 10), (beans, 4)])

    transfer_receive(
        transfer=transfer,
        arrivals=everything_into(transfer, stocked.other_store),
        note="",
        user=receiver,
    )

    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.SETTLED
    assert qty(water, stocked.other_store) == 10
    assert qty(beans, stocked.other_store, JUN) == 4
    arrived = StockMovement.objects.filter(location=stocked.other_store)
    assert {m.kind for m in arrived} == {MovementKind.TRANSFERRED}
    assert used(stocked.other_store) == Decimal("18")  # 10 x 1.6 + 4 x 0.5
    assert_ledger_matches_balances()


def test_it_records_what_came_short_with_the_reason(
    stocked, coordinator, volunteer, receiver, water
):
    transfer = sent(stocked, user=coordinator, driver=volunteer, lines=[(water, 10)])
    [line] = transfer.lines.all()
    arrival = [ArrivalLine(line.pk, 10, 7, stocked.other_store)]

    with pytest.raises(TransferError, match=r"3 short\. Say in the note"):
        transfer_receive(transfer=transfer, arrivals=arrival, note=" ", user=receiver)
    transfer_receive(transfer=transfer, arrivals=arrival, note="Three crushed", user=receiver)

    line.refresh_from_db()
    assert (line.received, line.short, line.in_transit) == (7, 3, 0)
    assert qty(water, stocked.other_store) == 7
    record = StockMovement.objects.get(location=stocked.other_store, kind=MovementKind.COUNTED)
    assert record.quantity == 0
    assert "3 short" in record.reason and "Three crushed" in record.reason
    assert_ledger_matches_balances()


def test_it_takes_in_what_came_beyond_what_was_sent(
    stocked, coordinator, volunteer, receiver, water
):
    transfer = sent(stocked, user=coordinator, driver=volunteer, lines=[(water, 10)])
    [line] = transfer.lines.all()

    transfer_receive(
        transfer=transfer,
        arrivals=[ArrivalLine(line.pk, 10, 12, stocked.other_store)],
        note="Two loose ones in the box",
        user=receiver,
    )

    assert qty(water, stocked.other_store) == 12
    extra = StockMovement.objects.get(kind=MovementKind.ADJUSTED)
    assert extra.quantity == 2 and "2 more than sent" in extra.reason
    assert_ledger_matches_balances()


def test_it_refuses_a_location_without_room_and_leaves_it_in_transit(
    stocked, coordinator, volunteer, receiver, water
):
    small = StorageLocationFactory(hub=stocked.other_hub, name="Closet", capacity_litres=10)
    transfer = sent(stocked, user=coordinator, driver=volunteer, lines=[(water, 10)])

    with pytest.raises(NoRoom, match=r"Closet has no room for 10 .* Other store has room"):
        transfer_receive(
            transfer=transfer, arrivals=everything_into(transfer, small), note="", user=receiver
        )

    assert transfer.lines.get().in_transit == 10
    assert used(small) == 0
    assert not StockMovement.objects.filter(location__hub=stocked.other_hub).exists()


def test_it_receives_some_lines_and_leaves_the_others_in_transit(
    stocked, coordinator, volunteer, receiver, water, beans
):
    transfer = sent(stocked, user=coordinator, driver=volunteer, lines=[(water, 10), (beans, 4)])
    water_line = transfer.lines.get(item=water)
    beans_line = transfer.lines.get(item=beans)

    transfer_receive(
        transfer=transfer,
        arrivals=[
            ArrivalLine(water_line.pk, 10, 10, stocked.other_store),
            ArrivalLine(beans_line.pk, 4, 4, None),
        ],
        note="",
        user=receiver,
    )

    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.IN_TRANSIT
    assert transfer.lines.get(item=beans).in_transit == 4


def test_it_refuses_a_receipt_of_what_changed_since_the_page_was_shown(
    stocked, coordinator, volunteer, receiver, water
):
    transfer = sent(stocked, user=coordinator, driver=volunteer, lines=[(water, 10)])
    [line] = transfer.lines.all()
    first = [ArrivalLine(line.pk, 10, 10, stocked.other_store)]
    transfer_receive(transfer=transfer, arrivals=first, note="", user=receiver)

    with pytest.raises(TransferError, match="in transit any more"):
        transfer_receive(transfer=transfer, arrivals=first, note="", user=receiver)
    assert qty(water, stocked.other_store) == 10


def test_it_lets_only_the_receiving_hubs_members_receive(stocked, coordinator, volunteer, water):
    transfer = sent(stocked, user=coordinator, driver=volunteer, lines=[(water, 10)])

    for someone in (coordinator, volunteer):
        with pytest.raises(TransferDenied):
            transfer_receive(
                transfer=transfer,
                arrivals=everything_into(transfer, stocked.other_store),
                note="",
                user=someone,
            )


def test_it_refuses_a_location_of_another_hub(stocked, coordinator, volunteer, receiver, water):
    transfer = sent(stocked, user=coordinator, driver=volunteer, lines=[(water, 10)])

    with pytest.raises(TransferError, match="Choose one of Pasadena Hub's"):
        transfer_receive(
            transfer=transfer,
            arrivals=everything_into(transfer, stocked.garage),
            note="",
            user=receiver,
        )


def test_it_sends_back_what_is_in_transit_into_the_senders_stock(
    stocked, coordinator, volunteer, outsider, water
):
    transfer = sent(stocked, user=coordinator, driver=volunteer, lines=[(water, 10)])

    transfer_return(transfer=transfer, user=outsider)

    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.SETTLED
    assert transfer.lines.get().returned == 10
    assert qty(water, stocked.garage) + qty(water, stocked.hall) == 100
    assert StockMovement.objects.filter(kind=MovementKind.RETURNED).count() == 1
    assert_ledger_matches_balances()


def test_it_lets_only_a_coordinator_of_either_hub_send_back(
    stocked, coordinator, volunteer, receiver, water
):
    transfer = sent(stocked, user=coordinator, driver=volunteer, lines=[(water, 10)])

    with pytest.raises(TransferDenied):
        transfer_return(transfer=transfer, user=receiver)


def test_it_hands_over_a_pickup_through_the_same_checks(stocked, coordinator, outsider, water):
    transfer = transfer_send(
        from_hub=stocked.hub,
        to_hub=stocked.other_hub,
        lines=[(water, 30)],
        user=coordinator,
        reason="Picked up by Pasadena",
        idempotency_key="pickup-1",
    )

    assert transfer.stop is None
    assert transfer.lines.get().in_transit == 30
    assert qty(water, stocked.garage) == 70
    stocked.other_hub.intake_status = IntakeStatus.CLOSED
    stocked.other_hub.save()
    with pytest.raises(TransferError, match="does not take"):
        transfer_send(
            from_hub=stocked.hub,
            to_hub=stocked.other_hub,
            lines=[(water, 1)],
            user=coordinator,
            reason="again",
            idempotency_key="pickup-2",
        )
    with pytest.raises(TransferDenied):
        transfer_send(
            from_hub=stocked.hub,
            to_hub=stocked.other_hub,
            lines=[(water, 1)],
            user=outsider,
            reason="not theirs",
            idempotency_key="pickup-3",
        )
