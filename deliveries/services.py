"""Delivery runs: building them, dispatching them and settling each stop.

Every change to a run locks its row first (inventory.locks.run_lock), so two coordinators
pressing Dispatch, or a driver and a coordinator marking one stop, queue and the second one
sees what the first did. Stock only moves through inventory.services: dispatch takes every
line of every stop out at once or nothing; a stop's settlement returns what came back. Goods
for another hub of the network travel as a transfer (deliveries.transfers), checked against
that hub's intake and room when the stop is planned and at dispatch, and enter its stock
only when someone there receives them.
"""

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, cast

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import CharField, F, Max, Model
from django.utils import timezone
from django.utils.translation import gettext as _

from deliveries.locks import run_lock
from deliveries.models import (
    RUN_OPEN_STATUSES,
    Destination,
    DestinationKind,
    DestinationNeed,
    NeedPriority,
    Run,
    RunStatus,
    Stop,
    StopLine,
    StopStatus,
)
from deliveries.reservations import held_before_map, item_free_map
from deliveries.returns import returns_place
from deliveries.selectors import dispatch_picks, run_drive_allowed
from deliveries.transfers import (
    TransferError,
    transfer_driver_returns,
    transfer_intake_check,
    transfers_from_dispatch,
)
from hub.access import hub_role_check
from hub.errors import Denied, UserError
from hub.models import Hub, Membership
from hub.roles import Role
from inventory.models import Category, Item, MovementKind, StockMovement
from inventory.picking import fefo_order
from inventory.reasons import Reason
from inventory.services import (
    MAX_QUANTITY,
    PickLine,
    StockLine,
    quantity_check,
    stock_pick,
    stock_settle,
)

MAX_TEXT = 120


class RunError(UserError):
    """A change to a run that its state or the input does not allow; the message is for
    the user."""


class RunDenied(RunError, Denied):
    """The user is not a coordinator (or admin) of the run's hub, nor its driver where the
    driver may act."""


def run_create(
    *,
    hub: Hub,
    driver: User,
    vehicle: str,
    planned_at: datetime,
    notes: str = "",
    user: User,
) -> Run:
    _run_coordinator_check(hub=hub, user=user)
    _check_driver(hub=hub, driver=driver)
    return Run.objects.create(
        hub=hub,
        driver=driver,
        vehicle=_short_text(vehicle, what=_("vehicle")),
        planned_at=planned_at,
        notes=notes.strip(),
        created_by=user,
    )


def run_update(
    *,
    run: Run,
    driver: User,
    vehicle: str,
    planned_at: datetime,
    notes: str = "",
    user: User,
) -> Run:
    with transaction.atomic():
        run = _open_run(run, user=user)
        _check_driver(hub=run.hub, driver=driver)
        run.driver = driver
        run.vehicle = _short_text(vehicle, what=_("vehicle"))
        run.planned_at = planned_at
        run.notes = notes.strip()
        run.save(update_fields=["driver", "vehicle", "planned_at", "notes"])
        return run


def stop_add(
    *,
    run: Run,
    destination: Destination,
    lines: Sequence[tuple[Item, int]],
    user: User,
) -> Stop:
    """Add a stop at the end of the run, with its lines."""
    with transaction.atomic():
        run = _open_run(run, user=user)
        if destination.hub_id != run.hub_id or not destination.is_active:
            raise RunError(_("Choose one of this hub's active destinations."))
        if run.stops.filter(destination=destination).exists():
            raise RunError(
                _("%(destination)s is already a stop of this run; change that stop instead.")
                % {"destination": destination.name}
            )
        wanted = _checked_lines(lines)
        _receiving_hub_check(destination=destination, wanted=wanted)
        position = (run.stops.aggregate(last=Max("position"))["last"] or 0) + 1
        stop = Stop.objects.create(run=run, destination=destination, position=position)
        StopLine.objects.bulk_create(
            StopLine(stop=stop, item=item, quantity=quantity) for item, quantity in wanted.items()
        )
        return stop


