"""What the dropoff table caches per hub (what it takes per category, its tiles) and the
items its lines name show every change that affects them at once, on the next request: an
admin closing or opening a category, beat reopening one, a coordinator pinning a tile, an
item renamed, merged, added or retired, given a new volume or a new rule past its date."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from redis.exceptions import TimeoutError as RedisTimeoutError

from hub.intake.services import category_intake_set, intake_reopen_due, tile_pin_change
from hub.models import CategoryIntake, Dropoff, IntakeStatus
from inventory.models import StockBalance
from inventory.services import item_merge, item_unit_volume_change
from inventory.stock_alerts import item_stock_rules_set
from tests.factories import CategoryFactory, ItemFactory, StorageLocationFactory
from tests.intake import HTMX, dropoff_form, intake_url, line, login, tiles


@pytest.fixture
def food(db):
    return CategoryFactory(code="food", name="Food", sort_order=1)


@pytest.fixture
def soup(food):
    return ItemFactory(name="Canned soup", category=food)


@pytest.fixture
def table(client, hub, volunteer, soup):
    """The volunteer's table, loaded once, so that its acceptance and tiles are cached."""
    login(client, volunteer)
    page = client.get(intake_url(hub)).content.decode()
    assert "Not accepted" not in tiles(page)[soup.pk]
    return client


def tile_of(client, hub, item) -> str | None:
    return tiles(client.get(intake_url(hub)).content.decode()).get(item.pk)


def test_it_reads_the_tables_acceptance_and_tiles_from_the_cache(table, hub):
    with CaptureQueriesContext(connection) as queries:
        table.get(intake_url(hub))

    read = " ".join(q["sql"] for q in queries.captured_queries)
    for table_name in ("hub_categoryintake", "inventory_category", "hub_pinnedtile"):
        assert f'FROM "{table_name}"' not in read


def test_it_shows_a_category_an_admin_closes_at_once(table, hub, admin_user, food, soup):
    category_intake_set(
        hub=hub, user=admin_user, category=food, status=IntakeStatus.CLOSED, reason="Full of it"
    )

    assert "Not accepted" in tile_of(table, hub, soup)
    shelf = StorageLocationFactory(hub=hub)
    refused = table.post(intake_url(hub), dropoff_form(shelf, line(soup, 2)), headers=HTMX)
    assert "is not taking Food now" in refused.content.decode()


def test_it_shows_a_category_beat_reopens_at_once(client, hub, volunteer, admin_user, food, soup):
    category_intake_set(
        hub=hub,
        user=admin_user,
        category=food,
        status=IntakeStatus.CLOSED,
        reason="Full of it",
        reopens_at=timezone.now() + timedelta(hours=1),
    )
    login(client, volunteer)
    assert "Not accepted" in tile_of(client, hub, soup)

    intake_reopen_due(now=timezone.now() + timedelta(hours=2))

    assert not CategoryIntake.objects.exists()
    assert "Not accepted" not in tile_of(client, hub, soup)


def test_it_shows_a_tile_a_coordinator_pins_at_once(table, hub, food):
    blanket = ItemFactory(name="Blanket", category=food)  # a catalog change: read again
    table.get(intake_url(hub))

    tile_pin_change(hub=hub, item=blanket, action="pin")

    page = table.get(intake_url(hub)).content.decode()
    assert next(iter(tiles(page))) == blanket.pk


def test_it_shows_an_item_renamed_at_once(table, hub, soup):
    soup.name = "Tomato soup"
    soup.save()

    assert "Tomato soup" in tile_of(table, hub, soup)


def test_it_drops_a_merged_item_from_the_tiles_at_once(table, hub, soup, food, coordinator):
    soup.needs_review = True
    soup.save()
    kept = ItemFactory(name="Soup", category=food)
    table.get(intake_url(hub))

    item_merge(item=soup, into=kept, user=coordinator)

    assert tile_of(table, hub, soup) is None


def test_it_takes_an_item_of_a_new_category_at_once(table, hub):
    pet = CategoryFactory(code="pet", name="Pet", sort_order=0)
    kibble = ItemFactory(name="Kibble", category=pet)
    shelf = StorageLocationFactory(hub=hub)

    logged = table.post(intake_url(hub), dropoff_form(shelf, line(kibble, 2)), headers=HTMX)

    assert "Logged dropoff" in logged.content.decode()
    assert tile_of(table, hub, kibble) is not None


def test_it_reads_the_database_for_a_while_once_redis_fails(table, hub, soup, monkeypatch):
    def hung(*_args, **_kwargs):
        raise RedisTimeoutError("Timeout reading from socket")

    with monkeypatch.context() as hanging:
        hanging.setattr(cache, "get_many", hung)
        assert "Not accepted" not in tile_of(table, hub, soup)  # read afresh, not refused

    # Redis answers again, but this process waits a while before asking it again.
    with CaptureQueriesContext(connection) as queries:
        table.get(intake_url(hub))
    assert 'FROM "hub_categoryintake"' in " ".join(q["sql"] for q in queries.captured_queries)


