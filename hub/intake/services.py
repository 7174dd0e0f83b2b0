"""Intake: logging a donor's dropoff at the table, and undoing a mistake right after."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hub.access import hub_role_check
from hub.errors import Denied, UserError
from hub.intake.selectors import acceptance_map
from hub.models import CategoryIntake, Dropoff, DropoffLine, Hub, IntakeStatus, Outcome
from hub.roles import Role, role_at_least
from inventory.capacity import capacity_recheck
from inventory.models import Category, Item, StockMovement, StorageLocation
from inventory.services import (
    NoRoom,
    StockError,
    StockLine,
    quantity_check,
    room_check,
    stock_receive,
    stock_void,
)

UNDO_WINDOW = timedelta(minutes=10)


class IntakeError(UserError):
    """A dropoff that cannot be logged or undone; the message is for the volunteer. `line`
    is the index of the line it is about, so the page can show it beside that line."""


class IntakeDenied(IntakeError, Denied):
    """The user is not a member of the dropoff's hub."""


@dataclass(frozen=True)
class DropoffLineInput:
    item: Item
    quantity: int
    outcome: str = Outcome.ACCEPTED
    location: StorageLocation | None = None
    expiry_date: date | None = None
    redirected_to: Hub | None = None


def dropoff_log(
    *,
    hub: Hub,
    user: AbstractBaseUser,
    lines: list[DropoffLineInput],
    idempotency_key: str,
    donor_name: str = "",
    donor_contact: str = "",
    donor_consent: bool = False,
) -> Dropoff:
    """Log one visit: the dropoff, its lines, and one `received` movement per accepted line,
    all in one transaction. The same key again (a double tap, a retry) returns the first
    dropoff and stores nothing more.

    Refused, storing nothing: a closed hub; accepting an item of a category the hub does
    not take; a quantity over the hub's maximum; a line that would overfill its location."""
    _member_check(hub=hub, user=user)
    if earlier := _dropoff_for_key(hub=hub, key=idempotency_key):
        return earlier
    if hub.intake_status == IntakeStatus.CLOSED:
        raise IntakeError(_("%(hub)s is not taking donations now.") % {"hub": hub.name})
    _check_lines(hub=hub, lines=lines)
    if not donor_consent:
        donor_name = donor_contact = ""  # kept only with the donor's consent
    try:
        with transaction.atomic():
            _check_room(hub=hub, lines=lines)
            dropoff = Dropoff.objects.create(
                hub=hub,
                logged_by=user,
                idempotency_key=idempotency_key,
                donor_name=donor_name.strip(),
                donor_contact=donor_contact.strip(),
                donor_consent=donor_consent,
            )
            DropoffLine.objects.bulk_create(
                DropoffLine(
                    dropoff=dropoff,
                    item=line.item,
                    quantity=line.quantity,
                    expiry_date=line.expiry_date,
                    outcome=line.outcome,
                    location=line.location if line.outcome == Outcome.ACCEPTED else None,
                    redirected_to=line.redirected_to,
                )
                for line in lines
            )
            accepted = [
                StockLine(line.item, line.location, line.quantity, line.expiry_date)
                for line in lines
                if line.outcome == Outcome.ACCEPTED
            ]
            if accepted:
                stock_receive(
                    lines=accepted,
                    user=user,
                    reason=_("Dropoff #%(number)d") % {"number": dropoff.pk},
                    source=dropoff,
                    idempotency_key=f"dropoff:{idempotency_key}",
                )
    except StockError as error:
        raise IntakeError(str(error)) from error
    except IntegrityError:
        # The same form submitted twice at once: the first one's dropoff is the answer.
        if earlier := _dropoff_for_key(hub=hub, key=idempotency_key):
            return earlier
        raise
    return dropoff