def stop_lines_set(*, stop: Stop, lines: Sequence[tuple[Item, int]], user: User) -> Stop:
    """Replace the stop's lines (a quantity of 0 drops a line)."""
    with transaction.atomic():
        _open_run(stop.run, user=user)
        wanted = _checked_lines(lines)
        _receiving_hub_check(destination=stop.destination, wanted=wanted)
        stop.lines.all().delete()
        StopLine.objects.bulk_create(
            StopLine(stop=stop, item=item, quantity=quantity) for item, quantity in wanted.items()
        )
        return stop


def stop_remove(*, stop: Stop, user: User) -> None:
    with transaction.atomic():
        _open_run(stop.run, user=user)
        stop.delete()


def stop_move(*, stop: Stop, offset: int, user: User) -> None:
    """Swap the stop with the one before it (offset -1) or after it (+1)."""
    with transaction.atomic():
        run = _open_run(stop.run, user=user)
        stops = list(run.stops.order_by("position"))
        index = next(n for n, s in enumerate(stops) if s.pk == stop.pk)
        other_index = index + offset
        if offset not in (-1, 1) or not 0 <= other_index < len(stops):
            return
        this, other = stops[index], stops[other_index]
        positions = (this.position, other.position)
        # Through a free position: (run, position) is unique at every step.
        Stop.objects.filter(pk=this.pk).update(position=0)
        Stop.objects.filter(pk=other.pk).update(position=positions[0])
        Stop.objects.filter(pk=this.pk).update(position=positions[1])


def stock_to_run_add(
    *,
    hub: Hub,
    item: Item,
    quantity: int,
    run: Run | None,
    destination: Destination,
    user: User,
) -> tuple[Run, int]:
    """Put so many units of an item (a batch about to expire, say) on a draft run, as a
    line of its stop at `destination` (the stop is added when the run has none there):
    on `run`, or on a new draft run driven by the user when None. What is put on it is at
    most what no run holds yet (deliveries.reservations): a run never takes what another
    one holds. Dispatch picks the soonest expiry first. Returns the run and the units
    added."""
    _run_coordinator_check(hub=hub, user=user)
    quantity_check(quantity)
    if destination.hub_id != hub.pk or not destination.is_active:
        raise RunError(_("Choose one of this hub's active destinations."))
    if run is not None and run.hub_id != hub.pk:
        raise RunError(_("Choose a draft run of this hub."))
    with transaction.atomic():
        if run is None:
            run = run_create(hub=hub, driver=user, vehicle="", planned_at=timezone.now(), user=user)
        run = _open_run(run, user=user)
        if run.status != RunStatus.DRAFT:
            raise RunError(_("Only a draft run takes new lines from here; choose another."))
        free = item_free_map(hub=hub, item_ids=[item.pk])[item.pk].free
        added = min(quantity, free)
        if added <= 0:
            raise RunError(
                _("All of %(item)s here is already held for runs.") % {"item": item.name}
            )
        stop = run.stops.filter(destination=destination).first()
        if stop is None:
            position = (run.stops.aggregate(last=Max("position"))["last"] or 0) + 1
            stop = Stop.objects.create(run=run, destination=destination, position=position)
        line = stop.lines.filter(item=item).first()
        if line is None:
            StopLine.objects.create(stop=stop, item=item, quantity=added)
        else:
            quantity_check(line.quantity + added)
            StopLine.objects.filter(pk=line.pk).update(quantity=F("quantity") + added)
    return run, added


def run_picking_start(*, run: Run, user: User) -> Run:
    with transaction.atomic():
        run = _open_run(run, user=user)
        _check_has_lines(run)
        if run.status == RunStatus.DRAFT:
            run.status = RunStatus.PICKING
            run.save(update_fields=["status"])
        return run


