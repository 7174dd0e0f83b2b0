"""Every lock on stock is taken here, always in one order, so that transactions touching
the same stock queue behind each other instead of deadlocking:

0. a delivery run's row (`deliveries.locks.run_lock`: the run belongs to deliveries, which
   sits above inventory, so its lock lives there, taken before anything of this module), when
   the run is dispatched, delivered or changed (one run per transaction), so that two hands on
   one run queue and the second sees the first's status; or storage locations, in pk order,
   when a dropoff checks their room;
1. one transaction-scoped advisory lock per (location, item), in ascending order. It covers
   the balance rows of that pair that do not exist yet, so a new expiry date is never
   inserted behind the back of a transaction that is picking from the pair;
2. then the pair's balance rows themselves, in primary-key order;
3. then each hub's capacity state (inventory.capacity), in hub order.

Apart from these, a delivery of a capacity alert is locked by the database session that
sends it (`alert_delivery_lock_try`), never in a transaction that holds any of the above.

SQLite (the laptop demo) has no row locks: there every write transaction takes the database
write lock at BEGIN (settings: transaction_mode IMMEDIATE), which serializes them anyway.
"""

from collections.abc import Iterable

from django.db import connection
from django.db.models import Q

from inventory.models import StockBalance, StorageLocation

StockPair = tuple[int, int]  # (location_id, item_id)


def stock_pairs_lock(*, pairs: Iterable[StockPair]) -> None:
    """Take the advisory lock of each (location, item) pair, in order. Call it inside the
    transaction, before any balance of these pairs is read, inserted or changed."""
    ordered = sorted(set(pairs))
    if not ordered or connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(p.location_id, p.item_id) FROM ("
            "  SELECT * FROM unnest(%s::int[], %s::int[]) AS t(location_id, item_id)"
            "  ORDER BY location_id, item_id"
            ") AS p",
            [[loc for loc, _ in ordered], [item for _, item in ordered]],
        )


def balances_lock(*, pairs: Iterable[StockPair]) -> list[StockBalance]:
    """Lock every balance row of the pairs (all expiry dates), in pk order."""
    match = Q(pk__in=[])
    for location_id, item_id in set(pairs):
        match |= Q(location_id=location_id, item_id=item_id)
    return list(
        StockBalance.objects.select_for_update(of=("self",))
        .filter(match)
        .select_related("item", "location")
        .order_by("pk")
    )


def locations_lock(*, ids: Iterable[int]) -> None:
    """Lock storage locations (to check their room before filling them), in pk order.
    Taken before any stock lock of the same transaction."""
    list(
        # NO KEY: other writers insert movements and balances that reference the location
        # (a KEY SHARE lock on it), which a plain FOR UPDATE would block: a deadlock.
        StorageLocation.objects.select_for_update(no_key=True)
        .filter(pk__in=set(ids))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


# --- alert deliveries (the channels of a capacity alert, not delivery runs) -------------

# Session-level locks on alert deliveries use the one-bigint key space (the stock locks above
# use two int4 keys, a separate space), this number in the high 32 bits and the delivery's id
# in the low 32, so that Postgres's pg_locks shows them as (classid, objid).
ALERT_DELIVERY_LOCK_SPACE = 0x41_4C_52_54  # "ALRT"


def _delivery_key(delivery_id: int) -> int:
    return (ALERT_DELIVERY_LOCK_SPACE << 32) | delivery_id


def alert_delivery_lock_try(*, delivery_id: int) -> bool | None:
    """Take the lock of a delivery being sent, held by this database session (not the
    transaction) until `alert_delivery_unlock`, or until the session ends, which is how a dead
    worker lets go of it. False when another session holds it; None where there are no
    such locks (SQLite, the single-process demo)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s::bigint)", [_delivery_key(delivery_id)])
        return cursor.fetchone()[0]


def alert_delivery_unlock(*, delivery_id: int) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(%s::bigint)", [_delivery_key(delivery_id)])


def alert_delivery_lock_holders() -> list[int]:
    """The deliveries whose lock some live session of this database holds now: the ones
    really being sent. Postgres only."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT objid::bigint FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 1"
            " AND classid = %s AND granted"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            [ALERT_DELIVERY_LOCK_SPACE],
        )
        return [row[0] for row in cursor.fetchall()]
