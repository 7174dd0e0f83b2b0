"""Intake: logging a donor's dropoff at the table, and undoing a mistake right after."""

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any, cast

from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from hub import sql
from hub.access import hub_role_check
from hub.errors import Denied, UserError
from hub.intake.cache import intake_cache_invalidate
from hub.intake.selectors import (
    dropoff_fills_keep,
    dropoff_lines_keep,
    hub_intake_read,
)
from hub.models import (
    CategoryIntake,
    Dropoff,
    DropoffLine,
    Hub,
    IntakeStatus,
    Outcome,
    PinnedTile,
)
from hub.roles import Role, role_at_least
from inventory.barcodes import item_barcodes_attach
from inventory.capacity import capacity_recheck
from inventory.locks import hub_state_lock
from inventory.models import Category, Item, StockMovement, StorageLocation
from inventory.reasons import Reason
from inventory.services import (
    NoRoom,
    ReceiptHold,
    StockError,
    StockLine,
    quantity_check,
    stock_receive,
    stock_receive_hold,
    stock_void,
)
from inventory.stock_alerts import hub_today

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
    # The volunteer chose "accept anyway" for a line past its expiry date.
    expired_accepted: bool = False
    # A code scanned for an item that was not in the catalog: kept for it once saved.
    new_barcode: str = ""


def dropoff_log(
    *,
    hub: Hub,
    user: User,
    lines: list[DropoffLineInput],
    idempotency_key: str,
    donor_name: str = "",
    donor_contact: str = "",
    donor_consent: bool = False,
) -> Dropoff:
    """Log one visit: the dropoff, its lines, and one `received` movement per accepted line,
    all in one transaction. The same key again (a double tap, a retry) returns the first
    dropoff and stores nothing more.

    A closed hub still logs the visit of a donor it declines or sends on (its table keeps
    serving the door). Refused, storing nothing: accepting anything at a closed hub; an
    item of a category the hub does not take; a quantity over the hub's maximum; a line
    that would overfill its location; accepting an item past its expiry date unless it is
    safe after it and the volunteer chose to accept it anyway (an expired line is otherwise
    logged as discarded)."""
    _member_check(hub=hub, user=user)
    if not donor_consent:
        donor_name = donor_contact = ""  # kept only with the donor's consent
    try:
        # A retry of a dropoff already on record is found when a check refuses it, or when
        # its insert meets the key's unique constraint: a fresh form costs no lookup of its
        # key. Whether the hub takes each category is read once, under the lock.
        _check_open(hub=hub, lines=lines)
        _check_lines(hub=hub, lines=lines)
        with transaction.atomic():
            lines = _unlisted_save(lines=lines)
            accepted = [
                # An accepted line's location was checked (_check_lines).
                StockLine(
                    line.item, cast(StorageLocation, line.location), line.quantity, line.expiry_date
                )
                for line in lines
                if line.outcome == Outcome.ACCEPTED
            ]
            dropoff = Dropoff(
                hub=hub,
                logged_by=user,
                idempotency_key=idempotency_key,
                donor_name=donor_name.strip(),
                donor_contact=donor_contact.strip(),
                donor_consent=donor_consent,
            )
            created = [
                DropoffLine(
                    dropoff=dropoff,
                    item=line.item,
                    quantity=line.quantity,
                    expiry_date=line.expiry_date,
                    outcome=line.outcome,
                    location=line.location if line.outcome == Outcome.ACCEPTED else None,
                    redirected_to=line.redirected_to,
                    expired_accepted=line.outcome == Outcome.ACCEPTED
                    and _expired(line, today=hub_today(hub=hub)),
                )
                for line in lines
            ]
            # Inserted before the stock locks are taken: every dropoff to the same shelf waits
            # for them in turn, so what needs none is done first (a refusal under them undoes
            # it with the rest). A retry of the same form waits here, on its key, holding none.
            _dropoff_insert(dropoff=dropoff, lines=created)
            # Every lock the receipt takes, up to the hub's state lock, which guards its
            # intake; the room on each shelf is checked under them.
            held = _receipt_hold(hub=hub, lines=lines, accepted=accepted)
            # Read again under the lock: a closure committed since the page was loaded (by
            # the fill of another dropoff, or an admin) refuses this one, and none can
            # commit before this dropoff does.
            _check_accepting(hub=hub, lines=lines)
            if accepted:
                stock_receive(
                    lines=accepted,
                    user=user,
                    reason=Reason("dropoff", number=dropoff.pk),
                    source=dropoff,
                    idempotency_key=f"dropoff:{idempotency_key}",
                    held=held,
                )
    except (IntakeError, StockError, IntegrityError) as error:
        # The same form again (a retry, or a double tap that waited on the locks) is answered
        # with the first one's dropoff, whatever changed since.
        if earlier := _dropoff_for_key(hub=hub, key=idempotency_key):
            return earlier
        if isinstance(error, StockError):
            raise IntakeError(str(error)) from error
        raise
    dropoff_lines_keep(dropoff=dropoff, lines=created)
    if held is not None:
        dropoff_fills_keep(dropoff=dropoff, fills=held.fills_after)
    return dropoff


