"""What the dropoff table reads on every request and changes seldom, kept in Django's cache
(Redis in production, local memory in the demo) per hub: what the hub takes per category,
and its tiles; and what a dropoff's form is checked against: the catalog's items that its
lines name, the hub's storage locations.

Each cached value is stored under the versions of what it was computed from: the catalog's
(categories, items) and the hub's (its category intake rows, its pinned tiles). A change to
either sets a new version when it commits, so the next read computes afresh. A read that
raced the change (it read the database before the commit and writes the cache after it)
writes under the old version, which no one asks for again. Without Redis the values are
computed each time, as before."""

import uuid
from collections.abc import Callable
from contextlib import suppress
from typing import Any, TypeVar

from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.db.models.signals import post_delete, post_save
from redis.exceptions import RedisError

from hub.cache_versions import cache_versions_renew
from hub.models import CategoryIntake, PinnedTile
from hub.redis_pause import redis_pause, redis_paused
from inventory.flow_cache import CATALOG_VERSION as VOLUMES_VERSION
from inventory.models import Category, Item, StorageLocation
from inventory.signals import catalog_changed

T = TypeVar("T")

CATALOG_VERSION = "intake:version:catalog"


def _hub_version(hub_id: int) -> str:
    return f"intake:version:hub:{hub_id}"


def intake_cached(*, name: str, hub_id: int, compute: Callable[[], T], timeout: int) -> T:
    """`compute()`, from the cache while neither the catalog nor the hub's intake changed."""
    if redis_paused():
        return compute()
    try:
        versions = cache.get_many([CATALOG_VERSION, _hub_version(hub_id)])
        key = (
            f"intake:{name}:{hub_id}:{versions.get(CATALOG_VERSION, 0)}:"
            f"{versions.get(_hub_version(hub_id), 0)}"
        )
        value = cache.get(key)
    except RedisError:
        redis_pause()
        return compute()
    if value is None:
        value = compute()
        with suppress(RedisError):
            cache.set(key, value, timeout)
    return value


ROWS_CACHE_SECONDS = 26 * 3600
# An item is what its row and its category's say: CATALOG_VERSION changes with every save
# of either and every bulk change to items (catalog_changed); VOLUMES_VERSION also with a
# new volume per unit (inventory.services.item_unit_volume_change, which sends no signal).
ITEM_VERSIONS = (CATALOG_VERSION, VOLUMES_VERSION)
# Every save or delete of a storage location, of any hub (one moved to another hub leaves
# its old hub's list too).
LOCATIONS_VERSION = "intake:version:locations"

K = TypeVar("K")


def _rows_cached(
    *, keys: dict[K, str], versions: tuple[str, ...], read: Callable[[set[K]], dict[K, T]]
) -> dict[K, T]:
    """`read(set(keys))`, each value from the cache while the rows it was read from have not
    changed since: one round trip for the versions and the values at once, each value stored
    with the versions it was read under (a copy read before a change is never taken for a
    current one). What is read is the same whether cached or not."""
    if not keys:
        return {}
    # A cache in one process's memory (the demo's, without Redis) would keep rows that
    # another process (a shell, an import) has since changed: the checks read them afresh.
    if redis_paused() or isinstance(caches["default"], LocMemCache):
        return read(set(keys))
    try:
        cached = cache.get_many([*versions, *keys.values()])
    except RedisError:
        redis_pause()
        return read(set(keys))
    if missing_versions := [key for key in versions if key not in cached]:
        # Never renewed yet (or evicted): start them (`add`: a renewal meanwhile wins), and
        # store what is read now under what they are then. Never under "none", which an
        # evicted version would otherwise match again.
        try:
            for key in missing_versions:
                cache.add(key, uuid.uuid4().hex, None)
            cached |= cache.get_many(missing_versions)
        except RedisError:
            redis_pause()
        if any(key not in cached for key in versions):
            return read(set(keys))
    current = tuple(cached[key] for key in versions)
    values = {}
    for name, key in keys.items():
        stored = cached.get(key)
        if stored is not None and stored[0] == current:
            values[name] = stored[1]
    if stale := keys.keys() - values.keys():
        found = read(stale)
        values |= found
        with suppress(RedisError):
            cache.set_many(
                {keys[name]: (current, value) for name, value in found.items()},
                ROWS_CACHE_SECONDS,
            )
    return values


def intake_items_cached(
    *, ids: set[int], read: Callable[[set[int]], dict[int, Item]]
) -> dict[int, Item]:
    """`read(ids)`, each item from the cache while the catalog has not changed: the checks
    of a line (active, its volume, safe after expiry) see what they would read."""
    return _rows_cached(
        keys={pk: f"intake:item:{pk}" for pk in ids}, versions=ITEM_VERSIONS, read=read
    )


def intake_locations_cached(
    *, hub_id: int, read: Callable[[], list[StorageLocation]]
) -> list[StorageLocation]:
    """`read()`, the hub's active locations, from the cache while no location has changed
    (their litres in use, changed by every stock write, are not to be taken from it)."""
    found = _rows_cached(
        keys={hub_id: f"intake:locations:{hub_id}"},
        versions=(LOCATIONS_VERSION,),
        read=lambda _hub_ids: {hub_id: read()},
    )
    return found[hub_id]


def intake_cache_invalidate(*, hub_id: int | None) -> None:
    """Forget what was cached for the hub, or for every hub (hub_id None: the catalog
    changed): at once, for this transaction's own reads, and again once it commits, for
    whatever others computed meanwhile from the rows as they were before."""
    cache_versions_renew([CATALOG_VERSION if hub_id is None else _hub_version(hub_id)])


def _catalog_changed(**_kwargs: Any) -> None:
    intake_cache_invalidate(hub_id=None)


def _hub_intake_changed(instance: CategoryIntake | PinnedTile, **_kwargs: Any) -> None:
    intake_cache_invalidate(hub_id=instance.hub_id)


def _locations_changed(**_kwargs: Any) -> None:
    cache_versions_renew([LOCATIONS_VERSION])


def signals_connect() -> None:
    """Every save and delete of what the cached values are read from invalidates them
    (bulk writes call intake_cache_invalidate themselves)."""
    for model in (Category, Item):
        post_save.connect(_catalog_changed, sender=model, dispatch_uid=f"intake-cache-{model}")
        post_delete.connect(_catalog_changed, sender=model, dispatch_uid=f"intake-cache-{model}")
    for hub_model in (CategoryIntake, PinnedTile):
        post_save.connect(
            _hub_intake_changed, sender=hub_model, dispatch_uid=f"intake-cache-{hub_model}"
        )
        post_delete.connect(
            _hub_intake_changed, sender=hub_model, dispatch_uid=f"intake-cache-{hub_model}"
        )
    catalog_changed.connect(_catalog_changed, dispatch_uid="intake-cache-catalog")
    post_save.connect(_locations_changed, sender=StorageLocation, dispatch_uid="intake-locations")
    post_delete.connect(_locations_changed, sender=StorageLocation, dispatch_uid="intake-locations")