def dropoff_undo(*, dropoff: Dropoff, user: AbstractBaseUser) -> Dropoff:
    """Undo a dropoff logged in the last 10 minutes, by who logged it or a coordinator:
    its stock is voided by reversing movements; the dropoff itself is kept, marked undone."""
    _member_check(hub=dropoff.hub, user=user)
    if dropoff.logged_by_id != user.pk and not role_at_least(user, Role.COORDINATOR):
        raise IntakeError(_("Only who logged this dropoff, or a coordinator, can undo it."))
    if timezone.now() - dropoff.logged_at > UNDO_WINDOW:
        raise IntakeError(_("A dropoff can only be undone within 10 minutes."))
    with transaction.atomic():
        locked = Dropoff.objects.select_for_update().get(pk=dropoff.pk)
        if locked.undone_at:
            raise IntakeError(_("This dropoff was already undone."))
        received = StockMovement.objects.filter(
            source_type__app_label="hub", source_type__model="dropoff", source_id=locked.pk
        ).first()
        if received:
            try:
                stock_void(
                    movement=received,
                    user=user,
                    reason=_("Dropoff #%(number)d undone") % {"number": locked.pk},
                    idempotency_key=f"undo-dropoff:{locked.pk}",
                )
            except StockError as error:
                raise IntakeError(str(error)) from error
        locked.undone_at, locked.undone_by = timezone.now(), user
        locked.save(update_fields=["undone_at", "undone_by"])
    return locked


def dropoff_can_undo(*, dropoff: Dropoff, user: AbstractBaseUser) -> bool:
    return (
        dropoff.undone_at is None
        and timezone.now() - dropoff.logged_at <= UNDO_WINDOW
        and (dropoff.logged_by_id == user.pk or role_at_least(user, Role.COORDINATOR))
    )


def _member_check(*, hub: Hub, user: AbstractBaseUser) -> None:
    hub_role_check(
        user=user,
        hub=hub,
        role=Role.VOLUNTEER,
        message=_("Only a member of %(hub)s can log or undo its dropoffs.") % {"hub": hub.name},
        denied=IntakeDenied,
    )


def _dropoff_for_key(*, hub: Hub, key: str) -> Dropoff | None:
    earlier = Dropoff.objects.filter(idempotency_key=key).first()
    if earlier is not None and earlier.hub_id != hub.pk:
        raise IntakeError(_("This form belongs to another hub. Reload the page."))
    return earlier


def _check_lines(*, hub: Hub, lines: list[DropoffLineInput]) -> None:
    if not lines:
        raise IntakeError(_("Add at least one item."))
    acceptance = acceptance_map(hubs=[hub])
    for n, line in enumerate(lines):
        try:
            quantity_check(line.quantity)
        except StockError as error:
            raise IntakeError(str(error), line=n) from error
        if line.quantity > hub.max_line_quantity:
            raise IntakeError(
                _("%(quantity)d is more than this hub takes on one line (%(max)d). Check it.")
                % {"quantity": line.quantity, "max": hub.max_line_quantity},
                line=n,
            )
        if not line.item.is_active:
            raise IntakeError(
                _("%(item)s is no longer in the catalog.") % {"item": line.item}, line=n
            )
        if line.outcome not in Outcome.values:
            raise IntakeError(_("Choose what happened to %(item)s.") % {"item": line.item}, line=n)
        if line.outcome == Outcome.ACCEPTED:
            _check_accepted(hub=hub, line=line, n=n, acceptance=acceptance)
        if line.outcome == Outcome.REDIRECTED and (
            line.redirected_to is None or line.redirected_to.pk == hub.pk
        ):
            raise IntakeError(
                _("Choose another hub to send %(item)s to.") % {"item": line.item}, line=n
            )
        if line.outcome != Outcome.REDIRECTED and line.redirected_to is not None:
            raise IntakeError(_("Only a redirected line names another hub."), line=n)


def _check_accepted(*, hub: Hub, line: DropoffLineInput, n: int, acceptance: dict) -> None:
    if not acceptance[(hub.pk, line.item.category_id)].accepts:
        raise IntakeError(
            _("%(hub)s is not taking %(category)s now: decline it or send the donor on.")
            % {"hub": hub.name, "category": line.item.category.name},
            line=n,
        )
    if line.location is None or line.location.hub_id != hub.pk:
        raise IntakeError(
            _("Choose a storage location of this hub for %(item)s.") % {"item": line.item},
            line=n,
        )