def run_dispatch(*, run: Run, user: User) -> Run:
    """Out for delivery: every line of every stop leaves stock at once, first-expired-first-
    out across the hub's locations, or nothing does and the Shortfall names what is missing.
    Goods for another hub of the network leave as a transfer, in transit to that hub once
    its intake and room are checked again; the rest as delivered."""
    with transaction.atomic():
        run = _open_run(run, user=user, already_out=_("This run was already dispatched."))
        lines = _check_has_lines(run)
        by_stop: dict[Stop, dict[Item, int]] = {}
        for line in lines:
            if line.stop.destination.kind == DestinationKind.OTHER_HUB:
                by_stop.setdefault(line.stop, {})[line.item] = line.quantity
        for stop, wanted in by_stop.items():
            _receiving_hub_check(destination=stop.destination, wanted=wanted)
        movements = stock_pick(
            hub=run.hub,
            # What runs planned before this one hold stays for them: they leave first.
            held=held_before_map(run=run, item_ids={line.item_id for line in lines}),
            lines=[
                PickLine(
                    item=line.item,
                    quantity=line.quantity,
                    kind=(
                        MovementKind.TRANSFERRED
                        if line.stop.destination.kind == DestinationKind.OTHER_HUB
                        else MovementKind.DELIVERED
                    ),
                    source=line,
                )
                for line in lines
            ],
            user=user,
            reason=Reason("run_out", number=run.pk),
            # A second guard beside the status: one dispatch per run, ever.
            idempotency_key=f"run-{run.pk}-dispatch",
        )
        transfers_from_dispatch(run=run, movements=movements, user=user)
        run.status = RunStatus.OUT_FOR_DELIVERY
        run.dispatched_at, run.dispatched_by = timezone.now(), user
        run.save(update_fields=["status", "dispatched_at", "dispatched_by"])
        return run


def run_cancel(*, run: Run, user: User) -> Run:
    """Cancel a run before dispatch; afterwards only its stops' returns undo it."""
    with transaction.atomic():
        run = _open_run(
            run,
            user=user,
            already_out=_(
                "This run is already out for delivery: it can no longer be cancelled. "
                "Mark its stops with what was brought back instead."
            ),
        )
        run.status, run.cancelled_at = RunStatus.CANCELLED, timezone.now()
        run.save(update_fields=["status", "cancelled_at"])
        return run


def stop_deliver(
    *,
    stop: Stop,
    user: User,
    received_by: str,
    note: str,
    returned: Mapping[int, int],
) -> Stop:
    """Mark a stop delivered, wholly or in part. `returned` maps each line's pk to what was
    brought back: it goes back into stock where it was picked from (latest expiry first),
    or where there is room (deliveries.returns).
    At another hub of the network the rest stays in transit until someone there receives
    it (deliveries.transfers)."""
    with transaction.atomic():
        run = run_lock(pk=stop.run_id)
        if not run_drive_allowed(run=run, user=user):
            raise RunError(_("Only the run's driver or a coordinator can mark its stops."))
        if run.status != RunStatus.OUT_FOR_DELIVERY:
            raise RunError(_("This run is not out for delivery."))
        stop = Stop.objects.select_related("destination").get(pk=stop.pk)
        if stop.status != StopStatus.PENDING:
            raise RunError(_("This stop was already marked."))
        lines = list(stop.lines.select_related("item").order_by("pk"))
        brought_back = _checked_returns(lines=lines, returned=returned)
        delivered_any = any(line.quantity > brought_back[line.pk] for line in lines)
        received_by = _short_text(received_by, what=_("received by"))
        if delivered_any and not received_by:
            raise RunError(_("Write the name of who received the goods."))

        returns = _settlement(lines=lines, brought_back=brought_back)
        if stop.destination.kind == DestinationKind.OTHER_HUB:
            transfer_driver_returns(stop=stop, returns=returns)
        if returns:
            stock_settle(
                returns=returns_place(hub=run.hub, returns=returns),
                user=user,
                reason=Reason(
                    "run_stop",
                    number=run.pk,
                    position=stop.position,
                    destination=stop.destination.name,
                ),
                idempotency_key=f"stop-{stop.pk}-settle",
            )
        for line in lines:
            line.returned = brought_back[line.pk]
        StopLine.objects.bulk_update(lines, ["returned"])
        stop.status = StopStatus.PARTIAL if any(brought_back.values()) else StopStatus.DELIVERED
        stop.received_by, stop.note = received_by, note.strip()
        stop.delivered_at, stop.delivered_by = timezone.now(), user
        stop.save(update_fields=["status", "received_by", "note", "delivered_at", "delivered_by"])
        _finish_if_done(run)
        return stop


