"""The only code that changes stock. Each call is one transaction that writes its ledger rows
and its balance changes together, or nothing.

Stock is locked in one fixed order (inventory.locks) and balances are then changed by
guarded updates, so concurrent calls queue instead of deadlocking and no balance can go below
zero. Every call takes an idempotency key: the same key again returns the first call's
movements, even if the catalog changed in between.
"""

import functools
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import IntegrityError, connection, models, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from hub import sql
from hub.access import hub_role_check
from hub.errors import Denied, UserError
from hub.models import Hub
from hub.roles import Role
from inventory.barcodes import item_barcodes_move
from inventory.capacity import capacity_check
from inventory.flow_cache import flow_cache_catalog_changed, flow_cache_written
from inventory.locks import (
    StockPair,
    all_locations_lock,
    balance_quantities_lock,
    balances_lock,
    hub_state_lock,
    locations_lock,
    locations_lock_read,
    stock_pairs_lock,
)
from inventory.models import Item, MovementKind, StockBalance, StockMovement, StorageLocation
from inventory.picking import Missing, fefo_take, missing_list
from inventory.reasons import Reason
from inventory.selectors import (
    Fill,
    LocationFill,
    location_fill_list,
    location_used_litres_sum,
)
from inventory.signals import catalog_changed
from inventory.tasks import minimums_after_commit

# A sanity bound per line: far above any real dropoff, far below integer overflow.
MAX_QUANTITY = 1_000_000

REMOVAL_KINDS = (MovementKind.DELIVERED, MovementKind.DISCARDED, MovementKind.TRANSFERRED)


class StockError(UserError):
    """A stock change that cannot be made; the message is for the user."""


class InsufficientStock(StockError):
    def __init__(self, *, item: Item, location: StorageLocation, requested: int, available: int):
        self.item, self.location = item, location
        self.requested, self.available = requested, available
        super().__init__(
            _(
                "Not enough %(item)s at %(location)s: %(requested)d requested, "
                "%(available)d in stock, short by %(shortfall)d."
            )
            % {
                "item": item.display_name,
                "location": location.display_name,
                "requested": requested,
                "available": available,
                "shortfall": self.shortfall,
            }
        )

    @property
    def shortfall(self) -> int:
        return self.requested - self.available


class Shortfall(StockError):
    """A hub-wide pick that its stock cannot cover; names every item short and by how much."""

    def __init__(self, *, hub: Hub, missing: list[Missing]):
        self.hub, self.missing = hub, missing
        super().__init__(
            _("Not enough in stock at %(hub)s: %(items)s. Nothing was taken.")
            % {
                "hub": hub.name,
                "items": "; ".join(_missing_text(m) for m in missing),
            }
        )


def _missing_text(missing: Missing) -> str:
    values = {
        "item": missing.item.display_name,
        "shortfall": missing.shortfall,
        "requested": missing.requested,
        "available": missing.available,
        "held": missing.held,
    }
    if missing.held:
        return (
            _(
                "%(item)s short by %(shortfall)d (%(requested)d needed, %(available)d free: "
                "%(held)d more are held for earlier runs)"
            )
            % values
        )
    return _("%(item)s short by %(shortfall)d (%(requested)d needed, %(available)d in stock)") % (
        values
    )


@dataclass(frozen=True)
class StockLine:
    item: Item
    location: StorageLocation
    quantity: int
    expiry_date: date | None = None
    source: models.Model | None = None  # what the movement is for, when not the whole call's


@dataclass(frozen=True)
class PickLine:
    """So many units of an item to take from wherever the hub holds them, for `source`."""

    item: Item
    quantity: int
    kind: str
    source: models.Model | None = None


@dataclass(frozen=True)
class _Change:
    item: Item
    location: StorageLocation
    expiry_date: date | None
    delta: int
    kind: str
    reverses: StockMovement | None = None
    source: models.Model | None = None


def _replayable(hubs_of: Callable[[dict], Iterable[int]]):
    """A stock service whose idempotency key is kept per hub: `hubs_of(kwargs)` names the
    hubs the call changes (their ids), and the key is stored with them, so the same key sent
    in another hub is another change, not a replay of this one.

    A retry with a key already on record gets the first result, before any check: the item
    may have left the catalog since, but the retried dropoff was accepted then."""

    def decorator(service: Callable[..., list[StockMovement]]):
        @functools.wraps(service)
        def wrapper(*, idempotency_key: str | None = None, **kwargs) -> list[StockMovement]:
            if idempotency_key:
                idempotency_key = stock_key_scoped(key=idempotency_key, hub_ids=hubs_of(kwargs))
                # A held receipt's key is new: its caller's own record of it was just inserted.
                if kwargs.get("held") is None and (earlier := _movements_for_key(idempotency_key)):
                    return earlier
            return service(idempotency_key=idempotency_key, **kwargs)

        return wrapper

    return decorator


