"""Version keys in Django's cache: a cached value is stored under the versions of what it was
computed from, and a change to that sets a new version, so the next read computes afresh
(the dropoff table's values, hub.intake.cache; the items with a minimum,
inventory.stock_alerts; the dashboard's hourly flow, inventory.flow_cache)."""

import uuid
from collections.abc import Callable, Iterable
from contextlib import suppress

from django.core.cache import cache
from django.db import transaction
from redis.exceptions import RedisError


def cache_versions_renew(keys: Iterable[str], *, when: Callable[[], bool] | None = None) -> None:
    """Give each version key a new value at once, for this transaction's own reads, and again
    once it commits: a read that raced the change (it read the rows before the commit and
    writes the cache after it) writes under a version no one asks for again. `when`, if
    given, is asked each time whether the change still calls for it."""
    keys = list(keys)

    def renew() -> None:
        if when is None or when():
            with suppress(RedisError):
                cache.set_many({key: uuid.uuid4().hex for key in keys}, None)

    renew()
    transaction.on_commit(renew)