def _check_room(*, hub: Hub, lines: list[DropoffLineInput]) -> None:
    """No accepted line may take its location past 100 % (inventory.services.room_check)."""
    accepted = [(n, line) for n, line in enumerate(lines) if line.outcome == Outcome.ACCEPTED]
    try:
        room_check(
            hub=hub,
            lines=[StockLine(line.item, line.location, line.quantity) for _n, line in accepted],
            nowhere=_("No location here has room for it: send the donor to another hub."),
        )
    except NoRoom as error:
        raise IntakeError(str(error), line=accepted[error.index][0]) from error


# --- intake control (admins) ------------------------------------------------------------------

# The status of a category that has no row of its own: it takes whatever the hub takes.
FOLLOW_HUB = "follow"
REASON_MAX_LENGTH = 255


class IntakeControlError(UserError):
    """A change to a hub's intake or thresholds that is refused, storing nothing. The message
    is for the admin; `field` names the form field it is about (None: the change as a whole)."""


class IntakeControlDenied(IntakeControlError, Denied):
    """The user is not an admin of that hub."""


@dataclass(frozen=True)
class ReopenCounts:
    """What one run of `intake_reopen_due` reopened."""

    hubs: int
    categories: int


def hub_intake_set(
    *,
    hub: Hub,
    user: AbstractBaseUser,
    status: str,
    reason: str = "",
    reopens_at: datetime | None = None,
) -> Hub:
    """Open, limit or close intake for the whole hub. Limited and closed need a reason and
    may name a time (in the future) when the hub reopens by itself; open clears both. A
    hand-set status replaces an automatic closure. Returns the hub, updated in place."""
    _intake_admin_check(hub=hub, user=user)
    if status not in IntakeStatus.values:
        raise IntakeControlError(_("Choose open, limited or closed."), field="status")
    reason, reopens_at = _intake_reason_check(status=status, reason=reason, reopens_at=reopens_at)
    values = {
        "intake_status": status,
        "intake_reason": reason if status != IntakeStatus.OPEN else "",
        "intake_reopens_at": reopens_at,
        "intake_closed_automatically": False,
        "intake_changed_at": timezone.now(),
    }
    return _hub_update(hub=hub, values=values)


def category_intake_set(
    *,
    hub: Hub,
    user: AbstractBaseUser,
    category: Category,
    status: str,
    reason: str = "",
    reopens_at: datetime | None = None,
) -> CategoryIntake | None:
    """What the hub says about one category. FOLLOW_HUB removes its row, so it takes what
    the hub takes (returns None); open, limited or closed store the row (a reason is needed
    for limited and closed; a reopen time, in the future, makes it follow the hub again)."""
    _intake_admin_check(hub=hub, user=user)
    if status != FOLLOW_HUB and status not in IntakeStatus.values:
        raise IntakeControlError(
            _("Choose follow the hub, open, only if needed or closed."), field="status"
        )
    row = None
    now = timezone.now()
    with transaction.atomic():
        if status == FOLLOW_HUB:
            CategoryIntake.objects.filter(hub=hub, category=category).delete()
        else:
            reason, reopens_at = _intake_reason_check(
                status=status, reason=reason, reopens_at=reopens_at
            )
            row, _created = CategoryIntake.objects.update_or_create(
                hub=hub,
                category=category,
                defaults={"status": status, "reason": reason, "reopens_at": reopens_at},
            )
        Hub.objects.filter(pk=hub.pk).update(intake_changed_at=now)
    hub.intake_changed_at = now
    return row