def stock_key_scoped(*, key: str, hub_ids: Iterable[int]) -> str:
    """The key as stored: prefixed with the hubs it belongs to (a key already so prefixed,
    passed on by one service to another, is kept as it is)."""
    prefix = "hub:" + ",".join(str(pk) for pk in sorted(set(hub_ids))) + ":"
    return key if key.startswith(prefix) else prefix + key


def _lines_hubs(*groups: Sequence[StockLine]) -> set[int]:
    return {line.location.hub_id for lines in groups for line in lines}


@dataclass(frozen=True)
class ReceiptHold:
    """The locks of a receipt into one hub, taken ahead by `stock_receive_hold` for a caller
    that checks its own rules under them (a dropoff reads the hub's intake there) before
    receiving the goods with `stock_receive(held=...)` in the same transaction."""

    hub: Hub
    pairs: frozenset[StockPair]
    rows: Mapping
    # The hub's fill per location once the goods are in, as its capacity check read it.
    fills_after: list[LocationFill] = field(default_factory=list)


def stock_receive_hold(*, hub: Hub, lines: Sequence[StockLine], nowhere: str) -> ReceiptHold:
    """Take, in the one order of inventory.locks, every lock that receiving `lines` into
    the hub takes: its locations (their room checked, `room_check`), the (location, item)
    pairs, their balances, and last the hub's state lock. Call it inside the transaction
    that then calls stock_receive(held=...) for the same lines."""
    if not connection.in_atomic_block:
        raise RuntimeError("stock_receive_hold is called inside the receipt's transaction")
    if any(line.location.hub_id != hub.pk for line in lines):
        raise ValueError("a held receipt goes into one hub")
    pairs = _pairs(lines)
    room_check(hub=hub, lines=lines, nowhere=nowhere)
    stock_pairs_lock(pairs=pairs)
    rows = _lock(pairs, quantities_only=True)
    hub_state_lock(hub=hub)
    return ReceiptHold(hub=hub, pairs=frozenset(pairs), rows=rows)


@_replayable(lambda kw: _lines_hubs(kw["lines"]))
def stock_receive(
    *,
    lines: Sequence[StockLine],
    user: User | None,
    reason: str = "",
    source: models.Model | None = None,
    idempotency_key: str | None = None,
    held: ReceiptHold | None = None,
) -> list[StockMovement]:
    """Put goods into stock: one `received` movement per line. `held`: the locks were taken
    by stock_receive_hold in this transaction, and the key is new (the caller's own record
    of it, unique, was inserted in it): neither is taken or looked up again."""
    if held is not None and not _pairs(lines) <= held.pairs:
        raise ValueError("the lines are not those of the held receipt")
    for line in lines:
        _check_line(line)
        if not line.item.is_active:
            raise StockError(_("%(item)s is no longer in the catalog.") % {"item": line.item})
        if not line.location.is_active:
            raise StockError(_("%(location)s is no longer in use.") % {"location": line.location})

    return _write(
        build=lambda rows: [
            _Change(
                line.item, line.location, line.expiry_date, line.quantity, MovementKind.RECEIVED
            )
            for line in lines
        ],
        pairs=_pairs(lines),
        user=user,
        reason=reason,
        source=source,
        idempotency_key=idempotency_key,
        held=held,
    )


@_replayable(lambda kw: _lines_hubs(kw["lines"]))
def stock_remove(
    *,
    lines: Sequence[StockLine],
    kind: str,
    user: User | None,
    reason: str = "",
    source: models.Model | None = None,
    idempotency_key: str | None = None,
) -> list[StockMovement]:
    """Take goods out of stock, all lines or none. A line without an expiry date of an item
    that tracks expiry is taken first-expired-first-out, one movement per expiry date."""
    if kind not in REMOVAL_KINDS:
        raise ValueError(f"{kind!r} is not a removal")
    for line in lines:
        _check_line(line)

    def build(rows: dict) -> list[_Change]:
        left = {key: row.quantity for key, row in rows.items()}
        return [
            _Change(line.item, line.location, expiry, -taken, kind)
            for line in lines
            for expiry, taken in _allocate(line, left)
        ]

    return _write(
        build=build,
        pairs=_pairs(lines),
        user=user,
        reason=reason,
        source=source,
        idempotency_key=idempotency_key,
    )


@_replayable(lambda kw: {kw["from_location"].hub_id, kw["to_location"].hub_id})
def stock_transfer(
    *,
    item: Item,
    from_location: StorageLocation,
    to_location: StorageLocation,
    quantity: int,
    user: User | None,
    expiry_date: date | None = None,
    reason: str = "",
    source: models.Model | None = None,
    idempotency_key: str | None = None,
) -> list[StockMovement]:
    """Move goods between locations (of one hub or two): a `transferred` movement out of one
    and into the other per expiry date, first-expired-first-out when none is given."""
    line = StockLine(item, from_location, quantity, expiry_date)
    _check_line(line)
    if from_location.pk == to_location.pk:
        raise StockError(_("Choose two different locations."), field="to_location")
    if not to_location.is_active:
        raise StockError(_("%(location)s is no longer in use.") % {"location": to_location})

    def build(rows: dict) -> list[_Change]:
        left = {key: row.quantity for key, row in rows.items()}
        changes = []
        for expiry, taken in _allocate(line, left):
            changes.append(_Change(item, from_location, expiry, -taken, MovementKind.TRANSFERRED))
            changes.append(_Change(item, to_location, expiry, taken, MovementKind.TRANSFERRED))
        return changes

    return _write(
        build=build,
        pairs=_pairs([line, StockLine(item, to_location, quantity)]),
        user=user,
        reason=reason,
        source=source,
        idempotency_key=idempotency_key,
    )


