"""Reads of stock and fill. Each runs a fixed number of queries, whatever the ledger size:
they read the materialized balances, never the ledger (except the nightly consistency check,
`ledger_mismatch_list`, whose point is to read it all)."""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import DecimalField, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncHour
from django.shortcuts import get_object_or_404
from django.utils import timezone

from hub.models import Hub
from hub.translated import translated_text
from inventory.flow_cache import flow_cache_get, flow_cache_key, flow_cache_set
from inventory.models import (
    CAPACITY_LEVELS,
    CapacityAlert,
    Category,
    Item,
    MovementKind,
    StockBalance,
    StockMinimum,
    StockMovement,
    StorageLocation,
)
from inventory.reasons import reason_show

LITRES = DecimalField(max_digits=18, decimal_places=3)


@dataclass(frozen=True)
class Fill:
    used_litres: Decimal
    capacity_litres: Decimal

    @property
    def percent(self) -> Decimal:
        if not self.capacity_litres:
            return Decimal(0)
        return (self.used_litres * 100 / self.capacity_litres).quantize(Decimal("0.1"))

    @property
    def free_litres(self) -> Decimal:
        return max(self.capacity_litres - self.used_litres, Decimal(0))


@dataclass(frozen=True)
class LocationFill(Fill):
    location: StorageLocation


def location_fill_list(*, hub: Hub) -> list[LocationFill]:
    """Fill of each active location of the hub: one query over its location rows, which
    carry their litres in use (kept by inventory.services), whatever the stock's size."""
    return [
        LocationFill(used_litres=loc.used_litres, capacity_litres=loc.capacity_litres, location=loc)
        for loc in StorageLocation.objects.filter(hub=hub, is_active=True).order_by("name")
    ]


def hub_fill(*, hub: Hub, locations: list[LocationFill] | None = None) -> Fill:
    """Fill of the whole hub: the sum over its active locations (one query, or none when
    the caller already has the per-location fill)."""
    if locations is None:
        locations = location_fill_list(hub=hub)
    return Fill(
        used_litres=sum((f.used_litres for f in locations), Decimal(0)),
        capacity_litres=sum((f.capacity_litres for f in locations), Decimal(0)),
    )


def stock_level_list(*, hub: Hub) -> QuerySet[StockBalance]:
    """Everything in stock at the hub, one row per item, location and expiry date, by
    category order, item name, location name and expiry date: the order each balance
    carries (its sort key), read in order from the index of the hub's balances in stock."""
    return (
        StockBalance.objects.filter(hub=hub, quantity__gt=0)
        .select_related("item__category", "location")
        .order_by("sort_key", "id")
    )


def stock_level_rows(*, hub: Hub, chunk_size: int) -> Iterator[tuple]:
    """The stock levels of `stock_level_list`, as the export's columns, read in chunks so
    that a large stock streams."""
    rows = (
        stock_level_list(hub=hub)
        .values_list(
            "item__name",
            "item__translations",
            "item__category__name",
            "item__category__translations",
            "location__name",
            "location__translations",
            "expiry_date",
            "quantity",
            "item__unit",
            "item__unit_volume_litres",
        )
        .iterator(chunk_size=chunk_size)
    )
    # Names in the reader's language, as the pages show them.
    return (
        (translated_text(i, it), translated_text(c, ct), translated_text(loc, lt), *rest)
        for i, it, c, ct, loc, lt, *rest in rows
    )


FORECAST_WINDOW = timedelta(hours=6)


def hours_to_full(
    *, fill: Fill, location_ids: list[int], now: datetime | None = None
) -> Decimal | None:
    """About how many hours until `fill` reaches its capacity, at the net inflow (in litres)
    of the last 6 hours into those locations; None when nothing net is coming in, or when
    it has no room left (it is full: there is nothing to forecast)."""
    if fill.free_litres <= 0:
        return None
    since = (now or timezone.now()) - FORECAST_WINDOW
    inflow = StockMovement.objects.filter(
        location_id__in=location_ids, created_at__gte=since
    ).aggregate(litres=_INFLOW)["litres"]
    return _hours_left(fill, inflow)