# --- helpers ------------------------------------------------------------------------------


def _open_run(run: Run, *, user: User, already_out: str | None = None) -> Run:
    """Lock the run and check the user may change it and it can still change (draft or
    picking)."""
    run = run_lock(pk=run.pk)
    _run_coordinator_check(hub=run.hub, user=user)
    if run.status in RUN_OPEN_STATUSES:
        return run
    if run.status == RunStatus.CANCELLED:
        raise RunError(_("This run was cancelled."))
    raise RunError(already_out or _("This run is already out for delivery; it can't change."))


def _run_coordinator_check(*, hub: Hub, user: User) -> None:
    hub_role_check(
        user=user,
        hub=hub,
        role=Role.COORDINATOR,
        message=_("Only a coordinator of %(hub)s can change its runs.") % {"hub": hub.name},
        denied=RunDenied,
    )


def _check_driver(*, hub: Hub, driver: User) -> None:
    if not driver.is_active or not Membership.objects.filter(user=driver, hub=hub).exists():
        raise RunError(_("The driver must be an active member of this hub."))


def _short_text(value: str, *, what: str) -> str:
    value = value.strip()
    if len(value) > MAX_TEXT:
        raise RunError(
            _("%(what)s: at most %(max)d characters.")
            % {"what": what.capitalize(), "max": MAX_TEXT}
        )
    return value


def _checked_lines(lines: Sequence[tuple[Item, int]]) -> dict[Item, int]:
    wanted: dict[Item, int] = {}
    for item, quantity in lines:
        quantity_check(quantity, allow_zero=True)
        if quantity and not item.is_active:
            raise RunError(_("%(item)s is no longer in the catalog.") % {"item": item})
        if quantity:
            wanted[item] = wanted.get(item, 0) + quantity
    if not wanted:
        raise RunError(_("Add at least one line with a quantity."))
    for quantity in wanted.values():
        quantity_check(quantity)
    return wanted


def _check_has_lines(run: Run) -> list[StopLine]:
    lines = list(
        StopLine.objects.filter(stop__run=run)
        .select_related("item__category", "stop__destination__receiving_hub")
        .order_by("stop__position", "pk")
    )
    if not lines:
        raise RunError(_("Add a stop with at least one line first."))
    return lines


def _checked_returns(*, lines: list[StopLine], returned: Mapping[int, int]) -> dict[int, int]:
    by_pk = {line.pk: line for line in lines}
    if set(returned) - set(by_pk):
        raise RunError(_("That line is not on this stop."))
    brought_back = {}
    for pk, line in by_pk.items():
        quantity = returned.get(pk, 0)
        quantity_check(quantity, allow_zero=True)
        if quantity > line.quantity:
            raise RunError(
                _("%(item)s: %(returned)d brought back, but only %(quantity)d went out.")
                % {"item": line.item, "returned": quantity, "quantity": line.quantity}
            )
        brought_back[pk] = quantity
    return brought_back


def _settlement(*, lines: list[StopLine], brought_back: dict[int, int]) -> list[StockLine]:
    """What goes back where it was picked from: the latest expiry dates first (the soonest
    ones were handed over first)."""
    picks: dict[int, list[StockMovement]] = {line.pk: [] for line in lines}
    for movement in dispatch_picks(lines=lines):
        picks[cast(int, movement.source_id)].append(movement)  # a pick's source is its line
    returns = []
    for line in lines:
        to_return = brought_back[line.pk]
        ordered = sorted(
            picks[line.pk], key=lambda m: fefo_order((m.item_id, m.location_id, m.expiry_date))
        )
        for movement in reversed(ordered):
            back = min(to_return, -movement.quantity)
            to_return -= back
            if back:
                returns.append(
                    StockLine(line.item, movement.location, back, movement.expiry_date, line)
                )
    return returns


def _receiving_hub_check(*, destination: Destination, wanted: Mapping[Item, int]) -> None:
    """At another hub of the network: refused unless it takes the goods now and has room."""
    if destination.kind != DestinationKind.OTHER_HUB or destination.receiving_hub is None:
        return
    try:
        transfer_intake_check(to_hub=destination.receiving_hub, lines=list(wanted.items()))
    except TransferError as error:
        raise RunError(str(error)) from error