@_replayable(lambda kw: [kw["location"].hub_id])
def stock_adjust(
    *,
    item: Item,
    location: StorageLocation,
    delta: int,
    user: User | None,
    reason: str,
    expiry_date: date | None = None,
    idempotency_key: str | None = None,
) -> list[StockMovement]:
    """Correct a balance up or down by `delta`, with the reason on record."""
    if isinstance(delta, bool) or not isinstance(delta, int):
        raise StockError(_("Quantity must be a whole number."), field="delta")
    if delta == 0:
        raise StockError(_("Enter a change other than zero."), field="delta")
    line = StockLine(item, location, abs(delta), expiry_date)
    _check_line(line)
    _check_reason(reason)
    return _write(
        build=lambda rows: [_Change(item, location, expiry_date, delta, MovementKind.ADJUSTED)],
        pairs=_pairs([line]),
        user=user,
        reason=reason,
        source=None,
        idempotency_key=idempotency_key,
    )


@_replayable(lambda kw: [kw["location"].hub_id])
def stock_count(
    *,
    item: Item,
    location: StorageLocation,
    counted_quantity: int,
    user: User | None,
    reason: str = "",
    expiry_date: date | None = None,
    idempotency_key: str | None = None,
) -> list[StockMovement]:
    """Record a physical count: the balance becomes `counted_quantity` through one `counted`
    movement of the difference (zero when the count agrees, so the count is on record)."""
    line = StockLine(item, location, counted_quantity, expiry_date)
    _check_line(line, allow_zero=True)

    def build(rows: dict) -> list[_Change]:
        row = rows.get(_key(item, location, expiry_date))
        delta = counted_quantity - (row.quantity if row else 0)
        return [_Change(item, location, expiry_date, delta, MovementKind.COUNTED)]

    return _write(
        build=build,
        pairs=_pairs([line]),
        user=user,
        reason=reason or Reason("count"),
        source=None,
        idempotency_key=idempotency_key,
    )


@_replayable(lambda kw: [kw["movement"].location.hub_id])
def stock_void(
    *,
    movement: StockMovement,
    user: User | None,
    reason: str,
    idempotency_key: str | None = None,
) -> list[StockMovement]:
    """Reverse every movement of the operation `movement` belongs to by new `voided` rows.
    Nothing is deleted. Fails if the goods have already left (the reversal would go below
    zero) or if the operation was voided before."""
    _check_reason(reason)
    if movement.kind == MovementKind.VOIDED:
        raise StockError(_("A void cannot be voided; record a new movement instead."))
    originals = list(
        StockMovement.objects.filter(operation=movement.operation)
        .exclude(quantity=0)
        .select_related("item", "location")
        .order_by("pk")
    )
    if not originals:
        raise StockError(_("Nothing to void: this changed no stock."))
    already_voided = StockError(_("This was already voided."))

    def build(rows: dict) -> list[_Change]:
        # Checked under the lock: a void that waited on a concurrent void of the same
        # operation sees it here, before its reversal could fail for want of stock.
        if StockMovement.objects.filter(reverses__in=originals).exists():
            raise already_voided
        return [
            _Change(m.item, m.location, m.expiry_date, -m.quantity, MovementKind.VOIDED, m)
            for m in originals
        ]

    try:
        return _write(
            build=build,
            pairs={(m.location_id, m.item_id) for m in originals},
            user=user,
            reason=reason,
            source=None,
            idempotency_key=idempotency_key,
        )
    except IntegrityError:
        # A concurrent void of the same operation won the one-to-one `reverses` link.
        raise already_voided from None