def hub_hours_to_full_map(
    *, fills: Mapping[int, Fill], now: datetime | None = None
) -> dict[int, Decimal | None]:
    """hub id -> `hours_to_full` of the hub's `fill` over all its locations, for many hubs
    in one query."""
    since = (now or timezone.now()) - FORECAST_WINDOW
    inflows = dict(
        StockMovement.objects.filter(
            location__hub_id__in=list(fills), location__is_active=True, created_at__gte=since
        )
        .values_list("location__hub_id")
        .annotate(litres=_INFLOW)
        .order_by()
    )
    return {hub_id: _hours_left(fill, inflows.get(hub_id)) for hub_id, fill in fills.items()}


_INFLOW = Sum(F("quantity") * F("item__unit_volume_litres"), output_field=LITRES)


def _hours_left(fill: Fill, inflow: Decimal | None) -> Decimal | None:
    if fill.free_litres <= 0 or not inflow or inflow <= 0:
        return None
    per_hour = inflow / Decimal(FORECAST_WINDOW.total_seconds() / 3600)
    return max((fill.free_litres / per_hour).quantize(Decimal("0.1")), Decimal("0.1"))


EXPIRING_DAYS = 14


def stock_search_list(
    *,
    hub: Hub,
    query: str = "",
    category_id: int | None = None,
    location_id: int | None = None,
    expiring_by: date | None = None,
) -> QuerySet[StockBalance]:
    """What is in stock at the hub, narrowed by name, category, location and expiry (on or
    before `expiring_by`, already expired included: then soonest first). Ordered by fields
    of the balance ending in its id, so that it can be paged by keyset (hub.paging)."""
    balances = stock_level_list(hub=hub)
    if query.strip():
        balances = balances.filter(item__name__icontains=query.strip())
    if category_id is not None:
        balances = balances.filter(item__category_id=category_id)
    if location_id is not None:
        balances = balances.filter(location_id=location_id)
    if expiring_by is not None:
        balances = balances.filter(expiry_date__lte=expiring_by).order_by(
            "expiry_date", "sort_key", "id"
        )
    return balances


def expiring_soon_list(
    *, hub: Hub, today: date, days: int = EXPIRING_DAYS
) -> QuerySet[StockBalance]:
    """Stock that expires within `days` (or has expired), soonest first."""
    return stock_search_list(hub=hub, expiring_by=today + timedelta(days=days))


@dataclass(frozen=True)
class UnderMinimum:
    item: Item
    on_hand: int
    minimum: int


def under_minimum_list(*, hub: Hub) -> list[UnderMinimum]:
    """The hub's items with a minimum that its stock is under now, the furthest under
    first (one query)."""
    on_hand = Coalesce(
        Subquery(
            StockBalance.objects.filter(location__hub=hub, item=OuterRef("item"))
            .values("item")
            .annotate(total=Sum("quantity"))
            .values("total")
        ),
        Value(0),
    )
    rows = (
        StockMinimum.objects.filter(hub=hub)
        .annotate(on_hand=on_hand)
        .filter(on_hand__lt=F("minimum"))
        .select_related("item")
        .order_by(F("on_hand") - F("minimum"), "item__name")
    )
    return [UnderMinimum(item=r.item, on_hand=r.on_hand, minimum=r.minimum) for r in rows]


def item_minimum_get(*, hub: Hub, item: Item) -> StockMinimum | None:
    return StockMinimum.objects.filter(hub=hub, item=item).first()


def batch_get(*, hub: Hub, pk: int) -> StockBalance:
    """One batch (an item at a location with one expiry date) of the hub, or 404."""
    return get_object_or_404(
        StockBalance.objects.select_related("item", "location"), location__hub=hub, pk=pk
    )


