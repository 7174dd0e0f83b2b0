"""An idempotency key answers a retry within its hub only: the same key sent in another hub
(a form copied from one hub's page, a key reused by a script) is another change there, done,
never answered "done" with nothing changed, nor with the first hub's result."""

from decimal import Decimal

import pytest
from django.urls import reverse

from hub.roles import Role
from inventory.models import MovementKind, StockMovement
from inventory.services import StockLine, stock_adjust, stock_receive, stock_remove
from tests.coordinator import receive
from tests.factories import StorageLocationFactory, UserFactory
from tests.ledger import assert_ledger_matches_balances, qty


@pytest.fixture
def hall(hub):
    return StorageLocationFactory(hub=hub, name="Hall", capacity_litres=Decimal("1000"))


@pytest.fixture
def garage(other_hub):
    return StorageLocationFactory(hub=other_hub, name="Garage", capacity_litres=Decimal("1000"))


def adjust_form(location, key, delta):
    return {
        "adjust-idempotency_key": key,
        "adjust-location": location.pk,
        "adjust-delta": str(delta),
        "adjust-reason": "Found a case",
    }


def test_it_adjusts_at_a_second_hub_with_a_key_the_first_hub_used(
    client, hub, other_hub, hall, garage, water
):
    receive(hall, water, 10)
    receive(garage, water, 10)
    first = UserFactory(username="carlos", role=Role.COORDINATOR, hubs=[hub])
    second = UserFactory(username="paula", role=Role.COORDINATOR, hubs=[other_hub])
    client.force_login(first)
    client.post(
        reverse("item_change", args=[hub.slug, water.pk, "adjust"]), adjust_form(hall, "k1", 2)
    )
    client.force_login(second)

    response = client.post(
        reverse("item_change", args=[other_hub.slug, water.pk, "adjust"]),
        adjust_form(garage, "k1", 3),
    )

    assert response.status_code == 302
    assert (qty(water, hall), qty(water, garage)) == (12, 13)
    assert StockMovement.objects.filter(kind=MovementKind.ADJUSTED).count() == 2
    assert_ledger_matches_balances()


def test_it_still_answers_a_retry_in_the_same_hub_with_the_first_change(hub, hall, water):
    first = stock_adjust(
        item=water, location=hall, delta=4, reason="Found", user=None, idempotency_key="k2"
    )
    again = stock_adjust(
        item=water, location=hall, delta=4, reason="Found", user=None, idempotency_key="k2"
    )

    assert again == first
    assert qty(water, hall) == 4


@pytest.mark.parametrize("service", ["receive", "remove"])
def test_it_keeps_the_keys_of_every_stock_service_per_hub(service, hall, garage, water):
    receive(hall, water, 10)
    receive(garage, water, 10)

    def call(location):
        line = [StockLine(water, location, 1)]
        if service == "receive":
            return stock_receive(lines=line, user=None, idempotency_key="same")
        return stock_remove(
            lines=line, kind=MovementKind.DISCARDED, user=None, idempotency_key="same"
        )

    at_hall, at_garage = call(hall), call(garage)

    assert [m.location for m in at_hall] == [hall]
    assert [m.location for m in at_garage] == [garage]
    step = 1 if service == "receive" else -1
    assert (qty(water, hall), qty(water, garage)) == (10 + step, 10 + step)
