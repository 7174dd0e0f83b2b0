"""Reads for hubs and intake. Each runs a fixed number of queries, whatever the catalog or
ledger size."""

import math
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from statistics import median

from django.core.cache import cache
from django.db.models import (
    Count,
    F,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Window,
    prefetch_related_objects,
)
from django.db.models.functions import RowNumber
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from redis.exceptions import RedisError

from hub import sql
from hub.geo import km_between
from hub.intake.cache import intake_cached, intake_items_cached, intake_locations_cached
from hub.models import (
    CategoryIntake,
    Dropoff,
    DropoffLine,
    Hub,
    IntakeStatus,
    Outcome,
    PinnedTile,
)
from hub.translated import translated_text
from inventory.models import Category, Item, ItemBarcode, StorageLocation
from inventory.search import query_terms
from inventory.selectors import LocationFill

TILE_COUNT = 12
TILE_DAYS = 7
TILE_CACHE_SECONDS = 26 * 3600


def other_hub_list(*, hub: Hub) -> QuerySet[Hub]:
    """The network's other active hubs, by name: where a donor can be sent on."""
    return Hub.objects.filter(is_active=True).exclude(pk=hub.pk).order_by("name")


@dataclass(frozen=True)
class Acceptance:
    """Whether a hub takes a category now, and what to tell the donor."""

    status: str
    reason: str = ""
    reopens_at: datetime | None = None

    @property
    def accepts(self) -> bool:
        return self.status != IntakeStatus.CLOSED


def acceptance_map(*, hubs: list[Hub]) -> dict[tuple[int, int], Acceptance]:
    """(hub id, category id) -> Acceptance, for every category, in two queries; the keys
    come hub by hub in the order of `hubs`."""
    category_ids = list(Category.objects.values_list("pk", flat=True))
    rows = {
        (row.hub_id, row.category_id): row for row in CategoryIntake.objects.filter(hub__in=hubs)
    }
    return {
        (hub.pk, category_id): _acceptance(hub, rows.get((hub.pk, category_id)))
        for hub in hubs
        for category_id in category_ids
    }


ACCEPTANCE_CACHE_SECONDS = 3600


def acceptance_map_cached(*, hub: Hub) -> dict[tuple[int, int], Acceptance]:
    """acceptance_map of one hub, its category rows from the cache (hub.intake.cache): no
    query while neither the catalog nor the hub's category intake changed. The hub's own
    status comes from the `hub` given, read with the request."""

    def rows() -> tuple[list[int], dict[int, CategoryIntake]]:
        return (
            list(Category.objects.values_list("pk", flat=True)),
            {row.category_id: row for row in CategoryIntake.objects.filter(hub=hub)},
        )

    category_ids, by_category = intake_cached(
        name="acceptance", hub_id=hub.pk, compute=rows, timeout=ACCEPTANCE_CACHE_SECONDS
    )
    return {(hub.pk, pk): _acceptance(hub, by_category.get(pk)) for pk in category_ids}


def hub_intake_read(*, hub: Hub, category_ids: set[int]) -> dict[int, Acceptance]:
    """The hub's intake read again into `hub` (its fields INTAKE_FIELDS), and whether it
    takes each of these categories (category id -> Acceptance), from the database in one
    query: for a check under the hub's state lock, where only what is committed counts.
    Plain SQL: every dropoff reads it, and the ORM's form of the join cost it more to build
    than to run."""
    hub_fields = sql.model_fields(Hub, INTAKE_FIELDS)
    row_fields = sql.model_fields(CategoryIntake, _CATEGORY_INTAKE_FIELDS)
    ordered = sorted(category_ids)
    if ordered:
        # One row per category that has a row of its own, or one row with None there.
        select = ", ".join(
            [sql.select_list(hub_fields, table="h"), sql.select_list(row_fields, table="c")]
        )
        join = (
            f" LEFT JOIN {CategoryIntake._meta.db_table} c ON c.hub_id = h.id"
            f" AND c.category_id IN ({sql.placeholders(ordered)})"
        )
    else:
        select, join, row_fields = sql.select_list(hub_fields, table="h"), "", []
    rows = sql.rows_read(
        # Only column names and placeholders are joined into the text.
        sql=f"SELECT {select} FROM {Hub._meta.db_table} h{join} WHERE h.id = %s",  # noqa: S608
        params=[*ordered, hub.pk],
        fields=[*hub_fields, *row_fields],
    )
    for name, value in zip(INTAKE_FIELDS, rows[0], strict=False):
        setattr(hub, name, value)
    found = {}
    for row in rows if row_fields else []:
        values = dict(zip(_CATEGORY_INTAKE_FIELDS, row[len(hub_fields) :], strict=True))
        if values["id"] is not None:
            found[values["category_id"]] = CategoryIntake(hub=hub, **values)
    return {pk: _acceptance(hub, found.get(pk)) for pk in category_ids}