LOCAL_MEMORY = "django.core.cache.backends.locmem.LocMemCache"


@pytest.fixture
def shelf(table, hub, soup):
    """A 100-litre shelf, into which the table has logged soup: the item and the hub's
    locations are cached (the second time at the latest, should the cache be empty)."""
    shelf = StorageLocationFactory(hub=hub, name="Shelf", capacity_litres=Decimal("100"))
    for _n in range(2):
        assert "Logged dropoff" in submit(table, hub, shelf, line(soup, 1))
    return shelf


def submit(client, hub, shelf, *lines, **fields) -> str:
    data = dropoff_form(shelf, *lines, **fields)
    return client.post(intake_url(hub), data, headers=HTMX).content.decode()


def test_it_checks_a_dropoff_of_items_it_logged_before_without_reading_them(
    table, hub, soup, shelf
):
    with CaptureQueriesContext(connection) as queries:
        page = submit(table, hub, shelf, line(soup, 2))

    assert "Logged dropoff" in page
    statements = [q["sql"] for q in queries.captured_queries]
    assert selects_from("inventory_item", statements) == []
    # The locations are read only as the write locks them, and by the capacity check after
    # it (with their capacity states), whose fills the answer shows.
    read = selects_from("inventory_storagelocation", statements)
    assert len(read) == 2, read
    assert "FOR NO KEY UPDATE" in read[0]
    assert "inventory_capacitystate" in read[1]


def test_it_reads_them_once_after_the_cache_was_emptied(table, hub, soup, shelf):
    cache.clear()  # Redis restarted, say: not even the versions are left
    assert "Logged dropoff" in submit(table, hub, shelf, line(soup, 1))

    with CaptureQueriesContext(connection) as queries:
        page = submit(table, hub, shelf, line(soup, 2))

    assert "Logged dropoff" in page
    statements = [q["sql"] for q in queries.captured_queries]
    assert selects_from("inventory_item", statements) == []
    assert len(selects_from("inventory_storagelocation", statements)) == 2


def selects_from(table: str, statements: list[str]) -> list[str]:
    """The SELECT statements that read `table`, quoted as the ORM writes it or not, as the
    stock service's plain SQL does."""
    reads = re.compile(rf'^SELECT .*? FROM "?{table}"?[\s,]', re.DOTALL)  # noqa: S608 - a regex
    return [sql for sql in statements if reads.match(sql)]


def test_it_reads_the_items_and_locations_each_time_without_redis(
    table, hub, soup, shelf, settings
):
    # The demo's cache lives in one process: a change from another would not reach it.
    settings.CACHES = {**settings.CACHES, "default": {"BACKEND": LOCAL_MEMORY}}
    for _n in range(2):  # as the shelf's fixture: what Redis would have cached by now
        submit(table, hub, shelf, line(soup, 1))

    with CaptureQueriesContext(connection) as queries:
        page = submit(table, hub, shelf, line(soup, 1))

    assert "Logged dropoff" in page
    read = " ".join(q["sql"] for q in queries.captured_queries)
    assert 'FROM "inventory_item"' in read
    assert 'FROM "inventory_storagelocation" WHERE ("inventory_storagelocation"."hub_id"' in read


def test_it_takes_a_location_added_since_at_once(table, hub, soup, shelf):
    annex = StorageLocationFactory(hub=hub, name="Annex")

    assert "Logged dropoff" in submit(table, hub, annex, line(soup, 2))
    assert StockBalance.objects.get(location=annex).quantity == 2


def test_it_refuses_a_location_retired_since_at_once(table, hub, soup, shelf):
    shelf.is_active = False
    shelf.save()

    page = submit(table, hub, shelf, line(soup, 2))

    assert f"Select a valid choice. {shelf.pk} is not one of the available choices." in page
    assert Dropoff.objects.count() == 2


def test_it_refuses_an_item_retired_since_the_table_logged_it(table, hub, soup, shelf):
    soup.is_active = False
    soup.save()

    assert "Canned soup is no longer in the catalog." in submit(table, hub, shelf, line(soup, 2))
    assert Dropoff.objects.count() == 2


def test_it_checks_the_room_with_an_items_new_volume_at_once(table, hub, soup, shelf):
    item_unit_volume_change(item=soup, unit_volume_litres=Decimal("30"))  # 60 L in use

    page = submit(table, hub, shelf, line(soup, 2))

    assert "has no room for 2 Canned soup (60 L needed)" in page
    assert Dropoff.objects.count() == 2


def test_it_refuses_past_its_date_an_item_no_longer_safe_after_it_at_once(
    table, hub, soup, shelf, coordinator
):
    soup.tracks_expiry = soup.safe_after_expiry = True
    soup.save()
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    expired = line(soup, 2, expiry=yesterday)
    assert "Logged dropoff" in submit(table, hub, shelf, expired, expired="accept")

    item_stock_rules_set(
        hub=hub, item=soup, user=coordinator, safe_after_expiry=False, minimum=None
    )

    page = submit(table, hub, shelf, expired, expired="accept")
    assert "is not safe after its date: discard it." in page
    assert Dropoff.objects.count() == 3
