"""Reads of the Network page: every hub's fill, intake and open needs, the surplus on
offer, and matches between them. A fixed number of queries however many hubs, offers or
movements there are."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from deliveries.models import RUN_OPEN_STATUSES, Run, TransferLine, TransferStatus
from deliveries.selectors import CATEGORY, ITEM, MostNeeded, most_needed_map
from hub.intake.selectors import Acceptance, acceptance_map, hub_distance_km
from hub.models import Hub, IntakeStatus
from inventory.models import Category, Item, StorageLocation
from inventory.selectors import LITRES, Fill, hub_hours_to_full_map
from network.models import Claim, ClaimStatus, Offer

NEEDS_SHOWN = 5
MATCHES_SHOWN = 20


@dataclass(frozen=True)
class HubRow:
    """One hub of the network as its neighbours see it."""

    hub: Hub
    fill: Fill
    in_transit_litres: Decimal  # on its way to it: room already promised
    hours_to_full: Decimal | None
    closed: tuple[str, ...]  # categories it does not take now
    limited: tuple[str, ...]  # categories it takes only if needed
    needs: tuple[MostNeeded, ...]
    distance_km: float  # from the hub looking; inf without coordinates
    acceptance: dict[int, Acceptance]  # category id -> whether it takes it

    @property
    def room_litres(self) -> Decimal:
        return max(self.fill.free_litres - self.in_transit_litres, Decimal(0))

    @property
    def status_label(self) -> str:
        return str(IntakeStatus(self.hub.intake_status).label)

    @property
    def distance_known(self) -> bool:
        return self.distance_km != float("inf")


def network_hub_rows(*, hub: Hub) -> list[HubRow]:
    """Every active hub, `hub` first, then the nearest (without coordinates last, by name)."""
    hubs = list(Hub.objects.filter(is_active=True).order_by("name"))
    if not hubs:
        return []
    totals = {
        hub_id: Fill(used_litres=used, capacity_litres=capacity)
        for hub_id, capacity, used in StorageLocation.objects.filter(hub__in=hubs, is_active=True)
        .values("hub")
        .annotate(capacity=Sum("capacity_litres"), used=Sum("used_litres"))
        .values_list("hub", "capacity", "used")
        .order_by()
    }
    fills = {h.pk: totals.get(h.pk, Fill(Decimal(0), Decimal(0))) for h in hubs}
    forecasts = hub_hours_to_full_map(fills=fills)
    coming = _in_transit_litres_map(hubs=hubs)
    accepts = acceptance_map(hubs=hubs)
    categories = {c.pk: c.name for c in Category.objects.order_by("sort_order", "name")}
    needs = most_needed_map(hubs=hubs, limit=NEEDS_SHOWN)
    rows = []
    for other in hubs:
        by_category = {
            category_id: accepts[other.pk, category_id]
            for category_id in categories
            if (other.pk, category_id) in accepts
        }
        rows.append(
            HubRow(
                hub=other,
                fill=fills[other.pk],
                in_transit_litres=coming.get(other.pk, Decimal(0)),
                hours_to_full=forecasts.get(other.pk),
                closed=tuple(categories[c] for c, a in by_category.items() if not a.accepts),
                limited=tuple(
                    categories[c]
                    for c, a in by_category.items()
                    if a.status == IntakeStatus.LIMITED
                ),
                needs=tuple(needs.get(other.pk, [])),
                distance_km=0.0 if other.pk == hub.pk else hub_distance_km(hub, other),
                acceptance=by_category,
            )
        )
    rows.sort(key=lambda r: (r.hub.pk != hub.pk, r.distance_km, r.hub.name))
    return rows


def _in_transit_litres_map(*, hubs: list[Hub]) -> dict[int, Decimal]:
    """hub id -> litres on their way to it (one query)."""
    return dict(
        TransferLine.objects.filter(
            transfer__to_hub__in=hubs, transfer__status=TransferStatus.IN_TRANSIT
        )
        .values_list("transfer__to_hub_id")
        .annotate(
            litres=Sum(
                (F("quantity") - F("received") - F("short") - F("returned"))
                * F("item__unit_volume_litres"),
                output_field=LITRES,
            )
        )
        .order_by()
    )


@dataclass(frozen=True)
class OfferRow:
    offer: Offer
    available: int


def open_offer_list() -> list[OfferRow]:
    """Surplus still on offer across the network, soonest to end first (one query)."""
    offers = (
        Offer.objects.filter(withdrawn_at=None, until__gte=timezone.localdate())
        .select_related("hub", "item__category")
        .annotate(
            claimed=Coalesce(
                Sum("claims__quantity", filter=~Q(claims__status=ClaimStatus.CANCELLED)), 0
            )
        )
        .order_by("until", "pk")
    )
    return [
        OfferRow(offer=o, available=o.quantity - o.claimed)
        for o in offers
        if o.quantity > o.claimed
    ]


def offer_available(*, offer: Offer) -> int:
    """What is still offered: the offer less its claims that stand (one query)."""
    claimed = offer.claims.exclude(status=ClaimStatus.CANCELLED).aggregate(total=Sum("quantity"))[
        "total"
    ]
    return offer.quantity - (claimed or 0)


def offered_units(*, hub: Hub, item: Item) -> int:
    """Units of the item the hub's open offers still promise (one query)."""
    return sum(
        row.available
        for row in open_offer_list()
        if row.offer.hub_id == hub.pk and row.offer.item_id == item.pk
    )