def _finish_if_done(run: Run) -> None:
    statuses = set(run.stops.values_list("status", flat=True))
    if StopStatus.PENDING in statuses:
        return
    run.status = (
        RunStatus.PARTIALLY_DELIVERED if StopStatus.PARTIAL in statuses else RunStatus.DELIVERED
    )
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "finished_at"])


# --- destinations (coordinators) ---------------------------------------------------------------


class DestinationError(UserError):
    """A change to a destination or its needs that is refused, storing nothing. The message is
    for the coordinator; `field` names the form field it is about (None: the change as a
    whole)."""


class DestinationDenied(DestinationError, Denied):
    """The user is not a coordinator (or admin) of the destination's hub."""


def destination_create(
    *,
    hub: Hub,
    user: User,
    name: str,
    kind: str,
    address: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    notes: str = "",
    receiving_hub: Hub | None = None,
    is_active: bool = True,
) -> Destination:
    """A new destination of the hub. Its name is unique in the hub; another hub of the
    network (kind `other_hub`) names the hub that receives the goods, other kinds none."""
    _coordinator_check(hub=hub, user=user)
    values = _destination_values(
        hub=hub,
        name=name,
        kind=kind,
        address=address,
        contact_name=contact_name,
        contact_phone=contact_phone,
        notes=notes,
        receiving_hub=receiving_hub,
        is_active=is_active,
    )
    _name_free_check(hub=hub, name=values["name"])
    try:
        with transaction.atomic():
            return Destination.objects.create(hub=hub, **values)
    except IntegrityError as error:  # the same name, saved by someone else just now
        raise _name_taken(values["name"]) from error


def destination_update(
    *,
    destination: Destination,
    user: User,
    name: str,
    kind: str,
    address: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    notes: str = "",
    receiving_hub: Hub | None = None,
    is_active: bool = True,
) -> Destination:
    """Change a destination, under the rules of `destination_create`. An inactive destination
    keeps its runs and needs but is offered for no new run and counts for no public need."""
    hub = destination.hub
    _coordinator_check(hub=hub, user=user)
    values = _destination_values(
        hub=hub,
        name=name,
        kind=kind,
        address=address,
        contact_name=contact_name,
        contact_phone=contact_phone,
        notes=notes,
        receiving_hub=receiving_hub,
        is_active=is_active,
    )
    _name_free_check(hub=hub, name=values["name"], exclude=destination.pk)
    try:
        with transaction.atomic():
            Destination.objects.filter(pk=destination.pk).update(**values)
    except IntegrityError as error:
        raise _name_taken(values["name"]) from error
    for name_, value in values.items():
        setattr(destination, name_, value)
    return destination


def destination_need_save(
    *,
    destination: Destination,
    user: User,
    item: Item | None,
    category: Category | None,
    quantity: int,
    priority: int = NeedPriority.NORMAL,
    notes: str = "",
    need: DestinationNeed | None = None,
) -> DestinationNeed:
    """Add a standing need to the destination (or change `need`, one of its own): so many
    units of one item, or of any item of one category; each item and each category at most
    once per destination."""
    _coordinator_check(hub=destination.hub, user=user)
    if need is not None and need.destination_id != destination.pk:
        raise DestinationError(_("That need belongs to another destination. Reload the page."))
    if (item is None) == (category is None):
        raise DestinationError(
            _("Choose an item or a category: one of the two, not both."), field="item"
        )
    if item is not None and not item.is_active and (need is None or need.item_id != item.pk):
        raise DestinationError(_("This item is not in the catalog any more."), field="item")
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise DestinationError(_("Enter a whole number of at least 1."), field="quantity")
    if quantity > MAX_QUANTITY:
        raise DestinationError(
            _("Enter at most %(max)d.") % {"max": MAX_QUANTITY}, field="quantity"
        )
    if priority not in NeedPriority.values:
        raise DestinationError(_("Choose high, normal or low."), field="priority")
    notes = (notes or "").strip()
    if len(notes) > _text_limit(DestinationNeed, "notes"):
        raise DestinationError(_("Keep the note shorter."), field="notes")

    others = DestinationNeed.objects.filter(destination=destination)
    if need is not None:
        others = others.exclude(pk=need.pk)
    if item is not None and others.filter(item=item).exists():
        raise _item_listed(item)
    if category is not None and others.filter(category=category).exists():
        raise _category_listed(category)

    values = {
        "item": item,
        "category": category,
        "quantity": quantity,
        "priority": priority,
        "notes": notes,
    }
    try:
        with transaction.atomic():
            if need is None:
                return DestinationNeed.objects.create(destination=destination, **values)
            DestinationNeed.objects.filter(pk=need.pk).update(**values)
    except IntegrityError as error:  # listed by someone else just now
        raise (
            _item_listed(item) if item else _category_listed(cast(Category, category))
        ) from error
    for name, value in values.items():
        setattr(need, name, value)
    return need