@_replayable(lambda kw: [kw["hub"].pk])
def stock_pick(
    *,
    hub: Hub,
    lines: Sequence[PickLine],
    user: User | None,
    reason: str = "",
    held: Mapping[int, int] | None = None,
    idempotency_key: str | None = None,
) -> list[StockMovement]:
    """Take goods out of a hub wherever they are stored, first-expired-first-out across its
    locations (`inventory.picking`), every line or none. `held` (item id -> units) must stay
    in stock: what other delivery runs hold. When stock cannot cover the lines, one
    Shortfall names every item short and by how much."""
    for line in lines:
        quantity_check(line.quantity)
        if line.kind not in REMOVAL_KINDS:
            raise ValueError(f"{line.kind!r} is not a removal")
    location_ids = StorageLocation.objects.filter(hub=hub).values_list("pk", flat=True)
    pairs = {(location_id, line.item.pk) for location_id in location_ids for line in lines}

    def build(rows: dict) -> list[_Change]:
        left = {key: row.quantity for key, row in rows.items()}
        locations = {row.location.pk: row.location for row in rows.values()}
        missing = missing_list(
            stock=left, lines=[(line.item, line.quantity) for line in lines], held=held
        )
        if missing:
            raise Shortfall(hub=hub, missing=missing)
        changes = []
        for line in lines:
            for (item_id, location_id, expiry), taken in fefo_take(
                stock={k: q for k, q in left.items() if k[0] == line.item.pk},
                quantity=line.quantity,
            ):
                left[item_id, location_id, expiry] -= taken
                changes.append(
                    _Change(
                        line.item,
                        locations[location_id],
                        expiry,
                        -taken,
                        line.kind,
                        source=line.source,
                    )
                )
        return changes

    return _write(
        build=build,
        pairs=pairs,
        user=user,
        reason=reason,
        source=None,
        idempotency_key=idempotency_key,
    )


@_replayable(lambda kw: _lines_hubs(kw["returns"]))
def stock_settle(
    *,
    returns: Sequence[StockLine],
    user: User | None,
    reason: str,
    idempotency_key: str | None = None,
) -> list[StockMovement]:
    """What came back from a delivery, or from another hub, goes into stock as `returned`,
    in one write, its pairs locked together in the one order."""
    for line in returns:
        _check_line(line)
    return _write(
        build=lambda rows: [
            _Change(
                line.item,
                line.location,
                line.expiry_date,
                line.quantity,
                MovementKind.RETURNED,
                source=line.source,
            )
            for line in returns
        ],
        pairs=_pairs(returns),
        user=user,
        reason=reason,
        source=None,
        idempotency_key=idempotency_key,
    )


@_replayable(lambda kw: _lines_hubs(kw["arrivals"], kw["extras"], kw["shorts"]))
def stock_arrive(
    *,
    arrivals: Sequence[StockLine],
    extras: Sequence[StockLine],
    shorts: Sequence[StockLine],
    user: User | None,
    reason: str,
    idempotency_key: str | None = None,
) -> list[StockMovement]:
    """Goods sent by another hub of the network enter stock as counted on arrival, in one
    write: what was sent as `transferred`, what came beyond it (`extras`) as `adjusted`.
    A line that came short is put on record at the location it was counted into by a
    `counted` movement of zero (its quantity is the units missing): the reason says by how
    much and why. The caller checks the room first (`room_check`)."""
    for line in [*arrivals, *extras, *shorts]:
        _check_line(line)
        if not line.location.is_active:
            raise StockError(_("%(location)s is no longer in use.") % {"location": line.location})
    _check_reason(reason)
    return _write(
        build=lambda rows: [
            *(
                _Change(
                    line.item,
                    line.location,
                    line.expiry_date,
                    line.quantity,
                    kind,
                    source=line.source,
                )
                for lines, kind in (
                    (arrivals, MovementKind.TRANSFERRED),
                    (extras, MovementKind.ADJUSTED),
                )
                for line in lines
            ),
            *(
                _Change(
                    line.item,
                    line.location,
                    line.expiry_date,
                    0,
                    MovementKind.COUNTED,
                    source=line.source,
                )
                for line in shorts
            ),
        ],
        pairs=_pairs([*arrivals, *extras, *shorts]),
        user=user,
        reason=reason,
        source=None,
        idempotency_key=idempotency_key,
    )


class NoRoom(StockError):
    """A line would take its location past 100 %; `index` is the line's position."""

    def __init__(self, message: str, *, index: int):
        super().__init__(message)
        self.index = index


def room_check(*, hub: Hub, lines: Sequence[StockLine], nowhere: str) -> None:
    """Raise NoRoom unless every line fits in its location's free litres (lines filling
    the same location add up); the message names a location with room, or adds `nowhere`.
    Call it inside the transaction of the stock change: the locations are locked first, so
    two writers filling the last shelf at once are checked one after the other."""
    if not lines:
        return
    locked = locations_lock_read(ids=[line.location.pk for line in lines])
    free = {
        pk: Fill(location.used_litres, location.capacity_litres).free_litres
        for pk, location in locked.items()
        if location.is_active and location.hub_id == hub.pk
    }
    for n, line in enumerate(lines):
        needed = line.quantity * line.item.unit_volume_litres
        if needed <= free.get(line.location.pk, Decimal(0)):
            free[line.location.pk] -= needed
            continue
        # Refused: the hub's other locations are read (not locked) to name one with room.
        roomy = [
            f.location
            for f in location_fill_list(hub=hub)
            if free.get(f.location.pk, f.free_litres) >= needed
        ]
        suggestion = (
            _("%(location)s has room for it.") % {"location": roomy[0].name} if roomy else nowhere
        )
        raise NoRoom(
            _("%(location)s has no room for %(quantity)d %(item)s (%(needed)s L needed).")
            % {
                "location": line.location.display_name,
                "quantity": line.quantity,
                "item": line.item.display_name,
                "needed": formats.number_format(needed, 0),
            }
            + " "
            + suggestion,
            index=n,
        )


