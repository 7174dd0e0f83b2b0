"""Destinations' standing needs, and the hub's most-needed list computed from them."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from deliveries.models import DestinationNeed, NeedPriority
from deliveries.selectors import most_needed_list, most_needed_map
from inventory.services import StockLine, stock_receive
from tests.factories import (
    CategoryFactory,
    DestinationFactory,
    HubFactory,
    ItemFactory,
    StorageLocationFactory,
    UserFactory,
)


@pytest.fixture
def shelter(hub):
    return DestinationFactory(hub=hub, name="Shelter")


@pytest.fixture
def hall(hub):
    return StorageLocationFactory(hub=hub, capacity_litres=Decimal("100000"))


def receive(location, item, quantity):
    stock_receive(lines=[StockLine(item, location, quantity)], user=None, reason="test")


def need(destination, quantity, *, item=None, category=None, priority=NeedPriority.NORMAL):
    return DestinationNeed.objects.create(
        destination=destination, item=item, category=category, quantity=quantity, priority=priority
    )


def summary(hub, **kwargs):
    return [(n.name, n.shortfall, n.priority_code) for n in most_needed_list(hub=hub, **kwargs)]


@pytest.mark.parametrize("both", [True, False], ids=["both", "neither"])
def test_it_stores_a_need_for_an_item_or_a_category_never_both_or_neither(shelter, both):
    item = ItemFactory()
    row = DestinationNeed(
        destination=shelter,
        item=item if both else None,
        category=item.category if both else None,
        quantity=1,
    )
    with pytest.raises(ValidationError, match="one of the two"):
        row.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        row.save()


def test_it_stores_only_a_positive_quantity(shelter):
    with pytest.raises(IntegrityError), transaction.atomic():
        need(shelter, 0, item=ItemFactory())


def test_it_lists_an_item_once_per_destination(shelter):
    item = ItemFactory()
    need(shelter, 5, item=item)
    with pytest.raises(ValidationError, match="already lists that item"):
        DestinationNeed(destination=shelter, item=item, quantity=2).full_clean()


def test_it_sums_needs_over_destinations_less_stock(hub, shelter, hall):
    water, soap = ItemFactory(name="Water"), ItemFactory(name="Soap")
    church = DestinationFactory(hub=hub)
    need(shelter, 100, item=water)
    need(church, 20, item=water, priority=NeedPriority.LOW)
    need(church, 10, item=soap, priority=NeedPriority.HIGH)
    receive(hall, water, 70)
    assert summary(hub) == [("Soap", 10, "high"), ("Water", 50, "normal")]


def test_it_counts_stock_of_every_item_of_a_needed_category(hub, shelter, hall):
    hygiene = CategoryFactory(code="hygiene", name="Hygiene")
    soap, toothpaste = ItemFactory(category=hygiene), ItemFactory(category=hygiene)
    need(shelter, 100, category=hygiene)
    receive(hall, soap, 30)
    receive(hall, toothpaste, 20)
    assert summary(hub) == [("Hygiene", 50, "normal")]
    receive(hall, soap, 50)
    assert summary(hub) == []


def test_it_orders_by_priority_then_shortfall_and_keeps_the_first(hub, shelter):
    for n, (quantity, priority) in enumerate(
        [(5, NeedPriority.LOW), (50, NeedPriority.NORMAL), (8, NeedPriority.HIGH), (90, 2)]
    ):
        need(shelter, quantity, item=ItemFactory(name=f"Item {n}"), priority=priority)
    assert summary(hub) == [
        ("Item 2", 8, "high"),
        ("Item 3", 90, "normal"),
        ("Item 1", 50, "normal"),
        ("Item 0", 5, "low"),
    ]
    assert [name for name, *_ in summary(hub, limit=2)] == ["Item 2", "Item 3"]


def test_it_ignores_inactive_destinations_other_hubs_and_retired_items(hub, other_hub, shelter):
    water = ItemFactory(name="Water")
    need(DestinationFactory(hub=hub, is_active=False), 10, item=water)
    need(DestinationFactory(hub=other_hub), 10, item=water)
    need(shelter, 10, item=ItemFactory(name="Old", is_active=False))
    receive(StorageLocationFactory(hub=other_hub), water, 1)  # another hub's stock
    need(shelter, 3, item=water)
    assert summary(hub) == [("Water", 3, "normal")]
    assert summary(other_hub) == [("Water", 9, "normal")]


def add_needs(hubs, count):
    for hub in hubs:
        location = StorageLocationFactory(hub=hub, capacity_litres=Decimal("100000"))
        destination = DestinationFactory(hub=hub)
        items = [ItemFactory() for _ in range(count)]
        for item in items:
            need(destination, 10, item=item)
            need(destination, 10, category=item.category)
        stock_receive(lines=[StockLine(item, location, 3) for item in items], user=None)


def test_it_runs_three_queries_however_many_hubs_and_needs(db, django_assert_num_queries):
    small = [HubFactory()]
    add_needs(small, 2)
    with django_assert_num_queries(3):
        assert len(most_needed_list(hub=small[0])) == 4
    large = [HubFactory() for _ in range(5)]
    add_needs(large, 20)
    with django_assert_num_queries(3):
        result = most_needed_map(hubs=large, limit=100)
    assert {len(rows) for rows in result.values()} == {40}


def test_it_edits_needs_in_the_destination_admin(client, hub, shelter):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    item = ItemFactory(name="Water")
    url = reverse("admin:deliveries_destination_change", args=[shelter.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "needs-0-quantity" in page.content.decode()
    prefix = "needs"
    response = client.post(
        url,
        {
            "hub": hub.pk,
            "name": shelter.name,
            "kind": shelter.kind,
            "is_active": "on",
            f"{prefix}-TOTAL_FORMS": "1",
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-0-item": item.pk,
            f"{prefix}-0-quantity": "40",
            f"{prefix}-0-priority": NeedPriority.HIGH,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(shelter.needs.values_list("item__name", "quantity", "priority")) == [
        ("Water", 40, NeedPriority.HIGH)
    ]


def test_it_keeps_names_with_commas_apart_and_counts_readable_on_the_status_pages(
    client, hub, shelter
):
    diapers = ItemFactory(name="Diapers, pack")
    masks = ItemFactory(name="N95 masks, box of 20")
    need(shelter, 1500, item=diapers, priority=NeedPriority.HIGH)
    need(shelter, 40, item=masks)

    network = client.get(reverse("public_status")).text
    hub_page = client.get(reverse("public_hub_status", args=[hub.slug])).text

    assert "Diapers, pack; N95 masks, box of 20" in network
    assert ">1,500 <small>" in hub_page
