"""Reads for destinations and their needs. Each runs a fixed number of queries, whatever the
number of hubs, destinations, needs or balances."""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import cast

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, F, Min, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from deliveries.models import (
    RUN_OPEN_STATUSES,
    Destination,
    DestinationNeed,
    NeedPriority,
    NeedRequestStatus,
    Run,
    RunStatus,
    Stop,
    StopLine,
    StopStatus,
    Transfer,
    TransferLine,
    TransferStatus,
)
from deliveries.reservations import held_before_map, open_run_lines, reserved_map
from hub.access import hub_role_allowed
from hub.models import Hub
from hub.roles import Role
from hub.translated import translated_text
from inventory.models import Item, StockBalance, StockMovement, StorageLocation, Unit
from inventory.picking import Missing, fefo_take, missing_list

ITEM = "item"
CATEGORY = "category"


@dataclass(frozen=True)
class MostNeeded:
    """What a hub's destinations need, summed over them, beyond what the hub has in stock.
    Holds no destination: the public sees needs per item or category only."""

    kind: str  # ITEM or CATEGORY
    pk: int  # of the item or the category
    name: str
    category_id: int
    category_code: str
    unit: str  # the item's unit; "" for a category (any of its items, counted in units)
    needed: int
    in_stock: int  # free: on the shelves, less what open runs hold
    priority: int  # the most urgent of the needs summed

    @property
    def shortfall(self) -> int:
        return self.needed - self.in_stock

    @property
    def priority_code(self) -> str:
        return NeedPriority(self.priority).name.lower()

    @property
    def priority_label(self) -> str:
        return str(NeedPriority(self.priority).label)

    @property
    def unit_label(self) -> str:
        return str(Unit(self.unit).label) if self.unit else ""


def most_needed_list(*, hub: Hub, limit: int = 10) -> list[MostNeeded]:
    """The items and categories the hub's active destinations need most that the hub is
    short of, most urgent first, then the largest shortfall (three queries)."""
    return most_needed_map(hubs=[hub], limit=limit).get(hub.pk, [])


def most_needed_map(*, hubs: list[Hub], limit: int = 10) -> dict[int, list[MostNeeded]]:
    """hub id -> `most_needed_list` of that hub, for many hubs in the same three queries.

    For each item (or category) that the hub's active destinations need, the shortfall is
    the quantity they need, summed over them, less the hub's free stock of that item (or of
    all items of that category): on its shelves, less what its open runs hold. Only
    shortfalls above zero are kept; a sum of needs of mixed priorities takes the most urgent
    one."""
    needs = list(
        DestinationNeed.objects.filter(destination__hub__in=hubs, destination__is_active=True)
        .filter(Q(item__isnull=True) | Q(item__is_active=True))
        .values(
            "destination__hub_id",
            "item_id",
            "item__name",
            "item__translations",
            "item__unit",
            "item__category_id",
            "item__category__code",
            "category_id",
            "category__name",
            "category__translations",
            "category__code",
        )
        .annotate(needed=Sum("quantity"), urgency=Min("priority"))
        .order_by()
    )
    if not needs:
        return {}

    item_ids = {n["item_id"] for n in needs if n["item_id"]}
    category_ids = {n["category_id"] for n in needs if n["category_id"]}
    item_stock: dict[tuple[int, int], int] = defaultdict(int)
    category_stock: dict[tuple[int, int], int] = defaultdict(int)
    balances = (
        StockBalance.objects.filter(location__hub__in=hubs, quantity__gt=0)
        .filter(Q(item_id__in=item_ids) | Q(item__category_id__in=category_ids))
        .values_list("location__hub_id", "item_id", "item__category_id")
        .annotate(total=Sum("quantity"))
        .order_by()
    )
    for hub_id, item_id, category_id, total in balances:
        item_stock[hub_id, item_id] += total
        category_stock[hub_id, category_id] += total
    # What open runs hold is not free: it is already promised to a destination.
    held = (
        open_run_lines(hub_ids=[hub.pk for hub in hubs])
        .filter(Q(item_id__in=item_ids) | Q(item__category_id__in=category_ids))
        .values_list("stop__run__hub_id", "item_id", "item__category_id")
        .annotate(total=Sum("quantity"))
        .order_by()
    )
    for hub_id, item_id, category_id, total in held:
        item_stock[hub_id, item_id] -= total
        category_stock[hub_id, category_id] -= total

    by_hub: dict[int, list[MostNeeded]] = defaultdict(list)
    for n in needs:
        hub_id = n["destination__hub_id"]
        if n["item_id"]:
            need = MostNeeded(
                kind=ITEM,
                pk=n["item_id"],
                name=translated_text(n["item__name"], n["item__translations"]),
                category_id=n["item__category_id"],
                category_code=n["item__category__code"],
                unit=n["item__unit"],
                needed=n["needed"],
                in_stock=max(item_stock[hub_id, n["item_id"]], 0),
                priority=n["urgency"],
            )
        else:
            need = MostNeeded(
                kind=CATEGORY,
                pk=n["category_id"],
                name=translated_text(n["category__name"], n["category__translations"]),
                category_id=n["category_id"],
                category_code=n["category__code"],
                unit="",
                needed=n["needed"],
                in_stock=max(category_stock[hub_id, n["category_id"]], 0),
                priority=n["urgency"],
            )
        if need.shortfall > 0:
            by_hub[hub_id].append(need)
    return {
        hub_id: sorted(rows, key=lambda n: (n.priority, -n.shortfall, n.name))[:limit]
        for hub_id, rows in by_hub.items()
    }