@_replayable(lambda kw: [kw["hub"].pk])
def stock_transfer_within_hub(
    *,
    hub: Hub,
    item: Item,
    from_location: StorageLocation,
    to_location: StorageLocation,
    quantity: int,
    user: User | None,
    expiry_date: date | None = None,
    reason: str = "",
    idempotency_key: str | None = None,
) -> list[StockMovement]:
    """A coordinator's move between two locations of one hub: `stock_transfer`, refused
    like a dropoff when the goods would overfill the location they go to."""
    if from_location.hub_id != hub.pk or to_location.hub_id != hub.pk:
        raise StockError(_("Choose two locations of %(hub)s.") % {"hub": hub.name})
    quantity_check(quantity)
    with transaction.atomic():
        # Both locations before the room check locks one: the write locks both.
        locations_lock(ids=[from_location.pk, to_location.pk])
        room_check(
            hub=hub,
            lines=[StockLine(item, to_location, quantity, expiry_date)],
            nowhere=_("No location here has room for it."),
        )
        return stock_transfer(
            item=item,
            from_location=from_location,
            to_location=to_location,
            quantity=quantity,
            user=user,
            expiry_date=expiry_date,
            reason=reason,
            idempotency_key=idempotency_key,
        )


@dataclass(frozen=True)
class CountLine:
    item: Item
    counted_quantity: int
    expiry_date: date | None = None


def location_count(
    *,
    location: StorageLocation,
    lines: Sequence[CountLine],
    user: User | None,
    reason: str,
    idempotency_key: str | None = None,
) -> list[StockMovement]:
    """Record a physical count of many balances of one location at once, all or none: what
    `stock_count` does for one, in one transaction and a fixed number of queries. Each
    balance becomes what was counted through one `counted` movement of the difference
    (zero when the count agrees, so the count is on record)."""
    return stock_count_many(
        lines=[
            StockLine(line.item, location, line.counted_quantity, line.expiry_date)
            for line in lines
        ],
        user=user,
        reason=reason,
        idempotency_key=idempotency_key,
    )


def item_unit_volume_change(*, item: Item, unit_volume_litres: Decimal) -> None:
    """Change how many litres one unit of an item takes, and with it the litres in use of
    every location holding it (recomputed from their balances), in one transaction. Every
    location is locked first, so that no stock write is in flight meanwhile: one that
    started before is finished and counted, one that starts after reads the new volume."""
    if unit_volume_litres <= 0:
        raise StockError(_("The volume of one unit must be more than zero."))
    with transaction.atomic():
        all_locations_lock()
        Item.objects.filter(pk=item.pk).update(unit_volume_litres=unit_volume_litres)
        flow_cache_catalog_changed()
        StorageLocation.objects.filter(
            pk__in=StockBalance.objects.filter(item=item).values("location")
        ).update(used_litres=location_used_litres_sum())
    item.unit_volume_litres = unit_volume_litres


@_replayable(lambda kw: _lines_hubs(kw["lines"]))
def stock_count_many(
    *,
    lines: Sequence[StockLine],
    user: User | None,
    reason: str,
    idempotency_key: str | None = None,
) -> list[StockMovement]:
    """What `location_count` does, across any locations of one hub: each balance becomes
    the line's quantity through one `counted` movement, all or none. For opening stock
    brought in from a spreadsheet."""
    if not lines:
        raise StockError(_("Enter at least one counted quantity."))
    _check_reason(reason)
    if len({line.location.hub_id for line in lines}) > 1:
        raise StockError(_("A count is of one hub's stock."))
    seen = set()
    for line in lines:
        _check_line(line, allow_zero=True)
        key = _key(line.item, line.location, line.expiry_date)
        if key in seen:
            raise StockError(_("%(item)s is counted twice.") % {"item": line.item.display_name})
        seen.add(key)

    def build(rows: dict) -> list[_Change]:
        changes = []
        for line in lines:
            row = rows.get(_key(line.item, line.location, line.expiry_date))
            delta = line.quantity - (row.quantity if row else 0)
            changes.append(
                _Change(line.item, line.location, line.expiry_date, delta, MovementKind.COUNTED)
            )
        return changes

    return _write(
        build=build,
        pairs=_pairs(lines),
        user=user,
        reason=reason,
        source=None,
        idempotency_key=idempotency_key,
    )


def batch_discard(
    *, batch: StockBalance, quantity: int, user: User, idempotency_key: str
) -> list[StockMovement]:
    """Discard `quantity` units of one batch (what the coordinator saw listed as expiring),
    with its date as the reason on record. Only a coordinator of the batch's hub."""
    hub = batch.location.hub
    hub_role_check(
        user=user,
        hub=hub,
        role=Role.COORDINATOR,
        message=_("Only a coordinator of %(hub)s can discard its stock.") % {"hub": hub.name},
        denied=StockDenied,
    )
    expiry = batch.expiry_date
    if expiry is None:
        raise StockError(_("Only a batch with an expiry date is discarded from here."))
    day = formats.date_format(expiry, "SHORT_DATE_FORMAT")
    expired = expiry < timezone.localdate()
    reason = (_("Expired on %(date)s") if expired else _("Expires on %(date)s")) % {"date": day}
    return stock_remove(
        lines=[StockLine(batch.item, batch.location, quantity, expiry)],
        kind=MovementKind.DISCARDED,
        user=user,
        reason=reason,
        idempotency_key=idempotency_key,
    )


