"""Surplus offered between hubs, and claims on it.

A coordinator offers stock the hub can give away (never more than it has free); another
hub's coordinator claims part or all of it, checked against their own hub's intake and room
(deliveries.transfers.transfer_intake_check). The offering hub then puts the claim on one of
its runs, or hands it over to the claiming hub's driver: both end as a transfer in transit,
received by the claiming hub like any other.

Locks: a claim's row (or an offer's, for a new claim) is taken before the run's or any
stock lock (inventory.locks), and nothing locks them the other way round.
"""

from datetime import date

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from deliveries.models import Destination, DestinationKind, Run, Stop
from deliveries.reservations import item_free_map
from deliveries.services import destination_create, stop_add, stop_lines_set
from deliveries.transfers import transfer_intake_check, transfer_send
from hub.access import hub_role_allowed, hub_role_check
from hub.errors import Denied, UserError
from hub.models import Hub
from hub.roles import Role
from inventory.models import Item
from inventory.services import quantity_check
from network.models import Claim, ClaimHow, ClaimStatus, Offer
from network.selectors import offer_available, offered_units

NOTE_MAX = 200
# An offer is for the days of a response, not for a season.
OFFER_DAYS_MAX = 90


class NetworkError(UserError):
    """An offer or claim refused as it stands; nothing was stored."""


class NetworkDenied(NetworkError, Denied):
    """The user is not a coordinator of the hub that would act."""


def offer_create(
    *, hub: Hub, user: User, item: Item, quantity: int, until: date, note: str = ""
) -> Offer:
    """Offer so many units of an item the hub has free (on its shelves, less what its open
    runs hold and what its other offers still promise) to the network until `until`."""
    _coordinator_check(hub=hub, user=user)
    quantity_check(quantity)
    today = timezone.localdate()
    if until < today or (until - today).days > OFFER_DAYS_MAX:
        raise NetworkError(
            _("Choose a date from today to %(days)d days ahead.") % {"days": OFFER_DAYS_MAX},
            field="until",
        )
    note = " ".join((note or "").split())
    if len(note) > NOTE_MAX:
        raise NetworkError(
            _("Keep the note under %(max)d characters.") % {"max": NOTE_MAX}, field="note"
        )
    if not item.is_active:
        raise NetworkError(_("This item is not in the catalog any more."), field="item")
    free = item_free_map(hub=hub, item_ids=[item.pk])[item.pk].free
    promised = offered_units(hub=hub, item=item)
    if quantity > free - promised:
        raise NetworkError(
            _(
                "%(hub)s has %(free)d %(item)s free, %(promised)d of them already offered: "
                "offer at most %(left)d."
            )
            % {
                "hub": hub.name,
                "free": free,
                "item": item.name,
                "promised": promised,
                "left": max(free - promised, 0),
            },
            field="quantity",
        )
    return Offer.objects.create(
        hub=hub, item=item, quantity=quantity, until=until, note=note, created_by=user
    )


def offer_withdraw(*, offer: Offer, user: User) -> Offer:
    """No more claims on it; the claims already made stand."""
    _coordinator_check(hub=offer.hub, user=user)
    Offer.objects.filter(pk=offer.pk, withdrawn_at=None).update(withdrawn_at=timezone.now())
    offer.refresh_from_db()
    return offer


def claim_create(*, offer: Offer, hub: Hub, user: User, quantity: int, how: str) -> Claim:
    """Claim part or all of another hub's offer for `hub`, which must take the goods now
    and have room for them. Claims on one offer queue on its row: never more than offered."""
    _coordinator_check(hub=hub, user=user)
    quantity_check(quantity)
    if how not in ClaimHow.values:
        raise NetworkError(_("Choose who drives."), field="how")
    with transaction.atomic():
        offer = (
            Offer.objects.select_for_update()
            .select_related("hub", "item__category")
            .get(pk=offer.pk)
        )
        if offer.hub_id == hub.pk:
            raise NetworkError(_("This is your own hub's offer."))
        if offer.withdrawn_at is not None or offer.until < timezone.localdate():
            raise NetworkError(_("This offer is no longer open."))
        left = offer_available(offer=offer)
        if quantity > left:
            raise NetworkError(
                _("Only %(left)d %(item)s are still offered.")
                % {"left": left, "item": offer.item.name},
                field="quantity",
            )
        try:
            transfer_intake_check(to_hub=hub, lines=[(offer.item, quantity)])
        except UserError as error:
            raise NetworkError(str(error), field="quantity") from error
        return Claim.objects.create(
            offer=offer, hub=hub, quantity=quantity, how=how, created_by=user
        )