_CATEGORY_INTAKE_FIELDS = ("id", "category_id", "status", "reason", "reopens_at", "translations")


def _acceptance(hub: Hub, row: CategoryIntake | None) -> Acceptance:
    if hub.intake_status == IntakeStatus.CLOSED:
        return Acceptance(IntakeStatus.CLOSED, hub.display_intake_reason, hub.intake_reopens_at)
    if row is not None:
        return Acceptance(row.status, row.display_reason, row.reopens_at)
    if hub.intake_status == IntakeStatus.LIMITED:
        # A limited hub takes only the categories it lists.
        reason = hub.display_intake_reason or _("This hub takes only the categories it lists.")
        return Acceptance(IntakeStatus.CLOSED, reason, hub.intake_reopens_at)
    return Acceptance(IntakeStatus.OPEN)


def intake_tile_list(*, hub: Hub) -> list[Item]:
    """intake_tile_list_read, cached for the day until the catalog or the hub's pins
    change (hub.intake.cache)."""
    return intake_cached(
        name=f"tiles:{timezone.localdate().isoformat()}",
        hub_id=hub.pk,
        compute=lambda: intake_tile_list_read(hub=hub),
        timeout=TILE_CACHE_SECONDS,
    )


def intake_tile_list_read(*, hub: Hub) -> list[Item]:
    """The table's tiles, which stay put through a shift: the items a coordinator pinned,
    in their order, then the items the hub received most in the TILE_DAYS before today
    (accepted lines of dropoffs not undone), then the catalog's order so that a new hub
    has tiles too. The ranking counts whole days only, so it changes at midnight, never
    mid-shift; it is cached for the day."""
    pinned = list(
        PinnedTile.objects.filter(hub=hub, item__is_active=True).values_list("item", flat=True)
    )
    ranked = [pk for pk in tile_ranking(hub=hub) if pk not in pinned]
    chosen = (pinned + ranked)[:TILE_COUNT]
    items = Item.objects.filter(is_active=True, needs_review=False).select_related("category")
    by_pk = {item.pk: item for item in items.filter(pk__in=chosen)}
    if hub_items := [pk for pk in pinned if pk not in by_pk]:
        # A pinned item still waiting for review is pinned on purpose.
        by_pk |= Item.objects.select_related("category").in_bulk(hub_items)
    tiles = [by_pk[pk] for pk in chosen if pk in by_pk]
    if len(tiles) < TILE_COUNT:
        tiles += list(
            items.exclude(pk__in=chosen).order_by("category__sort_order", "name")[
                : TILE_COUNT - len(tiles)
            ]
        )
    return tiles


def tile_ranking(*, hub: Hub) -> list[int]:
    """Item ids the hub received most often in the TILE_DAYS before today, most first:
    computed once a day per hub (the cache key holds the date)."""
    today = timezone.localdate()
    key = f"intake-tiles:{hub.pk}:{today.isoformat()}"
    try:
        ranking = cache.get(key)
    except RedisError:  # the same ranking, computed afresh: it depends on the date only
        ranking = None
    if ranking is None:
        start_of_today = timezone.make_aware(datetime.combine(today, time.min))
        ranking = list(
            DropoffLine.objects.filter(
                dropoff__hub=hub,
                dropoff__logged_at__gte=start_of_today - timedelta(days=TILE_DAYS),
                dropoff__logged_at__lt=start_of_today,
                dropoff__undone_at__isnull=True,
                outcome=Outcome.ACCEPTED,
                item__is_active=True,
            )
            .values("item")
            .annotate(times=Count("id"))
            .order_by("-times", "item")
            .values_list("item", flat=True)[: TILE_COUNT * 2]
        )
        with suppress(RedisError):
            cache.set(key, ranking, TILE_CACHE_SECONDS)
    return ranking


