"""The dashboard's hourly flow of the hours that are over, kept in Django's cache (Redis in
production, local memory in the demo) per hub, so that a request reads only the current
hour's movements, not the hub's whole day, however busy the day was.

An hour that is over changes only when a movement lands in it after it was read: a void of
one of its movements (an undone dropoff), or a write whose rows were stamped before the
hour ended and committed after it. Each value is stored under the hub's version and the
catalog's (the litres are the items' volumes as they are now); such a write, and a change
to the items, sets a new version at once, for its own transaction's reads, and again once
it commits, so that a read that raced it (it read the ledger before the commit and writes
the cache after it) writes under the old version, which no one asks for again."""

from contextlib import suppress
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from redis.exceptions import RedisError

from hub.cache_versions import cache_versions_renew
from hub.redis_pause import redis_pause, redis_paused
from inventory.models import Item
from inventory.signals import catalog_changed

CATALOG_VERSION = "flow:version:catalog"
FLOW_SECONDS = 2 * 3600  # a value's window starts an hour later each hour: a new key


def _hub_version(hub_id: int) -> str:
    return f"flow:version:hub:{hub_id}"


def flow_cache_key(*, hub_id: int, window: str) -> str | None:
    """The key of the hub's hours that are over in `window`, under the current versions;
    None when the cache is not to be asked (Redis paused or failing)."""
    if redis_paused():
        return None
    try:
        versions = cache.get_many([CATALOG_VERSION, _hub_version(hub_id)])
    except RedisError:
        redis_pause()
        return None
    return (
        f"flow:{hub_id}:{window}:{versions.get(CATALOG_VERSION, 0)}:"
        f"{versions.get(_hub_version(hub_id), 0)}"
    )


def flow_cache_get(key: str | None) -> Any:
    if key is None:
        return None
    try:
        return cache.get(key)
    except RedisError:
        redis_pause()
        return None


def flow_cache_set(key: str | None, value: Any) -> None:
    if key is not None:
        with suppress(RedisError):
            cache.set(key, value, FLOW_SECONDS)


def _hour_may_be_over(stamped: datetime) -> bool:
    """Whether an hour that began after `stamped` may have been read as over already. Every
    time zone's hours begin on a quarter of an hour in UTC: a movement stamped in the
    current quarter lies in the current hour of every reader who read before it commits."""
    now = timezone.now()
    return stamped < now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0)


def flow_cache_written(*, hub_ids: set[int], oldest: datetime) -> None:
    """A stock write changed the hubs' flow from `oldest` on (its rows' stamp, or that of
    the movements it voids): forget their hours that are over if it falls in one, at once
    and again when it commits (the usual write, in the current hour, changes nothing)."""
    cache_versions_renew(
        [_hub_version(hub_id) for hub_id in hub_ids], when=lambda: _hour_may_be_over(oldest)
    )


def flow_cache_catalog_changed(**_kwargs: Any) -> None:
    """The items' volumes may have changed: every hub's litres are read afresh."""
    cache_versions_renew([CATALOG_VERSION])


def flow_signals_connect() -> None:
    """Every save and delete of an item, and every bulk write to items, forgets the flows."""
    post_save.connect(flow_cache_catalog_changed, sender=Item, dispatch_uid="flow-cache-item")
    post_delete.connect(flow_cache_catalog_changed, sender=Item, dispatch_uid="flow-cache-item")
    catalog_changed.connect(flow_cache_catalog_changed, dispatch_uid="flow-cache-catalog")