def _dropoff_insert(*, dropoff: Dropoff, lines: list[DropoffLine]) -> None:
    """Insert the dropoff and its lines (unsaved; the lines point at it), setting their ids.
    On Postgres in one statement, the lines taking the dropoff's new id from its insert (a
    data-modifying WITH): one round trip less for every dropoff. Elsewhere (SQLite, the
    demo) one insert each. The columns are the models' own, so a field added to either is
    written here too."""
    if connection.vendor != "postgresql":
        dropoff.save()
        DropoffLine.objects.bulk_create(lines)
        return
    dropoff_fields = sql.inserted_fields(Dropoff)
    line_fields = [f for f in sql.inserted_fields(DropoffLine) if f.name != "dropoff"]
    line_row = ", ".join(["(SELECT id FROM dropoff)"] + ["%s"] * len(line_fields))
    with sql.cursor() as cursor:
        cursor.execute(
            # Only column names and placeholders are joined into the text.
            f"WITH dropoff AS (INSERT INTO {Dropoff._meta.db_table} ({sql.columns(dropoff_fields)})"  # noqa: S608
            f" VALUES ({sql.placeholders(dropoff_fields)}) RETURNING id)"
            f" INSERT INTO {DropoffLine._meta.db_table}"
            f" ({DropoffLine._meta.get_field('dropoff').column}, {sql.columns(line_fields)})"
            f" VALUES {', '.join([f'({line_row})'] * len(lines))} RETURNING dropoff_id, id",
            sql.values(dropoff, dropoff_fields)
            + [value for line in lines for value in sql.values(line, line_fields)],
        )
        returned = cursor.fetchall()
    dropoff.pk = returned[0][0]
    for line, (_dropoff_id, pk) in zip(lines, returned, strict=True):
        line.pk, line.dropoff_id = pk, dropoff.pk
    for row in (dropoff, *lines):
        row._state.adding, row._state.db = False, connection.alias


def _unlisted_save(*, lines: list[DropoffLineInput]) -> list[DropoffLineInput]:
    """The lines, each item that is not in the catalog yet (unsaved, flagged for review)
    saved first. A name the catalog has already (any case) is that item: the volunteer
    typed what someone else added before, or a coordinator kept or merged it since."""
    saved: dict[str, Item] = {}
    result = []
    for n, line in enumerate(lines):
        item = line.item
        if item.pk is None:
            key = item.name.casefold()
            if key not in saved:
                saved[key] = _unlisted_item_get_or_create(item=item, n=n)
            if line.new_barcode:
                item_barcodes_attach(item=saved[key], codes=[line.new_barcode])
            line = replace(line, item=saved[key])
        result.append(line)
    return result


def _unlisted_item_get_or_create(*, item: Item, n: int) -> Item:
    found = Item.objects.filter(name__iexact=item.name).select_related("merged_into").first()
    while found is not None and found.merged_into_id is not None:
        found = Item.objects.select_related("merged_into").get(pk=found.merged_into_id)
    if found is None:
        try:
            with transaction.atomic():
                item.save()
        except IntegrityError:
            # Another table added the same name a moment ago.
            found = Item.objects.get(name__iexact=item.name)
        else:
            return item
    if not found.is_active:
        raise IntakeError(_("%(item)s is no longer in the catalog.") % {"item": found}, line=n)
    return found


def dropoff_undo(*, dropoff: Dropoff, user: User) -> Dropoff:
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
                    reason=Reason("dropoff_undone", number=locked.pk),
                    idempotency_key=f"undo-dropoff:{locked.pk}",
                )
            except StockError as error:
                raise IntakeError(str(error)) from error
        locked.undone_at, locked.undone_by = timezone.now(), user
        locked.save(update_fields=["undone_at", "undone_by"])
    return locked