def location_stock_list(*, location: StorageLocation) -> list[StockBalance]:
    """Everything the ledger says is at one location, in the order a counter walks it."""
    return list(
        StockBalance.objects.filter(location=location, quantity__gt=0)
        .select_related("item")
        .order_by("item__name", "expiry_date")
    )


def item_stock_list(*, hub: Hub, item: Item) -> list[StockBalance]:
    """Where the item is at the hub, per location and expiry date."""
    return list(
        StockBalance.objects.filter(location__hub=hub, item=item, quantity__gt=0)
        .select_related("location")
        .order_by("location__name", "expiry_date")
    )


def item_history_list(*, hub: Hub, item: Item) -> QuerySet[StockMovement]:
    """The item's ledger at the hub, newest first: who, when, why. Page it: it only grows."""
    return (
        StockMovement.objects.filter(location__hub=hub, item=item)
        .select_related("location", "created_by")
        .order_by("-created_at", "-id")
    )


@dataclass(frozen=True)
class HourFlow:
    hour: datetime  # the hour's start, in the current time zone
    in_litres: Decimal
    out_litres: Decimal


INTAKE_KINDS = (MovementKind.RECEIVED,)
OUTFLOW_KINDS = (MovementKind.DELIVERED, MovementKind.DISCARDED)


def flow_by_hour_list(*, hub: Hub, now: datetime | None = None, hours: int = 24) -> list[HourFlow]:
    """Litres received and litres delivered or discarded at the hub in each of the last
    `hours` hours (the current one included), oldest first, summed by the database in one
    query: of the current hour alone while the hours that are over are in the cache
    (inventory.flow_cache), else of them all. Movements that were voided since (an undone
    dropoff) count in neither."""
    tz = timezone.get_current_timezone()
    end = timezone.localtime(now or timezone.now(), tz)
    current = end.replace(minute=0, second=0, microsecond=0)
    first = current - timedelta(hours=hours - 1)
    key = flow_cache_key(hub_id=hub.pk, window=f"{first.isoformat()}:{tz}")
    over = flow_cache_get(key)
    if over is None:
        by_hour = _flow_sums(hub=hub, since=first)
        flow_cache_set(key, {hour: row for hour, row in by_hour.items() if hour < current})
    else:
        by_hour = {**over, **_flow_sums(hub=hub, since=current)}
    flows = []
    for n in range(hours):
        # Step in UTC and convert, so a daylight-saving change still gives whole hours.
        hour = timezone.localtime(first + timedelta(hours=n), tz)
        received, removed = by_hour.get(hour, (None, None))
        flows.append(
            HourFlow(hour=hour, in_litres=received or Decimal(0), out_litres=removed or Decimal(0))
        )
    return flows


def _flow_sums(*, hub: Hub, since: datetime) -> dict[datetime, tuple[Decimal, Decimal]]:
    """hour -> (litres received, litres delivered or discarded) at the hub since `since`."""
    tz = timezone.get_current_timezone()
    litres = F("quantity") * F("item__unit_volume_litres")
    rows = (
        StockMovement.objects.filter(
            location__hub=hub,
            created_at__gte=since,
            kind__in=INTAKE_KINDS + OUTFLOW_KINDS,
        )
        # NOT EXISTS, not the LEFT JOIN ... IS NULL of `reversed_by__isnull`: the planner
        # estimates the anti-join's rows well, so it joins the items by hash, once, instead
        # of a nested loop scanning them per movement of the day (docs/performance.md).
        .filter(~Exists(StockMovement.objects.filter(reverses=OuterRef("pk"))))
        .annotate(hour=TruncHour("created_at", tzinfo=tz))
        .values("hour")
        .annotate(
            received=Sum(litres, filter=Q(kind__in=INTAKE_KINDS), output_field=LITRES),
            removed=Sum(-litres, filter=Q(kind__in=OUTFLOW_KINDS), output_field=LITRES),
        )
        .order_by()
    )
    return {row["hour"]: (row["received"], row["removed"]) for row in rows}