SEARCH_RESULTS = 24


def item_search(*, query: str) -> list[Item]:
    """Active items with a word beginning with each typed word, whatever the case, accents
    or plural ending, in their name, aliases or category ("manta", "blankets", "canned
    food"): one query on the stored search text (inventory.search), whatever the catalog."""
    terms = query_terms(query)
    if not terms:
        return []
    matches = Q()
    for term in terms[:8]:
        matches &= Q(search_text__contains=term)
    return list(
        Item.objects.filter(matches, is_active=True)
        .select_related("category")
        .order_by("name")[:SEARCH_RESULTS]
    )


# A line asks for a confirmation when its quantity is more than UNUSUAL_FACTOR times the
# hub's usual line of that item: the median of its last USUAL_LINES accepted lines at the
# hub in USUAL_DAYS (undone dropoffs left out), and never at UNUSUAL_FLOOR or under. With
# fewer than USUAL_MIN_LINES such lines, above UNUSUAL_WITHOUT_HISTORY.
UNUSUAL_FACTOR = 5
UNUSUAL_FLOOR = 24
UNUSUAL_WITHOUT_HISTORY = 100
USUAL_LINES = 20
USUAL_MIN_LINES = 3
USUAL_DAYS = 60


@dataclass(frozen=True)
class UsualLine:
    """What a hub usually receives of an item on one line, and from what count on a line
    of it is unusual enough to ask."""

    usual: int | None

    @property
    def limit(self) -> int:
        if self.usual is None:
            return UNUSUAL_WITHOUT_HISTORY
        return max(UNUSUAL_FLOOR, UNUSUAL_FACTOR * self.usual)


def usual_line_map(*, hub: Hub, item_ids: set[int]) -> dict[int, UsualLine]:
    """item id -> UsualLine for each of `item_ids`, in one query (a window function keeps
    each item's last USUAL_LINES lines), however long the hub's history."""
    if not item_ids:
        return {}
    since = timezone.now() - timedelta(days=USUAL_DAYS)
    recent = (
        DropoffLine.objects.filter(
            dropoff__hub=hub,
            dropoff__undone_at__isnull=True,
            dropoff__logged_at__gte=since,
            item_id__in=item_ids,
            outcome=Outcome.ACCEPTED,
        )
        .annotate(
            recency=Window(
                RowNumber(),
                partition_by=F("item_id"),
                order_by=[F("dropoff__logged_at").desc(), F("pk").desc()],
            )
        )
        .filter(recency__lte=USUAL_LINES)
        .values_list("item_id", "quantity")
    )
    quantities: dict[int, list[int]] = {pk: [] for pk in item_ids}
    for item_id, quantity in recent:
        quantities[item_id].append(quantity)
    return {
        pk: UsualLine(round(median(found)) if len(found) >= USUAL_MIN_LINES else None)
        for pk, found in quantities.items()
    }


def location_default(*, locations: list[LocationFill]) -> StorageLocation | None:
    """The emptiest location that still has room."""
    with_room = [f for f in locations if f.free_litres > 0]
    if not with_room:
        return None
    return min(with_room, key=lambda f: (f.percent, f.location.name)).location


def redirect_suggestions(*, hub: Hub) -> dict[int, Hub]:
    """category id -> the nearest other hub of the network that is open for it and below
    its nearly-full threshold (hubs without coordinates come last, by name)."""
    others = list(other_hub_list(hub=hub))
    if not others:
        return {}
    percent = {
        pk: room.percent for pk, room in hub_room_map(hubs=others).items() if room.capacity_litres
    }
    room = [h for h in others if percent.get(h.pk, Decimal(0)) < h.nearly_full_percent]
    room.sort(key=lambda other: (hub_distance_km(hub, other), other.name))
    by_pk = {other.pk: other for other in room}
    suggestions: dict[int, Hub] = {}
    # acceptance_map lists the hubs in the order given, nearest first here: the first hub
    # that is open for a category wins it.
    for (hub_id, category_id), acceptance in acceptance_map(hubs=room).items():
        if acceptance.status == IntakeStatus.OPEN:
            suggestions.setdefault(category_id, by_pk[hub_id])
    return suggestions