# --- delivery runs ------------------------------------------------------------------------


def run_get(*, hub: Hub, pk: int) -> Run:
    """The hub's run with its driver, stops, destinations and lines (four queries), or 404."""
    lines = StopLine.objects.select_related("item").order_by("pk")
    stops = (
        # A stop at another hub: its goods' transfer, in transit or received there.
        Stop.objects.select_related("destination", "transfer__to_hub")
        .prefetch_related(Prefetch("lines", queryset=lines))
        .order_by("position")
    )
    return get_object_or_404(
        Run.objects.select_related("driver", "hub").prefetch_related(
            Prefetch("stops", queryset=stops)
        ),
        hub=hub,
        pk=pk,
    )


def run_list(*, hub: Hub, status: str | None = None) -> QuerySet[Run]:
    """The hub's runs, latest planned first, with their number of stops and units."""
    runs = (
        Run.objects.filter(hub=hub)
        .select_related("driver")
        .annotate(
            stop_count=Count("stops", distinct=True),
            unit_count=Coalesce(Sum("stops__lines__quantity"), 0),
        )
        .order_by("-planned_at", "-pk")
    )
    return runs.filter(status=status) if status else runs


def run_list_for_day(*, hub: Hub, day: date) -> list[Run]:
    """The runs planned for `day` (in the hub's time zone), earliest first."""
    start, end = _days(since=day, until=day)
    return list(
        run_list(hub=hub)
        .filter(planned_at__gte=start, planned_at__lt=end)
        .order_by("planned_at", "pk")
    )


def driver_run_list(*, hub: Hub, user) -> list[Run]:
    """The runs this person drives that are not over yet."""
    return list(
        run_list(hub=hub)
        .filter(driver=user, status__in=[*RUN_OPEN_STATUSES, RunStatus.OUT_FOR_DELIVERY])
        .order_by("planned_at", "pk")
    )


def run_drive_allowed(*, run: Run, user) -> bool:
    """The run's driver and the hub's coordinators may see the driver view and mark stops."""
    role = None if user.pk == run.driver_id else Role.COORDINATOR
    return hub_role_allowed(user=user, hub=run.hub_id, role=role)


def dispatch_picks(*, lines: Iterable[StopLine]) -> QuerySet[StockMovement]:
    """The stock movements that took these lines out of stock at dispatch."""
    return StockMovement.objects.filter(
        source_type=ContentType.objects.get_for_model(StopLine),
        source_id__in=[line.pk for line in lines],
        quantity__lt=0,
    ).select_related("location")


@dataclass
class PickRow:
    item: Item
    expiry_date: date | None
    quantity: int
    stops: list[int] = field(default_factory=list)  # positions of the stops it is for


@dataclass
class PickGroup:
    location: StorageLocation
    rows: list[PickRow]


@dataclass(frozen=True)
class PickList:
    groups: list[PickGroup]
    shortfalls: list[Missing]