def claim_cancel(*, claim: Claim, user: User) -> Claim:
    """Drop a claim that is not on a run nor handed over yet, by either hub."""
    if not any(
        hub_role_allowed(user=user, hub=hub_id, role=Role.COORDINATOR)
        for hub_id in (claim.hub_id, claim.offer.hub_id)
    ):
        raise NetworkDenied(_("Only a coordinator of one of the two hubs can cancel a claim."))
    updated = Claim.objects.filter(pk=claim.pk, status=ClaimStatus.CLAIMED).update(
        status=ClaimStatus.CANCELLED
    )
    if not updated:
        raise NetworkError(_("This claim is already on its way; it can't be cancelled."))
    claim.refresh_from_db()
    return claim


def claim_plan(*, claim: Claim, run: Run, user: User) -> Stop:
    """Put a claim the offering hub brings on one of its open runs: a stop at the claiming
    hub (its destination made when missing), checked there as any stop at another hub."""
    offer = claim.offer
    _coordinator_check(hub=offer.hub, user=user)
    if run.hub_id != offer.hub_id:
        raise NetworkError(_("Choose one of this hub's runs."), field="run")
    with transaction.atomic():
        claim = _claimed(claim)
        if claim.how != ClaimHow.RUN:
            raise NetworkError(_("%(hub)s picks this up itself.") % {"hub": claim.hub.name})
        destination = _destination_for(hub=offer.hub, receiving=claim.hub, user=user)
        stop = run.stops.filter(destination=destination).first()
        if stop is None:
            stop = stop_add(
                run=run, destination=destination, lines=[(offer.item, claim.quantity)], user=user
            )
        else:
            lines = [(line.item, line.quantity) for line in stop.lines.select_related("item")]
            stop = stop_lines_set(
                stop=stop, lines=[*lines, (offer.item, claim.quantity)], user=user
            )
        claim.stop, claim.status = stop, ClaimStatus.PLANNED
        claim.save(update_fields=["stop", "status"])
        return stop


def claim_hand_over(*, claim: Claim, user: User) -> Claim:
    """The claiming hub came to pick it up: out of the offering hub's stock, in transit
    to the claiming hub until someone there receives it."""
    offer = claim.offer
    _coordinator_check(hub=offer.hub, user=user)
    with transaction.atomic():
        claim = _claimed(claim)
        claim.transfer = transfer_send(
            from_hub=offer.hub,
            to_hub=claim.hub,
            lines=[(offer.item, claim.quantity)],
            user=user,
            reason=_("Surplus picked up by %(hub)s") % {"hub": claim.hub.name},
            idempotency_key=f"claim-{claim.pk}-hand-over",
        )
        claim.status = ClaimStatus.SENT
        claim.save(update_fields=["transfer", "status"])
        return claim


# --- helpers ------------------------------------------------------------------------------


def _claimed(claim: Claim) -> Claim:
    """The claim locked and still waiting (a second hand on it queues and is refused)."""
    claim = (
        Claim.objects.select_for_update(of=("self",))
        .select_related("hub", "offer__hub", "offer__item")
        .get(pk=claim.pk)
    )
    if claim.status != ClaimStatus.CLAIMED:
        raise NetworkError(_("This claim is already on its way, or cancelled."))
    return claim


def _destination_for(*, hub: Hub, receiving: Hub, user: User) -> Destination:
    found = Destination.objects.filter(
        hub=hub, kind=DestinationKind.OTHER_HUB, receiving_hub=receiving, is_active=True
    ).first()
    if found is not None:
        return found
    name = receiving.name
    if Destination.objects.filter(hub=hub, name__iexact=name).exists():
        name = _("%(hub)s (hub)") % {"hub": receiving.name}
    return destination_create(
        hub=hub,
        user=user,
        name=name,
        kind=DestinationKind.OTHER_HUB,
        address=receiving.address,
        receiving_hub=receiving,
    )


def _coordinator_check(*, hub: Hub, user: User) -> None:
    hub_role_check(
        user=user,
        hub=hub,
        role=Role.COORDINATOR,
        message=_("Only a coordinator of %(hub)s can do this.") % {"hub": hub.name},
        denied=NetworkDenied,
    )