@dataclass(frozen=True)
class HubRoom:
    """A hub's fill over its active locations."""

    capacity_litres: Decimal
    used_litres: Decimal

    @property
    def percent(self) -> Decimal:
        if not self.capacity_litres:
            return Decimal(100)
        return (self.used_litres * 100 / self.capacity_litres).quantize(Decimal("0.1"))

    @property
    def free_litres(self) -> Decimal:
        return max(self.capacity_litres - self.used_litres, Decimal(0))


def hub_room_map(*, hubs: list[Hub]) -> dict[int, HubRoom]:
    """hub id -> HubRoom, from the active locations' rows (one query); a hub without
    storage has no room."""
    totals = (
        StorageLocation.objects.filter(hub__in=hubs, is_active=True)
        .values("hub")
        .annotate(capacity=Sum("capacity_litres"), used=Sum("used_litres"))
        .values_list("hub", "capacity", "used")
        .order_by()
    )
    found = {hub_id: HubRoom(capacity, used) for hub_id, capacity, used in totals}
    return {hub.pk: found.get(hub.pk, HubRoom(Decimal(0), Decimal(0))) for hub in hubs}


def hub_distance_km(a: Hub, b: Hub) -> float:
    """Between two hubs; infinite when one has no coordinates, so it sorts last."""
    km = km_between(a.latitude, a.longitude, b.latitude, b.longitude)
    return math.inf if km is None else km


def dropoff_for_key(*, hub: Hub, key: str) -> Dropoff | None:
    """The dropoff a form (by its idempotency key) already logged at this hub, if any."""
    if not key:
        return None
    return Dropoff.objects.filter(hub=hub, idempotency_key=key).first()


def _lines_in_entry_order() -> Prefetch:
    """A dropoff's lines as the volunteer entered them: a table gives its rows in no order
    of its own once space freed by deleted rows is reused."""
    return Prefetch("lines", queryset=DropoffLine.objects.order_by("pk"))


def recent_dropoff_list(*, hub: Hub, limit: int = 20) -> list[Dropoff]:
    return list(
        Dropoff.objects.filter(hub=hub)
        .select_related("logged_by")
        .prefetch_related(_lines_in_entry_order(), "lines__item")
        .order_by("-logged_at", "-pk")[:limit]
    )


@dataclass(frozen=True)
class OutcomeCount:
    lines: int = 0
    units: int = 0


@dataclass(frozen=True)
class DropoffReport:
    """Dropoffs logged in a period (undone ones apart) and what happened to their lines."""

    dropoffs: int
    undone: int
    outcomes: dict[str, OutcomeCount]
    redirected_to: list[tuple[str, OutcomeCount]]

    @property
    def accepted(self) -> OutcomeCount:
        return self.outcomes.get(Outcome.ACCEPTED, OutcomeCount())

    @property
    def declined(self) -> OutcomeCount:
        return self.outcomes.get(Outcome.DECLINED, OutcomeCount())

    @property
    def redirected(self) -> OutcomeCount:
        return self.outcomes.get(Outcome.REDIRECTED, OutcomeCount())

    @property
    def discarded(self) -> OutcomeCount:
        return self.outcomes.get(Outcome.DISCARDED, OutcomeCount())


def dropoff_report(*, hub: Hub, since: datetime, until: datetime) -> DropoffReport:
    """Counts of the hub's dropoffs from `since` up to `until`, in three queries."""
    dropoffs = Dropoff.objects.filter(hub=hub, logged_at__gte=since, logged_at__lt=until)
    totals = dropoffs.aggregate(
        kept=Count("pk", filter=Q(undone_at__isnull=True)),
        undone=Count("pk", filter=Q(undone_at__isnull=False)),
    )
    lines = DropoffLine.objects.filter(dropoff__in=dropoffs.filter(undone_at__isnull=True))
    outcomes = {
        row["outcome"]: OutcomeCount(lines=row["lines"], units=row["units"])
        for row in lines.values("outcome")
        .annotate(lines=Count("pk"), units=Sum("quantity"))
        .order_by()
    }
    redirected_to = [
        (row["redirected_to__name"], OutcomeCount(lines=row["lines"], units=row["units"]))
        for row in lines.filter(outcome=Outcome.REDIRECTED)
        .values("redirected_to__name")
        .annotate(lines=Count("pk"), units=Sum("quantity"))
        .order_by("-units", "redirected_to__name")
    ]
    return DropoffReport(
        dropoffs=totals["kept"],
        undone=totals["undone"],
        outcomes=outcomes,
        redirected_to=redirected_to,
    )