def pick_list(*, run: Run) -> PickList:
    """What to take from which shelf for the run, grouped by storage location, soonest
    expiry first: before dispatch, what dispatch will take from current stock, leaving
    what earlier runs hold (the same allocation, inventory.picking); after it, what it
    took (three queries before dispatch, two after)."""
    lines = list(
        StopLine.objects.filter(stop__run=run)
        .select_related("item", "stop")
        .order_by("stop__position", "pk")
    )
    taken: list[tuple[StopLine, StorageLocation, date | None, int]] = []
    shortfalls = []
    if run.is_open:
        balances = list(
            StockBalance.objects.filter(
                location__hub_id=run.hub_id,
                item__in={line.item_id for line in lines},
                quantity__gt=0,
            ).select_related("location")
        )
        left = {(b.item_id, b.location_id, b.expiry_date): b.quantity for b in balances}
        locations = {b.location_id: b.location for b in balances}
        held = held_before_map(run=run, item_ids={line.item_id for line in lines})
        shortfalls = missing_list(
            stock=left, lines=[(line.item, line.quantity) for line in lines], held=held
        )
        takeable: dict[int, int] = defaultdict(int)
        for (item_id, _, _), quantity in left.items():
            takeable[item_id] += quantity
        for item_id, quantity in held.items():
            takeable[item_id] = max(takeable[item_id] - quantity, 0)
        for line in lines:
            takes = min(line.quantity, takeable[line.item_id])
            takeable[line.item_id] -= takes
            for key, quantity in fefo_take(
                stock={k: q for k, q in left.items() if k[0] == line.item_id},
                quantity=takes,
            ):
                left[key] -= quantity
                taken.append((line, locations[key[1]], key[2], quantity))
    else:
        by_pk = {line.pk: line for line in lines}
        for movement in dispatch_picks(lines=lines).order_by("pk"):
            line = by_pk[cast(int, movement.source_id)]  # a pick's source is its stop line
            taken.append((line, movement.location, movement.expiry_date, -movement.quantity))

    groups: dict[int, PickGroup] = {}
    rows: dict[tuple, PickRow] = {}
    for line, location, expiry, quantity in taken:
        group = groups.setdefault(location.pk, PickGroup(location=location, rows=[]))
        key = (location.pk, line.item_id, expiry)
        if key not in rows:
            rows[key] = PickRow(item=line.item, expiry_date=expiry, quantity=0)
            group.rows.append(rows[key])
        rows[key].quantity += quantity
        if line.stop.position not in rows[key].stops:
            rows[key].stops.append(line.stop.position)
    for group in groups.values():
        group.rows.sort(key=lambda r: (r.item.name, r.expiry_date is None, r.expiry_date))
    return PickList(
        groups=sorted(groups.values(), key=lambda g: g.location.name), shortfalls=shortfalls
    )


@dataclass(frozen=True)
class ItemTotal:
    item: Item
    units: int

    @property
    def litres(self) -> Decimal:
        return self.units * self.item.unit_volume_litres


@dataclass(frozen=True)
class RunTotals:
    stops: int
    items: list[ItemTotal]

    @property
    def units(self) -> int:
        return sum(total.units for total in self.items)

    @property
    def litres(self) -> Decimal:
        return sum((total.litres for total in self.items), Decimal(0))


def run_totals(*, run: Run) -> RunTotals:
    """What the run carries, summed per item over its stops, from the stops and lines that
    `run_get` prefetched (no query)."""
    units: dict[int, ItemTotal] = {}
    stops = list(run.stops.all())
    for stop in stops:
        for line in stop.lines.all():
            earlier = units.get(line.item_id)
            units[line.item_id] = ItemTotal(
                item=line.item, units=line.quantity + (earlier.units if earlier else 0)
            )
    return RunTotals(stops=len(stops), items=sorted(units.values(), key=lambda t: t.item.name))


@dataclass(frozen=True)
class Suggestion:
    item: Item
    quantity: int  # what to load: the need, as far as stock not yet on the run covers it
    needed: int
    in_stock: int  # free at the hub: on its shelves, less what open runs (this one too) hold
    priority: int


