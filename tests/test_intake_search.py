"""The dropoff table's item search: by any word's beginning, ignoring case, accents and
plural endings, by the aliases coordinators keep, by category; one query, whatever the
catalog's size."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inventory.models import Category, Item
from tests.factories import CategoryFactory, ItemFactory
from tests.intake import login


@pytest.fixture
def catalog(db):
    food = CategoryFactory(code="food", name="Food", aliases="comida, alimentos")
    bedding = CategoryFactory(code="bedding", name="Bedding", aliases="ropa de cama")
    hygiene = CategoryFactory(code="hygiene", name="Hygiene")
    water = CategoryFactory(code="water", name="Water", aliases="agua")
    return {
        "soup": ItemFactory(name="Canned soup", category=food, aliases="sopa enlatada"),
        "beans": ItemFactory(name="Canned beans", category=food, aliases="frijoles enlatados"),
        "rice": ItemFactory(name="Rice, 5 lb bag", category=food, aliases="arroz"),
        "blanket": ItemFactory(name="Blanket", category=bedding, aliases="manta, cobija"),
        "kit": ItemFactory(
            name="Toothbrush and toothpaste kit", category=hygiene, aliases="pasta de dientes"
        ),
        "diapers": ItemFactory(name="Diapers, pack", category=hygiene, aliases="pañales"),
        "bottles": ItemFactory(name="Bottled water, case of 24", category=water),
        "batteries": ItemFactory(name="Batteries AA", category=hygiene, aliases="pilas"),
        "old": ItemFactory(name="Blanket, wool (old)", category=bedding, is_active=False),
    }


def found(client, hub, query: str) -> list[str]:
    response = client.get(reverse("intake_item_search", args=[hub.slug]), {"q": query})
    assert response.status_code == 200
    pks = [int(pk) for pk in re.findall(r'data-add-item="(\d+)"', response.content.decode())]
    names = dict(Item.objects.filter(pk__in=pks).values_list("pk", "name"))
    return [names[pk] for pk in pks]


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("blankets", ["Blanket"]),
        ("BLANK", ["Blanket"]),
        ("manta", ["Blanket"]),
        ("Mantas", ["Blanket"]),
        ("cobijas", ["Blanket"]),
        ("toothpaste kits", ["Toothbrush and toothpaste kit"]),
        ("kits", ["Toothbrush and toothpaste kit"]),
        ("paste", []),  # a word's beginning, not its middle
        ("panales", ["Diapers, pack"]),
        ("pañal", ["Diapers, pack"]),
        ("battery", ["Batteries AA"]),
        ("water bottle", ["Bottled water, case of 24"]),
        ("agua", ["Bottled water, case of 24"]),
        ("canned food", ["Canned beans", "Canned soup"]),
        ("food", ["Canned beans", "Canned soup", "Rice, 5 lb bag"]),
        ("comida", ["Canned beans", "Canned soup", "Rice, 5 lb bag"]),
        ("sopa", ["Canned soup"]),
        ("frijol", ["Canned beans"]),
        ("  ", []),
        ("%_", []),
    ],
)
def test_it_finds_items_by_the_beginning_of_any_word_in_name_aliases_or_category(
    client, hub, volunteer, catalog, query, names
):
    login(client, volunteer)
    assert found(client, hub, query) == names


def test_it_finds_an_item_by_an_alias_a_coordinator_adds_later(client, hub, volunteer, catalog):
    login(client, volunteer)
    assert found(client, hub, "frazada") == []
    catalog["blanket"].aliases = "manta, cobija, frazada"
    catalog["blanket"].save()
    assert found(client, hub, "frazadas") == ["Blanket"]


def test_it_finds_items_by_their_category_s_new_name(client, hub, volunteer, catalog):
    login(client, volunteer)
    bedding = Category.objects.get(code="bedding")
    bedding.aliases = "literie, cama"
    bedding.save()
    assert found(client, hub, "camas") == ["Blanket"]


def search_queries(client, hub, query: str) -> list[str]:
    url = reverse("intake_item_search", args=[hub.slug])
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, {"q": query}).status_code == 200
    return [q["sql"] for q in queries.captured_queries]


def test_it_searches_in_one_item_query_whatever_the_catalog_size(client, hub, volunteer, catalog):
    login(client, volunteer)
    search_queries(client, hub, "canned food")  # reads the hub's acceptance into the cache
    small = search_queries(client, hub, "canned food")
    food = Category.objects.get(code="food")
    Item.objects.bulk_create(
        Item(
            name=f"Canned item {n:04}",
            category=food,
            unit_volume_litres=Decimal(1),
            search_text=f" canned item {n:04}",
        )
        for n in range(2000)
    )
    large = search_queries(client, hub, "canned food")
    assert len(large) == len(small)
    assert len([sql for sql in large if 'FROM "inventory_item"' in sql]) == 1


def test_it_lets_a_coordinator_keep_an_item_s_other_names(
    client, hub, volunteer, coordinator, catalog
):
    blanket = catalog["blanket"]
    login(client, coordinator)
    page = client.get(reverse("intake_tiles", args=[hub.slug]), {"aliases_item": blanket.pk})
    assert 'value="manta, cobija"' in page.content.decode()

    response = client.post(
        reverse("item_aliases", args=[hub.slug]),
        {"item": blanket.pk, "aliases": " manta, cobija,  Frazada , MANTA,, couverture"},
    )

    assert response.status_code == 302
    blanket.refresh_from_db()
    assert blanket.aliases == "manta, cobija, Frazada, couverture"
    login(client, volunteer)
    assert found(client, hub, "frazadas") == ["Blanket"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"item": "x", "aliases": "a"}, "Choose an item of the catalog."),
        ({"item": "", "aliases": "a"}, "Choose an item of the catalog."),
        ({"aliases": ", ".join(f"name{n}" for n in range(100))}, "under 500 characters"),
    ],
)
def test_it_refuses_bad_other_names_with_a_message(
    client, hub, coordinator, catalog, data, message
):
    data = {"item": catalog["blanket"].pk, **data}
    response = login(client, coordinator).post(reverse("item_aliases", args=[hub.slug]), data)

    assert response.status_code == 400
    assert message in response.content.decode()
    catalog["blanket"].refresh_from_db()
    assert catalog["blanket"].aliases == "manta, cobija"
