"""Goods sent from one hub of the network to another: nothing is pushed onto a hub that
cannot take it.

A stop at another hub, or a pickup by that hub, is checked against the receiving hub's
intake (the hub's and the category's) and room when it is planned and again when the goods
leave. They then travel as *in transit*, in no hub's stock: the sender's stock lost them at
dispatch (`transferred`), and the receiver's gains them only when someone there counts them
into a location with room (`transfer_receive`, the same room rule as a dropoff: litres in
use plus the goods' litres within the capacity). What does not fit stays in transit, or is
sent back into the sender's stock (`transfer_return`).

Locks: the transfer's row first (deliveries.locks.transfer_lock, step 0 of inventory.locks),
then the locations the goods go into, through inventory.services.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import cast

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F, Sum
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from deliveries.locks import transfer_lock
from deliveries.models import (
    DestinationKind,
    Run,
    Stop,
    StopLine,
    Transfer,
    TransferLine,
    TransferStatus,
)
from deliveries.reservations import reserved_map
from deliveries.returns import roomiest_location
from hub.access import hub_role_allowed, hub_role_check
from hub.errors import Denied, UserError
from hub.intake.selectors import acceptance_map
from hub.models import Hub
from hub.roles import Role
from inventory.locks import locations_lock
from inventory.models import Item, MovementKind, StockMovement, StorageLocation
from inventory.selectors import LITRES, location_fill_list
from inventory.services import (
    PickLine,
    StockLine,
    quantity_check,
    room_check,
    stock_arrive,
    stock_pick,
    stock_settle,
)

NOTE_MAX = 200


class TransferError(UserError):
    """A transfer refused as it stands; nothing was stored. The message is for the user."""


class TransferDenied(TransferError, Denied):
    """The user is not a member (or not a coordinator) of a hub of the transfer."""


# --- the receiving hub's intake and room --------------------------------------------------


def in_transit_litres(*, hub: Hub) -> Decimal:
    """Litres of goods on their way to the hub: promised room (one query)."""
    litres = TransferLine.objects.filter(
        transfer__to_hub=hub, transfer__status=TransferStatus.IN_TRANSIT
    ).aggregate(
        litres=Sum(
            (F("quantity") - F("received") - F("short") - F("returned"))
            * F("item__unit_volume_litres"),
            output_field=LITRES,
        )
    )["litres"]
    return litres or Decimal(0)


def transfer_intake_check(*, to_hub: Hub, lines: Sequence[tuple[Item, int]]) -> None:
    """Raise TransferError unless the hub takes every line's category now and has room for
    all of them, beside what is already on its way to it. Read without locks: it is the
    warning at planning and dispatch; the hard rule is the room check at receipt."""
    if not to_hub.is_active:
        raise TransferError(_("%(hub)s is no longer active.") % {"hub": to_hub.name})
    accepts = acceptance_map(hubs=[to_hub])
    for item, _quantity in lines:
        acceptance = accepts.get((to_hub.pk, item.category_id))
        if acceptance is not None and not acceptance.accepts:
            reason = f" ({acceptance.reason})" if acceptance.reason else ""
            raise TransferError(
                _("%(hub)s does not take %(category)s now%(reason)s: nothing was changed.")
                % {"hub": to_hub.name, "category": item.category.name, "reason": reason}
            )
    needed = sum((quantity * item.unit_volume_litres for item, quantity in lines), Decimal(0))
    free = sum((fill.free_litres for fill in location_fill_list(hub=to_hub)), Decimal(0))
    promised = in_transit_litres(hub=to_hub)
    if needed > free - promised:
        raise TransferError(
            _(
                "%(hub)s has no room for this: it needs %(needed)s L, and %(hub)s has "
                "%(free)s L free, %(promised)s L of it promised to goods on their way. "
                "Nothing was changed."
            )
            % {
                "hub": to_hub.name,
                "needed": formats.number_format(needed, 0),
                "free": formats.number_format(free, 0),
                "promised": formats.number_format(promised, 0),
            }
        )


# --- sending ------------------------------------------------------------------------------


def transfers_from_dispatch(*, run: Run, movements: Sequence[StockMovement], user: User) -> None:
    """At dispatch, inside its transaction: what each stop at another hub took out of stock
    is in transit to that hub, by item and expiry date."""
    stops = {
        stop.pk: stop
        for stop in Stop.objects.filter(
            run=run, destination__kind=DestinationKind.OTHER_HUB
        ).select_related("destination")
    }
    taken: dict[int, dict] = defaultdict(lambda: defaultdict(int))
    line_stops = dict(StopLine.objects.filter(stop__in=stops).values_list("pk", "stop_id"))
    for movement in movements:
        stop_id = line_stops.get(movement.source_id or 0)
        if stop_id is not None:
            taken[stop_id][movement.item_id, movement.expiry_date] -= movement.quantity
    for stop_id, lines in taken.items():
        stop = stops[stop_id]
        transfer = Transfer.objects.create(
            from_hub=run.hub,
            # A stop at another hub names its hub (a check constraint of Destination).
            to_hub_id=cast(int, stop.destination.receiving_hub_id),
            stop=stop,
            reason=_("Run %(number)d") % {"number": run.pk},
            created_by=user,
        )
        TransferLine.objects.bulk_create(
            TransferLine(transfer=transfer, item_id=item_id, expiry_date=expiry, quantity=quantity)
            for (item_id, expiry), quantity in lines.items()
        )


def transfer_driver_returns(*, stop: Stop, returns: Sequence[StockLine]) -> None:
    """A stop at another hub marked on the road (its run locked): what the driver brought
    back leaves the transfer, as sent back. Refused for goods the receiver has counted in."""
    transfer = Transfer.objects.filter(stop=stop).first()
    if transfer is None:
        return
    transfer_lock(pk=transfer.pk)
    lines = {(line.item_id, line.expiry_date): line for line in transfer.lines.all()}
    for back in returns:
        line = lines[back.item.pk, back.expiry_date]
        if back.quantity > line.in_transit:
            raise TransferError(
                _("%(item)s: %(hub)s has already received it; it cannot come back.")
                % {"item": back.item.name, "hub": transfer.to_hub.name}
            )
        line.returned += back.quantity
    TransferLine.objects.bulk_update(lines.values(), ["returned"])
    _settle_if_done(transfer, list(lines.values()))


def transfer_send(
    *,
    from_hub: Hub,
    to_hub: Hub,
    lines: Sequence[tuple[Item, int]],
    user: User,
    reason: str,
    idempotency_key: str,
) -> Transfer:
    """Hand goods to another hub that comes to pick them up: checked like a stop at that
    hub, out of the sender's stock (first-expired-first-out, leaving what open runs hold)
    and in transit until the receiver counts them in."""
    _coordinator_check(hub=from_hub, user=user)
    if from_hub.pk == to_hub.pk:
        raise TransferError(_("Choose another hub of the network."))
    for _item, quantity in lines:
        quantity_check(quantity)
    with transaction.atomic():
        transfer_intake_check(to_hub=to_hub, lines=lines)
        transfer = Transfer.objects.create(
            from_hub=from_hub, to_hub=to_hub, reason=reason[:255], created_by=user
        )
        movements = stock_pick(
            hub=from_hub,
            held=_held(hub=from_hub, lines=lines),
            lines=[PickLine(item, quantity, MovementKind.TRANSFERRED) for item, quantity in lines],
            user=user,
            reason=reason,
            idempotency_key=idempotency_key,
        )
        taken: dict[tuple, int] = defaultdict(int)
        for movement in movements:
            taken[movement.item_id, movement.expiry_date] -= movement.quantity
        TransferLine.objects.bulk_create(
            TransferLine(transfer=transfer, item_id=item_id, expiry_date=expiry, quantity=quantity)
            for (item_id, expiry), quantity in taken.items()
        )
        return transfer


def _held(*, hub: Hub, lines: Sequence[tuple[Item, int]]) -> dict[int, int]:
    reserved = reserved_map(hub_ids=[hub.pk], item_ids={item.pk for item, _q in lines})
    return {item_id: units for (_hub_id, item_id), units in reserved.items()}


# --- receiving ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ArrivalLine:
    """What the receiver counted of one line, and where it goes. `expected` is what the
    page showed in transit: when it changed meanwhile (someone received it), nothing is
    stored. A line without a location is not received now: it stays in transit."""

    line_id: int
    expected: int
    counted: int
    location: StorageLocation | None


def transfer_receive(
    *, transfer: Transfer, arrivals: Sequence[ArrivalLine], note: str, user: User
) -> Transfer:
    """Count goods in transit into the receiving hub's stock, all the lines given or none.
    A line counted under what was in transit is received as counted, the rest written off
    as short; one counted over it takes the extra in too. Either needs a note saying why.
    Every line must fit the room left in its location, else nothing is stored and the
    message names a location with room."""
    note = " ".join((note or "").split())
    if len(note) > NOTE_MAX:
        raise TransferError(_("Keep the note under %(max)d characters.") % {"max": NOTE_MAX})
    with transaction.atomic():
        transfer = transfer_lock(pk=transfer.pk)
        to_hub = transfer.to_hub
        hub_role_check(
            user=user,
            hub=to_hub,
            role=Role.VOLUNTEER,
            message=_("Only a member of %(hub)s can receive what is sent to it.")
            % {"hub": to_hub.name},
            denied=TransferDenied,
        )
        if transfer.status != TransferStatus.IN_TRANSIT:
            raise TransferError(_("Nothing of this transfer is in transit any more."))
        lines = {line.pk: line for line in transfer.lines.select_related("item")}
        chosen = [a for a in arrivals if a.location is not None]
        if not chosen:
            raise TransferError(_("Choose where each line you receive goes."))
        received, extras, shorts = [], [], []
        differences = []
        for arrival in chosen:
            line = lines.get(arrival.line_id)
            if line is None:
                raise TransferError(_("That line is not on this transfer. Reload the page."))
            quantity_check(arrival.counted, allow_zero=True)
            location = cast(StorageLocation, arrival.location)
            if location.hub_id != to_hub.pk or not location.is_active:
                raise TransferError(
                    _("Choose one of %(hub)s's storage locations.") % {"hub": to_hub.name}
                )
            if line.in_transit != arrival.expected:
                raise TransferError(
                    _("Someone received part of this transfer meanwhile: reload the page.")
                )
            if line.in_transit == 0:
                raise TransferError(
                    _("%(item)s is no longer in transit.") % {"item": line.item.name}
                )
            expiry = line.expiry_date if line.item.tracks_expiry else None
            taken = min(arrival.counted, line.in_transit)
            if taken:
                received.append(StockLine(line.item, location, taken, expiry, line))
            if arrival.counted > line.in_transit:
                extra = arrival.counted - line.in_transit
                extras.append(StockLine(line.item, location, extra, expiry, line))
                line.extra += extra
                differences.append(
                    _("%(item)s: %(number)d more than sent") % {"item": line.item, "number": extra}
                )
            elif arrival.counted < line.in_transit:
                short = line.in_transit - arrival.counted
                shorts.append(StockLine(line.item, location, short, expiry, line))
                line.short += short
                differences.append(
                    _("%(item)s: %(number)d short") % {"item": line.item, "number": short}
                )
            line.received += taken
        if differences and not note:
            raise TransferError(
                _("%(differences)s. Say in the note what happened.")
                % {"differences": "; ".join(differences)}
            )
        # Every location the write touches, before the room check locks some of them.
        locations_lock(ids={line.location.pk for line in [*received, *extras, *shorts]})
        room_check(
            hub=to_hub,
            lines=[*received, *extras],
            nowhere=_(
                "No location of %(hub)s has room for it: leave it in transit, make room, "
                "or send it back."
            )
            % {"hub": to_hub.name},
        )
        reason = _("Transfer %(number)d from %(hub)s, received") % {
            "number": transfer.pk,
            "hub": transfer.from_hub.name,
        }
        if differences:
            reason += " (" + "; ".join(differences) + f"): {note}"
        stock_arrive(arrivals=received, extras=extras, shorts=shorts, user=user, reason=reason)
        TransferLine.objects.bulk_update(lines.values(), ["received", "short", "extra"])
        _settle_if_done(transfer, list(lines.values()))
        return transfer


def transfer_return(*, transfer: Transfer, user: User) -> Transfer:
    """Send what is still in transit back into the sender's stock (`returned`): the
    receiver refuses it, or the sender calls it back. Each line goes to the sender's
    emptiest location with room for it; when none has, nothing moves."""
    with transaction.atomic():
        transfer = transfer_lock(pk=transfer.pk)
        if not any(
            hub_role_allowed(user=user, hub=hub, role=Role.COORDINATOR)
            for hub in (transfer.from_hub, transfer.to_hub)
        ):
            raise TransferDenied(
                _("Only a coordinator of %(from)s or %(to)s can send this back.")
                % {"from": transfer.from_hub.name, "to": transfer.to_hub.name}
            )
        if transfer.status != TransferStatus.IN_TRANSIT:
            raise TransferError(_("Nothing of this transfer is in transit any more."))
        lines = list(transfer.lines.select_related("item"))
        fills = {f.location.pk: f for f in location_fill_list(hub=transfer.from_hub)}
        free = {pk: f.free_litres for pk, f in fills.items()}
        back = []
        for line in lines:
            if not line.in_transit:
                continue
            expiry = line.expiry_date if line.item.tracks_expiry else None
            where = roomiest_location(
                hub=transfer.from_hub, free=free, item=line.item, quantity=line.in_transit
            )
            free[where] -= line.in_transit * line.item.unit_volume_litres
            back.append(StockLine(line.item, fills[where].location, line.in_transit, expiry, line))
            line.returned += line.in_transit
        room_check(hub=transfer.from_hub, lines=back, nowhere="")
        stock_settle(
            returns=back,
            user=user,
            reason=_("Transfer %(number)d to %(hub)s, sent back")
            % {"number": transfer.pk, "hub": transfer.to_hub.name},
        )
        TransferLine.objects.bulk_update(lines, ["returned"])
        _settle_if_done(transfer, lines)
        return transfer


# --- helpers ------------------------------------------------------------------------------


def _settle_if_done(transfer: Transfer, lines: list[TransferLine]) -> None:
    if any(line.in_transit for line in lines):
        return
    transfer.status, transfer.settled_at = TransferStatus.SETTLED, timezone.now()
    transfer.save(update_fields=["status", "settled_at"])


def _coordinator_check(*, hub: Hub, user: User) -> None:
    hub_role_check(
        user=user,
        hub=hub,
        role=Role.COORDINATOR,
        message=_("Only a coordinator of %(hub)s can send its goods.") % {"hub": hub.name},
        denied=TransferDenied,
    )