@dataclass(frozen=True)
class CategoryReceived:
    category: str
    units: int
    litres: Decimal


def received_by_category_list(
    *, hub: Hub, since: datetime, until: datetime
) -> list[CategoryReceived]:
    """What the hub received from `since` up to `until`, per category (one query). Voided
    receipts (undone dropoffs) are left out."""
    rows = (
        StockMovement.objects.filter(
            location__hub=hub,
            kind=MovementKind.RECEIVED,
            created_at__gte=since,
            created_at__lt=until,
            reversed_by__isnull=True,
        )
        .values(
            "item__category__name", "item__category__translations", "item__category__sort_order"
        )
        .annotate(
            units=Sum("quantity"),
            litres=Sum(F("quantity") * F("item__unit_volume_litres"), output_field=LITRES),
        )
        .order_by("item__category__sort_order", "item__category__name")
    )
    return [
        CategoryReceived(
            category=translated_text(r["item__category__name"], r["item__category__translations"]),
            units=r["units"],
            litres=r["litres"],
        )
        for r in rows
    ]


@dataclass(frozen=True)
class LedgerMismatch:
    """A balance that is not the sum of its ledger rows (or is below zero)."""

    hub_slug: str
    item: str
    location: str
    expiry_date: date | None
    balance: int | None  # None: no balance row, though the ledger has rows
    ledger: int


def ledger_mismatch_list(*, hub: Hub | None = None) -> list[LedgerMismatch]:
    """Every (item, location, expiry date) whose balance differs from the sum of its
    movements, or is negative; of one hub, or of all. Two grouped queries over the ledger
    and the balances, compared here: the sums are done by the database."""
    movements, balances = StockMovement.objects.all(), StockBalance.objects.all()
    if hub is not None:
        movements = movements.filter(location__hub=hub)
        balances = balances.filter(location__hub=hub)
    ledger = {
        (row["item_id"], row["location_id"], row["expiry_date"]): row["total"]
        for row in movements.values("item_id", "location_id", "expiry_date")
        .order_by()
        .annotate(total=Sum("quantity"))
    }
    stored = {
        (item_id, location_id, expiry): quantity
        for item_id, location_id, expiry, quantity in balances.values_list(
            "item_id", "location_id", "expiry_date", "quantity"
        )
    }
    keys = ledger.keys() | stored.keys()
    wrong = sorted(
        (key for key in keys if _differs(stored.get(key), ledger.get(key))),
        key=lambda key: (key[1], key[0], key[2] is None, key[2] or date.min),
    )
    if not wrong:
        return []
    locations = StorageLocation.objects.select_related("hub").in_bulk({key[1] for key in wrong})
    items = Item.objects.in_bulk({key[0] for key in wrong})
    return [
        LedgerMismatch(
            hub_slug=locations[location_id].hub.slug,
            item=items[item_id].name,
            location=locations[location_id].name,
            expiry_date=expiry,
            balance=stored.get((item_id, location_id, expiry)),
            ledger=ledger.get((item_id, location_id, expiry), 0),
        )
        for item_id, location_id, expiry in wrong
    ]


@dataclass(frozen=True)
class FillMismatch:
    """A location whose litres in use are not the sum of its balances x unit volumes."""

    hub_slug: str
    location: str
    used_litres: Decimal  # as stored on the location
    balance_litres: Decimal  # the sum of its balances


def _balance_litres():
    return F("quantity") * F("item__unit_volume_litres")


def location_used_litres_sum() -> Coalesce:
    """The litres a location's balances take, as a subquery of StorageLocation: what its
    `used_litres` must equal."""
    return Coalesce(
        Subquery(
            StockBalance.objects.filter(location=OuterRef("pk"))
            .order_by()
            .values("location")
            .annotate(litres=Sum(_balance_litres(), output_field=LITRES))
            .values("litres")
        ),
        Value(Decimal(0)),
        output_field=LITRES,
    )