class StockDenied(StockError, Denied):
    """The user is not a coordinator of the stock's hub."""


# --- the one write path -------------------------------------------------------------------


def _write(
    *,
    build: Callable[[dict], list[_Change]],
    pairs: set[StockPair],
    user: User | None,
    reason: str,
    source: models.Model | None,
    idempotency_key: str | None,
    held: ReceiptHold | None = None,
) -> list[StockMovement]:
    """Lock the (location, item) pairs, let `build` decide the changes from their locked
    balances, apply them by guarded updates and write the ledger rows, all or nothing.
    `held`: the caller's transaction holds the locks and the balance rows already."""
    key = idempotency_key or uuid.uuid4().hex
    try:
        # A held receipt is part of its caller's transaction, which undoes it on failure.
        with transaction.atomic(savepoint=held is None):
            if held is None:
                # Their rows carry the litres in use: locked first, in the one order.
                locations_lock(ids={location_id for location_id, _ in pairs})
                stock_pairs_lock(pairs=pairs)
                # A retry that waited on the locks behind its own first attempt finds it here.
                if idempotency_key and (earlier := _movements_for_key(idempotency_key)):
                    return earlier
                rows = _lock(pairs)
            else:
                rows = dict(held.rows)
            changes = build(rows)
            movements = _movements(changes, key=key, user=user, reason=reason, source=source)
            # The balances, the litres in use and the ledger rows: one round trip on Postgres.
            # The rows are locked: the guard is the last line of defence.
            written = sql.writes_run(updates=_apply(changes, rows), rows=movements)
            if not written:  # pragma: no cover
                raise StockError(_("Stock changed while saving; nothing was recorded. Try again."))
            if movements:
                flow_cache_written(
                    hub_ids={c.location.hub_id for c in changes},
                    oldest=min(
                        [m.created_at for m in movements]
                        + [c.reverses.created_at for c in changes if c.reverses]
                    ),
                )
            capacity_check(
                location_ids={c.location.pk for c in changes if c.delta},
                held_hub=held.hub if held else None,
                seen=held.fills_after if held else None,
            )
            pairs_changed = {(c.location.hub_id, c.item.pk) for c in changes if c.delta}
            if pairs_changed:
                # After commit, in its own transaction: it reads the stock as committed
                # and takes no lock while this change holds its own (inventory.stock_alerts).
                transaction.on_commit(
                    functools.partial(minimums_after_commit, pairs=pairs_changed), robust=True
                )
            return movements
    except IntegrityError:
        if held is not None:
            raise
        # The same key committed by a concurrent request: answer with its result.
        earlier = _movements_for_key(key)
        if earlier:
            return earlier
        raise


def _lock(pairs: set[StockPair], *, quantities_only: bool = False) -> dict:
    """The pairs' balance rows, locked, by (item id, location id, expiry date).
    `quantities_only`: without their items and locations (a receipt adds to them)."""
    lock = balance_quantities_lock if quantities_only else balances_lock
    return {(r.item_id, r.location_id, r.expiry_date): r for r in lock(pairs=pairs)}


def _apply(changes: list[_Change], rows: dict) -> list[sql.Update]:
    """Check every change against the locked quantities, insert the balance rows that do not
    exist yet with their new quantity (no conflict is possible: the pair's advisory lock is
    held, so nobody else inserts them, and nobody else sees them before commit), and return
    the updates of the others, in one UPDATE still guarded per row so that no balance can go
    below zero, and of the litres in use: the caller runs them with the ledger rows."""
    running = {key: row.quantity for key, row in rows.items()}
    missing: dict[tuple, StockBalance] = {}
    for change in changes:
        key = _key(change.item, change.location, change.expiry_date)
        if key not in running:
            running[key] = 0
            missing[key] = StockBalance.placed(
                item=change.item, location=change.location, expiry_date=change.expiry_date
            )
        if running[key] + change.delta < 0:
            raise InsufficientStock(
                item=change.item,
                location=change.location,
                requested=-change.delta,
                available=running[key],
            )
        running[key] += change.delta
    if missing:
        for key, row in missing.items():
            row.quantity = running[key]
        sql.rows_insert(rows=list(missing.values()))
    deltas = {
        rows[key].pk: running[key] - row.quantity
        for key, row in rows.items()
        if running[key] != row.quantity
    }
    updates = [_balances_change(deltas)] if deltas else []
    if litres := _used_litres_change(changes):
        updates.append(litres)
    return updates


