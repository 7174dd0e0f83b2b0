"""Reads for destinations and their needs. Each runs a fixed number of queries, whatever the
number of hubs, destinations, needs or balances."""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Min, Q, QuerySet, Sum
from django.http import Http404

from deliveries.models import Destination, DestinationNeed, NeedPriority
from hub.models import Hub
from inventory.models import StockBalance, Unit

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
    in_stock: int
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
    short of, most urgent first, then the largest shortfall (two queries)."""
    return most_needed_map(hubs=[hub], limit=limit).get(hub.pk, [])


def most_needed_map(*, hubs: list[Hub], limit: int = 10) -> dict[int, list[MostNeeded]]:
    """hub id -> `most_needed_list` of that hub, for many hubs in the same two queries.

    For each item (or category) that the hub's active destinations need, the shortfall is
    the quantity they need, summed over them, less the hub's stock of that item (or of all
    items of that category). Only shortfalls above zero are kept; a sum of needs of mixed
    priorities takes the most urgent one."""
    needs = list(
        DestinationNeed.objects.filter(destination__hub__in=hubs, destination__is_active=True)
        .filter(Q(item__isnull=True) | Q(item__is_active=True))
        .values(
            "destination__hub_id",
            "item_id",
            "item__name",
            "item__unit",
            "item__category_id",
            "item__category__code",
            "category_id",
            "category__name",
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

    by_hub: dict[int, list[MostNeeded]] = defaultdict(list)
    for n in needs:
        hub_id = n["destination__hub_id"]
        if n["item_id"]:
            need = MostNeeded(
                kind=ITEM,
                pk=n["item_id"],
                name=n["item__name"],
                category_id=n["item__category_id"],
                category_code=n["item__category__code"],
                unit=n["item__unit"],
                needed=n["needed"],
                in_stock=item_stock[hub_id, n["item_id"]],
                priority=n["urgency"],
            )
        else:
            need = MostNeeded(
                kind=CATEGORY,
                pk=n["category_id"],
                name=n["category__name"],
                category_id=n["category_id"],
                category_code=n["category__code"],
                unit="",
                needed=n["needed"],
                in_stock=category_stock[hub_id, n["category_id"]],
                priority=n["urgency"],
            )
        if need.shortfall > 0:
            by_hub[hub_id].append(need)
    return {
        hub_id: sorted(rows, key=lambda n: (n.priority, -n.shortfall, n.name))[:limit]
        for hub_id, rows in by_hub.items()
    }


# --- destinations (coordinators) ---------------------------------------------------------------


def destination_list(*, hub: Hub) -> QuerySet[Destination]:
    """The hub's destinations, active ones first, by name, each with `need_count`."""
    return (
        Destination.objects.filter(hub=hub)
        .select_related("receiving_hub")
        .annotate(need_count=Count("needs"))
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