def dropoff_can_undo(*, dropoff: Dropoff, user: User) -> bool:
    return (
        dropoff.undone_at is None
        and timezone.now() - dropoff.logged_at <= UNDO_WINDOW
        and (dropoff.logged_by_id == user.pk or role_at_least(user, Role.COORDINATOR))
    )


def _member_check(*, hub: Hub, user: User) -> None:
    hub_role_check(
        user=user,
        hub=hub,
        role=Role.VOLUNTEER,
        message=_("Only a member of %(hub)s can log or undo its dropoffs.") % {"hub": hub.name},
        denied=IntakeDenied,
    )


def _dropoff_for_key(*, hub: Hub, key: str) -> Dropoff | None:
    return Dropoff.objects.filter(hub=hub, idempotency_key=key).first()


def _check_open(*, hub: Hub, lines: list[DropoffLineInput]) -> None:
    accepting = any(line.outcome == Outcome.ACCEPTED for line in lines)
    if accepting and hub.intake_status == IntakeStatus.CLOSED:
        raise IntakeError(_("%(hub)s is not taking donations now.") % {"hub": hub.name})


def _check_lines(*, hub: Hub, lines: list[DropoffLineInput]) -> None:
    if not lines:
        raise IntakeError(_("Add at least one item."))
    today = hub_today(hub=hub)
    for n, line in enumerate(lines):
        dropoff_line_check(
            hub=hub,
            item=line.item,
            quantity=line.quantity,
            outcome=line.outcome,
            redirected_to=line.redirected_to,
            line=n,
        )
        if line.outcome == Outcome.ACCEPTED:
            _check_accepted(hub=hub, line=line, n=n)
            _check_expired(line=line, n=n, today=today)


def dropoff_line_check(
    *,
    hub: Hub,
    item: Item,
    quantity: int,
    outcome: str,
    redirected_to: Hub | None,
    line: int | None = None,
) -> None:
    """The rules of one line that need nothing but the line and its hub, worded once: the
    table's form asks them before the confirmation of an unusual quantity, the service
    again whoever calls it. Raises an IntakeError naming the line and its field."""
    whole = isinstance(quantity, int) and not isinstance(quantity, bool)
    if whole and quantity > hub.max_line_quantity:
        raise IntakeError(
            _("%(quantity)d is more than this hub takes on one line (%(max)d). Check it.")
            % {"quantity": quantity, "max": hub.max_line_quantity},
            field="quantity",
            line=line,
        )
    try:
        quantity_check(quantity)
    except StockError as error:
        raise IntakeError(str(error), field="quantity", line=line) from error
    if not item.is_active:
        raise IntakeError(
            _("%(item)s is no longer in the catalog.") % {"item": item}, field="item", line=line
        )
    if outcome not in Outcome.values:
        raise IntakeError(
            _("Choose what happened to %(item)s.") % {"item": item}, field="outcome", line=line
        )
    if outcome == Outcome.REDIRECTED and (redirected_to is None or redirected_to.pk == hub.pk):
        raise IntakeError(
            _("Choose another hub to send %(item)s to.") % {"item": item},
            field="redirected_to",
            line=line,
        )
    if outcome != Outcome.REDIRECTED and redirected_to is not None:
        raise IntakeError(
            _("Only a redirected line names another hub."), field="redirected_to", line=line
        )


def _check_accepted(*, hub: Hub, line: DropoffLineInput, n: int) -> None:
    if line.location is None or line.location.hub_id != hub.pk:
        raise IntakeError(
            _("Choose a storage location of this hub for %(item)s.") % {"item": line.item},
            line=n,
        )


def _expired(line: DropoffLineInput, *, today: date) -> bool:
    return line.expiry_date is not None and line.expiry_date < today


def _check_expired(*, line: DropoffLineInput, n: int, today: date) -> None:
    if _expired(line, today=today):
        problem = expired_line_problem(item=line.item, line=line)
        if problem:
            raise IntakeError(problem, line=n)


def expired_line_problem(*, item: Item, line: DropoffLineInput) -> str | None:
    """What keeps an accepted line past its expiry date from being logged, if anything: an
    item is accepted past its date only when it is safe after it (coordinators say which)
    and the volunteer chose so on its line; otherwise it is discarded. The form asks it of
    every line at once; `dropoff_log` enforces it."""
    values = {
        "item": item.name,
        "date": formats.date_format(cast(date, line.expiry_date), "SHORT_DATE_FORMAT"),
    }
    if not item.safe_after_expiry:
        return _("%(item)s expired on %(date)s and is not safe after its date: discard it.") % (
            values
        )
    if not line.expired_accepted:
        return _("%(item)s expired on %(date)s: discard it, or accept it anyway.") % values
    return None


