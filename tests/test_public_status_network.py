"""The public status adds each hub's fill, the surplus its coordinators offer and what it
takes per category, and other groups' maps may read the feed (CORS); still no personal data."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from hub.models import CategoryIntake, IntakeStatus, Pledge
from inventory.services import StockLine, stock_receive
from network.services import offer_create
from tests.factories import CategoryFactory, ItemFactory, StorageLocationFactory


@pytest.fixture
def shelf(hub):
    return StorageLocationFactory(hub=hub, capacity_litres=Decimal("200"))


@pytest.fixture
def shirts(hub, shelf, coordinator):
    """Clothing the hub holds 120 of, no longer takes, and offers to the network."""
    item = ItemFactory(name="T-shirt", category=CategoryFactory(code="clothing", name="Clothing"))
    stock_receive(lines=[StockLine(item, shelf, 120)], user=None)
    CategoryIntake.objects.create(hub=hub, category=item.category, status=IntakeStatus.CLOSED)
    offer_create(
        hub=hub, item=item, quantity=120, until=timezone.localdate(), note="", user=coordinator
    )
    return item


@pytest.fixture
def water(hub, shelf):
    item = ItemFactory(name="Water case", category=CategoryFactory(code="water", name="Water"))
    stock_receive(lines=[StockLine(item, shelf, 30)], user=None)
    return item


def test_it_gives_each_hubs_fill_surplus_and_what_it_takes_in_the_feed(client, hub, shirts, water):
    data = client.get(reverse("public_feed")).json()

    feed = data["hubs"][0]
    assert feed["fill_percent"] == 75  # 150 of 200 L
    assert feed["accepts"] == ["water"]
    assert feed["surplus"] == [
        {
            "name": "T-shirt",
            "category": "clothing",
            "quantity": 120,
            "unit": "each",
            "unit_label": "each",
        }
    ]
    assert {c["code"]: c["accepts"] for c in feed["categories"]} == {
        "clothing": False,
        "water": True,
    }


def test_it_counts_nothing_as_surplus_that_the_hub_does_not_offer(client, hub, water):
    assert client.get(reverse("public_hub_feed", args=[hub.slug])).json()["hub"]["surplus"] == []


def test_it_shows_fill_and_surplus_on_the_pages(client, hub, shirts, water):
    for url in (reverse("public_status"), reverse("public_hub_status", args=[hub.slug])):
        html = client.get(url).text
        assert "75 % full" in html
        assert "120 each T-shirt" in html


def test_it_lets_any_site_read_the_feeds_and_nothing_else(client, hub, water):
    for name, args in (("public_feed", []), ("public_hub_feed", [hub.slug])):
        response = client.get(reverse(name, args=args), headers={"Origin": "https://maps.example"})
        assert response["Access-Control-Allow-Origin"] == "*"
        assert response["Access-Control-Allow-Methods"] == "GET"
        assert client.post(reverse(name, args=args)).status_code == 405
    page = client.get(reverse("public_status"))
    assert "Access-Control-Allow-Origin" not in page


def test_it_puts_no_pledge_or_contact_in_the_feed(client, hub, water):
    Pledge.objects.create(
        hub=hub, idempotency_key="k", place="90016", donor_contact="555-0199", donor_consent=True
    )

    text = client.get(reverse("public_feed")).text

    assert "555-0199" not in text and "90016" not in text


def test_it_reads_the_network_feed_in_a_fixed_number_of_queries(
    client, hub, other_hub, shirts, water, django_assert_max_num_queries
):
    StorageLocationFactory(hub=other_hub)
    with django_assert_max_num_queries(9):
        client.get(reverse("public_feed"))
