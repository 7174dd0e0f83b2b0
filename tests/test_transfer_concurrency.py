"""Receipts of goods in transit at once, on real Postgres: no location passes 100 %, no
transfer is received twice, and every balance equals its ledger."""

from decimal import Decimal

import pytest

from deliveries.transfers import transfer_receive
from hub.roles import Role
from inventory.models import StockBalance, StorageLocation
from inventory.services import NoRoom
from tests.factories import StorageLocationFactory, UserFactory
from tests.ledger import assert_ledger_matches_balances
from tests.runs import stock
from tests.threads import run_at_once
from tests.transfers import everything_into, sent

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def receiver(other_hub):
    return UserFactory(username="rosa", role=Role.VOLUNTEER, hubs=[other_hub])


def test_it_gives_the_last_room_to_one_of_two_receipts_racing_for_it(
    net, coordinator, volunteer, receiver, water
):
    # 50 L free at the other hub's small shelf; each transfer takes 32 L (20 x 1.6).
    shelf = StorageLocationFactory(hub=net.other_hub, name="Small shelf", capacity_litres=50)
    stock(net.garage, water, 100)
    transfers = [
        sent(net, user=coordinator, driver=volunteer, lines=[(water, 20)]) for _ in range(2)
    ]

    results = run_at_once(
        [
            lambda t=t: transfer_receive(
                transfer=t, arrivals=everything_into(t, shelf), note="", user=receiver
            )
            for t in transfers
        ]
    )

    refused = [r for r in results if isinstance(r, NoRoom)]
    assert len(refused) == 1 and len(results) - len(refused) == 1, results
    assert "Small shelf has no room for 20" in str(refused[0])
    shelf.refresh_from_db()
    assert shelf.used_litres == Decimal(32) <= shelf.capacity_litres
    assert StockBalance.objects.get(location=shelf).quantity == 20
    assert_ledger_matches_balances()


def test_it_receives_one_transfer_once_when_two_hands_receive_it_at_once(
    net, coordinator, volunteer, receiver, water
):
    stock(net.garage, water, 100)
    transfer = sent(net, user=coordinator, driver=volunteer, lines=[(water, 20)])
    arrivals = everything_into(transfer, net.other_store)

    results = run_at_once(
        [
            lambda: transfer_receive(transfer=transfer, arrivals=arrivals, note="", user=receiver)
            for _ in range(2)
        ]
    )

    assert sum(not isinstance(r, Exception) for r in results) == 1, results
    assert StockBalance.objects.get(location=net.other_store).quantity == 20
    assert StorageLocation.objects.get(pk=net.other_store.pk).used_litres == Decimal(32)
    assert_ledger_matches_balances()