def _balances_change(deltas: dict[int, int]) -> sql.Update:
    """Add each delta to its balance (by pk) in one UPDATE, guarded per row: a balance that
    would go below zero is not changed, and the update then changes fewer rows than it
    must. Plain SQL (Postgres and SQLite alike): the ORM's form of it, a condition and a
    CASE branch per row, cost more to build than to run."""
    case = " ".join(["WHEN %s THEN %s"] * len(deltas))
    ids = ", ".join(["%s"] * len(deltas))
    pairs = [value for pk, delta in deltas.items() for value in (pk, delta)]
    return sql.Update(
        # Only placeholders are joined into the text.
        f"UPDATE inventory_stockbalance SET quantity = quantity + CASE id {case} END"  # noqa: S608
        f" WHERE id IN ({ids}) AND quantity + CASE id {case} END >= 0",
        [*pairs, *deltas, *pairs],
        rows=len(deltas),
    )


def _used_litres_change(changes: list[_Change]) -> sql.Update | None:
    """Change the litres in use of the changed locations (locked by `_write`) in one
    UPDATE, by the units changed x their item's unit volume as stored now: read in the
    statement, not from the caller's Item, which may predate a change of the volume. Plain
    SQL (Postgres and SQLite alike): the ORM's form of it, a subquery per item, cost more to
    build than to run."""
    units: dict[tuple[int, int], int] = {}
    for change in changes:
        key = (change.location.pk, change.item.pk)
        units[key] = units.get(key, 0) + change.delta
    rows = [(location_id, item_id, n) for (location_id, item_id), n in units.items() if n]
    if not rows:
        return None
    changed = " UNION ALL ".join(["SELECT %s AS location_id, %s AS item_id, %s AS n"] * len(rows))
    locations = sorted({location_id for location_id, _item, _n in rows})
    return sql.Update(
        # Only placeholders are joined into the text.
        "UPDATE inventory_storagelocation SET used_litres = used_litres + COALESCE(("  # noqa: S608
        "  SELECT SUM(c.n * i.unit_volume_litres) FROM inventory_item i"
        f"  JOIN ({changed}) c ON i.id = c.item_id"
        "  WHERE c.location_id = inventory_storagelocation.id"
        f"), 0) WHERE id IN ({', '.join(['%s'] * len(locations))})",
        [value for row in rows for value in row] + locations,
    )


def _movements(
    changes: list[_Change],
    *,
    key: str,
    user: User | None,
    reason: str,
    source: models.Model | None,
) -> list[StockMovement]:
    """The ledger rows of the changes, unsaved: one operation, its key on the first row."""
    operation = uuid.uuid4()
    return [
        StockMovement(
            kind=change.kind,
            item=change.item,
            location=change.location,
            quantity=change.delta,
            expiry_date=change.expiry_date,
            created_by=user if user and user.is_authenticated else None,
            reason=reason[:255],
            reason_code=getattr(reason, "code", ""),
            reason_params=getattr(reason, "params", {}),
            operation=operation,
            # The key sits on the operation's first row; its other rows share `operation`.
            idempotency_key=key if n == 0 else None,
            reverses=change.reverses,
            source=change.source or source,
        )
        for n, change in enumerate(changes)
    ]


def _movements_for_key(key: str) -> list[StockMovement]:
    first = StockMovement.objects.filter(idempotency_key=key).only("operation").first()
    if first is None:
        return []
    return list(StockMovement.objects.filter(operation=first.operation).order_by("pk"))


# --- checks and allocation ----------------------------------------------------------------


def _key(item: Item, location: StorageLocation, expiry: date | None) -> tuple:
    return (item.pk, location.pk, expiry)


def _pairs(lines: Sequence[StockLine]) -> set[StockPair]:
    return {(line.location.pk, line.item.pk) for line in lines}


def quantity_check(quantity: int, *, allow_zero: bool = False) -> None:
    """Raise StockError unless `quantity` is a whole number of units a line may carry."""
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise StockError(_("Quantity must be a whole number."))
    if quantity < 0 or (quantity == 0 and not allow_zero):
        raise StockError(_("Quantity must be more than zero."))
    if quantity > MAX_QUANTITY:
        raise StockError(_("Quantity must be at most %(max)d per line.") % {"max": MAX_QUANTITY})


def _check_line(line: StockLine, *, allow_zero: bool = False) -> None:
    quantity_check(line.quantity, allow_zero=allow_zero)
    if line.expiry_date is not None:
        if not isinstance(line.expiry_date, date):
            raise StockError(_("The expiry date is not a date."))
        if not line.item.tracks_expiry:
            raise StockError(_("%(item)s has no expiry date.") % {"item": line.item})


def _check_reason(reason: str) -> None:
    if not reason.strip():
        raise StockError(_("Give a reason for the record."))


def _takes_fefo(line: StockLine) -> bool:
    return line.item.tracks_expiry and line.expiry_date is None