def dropoff_line_rows(
    *, hub: Hub, since: datetime, until: datetime, chunk_size: int
) -> Iterator[tuple]:
    """Each dropoff line of the period, oldest first, as the export's columns, read in
    chunks so that a long period streams."""
    rows = (
        DropoffLine.objects.filter(
            dropoff__hub=hub, dropoff__logged_at__gte=since, dropoff__logged_at__lt=until
        )
        .order_by("dropoff__logged_at", "dropoff_id", "pk")
        .values_list(
            "dropoff_id",
            "dropoff__logged_at",
            "dropoff__logged_by__username",
            "dropoff__undone_at",
            "item__name",
            "item__translations",
            "item__category__name",
            "item__category__translations",
            "quantity",
            "item__unit",
            "outcome",
            "location__name",
            "location__translations",
            "redirected_to__name",
            "expiry_date",
        )
        .iterator(chunk_size=chunk_size)
    )
    # Names in the reader's language, as the pages show them.
    return (
        (
            *dropoff,
            translated_text(item, it),
            translated_text(category, ct),
            quantity,
            unit,
            outcome,
            translated_text(location, lt) if location is not None else None,
            redirected_to,
            expiry,
        )
        for (
            *dropoff,
            item,
            it,
            category,
            ct,
            quantity,
            unit,
            outcome,
            location,
            lt,
            redirected_to,
            expiry,
        ) in rows
    )


def category_intake_list(*, hub: Hub) -> list[CategoryIntake]:
    """What the hub says about single categories, in the catalog's order."""
    return list(
        CategoryIntake.objects.filter(hub=hub)
        .select_related("category")
        .order_by("category__sort_order", "category__name")
    )


def category_find(*, pk: int | None) -> Category | None:
    return Category.objects.filter(pk=pk).first() if pk is not None else None


def category_intake_find(*, hub: Hub, category: Category) -> CategoryIntake | None:
    return CategoryIntake.objects.filter(hub=hub, category=category).first()


def item_active_find(*, pk: int | None) -> Item | None:
    """An item still in the catalog, with its category; None for anything else."""
    if pk is None:
        return None
    return Item.objects.select_related("category").filter(pk=pk, is_active=True).first()


def dropoff_find(*, hub: Hub, pk: int) -> Dropoff | None:
    return Dropoff.objects.filter(hub=hub, pk=pk).first()


def dropoff_get(*, hub: Hub, pk: int) -> Dropoff:
    """One of the hub's dropoffs, or 404."""
    return get_object_or_404(Dropoff, hub=hub, pk=pk)


def dropoff_detail_get(*, hub: Hub, pk: int) -> Dropoff:
    """One of the hub's dropoffs with its lines and who logged and undid it, or 404."""
    return get_object_or_404(
        Dropoff.objects.select_related("logged_by", "undone_by").prefetch_related(
            _lines_in_entry_order(), "lines__item", "lines__location", "lines__redirected_to"
        ),
        hub=hub,
        pk=pk,
    )


def dropoff_lines_keep(*, dropoff: Dropoff, lines: list[DropoffLine]) -> None:
    """Keep the lines just written on their dropoff, as a prefetch does, so that its receipt
    and its row in the recent list read them (and their items) without a query."""
    kept = dropoff.lines.all()
    # What prefetch_related sets on the queryset it keeps.
    kept._result_cache = lines
    kept._prefetch_done = True  # type: ignore[attr-defined]  # set by prefetch_related only
    dropoff._prefetched_objects_cache = {"lines": kept}  # type: ignore[attr-defined]


def dropoff_fills_keep(*, dropoff: Dropoff, fills: list[LocationFill]) -> None:
    """Keep on the dropoff just written its hub's fill per location as its transaction left
    them, so that its answer shows them without reading them again."""
    dropoff.__dict__["_fills_after"] = fills


def dropoff_fills_after(*, dropoff: Dropoff) -> list[LocationFill] | None:
    """The fills kept on a dropoff just logged by this request (None: found by its key, or
    it stored nothing, so none were kept)."""
    return dropoff.__dict__.get("_fills_after")


