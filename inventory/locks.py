"""Every lock on stock is taken here, always in one order, so that transactions touching
the same stock queue behind each other instead of deadlocking:

0. a delivery run's row (`deliveries.locks.run_lock`: the run belongs to deliveries, which
   sits above inventory, so its lock lives there, taken before anything of this module), when
   the run is dispatched, delivered or changed (one run per transaction), so that two hands on
   one run queue and the second sees the first's status; then a transfer's row between hubs
   (`deliveries.locks.transfer_lock`, one per transaction), when goods in transit are received
   or sent back, or a stop settled on the road changes what is in transit;
0b. then storage locations, in pk order, all that the transaction will change at once: every
   stock write locks the locations of its pairs first (their rows carry the litres in use,
   updated with the balances), and a room check before it locks the same set; changing an
   item's unit volume locks every location (so no write is in flight that reads the old
   volume while the locations holding the item are recomputed);
1. one transaction-scoped advisory lock per (location, item), in ascending order. It covers
   the balance rows of that pair that do not exist yet, so a new expiry date is never
   inserted behind the back of a transaction that is picking from the pair;
2. then the pair's balance rows themselves, in primary-key order;
3. then each hub's capacity state (`hub_state_lock`), in hub order. It also guards the
   hub's intake: whoever changes a hub's intake status or a category's (a closure by fill in
   inventory.capacity, an admin on the intake control page) holds it, and a dropoff holds it
   from reading them to its commit, so no dropoff is logged after a closing commit;
4. last, the hub's own row, written (its intake status) only under its capacity state;
   nothing locks it otherwise.

Apart from these, a delivery of a capacity alert is locked by the database session that
sends it (`alert_delivery_lock_try`), never in a transaction that holds any of the above.

SQLite (the laptop demo) has no row locks: there every write transaction takes the database
write lock at BEGIN (settings: transaction_mode IMMEDIATE), which serializes them anyway.
"""

from collections.abc import Iterable

from django.db import connection
from django.db.models import Q

from hub import sql
from hub.models import Hub
from inventory.models import CapacityState, StockBalance, StorageLocation

StockPair = tuple[int, int]  # (location_id, item_id)


def stock_pairs_lock(*, pairs: Iterable[StockPair]) -> None:
    """Take the advisory lock of each (location, item) pair, in order. Call it inside the
    transaction, before any balance of these pairs is read, inserted or changed."""
    ordered = sorted(set(pairs))
    if not ordered or connection.vendor != "postgresql":
        return
    with sql.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(p.location_id, p.item_id) FROM ("
            "  SELECT * FROM unnest(%s::int[], %s::int[]) AS t(location_id, item_id)"
            "  ORDER BY location_id, item_id"
            ") AS p",
            [[loc for loc, _ in ordered], [item for _, item in ordered]],
        )


def _items_by_location(pairs: Iterable[StockPair]) -> dict[int, set[int]]:
    items_at: dict[int, set[int]] = {}
    for location_id, item_id in pairs:
        items_at.setdefault(location_id, set()).add(item_id)
    return items_at


def balances_lock(*, pairs: Iterable[StockPair]) -> list[StockBalance]:
    """Lock every balance row of the pairs (all expiry dates), in pk order."""
    items_at = _items_by_location(pairs)
    # One condition per location (a dropoff's lines go to one): cheaper to build than one
    # per pair.
    match = Q(pk__in=[])
    for location_id, item_ids in items_at.items():
        match |= Q(location_id=location_id, item_id__in=sorted(item_ids))
    return list(
        StockBalance.objects.select_for_update(of=("self",))
        .filter(match)
        .select_related("item", "location")
        .order_by("pk")
    )


BALANCE_QUANTITY_FIELDS = ("id", "item", "location", "expiry_date", "quantity")


def balance_quantities_lock(*, pairs: Iterable[StockPair]) -> list[StockBalance]:
    """`balances_lock` for a receipt, which only adds to the rows: each row's id, pair,
    expiry date and quantity, no item or location loaded. Plain SQL: every dropoff takes it,
    and the ORM's form (items and locations joined) cost 1.1 ms of CPU a call, this 0.1-0.2."""
    items_at = _items_by_location(pairs)
    if not items_at:
        return []
    fields = sql.model_fields(StockBalance, BALANCE_QUANTITY_FIELDS)
    match = " OR ".join(
        f"(location_id = %s AND item_id IN ({sql.placeholders(list(item_ids))}))"
        for item_ids in items_at.values()
    )
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    rows = sql.rows_read(
        # Only column names and placeholders are joined into the text.
        sql=f"SELECT {sql.select_list(fields)} FROM {StockBalance._meta.db_table}"  # noqa: S608
        f" WHERE {match} ORDER BY id{lock}",
        params=[value for loc, ids in items_at.items() for value in (loc, *sorted(ids))],
        fields=fields,
    )
    return [sql.instance(StockBalance, fields, row) for row in rows]


def locations_lock(*, ids: Iterable[int]) -> None:
    """Lock storage locations (whose stock is written, or whose room is checked before
    filling them), in pk order. Taken before any stock lock of the same transaction, for
    all the locations it will change at once: locking more later could deadlock."""
    list(
        # NO KEY: other writers insert movements and balances that reference the location
        # (a KEY SHARE lock on it), which a plain FOR UPDATE would block: a deadlock.
        StorageLocation.objects.select_for_update(no_key=True)
        .filter(pk__in=set(ids))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def locations_lock_read(*, ids: Iterable[int]) -> dict[int, StorageLocation]:
    """`locations_lock`, returning the locked rows as they are now (the litres in use of a
    locked row change only under its lock): the same one query, in plain SQL (every
    dropoff takes it; the ORM's form cost twice as much)."""
    ordered = sorted(set(ids))
    if not ordered:
        return {}
    fields = StorageLocation._meta.concrete_fields
    rows = sql.rows_read(
        # Only column names and placeholders are joined into the text.
        sql=f"SELECT {sql.select_list(fields)} FROM {StorageLocation._meta.db_table}"  # noqa: S608
        f" WHERE id IN ({sql.placeholders(ordered)}) ORDER BY id{_no_key_lock()}",
        params=ordered,
        fields=fields,
    )
    return {row[0]: sql.instance(StorageLocation, fields, row) for row in rows}


def hub_state_lock(*, hub: Hub) -> None:
    """Lock the hub's own capacity state (step 3), creating it on the hub's first use.
    Plain SQL: every dropoff takes it."""
    lock = (
        f"SELECT id FROM {CapacityState._meta.db_table}"  # noqa: S608 - no value in the text
        f" WHERE hub_id = %s AND location_id IS NULL{_no_key_lock()}"
    )
    with sql.cursor() as cursor:
        cursor.execute(lock, [hub.pk])
        if cursor.fetchone() is None:
            CapacityState.objects.bulk_create([CapacityState(hub=hub)], ignore_conflicts=True)
            cursor.execute(lock, [hub.pk])


def _no_key_lock() -> str:
    # NO KEY: see locations_lock. SQLite has no row locks (see the module's docstring).
    return " FOR NO KEY UPDATE" if connection.features.has_select_for_no_key_update else ""


def all_locations_lock() -> None:
    """Lock every storage location, in pk order: for the rare change that alters the litres
    of stock anywhere (an item's unit volume), so that no stock write runs meanwhile."""
    list(
        StorageLocation.objects.select_for_update(no_key=True)
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
