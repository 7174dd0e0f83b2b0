"""First-expired-first-out, in one place: the pick list shows what dispatch will take, so both
allocate with this function (the pick list on current stock, dispatch on locked stock)."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from inventory.models import Item

StockKey = tuple[int, int, date | None]  # (item_id, location_id, expiry_date)


def fefo_order(key: StockKey) -> tuple:
    """Soonest expiry first, undated last; among equals, the lower location id first."""
    _, location_id, expiry = key
    return (expiry is None, expiry or date.min, location_id)


def fefo_take(*, stock: Mapping[StockKey, int], quantity: int) -> list[tuple[StockKey, int]]:
    """Which balances `quantity` units come from, and how many from each, taking what
    expires soonest first. Takes what there is when `stock` cannot cover `quantity`."""
    taken, wanted = [], quantity
    for key in sorted(stock, key=fefo_order):
        if not wanted:
            break
        take = min(wanted, stock[key])
        if take > 0:
            taken.append((key, take))
            wanted -= take
    return taken


@dataclass(frozen=True)
class Missing:
    item: Item
    requested: int
    available: int  # what may be taken: in stock, less what is held for earlier runs
    held: int = 0  # of the stock, what earlier runs hold

    @property
    def shortfall(self) -> int:
        return self.requested - self.available


def missing_list(
    *,
    stock: Mapping[StockKey, int],
    lines: Iterable[tuple[Item, int]],
    held: Mapping[int, int] | None = None,
) -> list[Missing]:
    """Each item whose lines, summed, ask for more than `stock` holds of it, less what is
    `held` of it (item id -> units that must stay: another run's reservation)."""
    requested: dict[Item, int] = {}
    for item, quantity in lines:
        requested[item] = requested.get(item, 0) + quantity
    available: dict[int, int] = {}
    for (item_id, _, _), quantity in stock.items():
        available[item_id] = available.get(item_id, 0) + quantity
    held = held or {}
    for item_id, quantity in held.items():
        available[item_id] = max(available.get(item_id, 0) - quantity, 0)
    return [
        Missing(
            item=item,
            requested=wanted,
            available=available.get(item.pk, 0),
            held=held.get(item.pk, 0),
        )
        for item, wanted in requested.items()
        if available.get(item.pk, 0) < wanted
    ]