def dropoff_just_logged(*, dropoff: Dropoff) -> bool:
    """Whether dropoff_log wrote the dropoff just now (it keeps the lines it wrote on it),
    rather than answered with one a retry of the same form had logged before."""
    return "lines" in getattr(dropoff, "_prefetched_objects_cache", {})


def dropoff_lines_prefetch(*, dropoff: Dropoff) -> None:
    """Read the dropoff's lines, with their items and where they were sent, for its receipt
    (unless they are kept on it already)."""
    if "lines" not in getattr(dropoff, "_prefetched_objects_cache", {}):
        prefetch_related_objects(
            [dropoff], _lines_in_entry_order(), "lines__item", "lines__redirected_to"
        )


# What a dropoff reads of its hub to know whether it takes donations.
INTAKE_FIELDS = ["intake_status", "intake_reason", "intake_reopens_at"]


def hub_intake_refresh(*, hub: Hub) -> None:
    """Read the hub's intake status again (a dropoff's fill may have closed it)."""
    hub.refresh_from_db(fields=INTAKE_FIELDS)


def item_map_cached(*, ids: set[int]) -> dict[int, Item]:
    """The items of these ids, active or not, with their categories: from the cache while
    the catalog has not changed (hub.intake.cache), so that a dropoff of items the table
    logged before reads no item row."""
    return intake_items_cached(
        ids=ids, read=lambda stale: Item.objects.select_related("category").in_bulk(stale)
    )


def location_active_list_cached(*, hub: Hub) -> list[StorageLocation]:
    """The hub's active storage locations, by name, that a dropoff's goods may go to: from
    the cache while no location has changed (hub.intake.cache). Without their fill: their
    litres in use are read under the write's locks, and for the page, not from here."""
    return intake_locations_cached(
        hub_id=hub.pk,
        read=lambda: list(StorageLocation.objects.filter(hub=hub, is_active=True).order_by("name")),
    )


def item_active_named_find(*, name: str) -> Item | None:
    """The catalog's active item called `name`, whatever its case, with its category."""
    return Item.objects.select_related("category").filter(name__iexact=name, is_active=True).first()


def item_active_list() -> QuerySet[Item]:
    """The catalog's active items, with their categories, in the catalog's order."""
    return (
        Item.objects.filter(is_active=True)
        .select_related("category")
        .order_by("category__sort_order", "name")
    )


def item_merge_target_list() -> QuerySet[Item]:
    """The items an item added at the table can be merged into: reviewed, still active."""
    return Item.objects.filter(is_active=True, needs_review=False).order_by("name")


def item_review_list(*, hub: Hub) -> QuerySet[Item]:
    """The items volunteers added at this hub's table, waiting for a coordinator's review."""
    return (
        Item.objects.filter(created_at_hub=hub, needs_review=True)
        .select_related("category")
        .order_by("name")
    )


def category_choice_list() -> QuerySet[Category]:
    """The catalog's categories, in its order; read only when a page or a form uses them."""
    return Category.objects.order_by("sort_order", "name")


def category_choice_list_cached(*, hub: Hub) -> list[Category]:
    """category_choice_list, from the cache until the catalog changes (hub.intake.cache)."""
    return intake_cached(
        name="categories",
        hub_id=hub.pk,
        compute=lambda: list(category_choice_list()),
        timeout=ACCEPTANCE_CACHE_SECONDS,
    )


def pinned_tile_list(*, hub: Hub) -> QuerySet[PinnedTile]:
    """The tiles a coordinator pinned at the hub, in their order, with their items."""
    return PinnedTile.objects.filter(hub=hub).select_related("item__category")


def offline_catalog_list() -> list[dict]:
    """Every active item as the dropoff table's offline copy needs it (what a line shows,
    the folded search text, its barcodes), in two queries whatever the catalog's size."""
    codes: dict[int, list[str]] = {}
    for item_id, gtin in ItemBarcode.objects.filter(item__is_active=True).values_list(
        "item_id", "gtin"
    ):
        codes.setdefault(item_id, []).append(gtin)
    return [
        {
            "id": item.pk,
            "name": item.name,
            "unit": item.get_unit_display(),
            "category": item.category_id,
            "expiry": item.tracks_expiry,
            "search": item.search_text,
            "codes": codes.get(item.pk, []),
        }
        for item in Item.objects.filter(is_active=True).only(
            "pk", "name", "unit", "category_id", "tracks_expiry", "search_text"
        )
    ]
