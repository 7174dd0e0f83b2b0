"""hub.sql's writes, which the stock service's every change goes through: rows inserted in
one statement with their ids, values shared by every row sent once, and updates run with
the insert, each checked against the rows it must change."""

import json
import uuid

import pytest
import time_machine
from django.utils import timezone

from hub import sql
from inventory.models import MovementKind, StockBalance, StockMovement
from tests.factories import ItemFactory, StorageLocationFactory

pytestmark = pytest.mark.django_db


def movement(item, location, quantity, **fields) -> StockMovement:
    values = {
        "kind": MovementKind.RECEIVED,
        "reason": "Dropoff #7",
        "reason_params": {"number": 7},
        "operation": uuid.UUID(int=7),
    }
    return StockMovement(item=item, location=location, quantity=quantity, **values | fields)


def test_it_inserts_each_row_as_given_with_its_own_id():
    location = StorageLocationFactory()
    items = [ItemFactory() for _ in range(4)]
    rows = [movement(item, location, n + 1) for n, item in enumerate(items)]

    sql.rows_insert(rows=rows)

    stored = {m.pk: m for m in StockMovement.objects.all()}
    assert [(stored[row.pk].item, stored[row.pk].quantity) for row in rows] == [
        (item, n + 1) for n, item in enumerate(items)
    ]
    assert [(m.location, m.reason, m.reason_params) for m in stored.values()] == [
        (location, "Dropoff #7", {"number": 7})
    ] * 4


def test_it_stores_values_that_compare_equal_but_differ_as_they_are():
    location = StorageLocationFactory()
    rows = [
        movement(ItemFactory(), location, 1, reason_params={"confirmed": 1}),
        movement(ItemFactory(), location, 1, reason_params={"confirmed": True}),
    ]

    sql.rows_insert(rows=rows)

    stored = [StockMovement.objects.get(pk=row.pk).reason_params for row in rows]
    # As JSON: in Python 1 == True, so the dicts alone would not tell them apart.
    assert [json.dumps(params) for params in stored] == ['{"confirmed": 1}', '{"confirmed": true}']


def balance(quantity: int) -> StockBalance:
    row = StockBalance.placed(
        item=ItemFactory(), location=StorageLocationFactory(), expiry_date=None
    )
    row.quantity = quantity
    row.save()
    return row


def add_one(row: StockBalance, *, rows: int) -> sql.Update:
    return sql.Update(
        "UPDATE inventory_stockbalance SET quantity = quantity + 1 WHERE id = %s",
        [row.pk],
        rows=rows,
    )


def test_it_runs_the_updates_with_the_insert():
    first, second = balance(5), balance(8)
    location = StorageLocationFactory()
    row = movement(ItemFactory(), location, 3)

    assert sql.writes_run(updates=[add_one(first, rows=1), add_one(second, rows=1)], rows=[row])

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.quantity, second.quantity) == (6, 9)
    assert StockMovement.objects.get(pk=row.pk).quantity == 3


def test_it_reports_an_update_that_changed_other_than_its_rows():
    row = balance(5)

    assert not sql.writes_run(updates=[add_one(row, rows=2)])
    assert sql.writes_run(updates=[add_one(row, rows=None)])


def test_it_inserts_rows_alike_in_every_column_each_as_a_row():
    location, item = StorageLocationFactory(), ItemFactory()
    with time_machine.travel(timezone.now(), tick=False):  # the same time on every row
        params = {"number": 7}
        rows = [movement(item, location, 2, reason_params=params) for _n in range(2)]
        sql.rows_insert(rows=rows)

    assert len({row.pk for row in rows}) == 2
    assert StockMovement.objects.filter(item=item, quantity=2).count() == 2
