"""Donors' pledges: what a donor says they will bring to a hub, made on the public pledge
form (no account), and settled at that hub's table when they arrive or do not come."""

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from hub.access import hub_role_check
from hub.errors import Denied, UserError
from hub.intake.pledge_selectors import PledgeLineInput, pledge_options
from hub.models import Dropoff, Hub, Pledge, PledgeLine, PledgeStatus
from hub.roles import Role
from hub.throttle import throttle_add, throttle_count

MAX_LINES = 20
MAX_QUANTITY = 100_000
# A family pledging from a shared connection makes a few; a script makes hundreds.
MOST_PLEDGES_PER_ADDRESS_PER_HOUR = 20


class PledgeError(UserError):
    """A pledge that cannot be made or settled; the message is for the donor or volunteer."""


class PledgeDenied(PledgeError, Denied):
    """The user is not a member of the pledge's hub."""


class PledgeThrottled(Exception):
    """Too many pledges from one address: answer 429 and store nothing."""


def pledge_lines_check(*, lines: list[PledgeLineInput]) -> None:
    if not lines:
        raise PledgeError(_("Say what you have: at least one line with a quantity."))
    if len(lines) > MAX_LINES:
        raise PledgeError(_("At most %(count)d lines, please.") % {"count": MAX_LINES})
    for n, line in enumerate(lines):
        if not 1 <= line.quantity <= MAX_QUANTITY:
            raise PledgeError(
                _("Enter a quantity from 1 to %(max)d.") % {"max": MAX_QUANTITY}, line=n
            )


def pledge_create(
    *,
    hub: Hub,
    lines: list[PledgeLineInput],
    place: str,
    donor_contact: str = "",
    donor_consent: bool = False,
    idempotency_key: str,
    address: str,
) -> tuple[Pledge, list[PledgeLineInput]]:
    """The donor's pledge to `hub`, with the lines the hub takes now (and the lines left
    out, to bring elsewhere). The same key again (a double tap, a retry) returns the first
    pledge and stores nothing more. Refused when the hub no longer takes any of them or has no
    room for them; a contact is kept only with the donor's consent."""
    if earlier := Pledge.objects.filter(idempotency_key=idempotency_key).first():
        return earlier, []
    if throttle_count(f"pledge:{address}") >= MOST_PLEDGES_PER_ADDRESS_PER_HOUR:
        raise PledgeThrottled
    pledge_lines_check(lines=lines)
    answer = pledge_options(lines=lines, place=place)
    option = next((o for o in answer.options if o.near.hub.pk == hub.pk), None)
    if option is None:
        raise PledgeError(
            _("%(hub)s cannot take these things now. Choose another hub.") % {"hub": hub.name}
        )
    donor_contact = donor_contact.strip() if donor_consent else ""
    try:
        with transaction.atomic():
            pledge = Pledge.objects.create(
                hub=hub,
                idempotency_key=idempotency_key,
                place=" ".join(place.split())[:80],
                donor_contact=donor_contact,
                donor_consent=donor_consent and bool(donor_contact),
            )
            PledgeLine.objects.bulk_create(
                PledgeLine(
                    pledge=pledge,
                    item=lines[n].item,
                    category=lines[n].category,
                    description="" if lines[n].item else lines[n].description,
                    quantity=lines[n].quantity,
                )
                for n in option.takes
            )
    except IntegrityError:
        # The same form sent twice at once: the first one's pledge is the answer.
        if earlier := Pledge.objects.filter(idempotency_key=idempotency_key).first():
            return earlier, []
        raise
    throttle_add(f"pledge:{address}", seconds=3600)
    return pledge, [lines[n] for n in option.leaves]


def pledge_arrive(*, pledge: Pledge, dropoff: Dropoff, user: User) -> None:
    """The donor of the pledge came: it is settled by the dropoff logged for it."""
    _member_check(hub=pledge.hub, user=user)
    if dropoff.hub_id != pledge.hub_id:
        raise PledgeError(_("That dropoff was logged at another hub."))
    Pledge.objects.filter(pk=pledge.pk, status=PledgeStatus.EXPECTED).update(
        status=PledgeStatus.ARRIVED, dropoff=dropoff
    )


def pledge_cancel(*, pledge: Pledge, user: User) -> None:
    """The donor will not come (or came and went): off the table's list."""
    _member_check(hub=pledge.hub, user=user)
    Pledge.objects.filter(pk=pledge.pk, status=PledgeStatus.EXPECTED).update(
        status=PledgeStatus.CANCELLED
    )


def _member_check(*, hub: Hub, user: User) -> None:
    hub_role_check(
        user=user,
        hub=hub,
        role=Role.VOLUNTEER,
        message=_("Only a member of %(hub)s can settle its pledges.") % {"hub": hub.name},
        denied=PledgeDenied,
    )