def _allocate(line: StockLine, left: dict) -> list[tuple[date | None, int]]:
    """Which expiry dates a removal takes from, soonest first (undated last). `left` is
    the running quantity per balance and is drawn down, so lines share it correctly."""
    if not _takes_fefo(line):
        key = _key(line.item, line.location, line.expiry_date)
        available = left.get(key, 0)
        if available < line.quantity:
            raise InsufficientStock(
                item=line.item,
                location=line.location,
                requested=line.quantity,
                available=available,
            )
        left[key] = available - line.quantity
        return [(line.expiry_date, line.quantity)]
    stock = {k: q for k, q in left.items() if k[0] == line.item.pk and k[1] == line.location.pk}
    available = sum(stock.values())
    if available < line.quantity:
        raise InsufficientStock(
            item=line.item, location=line.location, requested=line.quantity, available=available
        )
    taken = fefo_take(stock=stock, quantity=line.quantity)
    for key, quantity in taken:
        left[key] -= quantity
    return [(key[2], quantity) for key, quantity in taken]


# --- items added at the table, reviewed by a coordinator -----------------------------------


def item_keep(*, item: Item, name: str, category, unit: str, unit_volume_litres: Decimal) -> Item:
    """Keep an item a volunteer added at the table, under a proper name and unit volume: it
    is an item of the catalog like any other from now on. Its stock stays where it is."""
    name = " ".join(name.split())
    if not item.needs_review or item.merged_into_id:
        raise StockError(_("%(item)s is not waiting for review.") % {"item": item.display_name})
    if not name:
        raise StockError(_("Give the item a name."))
    if Item.objects.filter(name__iexact=name).exclude(pk=item.pk).exists():
        raise StockError(
            _("%(name)s is in the catalog already: merge into it instead.") % {"name": name}
        )
    if not isinstance(unit_volume_litres, Decimal) or not Decimal("0.001") <= unit_volume_litres:
        raise StockError(_("The volume of one unit must be more than zero."))
    item.name, item.category, item.unit = name, category, unit
    item.unit_volume_litres, item.needs_review = unit_volume_litres, False
    item.save()
    return item


def item_merge(
    *, item: Item, into: Item, user: User | None, idempotency_key: str | None = None
) -> list[StockMovement]:
    """Merge an item a volunteer added at the table into an item of the catalog: all its
    stock, wherever it is, moves to `into` by `merged` movements (out of one, into the
    other, same location and expiry) whose source is the merged item, in one transaction
    with the item marked merged (inactive, `merged_into`), so its own history stays on
    record and leads to where its stock went. The ledger is never rewritten."""
    if item.pk == into.pk:
        raise StockError(_("Choose another item to merge into."))
    if not into.is_active or into.merged_into_id:
        raise StockError(_("%(item)s is no longer in the catalog.") % {"item": into.display_name})
    reason = Reason("merged", item=item.name, into=into.name)
    with transaction.atomic():
        # NO KEY: dropoffs insert rows that point at the item meanwhile (inventory.locks).
        locked = Item.objects.select_for_update(no_key=True).get(pk=item.pk)
        if not locked.needs_review or locked.merged_into_id:
            raise StockError(_("%(item)s is not waiting for review.") % {"item": item.display_name})
        location_ids = set(
            StockBalance.objects.filter(item=item, quantity__gt=0).values_list(
                "location", flat=True
            )
        )
        pairs = {(pk, i.pk) for pk in location_ids for i in (item, into)}

        def build(rows: dict) -> list[_Change]:
            changes = []
            for (item_id, _location_id, expiry), row in sorted(
                rows.items(), key=lambda kv: (kv[0][1], str(kv[0][2]))
            ):
                if item_id != item.pk or row.quantity == 0:
                    continue
                # An item without expiry dates takes the goods undated.
                kept = expiry if into.tracks_expiry else None
                changes.append(
                    _Change(item, row.location, expiry, -row.quantity, MovementKind.MERGED)
                )
                changes.append(_Change(into, row.location, kept, row.quantity, MovementKind.MERGED))
            return changes

        movements = (
            _write(
                build=build,
                pairs=pairs,
                user=user,
                reason=reason,
                source=item,
                idempotency_key=idempotency_key,
            )
            if pairs
            else []
        )
        Item.objects.filter(pk=item.pk).update(
            is_active=False, needs_review=False, merged_into=into, merged_at=timezone.now()
        )
        # The next scan of its code at the table finds the item it was merged into.
        item_barcodes_move(item=item, into=into)
        catalog_changed.send(sender=Item)
    item.refresh_from_db()
    return movements


ALIASES_MAX = 500


def item_aliases_set(*, item: Item, aliases: str) -> Item:
    """The other names an item is found by at the dropoff table (any language), kept as a
    comma-separated list without repeats; its search text follows on save."""
    names: list[str] = []
    for name in aliases.split(","):
        name = " ".join(name.split())
        if name and name.casefold() not in {n.casefold() for n in names}:
            names.append(name)
    joined = ", ".join(names)
    if len(joined) > ALIASES_MAX:
        raise StockError(
            _("Keep the other names under %(max)d characters in all.") % {"max": ALIASES_MAX}
        )
    item.aliases = joined
    item.save(update_fields=["aliases"])
    return item
