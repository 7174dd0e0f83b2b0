"""Surplus offered between hubs and claims on it: never more than the hub has free or than
is offered, only to a hub that takes it and has room; a claim becomes a stop on the
offering hub's run, or a pickup in transit."""

from datetime import timedelta

import pytest
from django.utils import timezone

from deliveries.models import DestinationKind, TransferStatus
from deliveries.services import RunError, run_dispatch
from hub.models import IntakeStatus
from hub.roles import Role
from network.models import ClaimHow, ClaimStatus
from network.services import (
    NetworkDenied,
    NetworkError,
    claim_cancel,
    claim_create,
    claim_hand_over,
    claim_plan,
    offer_create,
    offer_withdraw,
)
from tests.factories import UserFactory
from tests.ledger import qty
from tests.network import neighbours
from tests.runs import make_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def nb(hub, other_hub, water):
    return neighbours(hub, other_hub, water)


def offer(nb, coordinator, water, quantity=50, days=7):
    return offer_create(
        hub=nb.hub,
        user=coordinator,
        item=water,
        quantity=quantity,
        until=timezone.localdate() + timedelta(days=days),
    )


def test_it_offers_no_more_than_the_hub_has_free(nb, coordinator, water):
    offer(nb, coordinator, water, quantity=70)

    with pytest.raises(NetworkError, match="70 of them already offered: offer at most 30"):
        offer(nb, coordinator, water, quantity=31)


@pytest.mark.parametrize("days", [-1, 91])
def test_it_refuses_an_offer_date_in_the_past_or_too_far(nb, coordinator, water, days):
    with pytest.raises(NetworkError) as caught:
        offer(nb, coordinator, water, days=days)
    assert caught.value.field == "until"


def test_it_lets_only_the_hubs_coordinators_offer(nb, volunteer, outsider, water):
    for someone in (volunteer, outsider):
        with pytest.raises(NetworkDenied):
            offer(nb, someone, water)


def test_it_claims_part_of_an_offer_and_never_more_than_is_left(nb, coordinator, water):
    surplus = offer(nb, coordinator, water, quantity=50)

    claim = claim_create(
        offer=surplus, hub=nb.other_hub, user=nb.their_coordinator, quantity=30, how=ClaimHow.RUN
    )

    assert (claim.status, claim.quantity) == (ClaimStatus.CLAIMED, 30)
    with pytest.raises(NetworkError, match="Only 20 "):
        claim_create(
            offer=surplus,
            hub=nb.other_hub,
            user=nb.their_coordinator,
            quantity=21,
            how=ClaimHow.RUN,
        )


def test_it_refuses_a_claim_for_a_hub_that_is_closed_or_has_no_room(
    hub, other_hub, coordinator, water
):
    small = neighbours(hub, other_hub, water, room=40)  # 30 waters take 48 L
    surplus = offer(small, coordinator, water)

    with pytest.raises(NetworkError, match="has no room"):
        claim_create(
            offer=surplus, hub=other_hub, user=small.their_coordinator, quantity=30, how="run"
        )
    other_hub.intake_status = IntakeStatus.CLOSED
    other_hub.save()
    with pytest.raises(NetworkError, match="does not take"):
        claim_create(
            offer=surplus, hub=other_hub, user=small.their_coordinator, quantity=1, how="run"
        )


def test_it_refuses_a_claim_on_ones_own_or_a_withdrawn_offer(nb, coordinator, water):
    surplus = offer(nb, coordinator, water)
    with pytest.raises(NetworkError, match="your own"):
        claim_create(offer=surplus, hub=nb.hub, user=coordinator, quantity=1, how="run")

    offer_withdraw(offer=surplus, user=coordinator)
    with pytest.raises(NetworkError, match="no longer open"):
        claim_create(
            offer=surplus, hub=nb.other_hub, user=nb.their_coordinator, quantity=1, how="run"
        )


def test_it_puts_a_claim_on_the_offering_hubs_run_as_a_stop_at_the_claiming_hub(
    nb, coordinator, volunteer, water
):
    surplus = offer(nb, coordinator, water)
    claim = claim_create(
        offer=surplus, hub=nb.other_hub, user=nb.their_coordinator, quantity=30, how="run"
    )
    run = make_run(hub=nb.hub, driver=volunteer, user=coordinator, stops=[])

    stop = claim_plan(claim=claim, run=run, user=coordinator)

    assert stop.destination.kind == DestinationKind.OTHER_HUB
    assert stop.destination.receiving_hub == nb.other_hub
    assert [(line.item, line.quantity) for line in stop.lines.all()] == [(water, 30)]
    claim.refresh_from_db()
    assert (claim.status, claim.stop) == (ClaimStatus.PLANNED, stop)
    run_dispatch(run=run, user=coordinator)
    assert stop.transfer.status == TransferStatus.IN_TRANSIT
    assert qty(water, nb.garage) == 70
    with pytest.raises(NetworkError, match="already on its way"):
        claim_cancel(claim=claim, user=coordinator)


def test_it_refuses_to_plan_a_claim_on_another_hubs_run(nb, coordinator, outsider, water):
    surplus = offer(nb, coordinator, water)
    claim = claim_create(
        offer=surplus, hub=nb.other_hub, user=nb.their_coordinator, quantity=5, how="run"
    )
    theirs = make_run(hub=nb.other_hub, driver=outsider, user=outsider, stops=[])

    with pytest.raises(NetworkError):
        claim_plan(claim=claim, run=theirs, user=coordinator)
    with pytest.raises(NetworkDenied):
        claim_plan(claim=claim, run=theirs, user=nb.their_coordinator)


def test_it_hands_a_pickup_over_in_transit(nb, coordinator, water):
    surplus = offer(nb, coordinator, water)
    claim = claim_create(
        offer=surplus, hub=nb.other_hub, user=nb.their_coordinator, quantity=20, how="pickup"
    )

    claim_hand_over(claim=claim, user=coordinator)

    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SENT
    assert claim.transfer.to_hub == nb.other_hub
    assert qty(water, nb.garage) == 80
    with pytest.raises(NetworkError, match="already on its way"):
        claim_hand_over(claim=claim, user=coordinator)


def test_it_checks_the_claiming_hub_again_at_dispatch(nb, coordinator, volunteer, water):
    surplus = offer(nb, coordinator, water)
    claim = claim_create(
        offer=surplus, hub=nb.other_hub, user=nb.their_coordinator, quantity=30, how="run"
    )
    run = make_run(hub=nb.hub, driver=volunteer, user=coordinator, stops=[])
    claim_plan(claim=claim, run=run, user=coordinator)
    nb.other_hub.intake_status = IntakeStatus.CLOSED
    nb.other_hub.save()

    with pytest.raises(RunError, match="does not take"):
        run_dispatch(run=run, user=coordinator)
    assert qty(water, nb.garage) == 100


def test_it_lets_either_hub_cancel_a_claim_not_yet_on_its_way(nb, coordinator, water):
    surplus = offer(nb, coordinator, water)
    claims = [
        claim_create(
            offer=surplus, hub=nb.other_hub, user=nb.their_coordinator, quantity=5, how="run"
        )
        for _ in range(2)
    ]

    claim_cancel(claim=claims[0], user=coordinator)
    claim_cancel(claim=claims[1], user=nb.their_coordinator)
    with pytest.raises(NetworkDenied):
        claim_cancel(claim=claims[1], user=UserFactory(role=Role.COORDINATOR))
