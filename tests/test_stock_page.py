"""The stock page: filters by name, category, location and expiry, pages of 50, the
expiring-soon list, and each item's history from the ledger."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from inventory.models import MovementKind
from inventory.services import StockLine, stock_remove
from tests.coordinator import query_count, receive, stock_many
from tests.factories import CategoryFactory, ItemFactory, StorageLocationFactory


@pytest.fixture
def shelves(hub):
    return (
        StorageLocationFactory(hub=hub, name="Hall", capacity_litres=Decimal("10000")),
        StorageLocationFactory(hub=hub, name="Garage", capacity_litres=Decimal("10000")),
    )


@pytest.fixture
def stocked(shelves, water, beans):
    hall, garage = shelves
    today = timezone.localdate()
    receive(hall, water, 10)
    receive(garage, beans, 5, expiry=today + timedelta(days=3))
    receive(garage, beans, 7, expiry=today + timedelta(days=60))
    receive(hall, beans, 2, expiry=today - timedelta(days=1))


def names(html: str) -> list[str]:
    return [row.split("</a>")[0].split(">")[-1] for row in html.split("<td><a href=")[1:]]


def get(client, hub, **params):
    return client.get(reverse("stock_list", args=[hub.slug]), params)


def test_it_lists_everything_in_stock(client, coordinator, hub, stocked):
    client.force_login(coordinator)
    html = get(client, hub).text
    assert names(html) == ["Bottled water 1.5 L", "Canned beans", "Canned beans", "Canned beans"]


def test_it_searches_by_name(client, coordinator, hub, stocked):
    client.force_login(coordinator)
    assert names(get(client, hub, q="WATER").text) == ["Bottled water 1.5 L"]
    assert "Nothing in stock matches." in get(client, hub, q="blankets").text


def test_it_filters_by_category_and_location(client, coordinator, hub, shelves, stocked, beans):
    client.force_login(coordinator)
    assert names(get(client, hub, category=beans.category_id).text) == ["Canned beans"] * 3
    _hall, garage = shelves
    assert names(get(client, hub, location=garage.pk).text) == ["Canned beans"] * 2


def test_it_filters_what_expires_within_14_days(client, coordinator, hub, stocked):
    client.force_login(coordinator)
    html = get(client, hub, expiring="on").text
    assert names(html) == ["Canned beans", "Canned beans"]  # expired yesterday, and in 3 days


def test_it_says_what_is_wrong_with_a_filter(client, coordinator, hub, other_hub, stocked):
    elsewhere = StorageLocationFactory(hub=other_hub)
    client.force_login(coordinator)

    response = get(client, hub, location=elsewhere.pk, category="soup")

    assert response.status_code == 200
    assert response.text.count("Select a valid choice.") == 2
    assert len(names(response.text)) == 4  # the bad filters are not applied


def link(html: str, name: str) -> dict[str, str]:
    """The query of the pager's link `name` (Next, Previous)."""
    href = html.split(f'">{name}</a>')[0].rsplit('href="?', 1)[1]
    return dict(pair.split("=") for pair in href.split("&amp;"))


def test_it_pages_by_50_keeping_the_filters(client, coordinator, hub):
    hall = StorageLocationFactory(hub=hub, capacity_litres=Decimal("100000"))
    category = CategoryFactory(code="food")
    for n in range(55):
        receive(hall, ItemFactory(name=f"Soup {n:02}", category=category), 1)
    client.force_login(coordinator)

    first = get(client, hub, q="soup").text
    second = get(client, hub, **link(first, "Next")).text
    again = get(client, hub, **link(second, "Previous")).text

    assert names(first) == [f"Soup {n:02}" for n in range(50)]
    assert link(first, "Next")["q"] == "soup" and "Previous" not in first
    # Pages are not counted (the hub's stock is not read whole to say "of N"): the last
    # page has no next one.
    assert names(second) == [f"Soup {n:02}" for n in range(50, 55)] and "Next" not in second
    assert names(again) == names(first) and "Previous" not in again


def test_it_pages_on_from_a_row_used_up_since(client, coordinator, hub):
    hall = StorageLocationFactory(hub=hub, capacity_litres=Decimal("100000"))
    soups = [ItemFactory(name=f"Soup {n:02}") for n in range(52)]
    for soup in soups:
        receive(hall, soup, 1)
    client.force_login(coordinator)
    first = get(client, hub).text

    # The last row shown is used up (out of the list) when Next is followed.
    stock_remove(
        lines=[StockLine(soups[49], hall, 1, None)], kind=MovementKind.DISCARDED, user=None
    )

    assert names(get(client, hub, **link(first, "Next")).text) == ["Soup 50", "Soup 51"]


