"""The Network page's reads: every hub's fill, room, intake and needs, the surplus still on
offer, and matches nearest first; in a fixed number of queries however many hubs."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from deliveries.models import DestinationNeed
from deliveries.transfers import transfer_send
from hub.models import CategoryIntake, IntakeStatus
from network.selectors import match_list, network_hub_rows, open_offer_list
from network.services import claim_create, offer_create
from tests.factories import DestinationFactory, HubFactory, StorageLocationFactory
from tests.network import neighbours
from tests.runs import stock

pytestmark = pytest.mark.django_db


@pytest.fixture
def nb(hub, other_hub, water):
    return neighbours(hub, other_hub, water)


def offered(nb, coordinator, water, quantity=50):
    return offer_create(
        hub=nb.hub,
        user=coordinator,
        item=water,
        quantity=quantity,
        until=timezone.localdate() + timedelta(days=3),
    )


def test_it_shows_each_hubs_fill_room_intake_and_needs(nb, coordinator, water):
    CategoryIntake.objects.create(
        hub=nb.other_hub, category=water.category, status=IntakeStatus.LIMITED
    )

    rows = {row.hub: row for row in network_hub_rows(hub=nb.hub)}

    ours, theirs = rows[nb.hub], rows[nb.other_hub]
    assert ours.fill.percent == Decimal("16.0")  # 160 L of 1,000
    assert [need.name for need in theirs.needs] == [water.name]
    assert theirs.needs[0].shortfall == 60
    assert theirs.limited == (water.category.name,)
    assert theirs.room_litres == Decimal(1000)
    assert ours.hours_to_full is not None  # 160 L came in within the last 6 hours


def test_it_counts_goods_on_their_way_against_a_hubs_room(nb, coordinator, water):
    transfer_send(
        from_hub=nb.hub,
        to_hub=nb.other_hub,
        lines=[(water, 10)],
        user=coordinator,
        reason="Picked up",
        idempotency_key="pickup",
    )

    theirs = next(r for r in network_hub_rows(hub=nb.hub) if r.hub == nb.other_hub)

    assert theirs.in_transit_litres == Decimal(16)
    assert theirs.room_litres == Decimal(1000 - 16)


def test_it_lists_what_is_still_offered(nb, coordinator, water):
    surplus = offered(nb, coordinator, water)
    claim_create(offer=surplus, hub=nb.other_hub, user=nb.their_coordinator, quantity=20, how="run")

    [row] = open_offer_list()

    assert (row.offer, row.available) == (surplus, 30)


def test_it_matches_surplus_with_needs_at_hubs_with_room_nearest_first(
    hub, other_hub, coordinator, water
):
    hub.latitude, hub.longitude = Decimal("34.04"), Decimal("-118.32")
    hub.save()
    other_hub.latitude, other_hub.longitude = Decimal("34.15"), Decimal("-118.14")  # ~20 km
    other_hub.save()
    nb = neighbours(hub, other_hub, water)
    near = HubFactory(name="Culver Hub", slug="culver", latitude=34.02, longitude=-118.39)
    StorageLocationFactory(hub=near, capacity_litres=1000)
    DestinationNeed.objects.create(
        destination=DestinationFactory(hub=near), item=water, quantity=10
    )
    full = HubFactory(name="Full Hub", slug="full", latitude=34.05, longitude=-118.33)
    store = StorageLocationFactory(hub=full, capacity_litres=10)
    stock(store, water, 6)
    DestinationNeed.objects.create(
        destination=DestinationFactory(hub=full), item=water, quantity=50
    )
    offered(nb, coordinator, water, quantity=40)

    rows = network_hub_rows(hub=hub)
    matches = match_list(rows=rows, offers=open_offer_list())

    assert [(m.to.hub.name, m.quantity) for m in matches] == [
        ("Culver Hub", 10),
        ("Pasadena Hub", 40),
    ]
    assert matches[0].distance_km < matches[1].distance_km


def test_it_reads_the_network_in_a_fixed_number_of_queries(
    nb, coordinator, water, django_assert_max_num_queries
):
    offered(nb, coordinator, water)
    for n in range(5):
        other = HubFactory(name=f"Hub {n}", slug=f"hub-{n}")
        stock(StorageLocationFactory(hub=other), water, 3)

    with django_assert_max_num_queries(12):
        rows = network_hub_rows(hub=nb.hub)
        match_list(rows=rows, offers=open_offer_list())
