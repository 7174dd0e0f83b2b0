"""Reads of the pages that combine apps: the public status of the hubs (intake per category
from the hub, most needed from deliveries)."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from deliveries.selectors import MostNeeded, most_needed_map
from hub.intake.nearby import hub_room_map
from hub.intake.selectors import Acceptance, acceptance_map
from hub.models import Hub, IntakeStatus
from inventory.models import Category, StockBalance, Unit

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


def surplus_map(
    *, hubs: list[Hub], accepts: dict[tuple[int, int], Acceptance]
) -> dict[int, list[SurplusLine]]:
    """hub id -> what the hub has in excess, most units first (one query).

    The rule, until hubs mark surplus themselves: what a hub holds of a category it no
    longer takes (closed for that category, or closed as a whole). It turned that category
    away because it has enough of it, so its stock of it is what it can give. This is the
    one place that says what surplus is: offers made by hand replace the rule here."""
    closed: dict[int, list[int]] = {
        hub.pk: [cid for (hid, cid), rule in accepts.items() if hid == hub.pk and not rule.accepts]
        for hub in hubs
    }
    where = Q(pk__in=[])
    for hub_id, category_ids in closed.items():
        if category_ids:
            where |= Q(location__hub_id=hub_id, item__category_id__in=category_ids)
    rows = (
        StockBalance.objects.filter(where, quantity__gt=0, location__is_active=True)
        .values("location__hub_id", "item__name", "item__category__code", "item__unit")
        .annotate(units=Sum("quantity"))
        .order_by("location__hub_id", "-units", "item__name")
    )
    found: dict[int, list[SurplusLine]] = {hub.pk: [] for hub in hubs}
    for row in rows:
        lines = found[row["location__hub_id"]]
        if len(lines) < SURPLUS_SHOWN:
            lines.append(
                SurplusLine(
                    row["item__name"], row["item__category__code"], row["units"], row["item__unit"]
                )
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
    surplus = surplus_map(hubs=hubs, accepts=accepts)
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