def _check_accepting(*, hub: Hub, lines: list[DropoffLineInput]) -> None:
    """The hub is open, and takes the categories of the accepted lines: its intake read
    again (into `hub`) under its state lock, so that what is committed counts (one query),
    and only there."""
    accepted = [(n, line) for n, line in enumerate(lines) if line.outcome == Outcome.ACCEPTED]
    acceptance = hub_intake_read(
        hub=hub, category_ids={line.item.category_id for _n, line in accepted}
    )
    _check_open(hub=hub, lines=lines)
    for n, line in accepted:
        if not acceptance[line.item.category_id].accepts:
            raise IntakeError(
                _("%(hub)s is not taking %(category)s now: decline it or send the donor on.")
                % {"hub": hub.name, "category": line.item.category.display_name},
                line=n,
            )


def _receipt_hold(
    *, hub: Hub, lines: list[DropoffLineInput], accepted: list[StockLine]
) -> ReceiptHold | None:
    """Lock what the dropoff's stock change takes (inventory.services.stock_receive_hold),
    or, when it stocks nothing, only the hub's state lock. No accepted line may take its
    location past 100 %: refused with the line's index."""
    if not accepted:
        hub_state_lock(hub=hub)
        return None
    try:
        return stock_receive_hold(
            hub=hub,
            lines=accepted,
            nowhere=_("No location here has room for it: send the donor to another hub."),
        )
    except NoRoom as error:
        indexes = [n for n, line in enumerate(lines) if line.outcome == Outcome.ACCEPTED]
        raise IntakeError(str(error), line=indexes[error.index]) from error


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
    user: User,
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
    values: dict[str, Any] = {
        "intake_status": status,
        "intake_reason": reason if status != IntakeStatus.OPEN else "",
        "intake_reopens_at": reopens_at,
        "intake_closed_automatically": False,
        "intake_changed_at": timezone.now(),
    }
    if values["intake_reason"] != hub.intake_reason:
        # The other languages' words were for the old reason: an admin gives the new ones.
        values["translations"] = {
            k: v for k, v in (hub.translations or {}).items() if k != "intake_reason"
        }
    with transaction.atomic():
        hub_state_lock(hub=hub)  # no dropoff is logged after this commits (inventory.locks)
        return _hub_update(hub=hub, values=values)


