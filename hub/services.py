"""Intake: logging a donor's dropoff at the table, and undoing a mistake right after."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hub.models import Dropoff, DropoffLine, Hub, Outcome
from hub.roles import Role, role_at_least
from inventory.models import Item, StockMovement, StorageLocation
from inventory.services import (
    StockError,
    StockLine,
    quantity_check,
    stock_receive,
    stock_void,
)

UNDO_WINDOW = timedelta(minutes=10)


class IntakeError(Exception):
    """A dropoff that cannot be logged or undone; the message is for the volunteer."""


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
    dropoff and stores nothing more."""
    if earlier := _dropoff_for_key(hub=hub, key=idempotency_key):
        return earlier
    _check_lines(hub=hub, lines=lines)
    if not donor_consent:
        donor_name = donor_contact = ""  # kept only with the donor's consent
    try:
        with transaction.atomic():
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
    if dropoff.logged_by_id != user.pk and not role_at_least(user, Role.COORDINATOR):
        raise IntakeError(_("Only who logged this dropoff, or a coordinator, can undo it."))
    if timezone.now() - dropoff.logged_at > UNDO_WINDOW:
        raise IntakeError(_("A dropoff can only be undone within 10 minutes."))
    with transaction.atomic():
        locked = Dropoff.objects.select_for_update().get(pk=dropoff.pk)
        if locked.undone_at:
            raise IntakeError(_("This dropoff was already undone."))
        received = StockMovement.objects.filter(
            source_type__model="dropoff", source_type__app_label="hub", source_id=locked.pk
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


def _dropoff_for_key(*, hub: Hub, key: str) -> Dropoff | None:
    earlier = Dropoff.objects.filter(idempotency_key=key).first()
    if earlier is not None and earlier.hub_id != hub.pk:
        raise IntakeError(_("This form belongs to another hub. Reload the page."))
    return earlier


def _check_lines(*, hub: Hub, lines: list[DropoffLineInput]) -> None:
    if not lines:
        raise IntakeError(_("Add at least one item."))
    for line in lines:
        try:
            quantity_check(line.quantity)
        except StockError as error:
            raise IntakeError(f"{line.item}: {error}") from error
        if line.outcome not in Outcome.values:
            raise IntakeError(_("Choose what happened to %(item)s.") % {"item": line.item})
        wrong_place = line.location is None or line.location.hub_id != hub.pk
        if line.outcome == Outcome.ACCEPTED and wrong_place:
            raise IntakeError(
                _("Choose a storage location of this hub for %(item)s.") % {"item": line.item}
            )
        if line.outcome == Outcome.REDIRECTED and (
            line.redirected_to is None or line.redirected_to.pk == hub.pk
        ):
            raise IntakeError(_("Choose another hub to send %(item)s to.") % {"item": line.item})
        if line.outcome != Outcome.REDIRECTED and line.redirected_to is not None:
            raise IntakeError(_("Only a redirected line names another hub."))
