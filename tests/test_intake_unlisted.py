"""Items that are not in the catalog: the volunteer adds "not in the list" with a name, a
category and a size; it is logged and stocked like any item, as a new catalog item flagged
for review with the hub that added it."""

from decimal import Decimal

import pytest
from django.urls import reverse

from hub.models import Dropoff, DropoffLine
from inventory.models import Item, StockMovement
from tests.factories import CategoryFactory, ItemFactory, StorageLocationFactory
from tests.intake import HTMX, dropoff_form, intake_url, line, login, tiles
from tests.ledger import assert_ledger_matches_balances, qty


@pytest.fixture
def hall(hub):
    return StorageLocationFactory(hub=hub, name="Main hall", capacity_litres=Decimal("10000"))


@pytest.fixture
def other(db):
    return CategoryFactory(code="other", name="Other")


def unlisted(name, category, size, quantity=1):
    return {
        **line("", quantity),
        "new_name": name,
        "new_category": str(getattr(category, "pk", category)),
        "new_size": size,
    }


def post(client, hub, location, *lines, **extra):
    rows = {name: [row.get(name, "") for row in lines] for name in lines[0]}
    data = {**dropoff_form(location), **rows, **extra}
    return client.post(intake_url(hub), data, headers=HTMX)


def test_it_logs_and_stocks_an_item_that_is_not_in_the_catalog(
    client, hub, volunteer, hall, other, water
):
    login(client, volunteer)

    response = post(
        client,
        hub,
        hall,
        {**line(water, 2), "new_name": "", "new_category": "", "new_size": ""},
        unlisted("Camping stove", other, "box", 3),
    )

    assert "Logged dropoff" in response.content.decode()
    stove = Item.objects.get(name="Camping stove")
    assert (stove.needs_review, stove.created_at_hub, stove.category) == (True, hub, other)
    assert (stove.unit, stove.unit_volume_litres) == ("box", Decimal("30"))
    assert qty(stove, hall) == 3
    assert DropoffLine.objects.get(item=stove).quantity == 3
    assert_ledger_matches_balances()


def test_it_takes_the_catalog_s_item_when_the_name_is_one_of_it(
    client, hub, volunteer, hall, other, water
):
    login(client, volunteer)
    post(client, hub, hall, unlisted("bottled WATER 1.5 l", other, "small", 4))

    assert Item.objects.count() == 1
    assert qty(water, hall) == 4


def test_it_adds_the_same_new_name_once(client, hub, volunteer, hall, other):
    login(client, volunteer)
    post(client, hub, hall, unlisted("Camping stove", other, "box"))
    post(client, hub, hall, unlisted("camping stove", other, "bag", 2))

    stove = Item.objects.get()
    assert qty(stove, hall) == 3


@pytest.mark.parametrize(
    ("name", "category", "size", "message"),
    [
        ("", "other", "box", "Name the item, or remove the line."),
        ("Stove", "", "box", "Choose the item&#x27;s category."),
        ("Stove", "999999", "box", "Choose the item&#x27;s category."),
        ("Stove", "other", "", "Choose the item&#x27;s size."),
        ("Stove", "other", "huge", "Select a valid choice."),
        ("S" * 81, "other", "box", "at most 80 characters"),
    ],
)
def test_it_refuses_an_unlisted_line_without_name_category_or_size(
    client, hub, volunteer, hall, other, name, category, size, message
):
    login(client, volunteer)
    response = post(
        client, hub, hall, unlisted(name, other if category == "other" else category, size)
    )

    assert message in response.content.decode()
    assert Dropoff.objects.count() == 0
    assert Item.objects.count() == 0
    assert StockMovement.objects.count() == 0


def test_it_gives_the_line_row_of_an_unlisted_item_to_the_page(client, hub, volunteer, other):
    url = reverse("intake_line", args=[hub.slug])
    login(client, volunteer)
    html = client.get(
        url,
        {
            "unlisted_name": "  Camping   stove ",
            "unlisted_category": other.pk,
            "unlisted_size": "bag",
        },
        headers=HTMX,
    ).content.decode()

    assert "<strong>Camping stove</strong>" in html
    assert 'name="new_name" value="Camping stove"' in html
    assert f'name="new_category" value="{other.pk}"' in html
    assert 'name="new_size" value="bag"' in html
    assert Item.objects.count() == 0  # saved only when the dropoff is logged


def test_it_asks_for_a_name_when_the_unlisted_fields_are_empty(client, hub, volunteer, other):
    url = reverse("intake_line", args=[hub.slug])
    login(client, volunteer)
    response = client.get(
        url,
        {"unlisted_name": " ", "unlisted_category": other.pk, "unlisted_size": "bag"},
        headers=HTMX,
    )

    assert response.status_code == 200
    assert response["HX-Retarget"] == "#unlisted-error"
    assert "Give the item a name, a category and a size." in response.content.decode()


def test_it_adds_an_unlisted_line_without_javascript(client, hub, volunteer, hall, other):
    login(client, volunteer)
    data = {
        **dropoff_form(hall),
        "add_unlisted": "1",
        "unlisted_name": "Camping stove",
        "unlisted_category": str(other.pk),
        "unlisted_size": "large",
    }
    html = client.post(intake_url(hub), data).content.decode()

    assert "<strong>Camping stove</strong>" in html
    assert 'name="new_size" value="large"' in html
    assert Item.objects.count() == 0


def test_it_finds_an_item_added_at_the_table_in_search(client, hub, volunteer, hall, other):
    login(client, volunteer)
    post(client, hub, hall, unlisted("Camping stove", other, "box"))

    html = client.get(
        reverse("intake_item_search", args=[hub.slug]), {"q": "stoves"}
    ).content.decode()
    assert "Camping stove" in html


def test_it_never_shows_an_item_to_review_among_the_tiles(client, hub, volunteer, hall, other):
    blanket = ItemFactory(name="Blanket", category=other)
    login(client, volunteer)
    post(client, hub, hall, unlisted("Camping stove", other, "box"))

    shown = list(tiles(client.get(intake_url(hub)).content.decode()))
    assert shown == [blanket.pk]
