"""A count far from the record (more than the hub's share) is asked again on its line: it
stores nothing until the counter ticks "yes, that is what is there"; counts within the
share are saved at once."""

import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from inventory.models import MovementKind, StockMovement
from tests.coordinator import receive
from tests.factories import StorageLocationFactory
from tests.ledger import qty


@pytest.fixture
def hall(hub, water):
    hall = StorageLocationFactory(hub=hub, name="Hall", capacity_litres=Decimal("1000"))
    receive(hall, water, 100)
    return hall


def post_count(client, hub, hall, water, counted, **extra):
    balance = hall.balances.get(item=water)
    data = {
        "idempotency_key": uuid.uuid4().hex,
        "reason": "Monday count",
        f"counted_{balance.pk}": counted,
        **{name.replace("BALANCE", str(balance.pk)): v for name, v in extra.items()},
    }
    return client.post(reverse("location_count", args=[hub.slug, hall.pk]), data)


def test_it_asks_to_confirm_a_count_far_from_the_record_storing_nothing(
    client, coordinator, hub, hall, water
):
    client.force_login(coordinator)

    response = post_count(client, hub, hall, water, "5")

    assert response.status_code == 200
    assert "5 is far from the 100 on record: count again, or tick the box to confirm it." in (
        response.text
    )
    assert "Yes, that is what is there" in response.text
    assert qty(water, hall) == 100
    assert not StockMovement.objects.filter(kind=MovementKind.COUNTED).exists()

    confirmed = post_count(client, hub, hall, water, "5", confirm_BALANCE="on")

    assert confirmed.status_code == 302
    assert qty(water, hall) == 5


def test_it_saves_a_count_within_the_hubs_share_at_once(client, coordinator, hub, hall, water):
    client.force_login(coordinator)

    assert post_count(client, hub, hall, water, "60").status_code == 302
    assert qty(water, hall) == 60


def test_it_follows_the_share_the_hub_sets(client, coordinator, hub, hall, water):
    hub.count_confirm_percent = 10
    hub.save()
    client.force_login(coordinator)

    assert post_count(client, hub, hall, water, "85").status_code == 200
    assert qty(water, hall) == 100
    assert post_count(client, hub, hall, water, "95").status_code == 302
    assert qty(water, hall) == 95