@dataclass(frozen=True)
class Match:
    """Surplus at one hub that another hub needs, takes now and has room for."""

    offer: Offer
    to: HubRow
    need: MostNeeded
    quantity: int
    distance_km: float

    @property
    def distance_known(self) -> bool:
        return self.distance_km != float("inf")


def match_list(*, rows: list[HubRow], offers: list[OfferRow]) -> list[Match]:
    """Each offer against each other hub's open needs of its item (or category), where that
    hub takes the category now and has room for the lot: the nearest first (no query)."""
    by_hub = {row.hub.pk: row for row in rows}
    matches = []
    for row in offers:
        item = row.offer.item
        for other in rows:
            if other.hub.pk == row.offer.hub_id:
                continue
            acceptance = other.acceptance.get(item.category_id)
            if acceptance is None or not acceptance.accepts:
                continue
            for need in other.needs:
                if not (
                    (need.kind == ITEM and need.pk == item.pk)
                    or (need.kind == CATEGORY and need.pk == item.category_id)
                ):
                    continue
                quantity = min(row.available, need.shortfall)
                if quantity * item.unit_volume_litres > other.room_litres:
                    continue
                origin = by_hub.get(row.offer.hub_id)
                matches.append(
                    Match(
                        offer=row.offer,
                        to=other,
                        need=need,
                        quantity=quantity,
                        distance_km=hub_distance_km(origin.hub, other.hub)
                        if origin
                        else float("inf"),
                    )
                )
    matches.sort(key=lambda m: (m.distance_km, -m.quantity, m.offer.pk))
    return matches[:MATCHES_SHOWN]


def claim_list(*, hub: Hub) -> QuerySet[Claim]:
    """Claims that stand on the hub's offers or by the hub, newest first."""
    return (
        Claim.objects.filter(Q(hub=hub) | Q(offer__hub=hub))
        .exclude(status=ClaimStatus.CANCELLED)
        .select_related("hub", "offer__hub", "offer__item", "stop__run", "transfer")
        .order_by("-created_at", "-pk")[:50]
    )


def offer_item_choices(*, hub: Hub) -> QuerySet[Item]:
    """Items the hub has on its shelves: what it can offer."""
    return (
        Item.objects.filter(is_active=True, balances__location__hub=hub, balances__quantity__gt=0)
        .distinct()
        .order_by("name")
    )


def open_run_choices(*, hub: Hub) -> QuerySet[Run]:
    return Run.objects.filter(hub=hub, status__in=RUN_OPEN_STATUSES).order_by("planned_at", "pk")


def offer_get(*, pk: int) -> Offer:
    """Any open offer of the network: every hub's coordinators may claim it."""
    return get_object_or_404(Offer.objects.select_related("hub", "item__category"), pk=pk)


def claim_get(*, hub: Hub, pk: int) -> Claim:
    """A claim on the hub's offer or by the hub; 404 for other hubs' claims."""
    return get_object_or_404(
        Claim.objects.filter(Q(hub=hub) | Q(offer__hub=hub)).select_related(
            "hub", "offer__hub", "offer__item"
        ),
        pk=pk,
    )
