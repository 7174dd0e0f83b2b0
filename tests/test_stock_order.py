"""The stock page's order: category order, item name, location name, expiry date. Each
balance carries it (with its hub) so that the page reads the hub's rows in order from one
index; a rename or a new category order in the catalog moves the balances with it."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from inventory.models import StockBalance, balances_reorder
from tests.coordinator import receive
from tests.factories import CategoryFactory, ItemFactory, StorageLocationFactory


@pytest.fixture
def shelves(hub):
    return (
        StorageLocationFactory(hub=hub, name="Hall", capacity_litres=Decimal("10000")),
        StorageLocationFactory(hub=hub, name="Garage", capacity_litres=Decimal("10000")),
    )


@pytest.fixture
def catalog(db):
    food = CategoryFactory(code="food", sort_order=1)
    water = CategoryFactory(code="water", sort_order=2)
    return {
        "rice": ItemFactory(name="Rice", category=food),
        "beans": ItemFactory(name="Beans", category=food, tracks_expiry=True),
        "bottles": ItemFactory(name="Bottles", category=water),
    }


@pytest.fixture
def stocked(shelves, catalog):
    hall, garage = shelves
    receive(hall, catalog["bottles"], 3)
    receive(hall, catalog["rice"], 2)
    receive(garage, catalog["beans"], 1, expiry=date(2031, 5, 1))
    receive(hall, catalog["beans"], 1, expiry=date(2031, 5, 1))
    receive(hall, catalog["beans"], 1, expiry=date(2030, 1, 1))
    receive(hall, catalog["beans"], 1)


def rows(client, hub) -> list[str]:
    """Item, location and expiry of each row of the stock page, in order."""
    html = client.get(reverse("stock_list", args=[hub.slug])).text
    found = []
    for row in html.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]:
        if "<a href" not in row:  # "Nothing in stock."
            continue
        cells = [cell.split("</td>")[0] for cell in row.split("<td")[1:]]
        item = cells[0].split("</a>")[0].split(">")[-1]
        found.append(f"{item} @ {cells[2].lstrip('>')} {cells[3].lstrip('>')}")
    return found


ORDER = [
    "Beans @ Garage 05/01/2031",
    "Beans @ Hall 01/01/2030",
    "Beans @ Hall 05/01/2031",
    "Beans @ Hall —",
    "Rice @ Hall —",
    "Bottles @ Hall —",
]


def test_it_lists_by_category_order_item_location_and_expiry(client, coordinator, hub, stocked):
    client.force_login(coordinator)
    assert rows(client, hub) == ORDER


def test_it_moves_an_item_renamed(client, coordinator, hub, stocked, catalog):
    catalog["rice"].name = "Barley"
    catalog["rice"].save()
    client.force_login(coordinator)
    assert rows(client, hub) == ["Barley @ Hall —", *ORDER[:4], ORDER[5]]


def test_it_moves_an_item_put_in_another_category(client, coordinator, hub, stocked, catalog):
    catalog["bottles"].category = catalog["rice"].category
    catalog["bottles"].save()
    client.force_login(coordinator)
    assert rows(client, hub) == [*ORDER[:4], "Bottles @ Hall —", ORDER[4]]


def test_it_moves_a_category_given_another_order(client, coordinator, hub, stocked, catalog):
    water = catalog["bottles"].category
    water.sort_order = 0
    water.save()
    client.force_login(coordinator)
    assert rows(client, hub) == [ORDER[5], *ORDER[:5]]


def test_it_moves_a_location_renamed(client, coordinator, hub, shelves, stocked):
    _hall, garage = shelves
    garage.name = "Porch"
    garage.save()
    client.force_login(coordinator)
    assert rows(client, hub) == [*ORDER[1:4], "Beans @ Porch 05/01/2031", *ORDER[4:]]


def test_it_writes_the_order_the_database_would(hub, stocked):
    """A balance is created with its order computed from the objects at hand; the catalog's
    saves compute it in SQL: both give the same key, so a save that changed nothing of it
    writes nothing."""
    balances = StockBalance.objects.all()
    assert {b.hub_id for b in balances} == {hub.pk}
    assert balances_reorder(balances=balances) == 0


def test_it_keeps_each_hubs_balances_apart(client, coordinator, hub, other_hub, catalog):
    receive(StorageLocationFactory(hub=other_hub, name="Shed"), catalog["rice"], 4)
    client.force_login(coordinator)
    assert rows(client, hub) == []