def category_intake_set(
    *,
    hub: Hub,
    user: User,
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
        hub_state_lock(hub=hub)  # no dropoff is logged after this commits (inventory.locks)
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


@dataclass(frozen=True)
class IntakeChoice:
    """One row of the intake control form: the hub's or a category's status."""

    status: str
    reason: str = ""
    reopens_at: datetime | None = None


@dataclass(frozen=True)
class IntakeSaved:
    """What `intake_control_save` changed: the hub or not, and each category changed, with
    its row (None when it follows the hub again)."""

    hub_changed: bool
    categories: list[tuple[Category, CategoryIntake | None]]


class IntakeControlRefused(IntakeControlError):
    """Rows of the intake control form refused, by the category's pk (None: the hub's row);
    nothing of the form was stored."""

    def __init__(self, errors: dict[int | None, UserError]):
        super().__init__(" ".join(str(error) for error in errors.values()))
        self.errors = errors


def intake_control_save(
    *,
    hub: Hub,
    user: User,
    hub_choice: IntakeChoice | None,
    category_choices: dict[Category, IntakeChoice],
) -> IntakeSaved:
    """The hub and every category of the one intake control form, saved together or not at
    all: only rows that differ from what is stored are applied, each by its own service; if
    any is refused, nothing is stored and `IntakeControlRefused` names every refused row."""
    _intake_admin_check(hub=hub, user=user)
    stored = {row.category_id: row for row in CategoryIntake.objects.filter(hub=hub)}
    errors: dict[int | None, UserError] = {}
    hub_changed, changed = False, []
    try:
        with transaction.atomic():
            if hub_choice is not None and _hub_choice_differs(hub, hub_choice):
                try:
                    hub_intake_set(hub=hub, user=user, **vars(hub_choice))
                    hub_changed = True
                except IntakeControlError as error:
                    errors[None] = error
            for category, choice in category_choices.items():
                if not _category_choice_differs(stored.get(category.pk), choice):
                    continue
                try:
                    row = category_intake_set(hub=hub, user=user, category=category, **vars(choice))
                except IntakeControlError as error:
                    errors[category.pk] = error
                else:
                    changed.append((category, row))
            if errors:
                raise IntakeControlRefused(errors)
    except IntakeControlRefused:
        hub.refresh_from_db()  # the services changed it in place; the rollback undid that
        raise
    return IntakeSaved(hub_changed=hub_changed, categories=changed)


def _hub_choice_differs(hub: Hub, choice: IntakeChoice) -> bool:
    stored = (hub.intake_status, hub.intake_reason, hub.intake_reopens_at)
    wanted = (choice.status, choice.reason.strip(), choice.reopens_at)
    # A hand-set status replaces an automatic closure, even the same one.
    return wanted != stored or hub.intake_closed_automatically


def _category_choice_differs(row: CategoryIntake | None, choice: IntakeChoice) -> bool:
    stored = (row.status, row.reason, row.reopens_at) if row else (FOLLOW_HUB, "", None)
    return (choice.status, choice.reason.strip(), choice.reopens_at) != stored


def hub_thresholds_set(
    *,
    hub: Hub,
    user: User,
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
        hub_state_lock(hub=hub)  # before the hub's row (inventory.locks)
        _hub_update(hub=hub, values=values)
        # The states tripped under the old thresholds mean nothing under the new ones.
        capacity_recheck(hub=hub)
    hub.refresh_from_db()
    return hub


def intake_reopen_due(*, now: datetime) -> ReopenCounts:
    """Reopen what an admin closed or limited until a time that has come: such a hub opens
    (reason and reopen time cleared), such a category row goes, so the category follows its
    hub again. Safe to run twice or at once: a second run finds nothing due. A change an
    admin or a dropoff is making to a hub's intake right now finishes first."""
    with transaction.atomic():
        due_hubs = set(Hub.objects.filter(intake_reopens_at__lte=now).values_list("pk", flat=True))
        due_rows = CategoryIntake.objects.filter(reopens_at__lte=now)
        touched = sorted(due_hubs | set(due_rows.values_list("hub_id", flat=True)))
        # Each hub's intake is changed under its capacity state (inventory.locks, step 3):
        # an admin changing it now, or a dropoff reading it, finishes first.
        for hub in Hub.objects.filter(pk__in=touched).order_by("pk"):
            hub_state_lock(hub=hub)
        due = Hub.objects.filter(pk__in=touched, intake_reopens_at__lte=now)
        hub_ids = sorted(due.values_list("pk", flat=True))
        Hub.objects.filter(pk__in=hub_ids).update(
            intake_status=IntakeStatus.OPEN,
            intake_reason="",
            intake_reopens_at=None,
            intake_closed_automatically=False,
            intake_changed_at=now,
        )
        rows = list(due_rows.values_list("pk", "hub_id"))
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


def _intake_admin_check(*, hub: Hub, user: User) -> None:
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


# --- the table's pinned tiles (coordinators) -------------------------------------------------

TILE_ACTIONS = ("pin", "unpin", "up", "down")


def tile_pin_change(*, hub: Hub, item: Item, action: str) -> list[PinnedTile]:
    """Pin an item to the end of the hub's tiles, unpin it, or move it one place up or
    down. Positions stay 1, 2, 3...; the hub's pins are locked while they change, so two
    coordinators at once queue. Returns the pins in their order."""
    if action not in TILE_ACTIONS:
        raise ValueError(f"{action!r} is not a tile action")
    with transaction.atomic():
        Hub.objects.select_for_update(no_key=True).filter(pk=hub.pk).first()
        pins = list(PinnedTile.objects.filter(hub=hub).order_by("position", "pk"))
        mine = next((pin for pin in pins if pin.item_id == item.pk), None)
        if action == "pin" and mine is None:
            if not item.is_active:
                raise IntakeError(_("%(item)s is no longer in the catalog.") % {"item": item})
            pins.append(PinnedTile(hub=hub, item=item, position=len(pins) + 1))
        elif action == "unpin" and mine is not None:
            pins.remove(mine)
            mine.delete()
        elif action in ("up", "down") and mine is not None:
            n = pins.index(mine)
            other = n - 1 if action == "up" else n + 1
            if 0 <= other < len(pins):
                pins[n], pins[other] = pins[other], pins[n]
        for position, pin in enumerate(pins, start=1):
            pin.position = position
        PinnedTile.objects.bulk_create([pin for pin in pins if pin.pk is None], batch_size=100)
        PinnedTile.objects.bulk_update([pin for pin in pins if pin.pk], ["position"])
        intake_cache_invalidate(hub_id=hub.pk)
    return pins
