"""The destination pages run a number of queries that does not grow with the number of
destinations, needs or catalog items: measured at one size, asserted at a larger one."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deliveries.models import Destination
from tests.destinations import destination_with_needs, url
from tests.factories import CategoryFactory, ItemFactory
from tests.intake import login


def items(count: int) -> list:
    categories = [CategoryFactory() for _n in range(max(1, count // 5))]
    return [ItemFactory(category=categories[n % len(categories)]) for n in range(count)]


def queries(client, address: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(address).status_code == 200
    return len(captured)


@pytest.mark.parametrize("extra", [30], ids=["30 more destinations"])
def test_the_list_costs_the_same_with_more_destinations(client, hub, coordinator, other_hub, extra):
    stock = items(4)
    destination_with_needs(hub, stock)
    destination_with_needs(hub, stock[:1], kind="other_hub", receiving_hub=other_hub)
    login(client, coordinator)
    small = queries(client, url("destination_list", hub))

    for _n in range(extra):
        destination_with_needs(hub, stock, kind="other_hub", receiving_hub=other_hub)
    assert Destination.objects.count() == extra + 2

    assert queries(client, url("destination_list", hub)) == small


def test_the_destination_page_costs_the_same_with_more_needs_and_items(client, hub, coordinator):
    few = destination_with_needs(hub, items(3))
    many = destination_with_needs(hub, items(40))
    login(client, coordinator)

    assert queries(client, url("destination_detail", hub, many.pk)) == queries(
        client, url("destination_detail", hub, few.pk)
    )


def test_the_need_form_costs_the_same_with_more_items(client, hub, coordinator):
    few = destination_with_needs(hub, items(2))
    many = destination_with_needs(hub, items(40))
    login(client, coordinator)
    need_few, need_many = few.needs.first(), many.needs.first()

    assert queries(client, url("destination_need_edit", hub, many.pk, need_many.pk)) == queries(
        client, url("destination_need_edit", hub, few.pk, need_few.pk)
    )