def fill_mismatch_list(*, hub: Hub | None = None) -> list[FillMismatch]:
    """Every location (of one hub, or of all) whose stored litres in use differ from the sum
    of its balances: one query, summed by the database."""
    locations = StorageLocation.objects.select_related("hub").order_by("hub__slug", "name")
    if hub is not None:
        locations = locations.filter(hub=hub)
    return [
        FillMismatch(loc.hub.slug, loc.name, loc.used_litres, loc.balance_litres)
        for loc in locations.annotate(balance_litres=location_used_litres_sum()).exclude(
            used_litres=F("balance_litres")
        )
    ]


def _differs(balance: int | None, ledger: int | None) -> bool:
    # A missing balance row is a zero balance; a zero one may stay after stock left.
    return (balance or 0) != (ledger or 0) or (balance or 0) < 0


def ledger_rows(*, hub: Hub, since: datetime, until: datetime, chunk_size: int) -> Iterator[tuple]:
    """Each stock movement of the period at the hub, oldest first, as the export's columns,
    read in chunks so that a long period streams."""
    rows = (
        StockMovement.objects.filter(location__hub=hub, created_at__gte=since, created_at__lt=until)
        .order_by("created_at", "pk")
        .values_list(
            "pk",
            "created_at",
            "kind",
            "item__name",
            "item__translations",
            "item__category__name",
            "item__category__translations",
            "location__name",
            "location__translations",
            "expiry_date",
            "quantity",
            "created_by__username",
            "reason",
            "reason_code",
            "reason_params",
            "operation",
            "reverses_id",
        )
        .iterator(chunk_size=chunk_size)
    )
    # Names and the software's reasons in the reader's language, as the pages show them.
    return (
        (
            pk,
            at,
            kind,
            translated_text(item, it),
            translated_text(category, ct),
            translated_text(location, lt),
            expiry,
            quantity,
            by,
            reason_show(code=code, params=params, text=reason),
            operation,
            reverses,
        )
        for (
            pk,
            at,
            kind,
            item,
            it,
            category,
            ct,
            location,
            lt,
            expiry,
            quantity,
            by,
            reason,
            code,
            params,
            operation,
            reverses,
        ) in rows
    )


def alert_list(*, hub: Hub) -> QuerySet[CapacityAlert]:
    """The hub's capacity alerts, newest first, with their deliveries."""
    return (
        CapacityAlert.objects.filter(hub=hub)
        .select_related("location", "item", "acknowledged_by")
        .prefetch_related("deliveries")
    )


def alert_open_list(*, hub: Hub, limit: int, capacity_only: bool = False) -> list[CapacityAlert]:
    """The hub's alerts not yet acknowledged, newest first (only the fill alerts with
    `capacity_only`)."""
    alerts = CapacityAlert.objects.filter(hub=hub, acknowledged_at__isnull=True)
    if capacity_only:
        alerts = alerts.filter(level__in=CAPACITY_LEVELS)
    return list(alerts.select_related("location", "item")[:limit])


def alert_get(*, hub: Hub, pk: int) -> CapacityAlert:
    """One of the hub's alerts, or 404."""
    return get_object_or_404(CapacityAlert, hub=hub, pk=pk)


def item_get(*, pk: int) -> Item:
    """An item of the catalog, with its category, or 404."""
    return get_object_or_404(Item.objects.select_related("category"), pk=pk)


def location_active_get(*, hub: Hub, pk: int) -> StorageLocation:
    """One of the hub's active storage locations, or 404."""
    return get_object_or_404(StorageLocation, hub=hub, is_active=True, pk=pk)


def category_list() -> list[Category]:
    """The catalog's categories, in its order."""
    return list(Category.objects.order_by("sort_order", "name"))
