"""Reads of the pages that combine apps: the public status of the hubs (intake per category
from the hub, most needed from deliveries)."""

from dataclasses import dataclass
from datetime import datetime

from django.http import Http404
from django.utils.translation import gettext as _

from deliveries.selectors import MostNeeded, most_needed_map
from hub.intake.selectors import acceptance_map, hub_room_map
from hub.models import Hub, IntakeStatus
from inventory.models import Category, Unit
from network.selectors import open_offer_list

MOST_NEEDED_LIMIT = 10
NETWORK_MOST_NEEDED_SHOWN = 5
SURPLUS_SHOWN = 10


@dataclass(frozen=True)
class CategoryStatus:
    code: str
    name: str
    status: str
    reason: str
    reopens_at: datetime | None

    @property
    def accepts(self) -> bool:
        return self.status != IntakeStatus.CLOSED

    @property
    def status_label(self) -> str:
        return str(IntakeStatus(self.status).label)


@dataclass(frozen=True)
class NeedStatus:
    need: MostNeeded
    category_status: str  # whether the hub takes the need's category now

    @property
    def accepts(self) -> bool:
        return self.category_status != IntakeStatus.CLOSED


@dataclass(frozen=True)
class SurplusLine:
    """Something a hub can give to others: the item and how many units."""

    name: str
    category_code: str
    quantity: int
    unit: str

    @property
    def unit_label(self) -> str:
        return str(Unit(self.unit).label) if self.unit in Unit.values else ""


def surplus_map(*, hubs: list[Hub]) -> dict[int, list[SurplusLine]]:
    """hub id -> what its coordinators offer the network as surplus and no hub has claimed
    yet (network offers), most units first (one query)."""
    found: dict[int, list[SurplusLine]] = {hub.pk: [] for hub in hubs}
    rows = sorted(
        (row for row in open_offer_list() if row.offer.hub_id in found),
        key=lambda row: (-row.available, row.offer.item.display_name),
    )
    for row in rows:
        lines = found[row.offer.hub_id]
        if len(lines) < SURPLUS_SHOWN:
            item = row.offer.item
            lines.append(
                SurplusLine(item.display_name, item.category.code, row.available, item.unit)
            )
    return found


@dataclass(frozen=True)
class HubStatus:
    name: str
    slug: str
    address: str
    opening_hours: str
    latitude: str | None
    longitude: str | None
    status: str
    reason: str
    reopens_at: datetime | None
    last_updated: datetime
    categories: tuple[CategoryStatus, ...]
    most_needed: tuple[NeedStatus, ...]
    fill_percent: int | None  # None: no storage
    surplus: tuple[SurplusLine, ...]

    @property
    def status_label(self) -> str:
        return str(IntakeStatus(self.status).label)

    @property
    def headline(self) -> str:
        return {
            IntakeStatus.OPEN: _("Taking donations"),
            IntakeStatus.LIMITED: _("Taking some donations only"),
            IntakeStatus.CLOSED: _("Not taking donations now"),
        }[IntakeStatus(self.status)]

    @property
    def accepted(self) -> list[CategoryStatus]:
        """Taken, the limited ones ("only if needed") among them."""
        return [c for c in self.categories if c.accepts]

    @property
    def not_accepted(self) -> list[CategoryStatus]:
        return [c for c in self.categories if not c.accepts]

    @property
    def most_needed_shown_on_network(self) -> tuple[NeedStatus, ...]:
        return self.most_needed[:NETWORK_MOST_NEEDED_SHOWN]


def hub_status_list(*, hubs: list[Hub]) -> list[HubStatus]:
    """The public status of each hub, in the hubs' order, in seven queries however many."""
    if not hubs:
        return []
    accepts = acceptance_map(hubs=hubs)
    rooms = hub_room_map(hubs=hubs)
    surplus = surplus_map(hubs=hubs)
    categories = list(Category.objects.order_by("sort_order", "name"))
    needs = most_needed_map(hubs=hubs, limit=MOST_NEEDED_LIMIT)
    statuses = []
    for hub in hubs:
        category_statuses = tuple(
            CategoryStatus(
                code=category.code,
                name=category.display_name,
                status=str(accepts[hub.pk, category.pk].status),
                reason=accepts[hub.pk, category.pk].reason,
                reopens_at=accepts[hub.pk, category.pk].reopens_at,
            )
            for category in categories
            if (hub.pk, category.pk) in accepts
        )
        status_of = {c.code: c.status for c in category_statuses}
        statuses.append(
            HubStatus(
                name=hub.name,
                slug=hub.slug,
                address=hub.address,
                opening_hours=hub.display_opening_hours,
                latitude=None if hub.latitude is None else str(hub.latitude),
                longitude=None if hub.longitude is None else str(hub.longitude),
                status=str(hub.intake_status),
                reason=hub.display_intake_reason,
                reopens_at=hub.intake_reopens_at,
                # Category rows keep no time of their own; intake control (hub.intake.services)
                # moves the hub's time when it changes one.
                last_updated=hub.intake_changed_at,
                categories=category_statuses,
                most_needed=tuple(
                    NeedStatus(
                        need=need,
                        category_status=status_of.get(need.category_code, IntakeStatus.OPEN),
                    )
                    for need in needs.get(hub.pk, [])
                ),
                fill_percent=round(rooms[hub.pk].percent)
                if rooms[hub.pk].capacity_litres
                else None,
                surplus=tuple(surplus[hub.pk]),
            )
        )
    return statuses


def public_hub_get(*, slug: str) -> Hub:
    hub = Hub.objects.filter(slug=slug, is_active=True).first()
    if hub is None:
        raise Http404("No such hub")
    return hub


def network_status_list() -> list[HubStatus]:
    return hub_status_list(hubs=list(Hub.objects.filter(is_active=True).order_by("name")))


def public_hub_status(*, slug: str) -> HubStatus:
    return hub_status_list(hubs=[public_hub_get(slug=slug)])[0]