def hub_thresholds_set(
    *,
    hub: Hub,
    user: AbstractBaseUser,
    nearly_full_percent: int,
    full_percent: int,
    close_when_full: bool,
) -> Hub:
    """The fill levels (1-100 %, nearly full below full) at which the hub warns and counts
    as full, and whether being full closes intake by itself. Returns the hub, updated."""
    _intake_admin_check(hub=hub, user=user)
    for field, value in (
        ("nearly_full_percent", nearly_full_percent),
        ("full_percent", full_percent),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 100:
            raise IntakeControlError(_("Enter a whole number from 1 to 100."), field=field)
    if nearly_full_percent >= full_percent:
        raise IntakeControlError(
            _("“Nearly full” must be lower than “full” (%(full)d %%).") % {"full": full_percent},
            field="nearly_full_percent",
        )
    values = {
        "nearly_full_percent": nearly_full_percent,
        "full_percent": full_percent,
        "close_when_full": bool(close_when_full),
    }
    with transaction.atomic():
        _hub_update(hub=hub, values=values)
        # The states tripped under the old thresholds mean nothing under the new ones.
        capacity_recheck(hub=hub)
    hub.refresh_from_db()
    return hub


def intake_reopen_due(*, now: datetime) -> ReopenCounts:
    """Reopen what an admin closed or limited until a time that has come: such a hub opens
    (reason and reopen time cleared), such a category row goes, so the category follows its
    hub again. Safe to run twice or at once: a second run finds nothing due, and rows an
    admin is changing right now are left for the next run."""
    with transaction.atomic():
        due_hubs = set(Hub.objects.filter(intake_reopens_at__lte=now).values_list("pk", flat=True))
        due_rows = CategoryIntake.objects.filter(reopens_at__lte=now)
        touched = due_hubs | set(due_rows.values_list("hub_id", flat=True))
        # NO KEY, like every other lock on hubs: dropoffs insert rows that point at the hub
        # meanwhile. A hub an admin is changing now is left for the next run.
        locked = set(
            Hub.objects.select_for_update(no_key=True, skip_locked=True)
            .filter(pk__in=touched)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        hub_ids = sorted(due_hubs & locked)
        Hub.objects.filter(pk__in=hub_ids, intake_reopens_at__lte=now).update(
            intake_status=IntakeStatus.OPEN,
            intake_reason="",
            intake_reopens_at=None,
            intake_closed_automatically=False,
            intake_changed_at=now,
        )
        rows = list(due_rows.filter(hub_id__in=locked).values_list("pk", "hub_id"))
        CategoryIntake.objects.filter(pk__in=[pk for pk, _hub in rows]).delete()
        Hub.objects.filter(pk__in={hub_id for _pk, hub_id in rows} - set(hub_ids)).update(
            intake_changed_at=now
        )
        # A hub reopened while its storage is still past full closes again by itself.
        for hub in Hub.objects.filter(pk__in=hub_ids):
            capacity_recheck(hub=hub)
    return ReopenCounts(hubs=len(hub_ids), categories=len(rows))


def _hub_update(*, hub: Hub, values: dict) -> Hub:
    Hub.objects.filter(pk=hub.pk).update(**values)
    for name, value in values.items():
        setattr(hub, name, value)
    return hub


def _intake_admin_check(*, hub: Hub, user: AbstractBaseUser) -> None:
    hub_role_check(
        user=user,
        hub=hub,
        role=Role.ADMIN,
        message=_("Only an admin of %(hub)s can change its intake.") % {"hub": hub.name},
        denied=IntakeControlDenied,
    )


def _intake_reason_check(
    *, status: str, reason: str, reopens_at: datetime | None
) -> tuple[str, datetime | None]:
    """The reason and reopen time to store with a status, or IntakeControlError."""
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX_LENGTH:
        raise IntakeControlError(
            _("Keep the reason under %(max)d characters.") % {"max": REASON_MAX_LENGTH},
            field="reason",
        )
    if status == IntakeStatus.OPEN:
        return reason, None  # nothing to reopen
    if not reason:
        raise IntakeControlError(
            _("Say why, for volunteers and donors: e.g. “Storage full” or “Only baby items”."),
            field="reason",
        )
    if reopens_at is not None:
        if timezone.is_naive(reopens_at):
            raise ValueError("reopens_at must be time-zone aware")
        if reopens_at <= timezone.now():
            raise IntakeControlError(
                _("That time has passed: choose a later reopen time, or leave it empty."),
                field="reopens_at",
            )
    return reason, reopens_at
