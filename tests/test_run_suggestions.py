"""Lines suggested for a new stop, from the destination's standing needs and the stock the
run does not already carry."""

import pytest

from deliveries.models import DestinationNeed, NeedPriority
from deliveries.selectors import stop_line_suggestions
from tests.factories import CategoryFactory, DestinationFactory, ItemFactory
from tests.runs import make_run, stock


def suggested(run, destination):
    return [
        (s.item.name, s.quantity, s.needed, s.in_stock)
        for s in stop_line_suggestions(run=run, destination=destination)
    ]


def test_it_suggests_each_needed_item_as_far_as_stock_covers_it(
    net, coordinator, volunteer, water, beans
):
    stock(net.hall, water, 100)
    stock(net.garage, beans, 8)
    DestinationNeed.objects.create(destination=net.shelter, item=water, quantity=48)
    DestinationNeed.objects.create(
        destination=net.shelter, item=beans, quantity=20, priority=NeedPriority.HIGH
    )
    run = make_run(hub=net.hub, driver=volunteer, user=coordinator, stops=[])

    assert suggested(run, net.shelter) == [
        ("Canned beans", 8, 20, 8),  # the most urgent first; all there is
        ("Bottled water 1.5 L", 48, 48, 100),
    ]


def test_it_leaves_out_what_the_run_already_carries(net, coordinator, volunteer, water):
    stock(net.hall, water, 50)
    DestinationNeed.objects.create(destination=net.shelter, item=water, quantity=48)
    run = make_run(
        hub=net.hub,
        driver=volunteer,
        user=coordinator,
        stops=[(DestinationFactory(hub=net.hub), [(water, 40)])],
    )

    assert suggested(run, net.shelter) == [("Bottled water 1.5 L", 10, 48, 10)]


def test_it_fills_a_category_need_from_the_items_with_most_stock(net, coordinator, volunteer):
    hygiene = CategoryFactory(code="hygiene", name="Hygiene")
    soap = ItemFactory(name="Soap", category=hygiene)
    toothpaste = ItemFactory(name="Toothpaste", category=hygiene)
    ItemFactory(name="Shampoo", category=hygiene)  # none in stock
    stock(net.hall, soap, 6)
    stock(net.garage, toothpaste, 30)
    DestinationNeed.objects.create(destination=net.shelter, category=hygiene, quantity=33)
    run = make_run(hub=net.hub, driver=volunteer, user=coordinator, stops=[])

    assert suggested(run, net.shelter) == [("Toothpaste", 30, 30, 30), ("Soap", 3, 3, 6)]


def test_it_suggests_nothing_for_a_destination_without_needs(net, coordinator, volunteer):
    run = make_run(hub=net.hub, driver=volunteer, user=coordinator, stops=[])
    assert suggested(run, net.shelter) == []


@pytest.mark.parametrize("size", [1, 10])
def test_it_takes_the_same_queries_whatever_the_size(
    net, coordinator, volunteer, size, django_assert_num_queries
):
    category = CategoryFactory(code="food")
    for _ in range(size):
        item = ItemFactory(category=category)
        stock(net.hall, item, 5)
        DestinationNeed.objects.create(destination=net.shelter, item=item, quantity=3)
    DestinationNeed.objects.create(destination=net.shelter, category=category, quantity=2)
    run = make_run(hub=net.hub, driver=volunteer, user=coordinator, stops=[])

    with django_assert_num_queries(4):
        assert len(stop_line_suggestions(run=run, destination=net.shelter)) == size