def destination_need_delete(*, need: DestinationNeed, user: User) -> None:
    _coordinator_check(hub=need.destination.hub, user=user)
    need.delete()


def _coordinator_check(*, hub: Hub, user: User) -> None:
    hub_role_check(
        user=user,
        hub=hub,
        role=Role.COORDINATOR,
        message=_("Only a coordinator of %(hub)s can change its destinations.") % {"hub": hub.name},
        denied=DestinationDenied,
    )


def _destination_values(
    *,
    hub: Hub,
    name: str,
    kind: str,
    address: str,
    contact_name: str,
    contact_phone: str,
    notes: str,
    receiving_hub: Hub | None,
    is_active: bool,
) -> dict:
    """The destination's fields, stripped and checked, or DestinationError."""
    values: dict[str, Any] = {
        "name": (name or "").strip(),
        "kind": kind,
        "address": (address or "").strip(),
        "contact_name": (contact_name or "").strip(),
        "contact_phone": (contact_phone or "").strip(),
        "notes": (notes or "").strip(),
        "receiving_hub": receiving_hub,
        "is_active": bool(is_active),
    }
    if not values["name"]:
        raise DestinationError(
            _("Name the destination, e.g. “Pasadena Convention Center shelter”."), field="name"
        )
    for field in ("name", "address", "contact_name", "contact_phone"):
        limit = _text_limit(Destination, field)
        if len(values[field]) > limit:
            raise DestinationError(
                _("Keep this under %(max)d characters.") % {"max": limit}, field=field
            )
    if kind not in DestinationKind.values:
        raise DestinationError(
            _("Choose a shelter, church, camp, fire station or another hub."), field="kind"
        )
    if kind == DestinationKind.OTHER_HUB:
        if receiving_hub is None:
            raise DestinationError(
                _("Choose the hub of the network that receives the goods."), field="receiving_hub"
            )
        if receiving_hub.pk == hub.pk or not receiving_hub.is_active:
            raise DestinationError(
                _("Choose another active hub of the network, not this one."),
                field="receiving_hub",
            )
    elif receiving_hub is not None:
        raise DestinationError(
            _("Only another hub of the network has a receiving hub."), field="receiving_hub"
        )
    return values


def _name_free_check(*, hub: Hub, name: str, exclude: int | None = None) -> None:
    taken = Destination.objects.filter(hub=hub, name__iexact=name)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise _name_taken(name)


def _name_taken(name: str) -> DestinationError:
    return DestinationError(
        _("%(name)s is already a destination of this hub.") % {"name": name}, field="name"
    )


def _text_limit(model: type[Model], name: str) -> int:
    """The max_length of one of the model's CharFields, which all have one."""
    return cast(int, cast(CharField, model._meta.get_field(name)).max_length)


def _item_listed(item: Item) -> DestinationError:
    return DestinationError(
        _("This destination already lists %(item)s: change that need instead.")
        % {"item": item.display_name},
        field="item",
    )


def _category_listed(category: Category) -> DestinationError:
    return DestinationError(
        _("This destination already lists %(category)s: change that need instead.")
        % {"category": category.display_name},
        field="category",
    )
