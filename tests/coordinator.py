"""Helpers the coordinator-page test modules share: stock to look at, and query counts."""

from datetime import timedelta
from decimal import Decimal

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from inventory.services import StockLine, stock_receive
from tests.factories import ItemFactory, StorageLocationFactory


def receive(location, item, quantity, *, expiry=None, user=None, reason="test", ago=None):
    """Put stock in through the service, `ago` in the past (the ledger is append-only, so
    the clock is moved rather than the rows)."""
    with time_machine.travel(timezone.now() - (ago or timedelta(0)), tick=False):
        return stock_receive(
            lines=[StockLine(item, location, quantity, expiry)], user=user, reason=reason
        )


def stock_many(hub, count: int, *, start: int = 0) -> None:
    """`count` more items in stock at a new location of the hub, each with a movement (of
    one receipt)."""
    shelf = StorageLocationFactory(hub=hub, capacity_litres=Decimal("1000000"))
    items = [ItemFactory(name=f"Filler {n:04}") for n in range(start, start + count)]
    stock_receive(lines=[StockLine(item, shelf, 1) for item in items], user=None, reason="test")


def query_count(request) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        response = request()
    return len(queries), response
