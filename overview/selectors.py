"""Reads of the pages that combine apps: the public status of the hubs (intake per category
from the hub, most needed from deliveries)."""

from dataclasses import dataclass
from datetime import datetime

from django.http import Http404
from django.utils.translation import gettext as _

from deliveries.selectors import MostNeeded, most_needed_map
from hub.intake.selectors import acceptance_map
from hub.models import Hub, IntakeStatus
from inventory.models import Category

MOST_NEEDED_LIMIT = 10
NETWORK_MOST_NEEDED_SHOWN = 5


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
    """The public status of each hub, in the hubs' order, in five queries however many."""
    if not hubs:
        return []
    accepts = acceptance_map(hubs=hubs)
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
