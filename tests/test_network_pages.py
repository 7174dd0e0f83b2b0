"""The Network page and the transfer pages, as coordinators and volunteers use them: offer,
claim, receive, with the hub and role checked and bad input answered, storing nothing."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from deliveries.transfers import transfer_send
from hub.roles import Role
from inventory.models import StockBalance
from network.models import Claim, Offer
from network.services import offer_create
from tests.factories import HubFactory, StorageLocationFactory, UserFactory
from tests.intake import HTMX, login
from tests.network import neighbours
from tests.runs import stock

pytestmark = pytest.mark.django_db


@pytest.fixture
def nb(hub, other_hub, water):
    return neighbours(hub, other_hub, water)


def url(name, hub, *args):
    return reverse(name, args=[hub.slug, *args])


def offered(nb, coordinator, water, quantity=50):
    return offer_create(
        hub=nb.hub,
        user=coordinator,
        item=water,
        quantity=quantity,
        until=timezone.localdate() + timedelta(days=3),
    )


def test_it_shows_the_network_to_a_coordinator(
    client, nb, coordinator, water, django_assert_max_num_queries
):
    offered(nb, coordinator, water)
    for n in range(4):
        stock(StorageLocationFactory(hub=HubFactory(name=f"Hub {n}", slug=f"h{n}")), water, 2)
    login(client, nb.their_coordinator)

    with django_assert_max_num_queries(30):
        response = client.get(url("network", nb.other_hub))

    page = response.content.decode()
    assert response.status_code == 200
    assert "West Adams Hub" in page and "Hub 3" in page
    assert "Suggested matches" in page
    assert "50 Bottled water 1.5 L from West Adams Hub to Pasadena Hub" in page


def test_it_offers_surplus(client, nb, coordinator, water):
    login(client, coordinator)
    until = (timezone.localdate() + timedelta(days=5)).isoformat()

    response = client.post(
        url("offer_create", nb.hub),
        {"item": water.pk, "quantity": "40", "until": until, "note": "Pallet by the door"},
    )

    assert response.status_code == 302
    offer = Offer.objects.get()
    assert (offer.hub, offer.quantity, offer.note) == (nb.hub, 40, "Pallet by the door")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"quantity": "400"}, "offer at most 100"),
        ({"quantity": "-1"}, "greater than or equal to 1"),
        ({"until": "1999-01-01"}, "2000"),
        ({"item": "999999"}, "Choose an item the hub has in stock"),
        ({"quantity": "\uff11\uff10\x00"}, ""),
    ],
)
def test_it_refuses_a_bad_offer_and_stores_nothing(client, nb, coordinator, water, data, message):
    login(client, coordinator)
    until = (timezone.localdate() + timedelta(days=5)).isoformat()
    form = {"item": water.pk, "quantity": "10", "until": until} | data

    response = client.post(url("offer_create", nb.hub), form)

    assert response.status_code in (200, 400)
    assert message in response.content.decode()
    assert not Offer.objects.exists()


def test_it_claims_an_offer_for_the_hub_of_the_page(client, nb, coordinator, water):
    offer = offered(nb, coordinator, water)
    login(client, nb.their_coordinator)

    response = client.post(
        url("claim_create", nb.other_hub, offer.pk), {"quantity": "30", "how": "pickup"}, **{}
    )

    assert response.status_code == 302
    claim = Claim.objects.get()
    assert (claim.hub, claim.quantity, claim.how) == (nb.other_hub, 30, "pickup")


@pytest.mark.parametrize(
    "data", [{"quantity": "abc", "how": "run"}, {"quantity": "5", "how": "teleport"}, {}]
)
def test_it_refuses_a_bad_claim_and_stores_nothing(client, nb, coordinator, water, data):
    offer = offered(nb, coordinator, water)
    login(client, nb.their_coordinator)

    response = client.post(url("claim_create", nb.other_hub, offer.pk), data, follow=True)

    assert response.status_code == 200
    assert not Claim.objects.exists()


def test_it_answers_an_htmx_claim_with_the_pages_part(client, nb, coordinator, water):
    offer = offered(nb, coordinator, water)
    login(client, nb.their_coordinator)

    response = client.post(
        url("claim_create", nb.other_hub, offer.pk),
        {"quantity": "500", "how": "run"},
        headers=HTMX,
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="network"' in page and "<html" not in page
    assert "Only 50 Bottled water 1.5 L are still offered" in page


def test_it_keeps_another_hubs_claims_out_of_reach(client, nb, coordinator, water):
    offer = offered(nb, coordinator, water)
    login(client, nb.their_coordinator)
    client.post(url("claim_create", nb.other_hub, offer.pk), {"quantity": "5", "how": "run"})
    claim = Claim.objects.get()
    stranger_hub = HubFactory(name="Far Hub", slug="far")
    stranger = UserFactory(role=Role.COORDINATOR, hubs=[stranger_hub])
    login(client, stranger)

    assert client.post(url("claim_cancel", stranger_hub, claim.pk)).status_code == 404
    assert client.post(url("offer_withdraw", stranger_hub, offer.pk)).status_code == 403
    claim.refresh_from_db()
    assert claim.status == "claimed"


@pytest.fixture
def in_transit(nb, coordinator, water):
    return transfer_send(
        from_hub=nb.hub,
        to_hub=nb.other_hub,
        lines=[(water, 10)],
        user=coordinator,
        reason="Picked up",
        idempotency_key="pickup",
    )


def receive_form(transfer, location, counted="10", note=""):
    [line] = transfer.lines.all()
    prefix = f"line-{line.pk}"
    return {
        f"{prefix}-counted": counted,
        f"{prefix}-location": getattr(location, "pk", location),
        f"{prefix}-expected": str(line.in_transit),
        "note": note,
    }


def test_it_receives_a_transfer_at_the_door(client, nb, in_transit, water, other_hub):
    receiver = UserFactory(role=Role.VOLUNTEER, hubs=[other_hub])
    login(client, receiver)
    assert "Transfer" in client.get(url("transfer_list", other_hub)).content.decode()

    response = client.post(
        url("transfer_detail", other_hub, in_transit.pk), receive_form(in_transit, nb.other_store)
    )

    assert response.status_code == 302
    assert StockBalance.objects.get(location=nb.other_store).quantity == 10


@pytest.mark.parametrize(
    ("location", "counted", "message"),
    [
        ("garage", "10", "Choose one of this hub"),
        ("store", "8", "2 short. Say in the note"),
        ("store", "-3", "greater than or equal to 0"),
        ("999999999999999999999", "10", "Choose one of this hub"),
    ],
)
def test_it_refuses_a_bad_receipt_and_stores_nothing(
    client, nb, in_transit, other_hub, location, counted, message
):
    login(client, UserFactory(role=Role.VOLUNTEER, hubs=[other_hub]))
    where = {"garage": nb.garage, "store": nb.other_store}.get(location, location)

    response = client.post(
        url("transfer_detail", other_hub, in_transit.pk),
        receive_form(in_transit, where, counted=counted),
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not StockBalance.objects.filter(location__hub=other_hub).exists()


def test_it_shows_the_sender_the_transfer_without_a_receipt_form(
    client, nb, in_transit, coordinator
):
    login(client, coordinator)

    page = client.get(url("transfer_detail", nb.hub, in_transit.pk)).content.decode()
    response = client.post(
        url("transfer_detail", nb.hub, in_transit.pk), receive_form(in_transit, nb.garage)
    )

    assert "Receive into stock" not in page and "In transit" in page
    assert response.status_code == 302
    assert in_transit.lines.get().in_transit == 10