def test_it_pages_what_expires_soonest_first_without_losing_a_row(client, coordinator, hub):
    hall = StorageLocationFactory(hub=hub, capacity_litres=Decimal("100000"))
    today = timezone.localdate()
    for n in range(60):  # three expiry dates, 20 items each: the pages cut inside a date
        item = ItemFactory(name=f"Soup {n:02}", tracks_expiry=True)
        receive(hall, item, 1, expiry=today + timedelta(days=1 + n % 3))
    client.force_login(coordinator)

    first = get(client, hub, expiring="on").text
    second = get(client, hub, **link(first, "Next")).text
    back = get(client, hub, **link(second, "Previous")).text

    soonest_first = [f"Soup {n:02}" for day in range(3) for n in range(day, 60, 3)]
    assert names(first) + names(second) == soonest_first
    assert link(first, "Next")["expiring"] == "on" and names(back) == names(first)


def test_it_shows_the_first_page_for_a_page_token_that_is_not_one(client, coordinator, hub):
    hall = StorageLocationFactory(hub=hub, capacity_litres=Decimal("100000"))
    for n in range(55):
        receive(hall, ItemFactory(name=f"Soup {n:02}"), 1)
    client.force_login(coordinator)

    for bad in ("0", "-3", "two", "1e3", "\u0663", "99999999999999999999", ""):
        for token in ("after", "before", "page"):
            response = get(client, hub, **{token: bad})
            assert response.status_code == 200
            assert len(names(response.text)) == 50
    # A row that is not on record (a link made up): an empty page, not an error.
    response = get(client, hub, after=str(2**62))
    assert response.status_code == 200 and names(response.text) == []


def test_it_lists_what_expires_soon_soonest_first(client, coordinator, hub, stocked):
    client.force_login(coordinator)
    html = client.get(reverse("stock_expiring", args=[hub.slug])).text
    assert names(html) == ["Canned beans", "Canned beans"]
    assert html.index("(expired)") < html.index("Garage")


def test_it_shows_an_items_history_who_when_why(client, coordinator, hub, shelves, water):
    hall, _garage = shelves
    receive(hall, water, 10, user=coordinator, reason="Dropoff #7")
    client.force_login(coordinator)

    html = client.get(reverse("item_detail", args=[hub.slug, water.pk])).text

    assert "Dropoff #7" in html and "carlos" in html and "+10" in html


def test_it_pages_an_items_history(client, coordinator, hub, shelves, water):
    hall, _garage = shelves
    for n in range(30):
        receive(hall, water, 1, reason=f"box {n:02}")
    client.force_login(coordinator)
    url = reverse("item_detail", args=[hub.slug, water.pk])

    first, second = client.get(url).text, client.get(url, {"page": 2}).text

    assert "box 29" in first and "box 04" not in first
    assert "box 04" in second and "box 29" not in second


@pytest.mark.parametrize(
    "url_name", ["stock_list", "stock_expiring", "item_detail"], ids=lambda n: n
)
def test_it_keeps_stock_pages_to_coordinators_of_the_hub(
    client, volunteer, outsider, hub, water, url_name
):
    args = [hub.slug, water.pk] if url_name == "item_detail" else [hub.slug]
    url = reverse(url_name, args=args)
    client.force_login(volunteer)
    assert client.get(url).status_code == 403
    client.force_login(outsider)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("url_name", "params"),
    [
        ("stock_list", {}),
        ("stock_list", {"q": "fill", "expiring": "on"}),
        ("stock_list", {"after": "1"}),
        ("stock_list", {"before": "99", "expiring": "on"}),
        ("stock_expiring", {}),
        ("item_detail", {}),
    ],
    ids=["stock", "filtered", "after", "before", "expiring", "item"],
)
def test_it_runs_a_fixed_number_of_queries(
    client, coordinator, hub, shelves, beans, django_assert_num_queries, url_name, params
):
    hall, _garage = shelves
    args = [hub.slug, beans.pk] if url_name == "item_detail" else [hub.slug]
    url = reverse(url_name, args=args)
    soon = timezone.localdate() + timedelta(days=2)
    receive(hall, beans, 1, expiry=soon)
    stock_many(hub, 3)
    client.force_login(coordinator)
    client.get(url, params)
    small, _response = query_count(lambda: client.get(url, params))

    stock_many(hub, 120, start=3)
    for n in range(40):
        receive(hall, beans, 1, expiry=soon + timedelta(days=n % 5))

    with django_assert_num_queries(small):
        assert client.get(url, params).status_code == 200