def stop_line_suggestions(*, run: Run, destination: Destination) -> list[Suggestion]:
    """Lines for a new stop at `destination`, from its standing needs and the hub's stock
    that no open run holds (this one included): an item need asks for that item; a category need
    is filled from that category's items with the most stock (four queries)."""
    needs = list(
        DestinationNeed.objects.filter(destination=destination)
        .filter(Q(item__isnull=True) | Q(item__is_active=True))
        .select_related("item", "category")
        .order_by("priority", "pk")
    )
    if not needs:
        return []
    stock: dict[int, int] = defaultdict(int)
    items: dict[int, Item] = {}
    balances = (
        StockBalance.objects.filter(location__hub_id=run.hub_id, quantity__gt=0)
        .filter(
            Q(item__in=[n.item_id for n in needs if n.item_id])
            | Q(item__category__in=[n.category_id for n in needs if n.category_id])
        )
        .filter(item__is_active=True)
        .values("item")
        .annotate(total=Sum("quantity"))
        .order_by()
    )
    for row in balances:
        stock[row["item"]] += row["total"]
    for item in Item.objects.filter(pk__in=list(stock)):
        items[item.pk] = item
    for (_, item_id), held in reserved_map(hub_ids=[run.hub_id], item_ids=list(stock)).items():
        stock[item_id] -= held

    suggestions: dict[int, Suggestion] = {}
    for need in needs:
        if need.item is not None:
            candidates = [need.item]
        else:
            candidates = sorted(
                (i for i in items.values() if i.category_id == need.category_id),
                key=lambda i: (-stock[i.pk], i.name),
            )
        wanted = need.quantity
        for item in candidates:
            free = stock[item.pk] - (suggestions[item.pk].quantity if item.pk in suggestions else 0)
            take = min(wanted, max(free, 0))
            if item.pk in suggestions:
                if take:
                    earlier = suggestions[item.pk]
                    suggestions[item.pk] = Suggestion(
                        item,
                        earlier.quantity + take,
                        earlier.needed + take,
                        earlier.in_stock,
                        earlier.priority,
                    )
            elif take or need.item_id:
                suggestions[item.pk] = Suggestion(
                    item=item,
                    quantity=take,
                    needed=need.quantity if need.item_id else take,
                    in_stock=max(stock[item.pk], 0),
                    priority=need.priority,
                )
            wanted -= take
            if not wanted:
                break
    return list(suggestions.values())


@dataclass(frozen=True)
class DeliveredTotal:
    name: str
    units: int
    stops: int


def delivered_by_destination_list(*, hub: Hub, since: date, until: date) -> list[DeliveredTotal]:
    """Units delivered to each destination over the days `since` to `until`, inclusive
    (what was brought back is not counted), most first (one query)."""
    rows = (
        _delivered_lines(hub=hub, since=since, until=until)
        .values("stop__destination__name")
        .annotate(units=Sum(F("quantity") - F("returned")), stops=Count("stop", distinct=True))
        .order_by("-units", "stop__destination__name")
    )
    return [DeliveredTotal(r["stop__destination__name"], r["units"], r["stops"]) for r in rows]


def delivered_by_category_list(*, hub: Hub, since: date, until: date) -> list[DeliveredTotal]:
    """Units delivered per category over the days `since` to `until`, inclusive (one query)."""
    rows = (
        _delivered_lines(hub=hub, since=since, until=until)
        .values("item__category__name", "item__category__translations")
        .annotate(units=Sum(F("quantity") - F("returned")), stops=Count("stop", distinct=True))
        .order_by("-units", "item__category__name")
    )
    return [
        DeliveredTotal(
            translated_text(r["item__category__name"], r["item__category__translations"]),
            r["units"],
            r["stops"],
        )
        for r in rows
    ]


def _days(*, since: date, until: date) -> tuple[datetime, datetime]:
    """The days `since` to `until`, both included, as [start, end) in the hub's time zone."""
    start = timezone.make_aware(datetime.combine(since, time.min))
    return start, timezone.make_aware(datetime.combine(until + timedelta(days=1), time.min))


def _delivered_lines(*, hub: Hub, since: date, until: date) -> QuerySet[StopLine]:
    start, end = _days(since=since, until=until)
    return StopLine.objects.filter(
        stop__run__hub=hub,
        stop__status__in=[StopStatus.DELIVERED, StopStatus.PARTIAL],
        stop__delivered_at__gte=start,
        stop__delivered_at__lt=end,
    )


RUN_EXPORT_HEADER = [
    "run",
    "planned_at",
    "run_status",
    "driver",
    "vehicle",
    "stop",
    "destination",
    "destination_kind",
    "stop_status",
    "received_by",
    "delivered_at",
    "item",
    "category",
    "unit",
    "quantity",
    "brought_back",
    "delivered",
]


def run_export_rows(*, hub: Hub, since: date, until: date) -> Iterator[list]:
    """One row per line of the runs planned over the days `since` to `until`, inclusive,
    read in chunks so that any number of runs streams in bounded memory."""
    start, end = _days(since=since, until=until)
    rows = (
        StopLine.objects.filter(
            stop__run__hub=hub, stop__run__planned_at__gte=start, stop__run__planned_at__lt=end
        )
        .order_by("stop__run__planned_at", "stop__run_id", "stop__position", "pk")
        .values_list(
            "stop__run_id",
            "stop__run__planned_at",
            "stop__run__status",
            "stop__run__driver__username",
            "stop__run__vehicle",
            "stop__position",
            "stop__destination__name",
            "stop__destination__kind",
            "stop__status",
            "stop__received_by",
            "stop__delivered_at",
            "item__name",
            "item__category__name",
            "item__unit",
            "quantity",
            "returned",
        )
    )
    for row in rows.iterator(chunk_size=2000):
        *head, quantity, returned = row
        head[1] = timezone.localtime(cast(datetime, head[1])).isoformat(timespec="minutes")
        if head[10]:
            head[10] = timezone.localtime(cast(datetime, head[10])).isoformat(timespec="minutes")
        yield [*head, quantity, returned, quantity - returned]


