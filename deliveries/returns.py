"""Where what a driver brings back from a stop goes: back where it was picked from when that
location still has room, else the sender's emptiest location with room for it, so that a
return never takes a location past 100 % (inventory.services.room_check, the rule of
intake). Called inside the stop's transaction, after the run's and the transfer's locks."""

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal

from django.utils.translation import gettext as _

from hub.errors import UserError
from hub.models import Hub
from inventory.locks import locations_lock
from inventory.models import Item
from inventory.selectors import location_fill_list
from inventory.services import StockLine, room_check


def returns_place(*, hub: Hub, returns: Sequence[StockLine]) -> list[StockLine]:
    """`returns` with each line's location set where it fits. Raises UserError when no
    location of the hub has room for a line: nothing moves."""
    if not returns:
        return []
    # Every location of the hub, locked before their room is read: a dropoff filling the
    # last shelf meanwhile waits, and is then checked against what came back.
    locations_lock(ids=[f.location.pk for f in location_fill_list(hub=hub)])
    fills = {f.location.pk: f for f in location_fill_list(hub=hub)}
    free = {pk: fill.free_litres for pk, fill in fills.items()}
    placed = []
    for line in returns:
        litres = line.quantity * line.item.unit_volume_litres
        where = line.location.pk
        if free.get(where, -1) < litres:
            where = roomiest_location(hub=hub, free=free, item=line.item, quantity=line.quantity)
        free[where] -= litres
        placed.append(replace(line, location=fills[where].location))
    room_check(hub=hub, lines=placed, nowhere="")
    return placed


def roomiest_location(*, hub: Hub, free: dict[int, Decimal], item: Item, quantity: int) -> int:
    """The pk of the location of `free` (pk -> free litres) with the most room that takes
    `quantity` of `item`. Raises UserError when none does."""
    litres = quantity * item.unit_volume_litres
    roomy = [pk for pk, room in free.items() if room >= litres]
    if not roomy:
        raise UserError(
            _("%(hub)s has no location with room for %(quantity)d %(item)s: make room there first.")
            % {"hub": hub.name, "quantity": quantity, "item": item}
        )
    return max(roomy, key=lambda pk: free[pk])
