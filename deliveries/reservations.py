"""Stock held for delivery runs that have not left yet (draft or picking): reads only.

A run's lines hold their units from the moment they are planned, so what a coordinator is
offered for a new stop, the stock page's "free" and the public "most needed" count what is
free: on the shelf, less what open runs hold. Runs hold in the order they were created: a
run may take at dispatch what the stock holds beyond what runs created before it hold, so
a run planned first never fails at the loading dock because a later one left before it.
When stock falls under what is held (a discard, a count), the runs that are no longer
covered are the ones flagged (`run_uncovered_map`). Each read runs a fixed number of queries.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet, Sum

from deliveries.models import RUN_OPEN_STATUSES, Run, StopLine
from hub.models import Hub
from inventory.models import Item, StockBalance
from inventory.picking import Missing


def open_run_lines(*, hub_ids: Iterable[int]) -> QuerySet[StopLine]:
    """The lines of the hubs' runs that have not left yet: what holds stock."""
    return StopLine.objects.filter(
        stop__run__hub_id__in=list(hub_ids), stop__run__status__in=RUN_OPEN_STATUSES
    )


def reserved_map(
    *, hub_ids: Iterable[int], item_ids: Iterable[int] | None = None
) -> dict[tuple[int, int], int]:
    """(hub id, item id) -> units that the hubs' open runs hold (one query)."""
    lines = open_run_lines(hub_ids=hub_ids)
    if item_ids is not None:
        lines = lines.filter(item_id__in=list(item_ids))
    rows = lines.values_list("stop__run__hub_id", "item_id").annotate(total=Sum("quantity"))
    return {(hub_id, item_id): total for hub_id, item_id, total in rows.order_by()}


def held_before_map(*, run: Run, item_ids: Iterable[int]) -> dict[int, int]:
    """item id -> units that the hub's open runs created before `run` hold: what its
    dispatch must leave in stock (one query)."""
    rows = (
        StopLine.objects.filter(
            stop__run__hub_id=run.hub_id,
            stop__run__status__in=RUN_OPEN_STATUSES,
            stop__run__pk__lt=run.pk,
            item_id__in=list(item_ids),
        )
        .values_list("item_id")
        .annotate(total=Sum("quantity"))
        .order_by()
    )
    return dict(rows)


@dataclass(frozen=True)
class ItemFree:
    on_shelf: int
    held: int

    @property
    def free(self) -> int:
        return max(self.on_shelf - self.held, 0)


def item_free_map(*, hub: Hub, item_ids: Iterable[int]) -> dict[int, ItemFree]:
    """item id -> what the hub has of it on its shelves and how much of that open runs
    hold (two queries)."""
    item_ids = list(item_ids)
    on_shelf = dict(
        StockBalance.objects.filter(location__hub=hub, item_id__in=item_ids, quantity__gt=0)
        .values_list("item_id")
        .annotate(total=Sum("quantity"))
        .order_by()
    )
    held = reserved_map(hub_ids=[hub.pk], item_ids=item_ids)
    return {
        item_id: ItemFree(on_shelf=on_shelf.get(item_id, 0), held=held.get((hub.pk, item_id), 0))
        for item_id in item_ids
    }


def run_uncovered_map(*, hub: Hub) -> dict[int, list[Missing]]:
    """run id -> each item that the open run asks for beyond what the stock holds once the
    runs created before it have their share; only the runs that are short (two queries,
    and a third for the names when some run is short)."""
    wanted = list(
        open_run_lines(hub_ids=[hub.pk])
        .values_list("stop__run_id", "item_id")
        .annotate(total=Sum("quantity"))
        .order_by("stop__run_id", "item_id")
    )
    if not wanted:
        return {}
    left: dict[int, int] = defaultdict(int)
    left.update(
        StockBalance.objects.filter(
            location__hub=hub, item_id__in={item_id for _, item_id, _ in wanted}, quantity__gt=0
        )
        .values_list("item_id")
        .annotate(total=Sum("quantity"))
        .order_by()
    )
    short: list[tuple[int, int, int, int]] = []  # run, item, requested, available
    for run_id, item_id, requested in wanted:  # runs in the order they were created
        available = left[item_id]
        if requested > available:
            short.append((run_id, item_id, requested, available))
        left[item_id] = max(available - requested, 0)
    if not short:
        return {}
    items = Item.objects.in_bulk({item_id for _, item_id, _, _ in short})
    uncovered: dict[int, list[Missing]] = defaultdict(list)
    for run_id, item_id, requested, available in short:
        uncovered[run_id].append(
            Missing(item=items[item_id], requested=requested, available=available)
        )
    return dict(uncovered)