# --- destinations (coordinators) ---------------------------------------------------------------


def destination_list(*, hub: Hub) -> QuerySet[Destination]:
    """The hub's destinations, active ones first, by name, each with `need_count` and
    `new_request_count` (requests from its private link waiting for a coordinator)."""
    return (
        Destination.objects.filter(hub=hub)
        .select_related("receiving_hub")
        .annotate(
            need_count=Count("needs", distinct=True),
            new_request_count=Count(
                "need_requests",
                filter=Q(need_requests__status=NeedRequestStatus.NEW),
                distinct=True,
            ),
        )
        .order_by("-is_active", "name")
    )


def destination_get(*, hub: Hub, pk: int) -> Destination:
    """One of the hub's destinations with its needs (item, category) prefetched; 404 for
    another hub's, so they are not even confirmed."""
    destination = (
        Destination.objects.filter(hub=hub, pk=pk)
        .select_related("hub", "receiving_hub")
        .prefetch_related("needs__item__category", "needs__category")
        .first()
    )
    if destination is None:
        raise Http404("No such destination")
    return destination


def destination_need_get(*, destination: Destination, pk: int) -> DestinationNeed:
    need = (
        DestinationNeed.objects.filter(destination=destination, pk=pk)
        .select_related("item", "category")
        .first()
    )
    if need is None:
        raise Http404("No such need")
    need.destination = destination
    return need


def destination_choice_list(*, hub: Hub, run: Run) -> QuerySet[Destination]:
    """The hub's active destinations that are not a stop of the run yet: where a new stop
    can go."""
    return (
        Destination.objects.filter(hub=hub, is_active=True).exclude(stops__run=run).order_by("name")
    )


def driver_choice_list(*, hub: Hub) -> QuerySet:
    """Who can drive the hub's runs: its active members, by name."""
    return (
        get_user_model()
        .objects.filter(memberships__hub=hub, is_active=True)
        .order_by("first_name", "last_name", "username")
    )


def draft_run_choice_list(*, hub: Hub) -> list[Run]:
    """The hub's draft runs, soonest planned first: where a batch can be put."""
    return list(Run.objects.filter(hub=hub, status=RunStatus.DRAFT).order_by("planned_at", "pk"))


def destination_active_list(*, hub: Hub) -> list[Destination]:
    return list(Destination.objects.filter(hub=hub, is_active=True).order_by("name"))


# --- transfers between hubs ---------------------------------------------------------------


def transfer_arriving_list(*, hub: Hub) -> list[Transfer]:
    """Goods on their way to the hub, oldest first, with their lines (two queries)."""
    return list(
        Transfer.objects.filter(to_hub=hub, status=TransferStatus.IN_TRANSIT)
        .select_related("from_hub", "stop__run")
        .prefetch_related(Prefetch("lines", TransferLine.objects.select_related("item")))
        .order_by("created_at", "pk")
    )


def transfer_outgoing_list(*, hub: Hub, limit: int = 20) -> list[Transfer]:
    """What the hub sent lately, still in transit first (two queries)."""
    return list(
        Transfer.objects.filter(from_hub=hub)
        .select_related("to_hub", "stop__run")
        .prefetch_related(Prefetch("lines", TransferLine.objects.select_related("item")))
        .order_by("status", "-created_at", "-pk")[:limit]
    )


def transfer_get(*, hub: Hub, pk: int) -> Transfer:
    """A transfer from or to the hub; 404 for any other."""
    return get_object_or_404(
        Transfer.objects.filter(Q(from_hub=hub) | Q(to_hub=hub))
        .select_related("from_hub", "to_hub", "stop__run")
        .prefetch_related(Prefetch("lines", TransferLine.objects.select_related("item"))),
        pk=pk,
    )


def receiving_location_choices(*, hub: Hub) -> QuerySet[StorageLocation]:
    return StorageLocation.objects.filter(hub=hub, is_active=True).order_by("name")
