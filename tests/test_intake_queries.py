"""The dropoff table runs a number of queries that does not grow with the catalog: measured
with 10 active items, then asserted with 500 (and five times the categories)."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hub.models import CategoryIntake, Dropoff, IntakeStatus
from inventory.models import Item, StockMovement
from tests.factories import CategoryFactory, StorageLocationFactory
from tests.intake import HTMX, dropoff_form, intake_url, line, login


@pytest.fixture
def hall(hub):
    return StorageLocationFactory(hub=hub, name="Main hall", capacity_litres=Decimal("100000"))


def add_items(start: int, count: int) -> list[Item]:
    """`count` active items spread over one category per ten items, plus an inactive one."""
    categories = [
        CategoryFactory(code=f"category-{n}", sort_order=n)
        for n in range(start // 10, (start + count) // 10)
    ]
    items = Item.objects.bulk_create(
        Item(
            name=f"Item {n:04}",
            category=categories[(n - start) // 10],
            unit_volume_litres=Decimal("1"),
            tracks_expiry=n % 2 == 0,
        )
        for n in range(start, start + count)
    )
    Item.objects.create(
        name=f"Item {start:04} old", category=categories[0], unit_volume_litres=1, is_active=False
    )
    return items


def count_queries(request) -> CaptureQueriesContext:
    with CaptureQueriesContext(connection) as queries:
        response = request()
    assert response.status_code in (200, 302), response.status_code
    return queries


def assert_same_count(
    small: CaptureQueriesContext,
    large: CaptureQueriesContext,
    sizes: tuple[str, str] = ("10 items", "500 items"),
):
    def sql(queries):
        return "\n".join(q["sql"][:200] for q in queries.captured_queries)

    assert len(large) == len(small), (
        f"{len(small)} queries with {sizes[0]}, {len(large)} with {sizes[1]}:\n"
        f"--- {sizes[0]}\n{sql(small)}\n--- {sizes[1]}\n{sql(large)}"
    )


@pytest.fixture
def table(hub, other_hub, volunteer, hall, client):
    """A hub with a closed and a limited category and a few dropoffs in its recent list."""
    items = add_items(0, 10)
    CategoryIntake.objects.create(hub=hub, category=items[0].category, status=IntakeStatus.LIMITED)
    other = CategoryFactory(code="clothing")
    CategoryIntake.objects.create(hub=hub, category=other, status=IntakeStatus.CLOSED)
    login(client, volunteer)
    for n in range(3):
        client.post(intake_url(hub), dropoff_form(hall, line(items[9], n + 1)))
    return items


def test_it_renders_the_intake_page_in_queries_that_do_not_grow_with_the_catalog(
    client, hub, table
):
    def page():
        return client.get(intake_url(hub))

    page()  # warm caches (content types, session) outside the measurement
    small = count_queries(page)
    add_items(10, 490)
    count_queries(page)  # the catalog changed: its cached acceptance and tiles, read again
    large = count_queries(page)

    assert_same_count(small, large)


@pytest.mark.parametrize(
    "name", ["intake_item_search", "intake_line", "intake_recent"], ids=lambda n: n
)
def test_it_answers_the_tables_fragments_in_queries_that_do_not_grow_with_the_catalog(
    client, hub, table, name
):
    url = reverse(name, args=[hub.slug])
    params = {"q": "Item 0", "item": table[3].pk}

    def fragment():
        return client.get(url, params, headers=HTMX)

    fragment()
    small = count_queries(fragment)
    add_items(10, 490)
    count_queries(fragment)  # the catalog changed: its cached acceptance, read again
    large = count_queries(fragment)

    assert_same_count(small, large)


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_it_logs_a_3_line_dropoff_in_queries_that_do_not_grow_with_the_catalog(
    client, hub, other_hub, hall, table, headers
):
    def submit(first):
        # Items not in stock yet each time, so that each submit creates its balances alike:
        # one that tracks expiry (even), one that does not (odd), and one sent on.
        data = dropoff_form(
            hall,
            line(table[first], 5, expiry="2027-03-31"),
            line(table[first + 1], 2),
            line(table[8], 1, outcome="redirected", to=other_hub),
        )
        return lambda: client.post(intake_url(hub), data, headers=headers)

    count_queries(submit(0))  # warm caches outside the measurement
    small = count_queries(submit(2))
    add_items(10, 490)
    # The catalog changed: its cached acceptance is read again (a capture keeps the log).
    count_queries(lambda: client.get(intake_url(hub)))
    large = count_queries(submit(4))

    assert_same_count(small, large)
    assert Dropoff.objects.count() == 3 + 3  # each submit logged its dropoff
    assert StockMovement.objects.filter(item__in=table[:6]).count() == 6


def test_it_logs_five_lines_in_as_many_queries_as_one(client, hub, hall, table):
    def submit(*items):
        data = dropoff_form(hall, *(line(item, 2) for item in items))
        return lambda: client.post(intake_url(hub), data, headers=HTMX)

    count_queries(submit(table[0]))  # warm caches outside the measurement
    one = count_queries(submit(table[1]))
    five = count_queries(submit(*table[2:7]))

    assert_same_count(one, five, ("1 line", "5 lines"))


# A 5-line dropoff's submit, answered to htmx (docs/performance.md): 2 before the view (the
# user; the hub with membership and role groups: the session is read from Redis); none in
# the view (the hub's locations, and the items logged at the table before, come from the
# cache; the key is looked up only when the form is refused); 9 for the write (the locations
# locked and read, the pairs' advisory locks, the balances, the hub's state lock, its intake
# and the lines' categories read again under it, the dropoff with its lines, the new
# balances, the litres in use with the ledger rows in one statement (hub.sql.writes_run), the
# fills and capacity states after them, which the answer shows).
# The test's own transaction makes the write's transaction a savepoint: its two statements
# (SAVEPOINT and RELEASE here; BEGIN and COMMIT outside a test, which the bench's count of
# the same submit includes) are shown and left out.
SUBMIT_QUERIES = 11


def test_it_logs_a_5_line_dropoff_within_its_query_budget(client, hub, hall, table):
    # The same items seen at the table before (declined: none of them in stock yet).
    declined = [line(item, 1, outcome="declined") for item in table[:5]]
    client.post(intake_url(hub), dropoff_form(hall, line(table[9], 1), *declined), headers=HTMX)

    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            intake_url(hub),
            dropoff_form(hall, *(line(item, 2) for item in table[:5])),
            headers=HTMX,
        )

    statements = [q["sql"] for q in queries.captured_queries]
    savepoints = [sql for sql in statements if "SAVEPOINT" in sql.split(" ", 2)[:2]]
    assert [sql.split(" ")[0] for sql in savepoints] == ["SAVEPOINT", "RELEASE"]
    counted = [sql for sql in statements if sql not in savepoints]
    assert len(counted) <= SUBMIT_QUERIES, "\n".join(sql[:200] for sql in counted)
    assert "Logged dropoff" in response.content.decode()
    assert StockMovement.objects.filter(item__in=table[:5]).count() == 5


def prepared_runs() -> dict[str, int]:
    """The statements this connection has had Postgres prepare, and how often each ran."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements")
        return dict(cursor.fetchall())


def test_it_has_postgres_plan_what_runs_under_its_locks_once(client, hub, hall, table):
    # Dropoffs to one shelf wait for each other's locks: what runs under them is prepared
    # (hub.sql.cursor), so the next dropoff runs the plans Postgres made for the first one
    # instead of planning each statement again, which cost more than running it.
    before = prepared_runs()
    for _n in range(2):
        client.post(intake_url(hub), dropoff_form(hall, line(table[0], 2)), headers=HTMX)

    after = prepared_runs()
    locks = [sql for sql in after if re.search(r"FOR (NO KEY )?UPDATE|pg_advisory_xact_lock", sql)]
    assert len(locks) == 4, "\n".join(after)  # the locations, the pairs, the balances, the hub
    assert [after[sql] - before.get(sql, 0) for sql in locks] == [2] * 4
