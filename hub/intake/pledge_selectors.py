"""Reads for donors' pledges: which hubs take what a donor has and have room for it, and
the pledges a hub's table expects."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from hub.intake.nearby import NearbyHub, hubs_with_room, place_find
from hub.models import Hub, Place, Pledge, PledgeStatus
from inventory.models import Category, Item

# A pledge not turned into a dropoff within this many days drops off the table's list.
PLEDGE_DAYS = 7
HUBS_SHOWN = 5


@dataclass(frozen=True)
class PledgeLineInput:
    """One line of what a donor has: a catalog item, or their own words under a category."""

    category: Category
    quantity: int
    item: Item | None = None
    description: str = ""

    @property
    def name(self) -> str:
        return self.item.name if self.item is not None else self.description

    @property
    def litres(self) -> Decimal:
        """What it takes on a shelf, when known (a catalog item); a line in the donor's words
        counts nothing."""
        return self.item.unit_volume_litres * self.quantity if self.item is not None else Decimal(0)


@dataclass(frozen=True)
class PledgeOption:
    """A hub the donor can bring (some of) their lines to."""

    near: NearbyHub
    takes: tuple[int, ...]  # indexes of the lines it takes
    leaves: tuple[int, ...]  # indexes of the lines it does not take now
    taken_names: tuple[str, ...]

    @property
    def takes_all(self) -> bool:
        return not self.leaves


@dataclass(frozen=True)
class PledgeAnswer:
    place: Place | None
    options: list[PledgeOption]


def pledge_options(*, lines: list[PledgeLineInput], place: str) -> PledgeAnswer:
    """The hubs that take at least one of the lines now and have room for what they take,
    nearest to the place first (by name when the place is unknown)."""
    found = place_find(text=place)
    nearby = hubs_with_room(
        latitude=found.latitude if found else None, longitude=found.longitude if found else None
    )
    options = []
    for near in nearby:
        open_ids = near.category_ids | {c.pk for c in near.limited}
        takes = tuple(n for n, line in enumerate(lines) if line.category.pk in open_ids)
        litres = sum((lines[n].litres for n in takes), Decimal(0))
        if takes and litres <= near.room.free_litres:
            leaves = tuple(n for n in range(len(lines)) if n not in takes)
            names = tuple(lines[n].name for n in takes)
            options.append(PledgeOption(near=near, takes=takes, leaves=leaves, taken_names=names))
    return PledgeAnswer(place=found, options=options[:HUBS_SHOWN])


def place_name_list() -> list[str]:
    """The postcodes and neighbourhoods the network knows, for the form's suggestions."""
    return list(Place.objects.order_by("name").values_list("name", flat=True))


def pledge_expected_list(*, hub: Hub) -> QuerySet[Pledge]:
    """Pledges to the hub still expected, made in the last PLEDGE_DAYS, oldest first."""
    return (
        Pledge.objects.filter(
            hub=hub,
            status=PledgeStatus.EXPECTED,
            created_at__gte=timezone.now() - timedelta(days=PLEDGE_DAYS),
        )
        .prefetch_related("lines__item", "lines__category")
        .order_by("created_at", "pk")
    )


def pledge_expected_find(*, hub: Hub, pk: int | None) -> Pledge | None:
    """One of the hub's expected pledges, with its lines; None for anything else."""
    if pk is None:
        return None
    return pledge_expected_list(hub=hub).filter(pk=pk).first()


def pledge_for_key(*, key: str) -> Pledge | None:
    """The pledge a form (by its idempotency key) already made, if any."""
    return Pledge.objects.filter(idempotency_key=key).first() if key else None
