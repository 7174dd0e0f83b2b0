"""Tablet PINs: a person's 4 digits for the table's tablet, hashed with the password
hashers, and the waits after wrong ones.

A PIN has 10,000 values, so wrong ones are throttled. The wait is the person's own: the
`FREE_TRIES_AT_TABLET`th wrong PIN at one tablet, or the `FREE_TRIES_ANYWHERE`th across
tablets, starts a wait of `FIRST_WAIT`, and each further one doubles it (up to
`LONGEST_WAIT`). A
tablet where many wrong PINs were typed lately (someone trying name after name) gives each
person only one free try there. Nobody else at the table waits: whoever types their own
right PIN, not being in a wait, gets in. A right PIN clears the person's count."""

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hub.errors import UserError
from hub.models import MemberPin, PinFailure, Tablet

PIN_PATTERN = re.compile(r"[0-9]{4}")
FREE_TRIES_AT_TABLET = 3
FREE_TRIES_ANYWHERE = 6
BUSY_TABLET_FAILURES = 10
BUSY_TABLET_WINDOW = timedelta(minutes=15)
FIRST_WAIT = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=1)
# Wrong PINs older than this no longer count.
FAILURE_MEMORY = timedelta(hours=24)


class PinError(UserError):
    """A PIN refused: wrong, malformed, or typed while the person must wait."""


def pin_check_format(*, pin: str) -> str:
    pin = pin.strip()
    if not PIN_PATTERN.fullmatch(pin):
        raise PinError(_("A PIN is 4 digits."), field="pin")
    return pin


def pin_set(*, user: User, pin: str) -> MemberPin:
    """Set the person's PIN (hashed); their wrong PINs so far no longer count."""
    pin = pin_check_format(pin=pin)
    with transaction.atomic():
        PinFailure.objects.filter(member=user).delete()
        record, _created = MemberPin.objects.update_or_create(
            user=user, defaults={"pin_hash": make_password(pin), "set_at": timezone.now()}
        )
    return record


def pin_new(*, user: User) -> str:
    """A new random PIN for the person, returned once to be shown to them."""
    pin = f"{secrets.randbelow(10_000):04d}"
    pin_set(user=user, pin=pin)
    return pin


def pin_is_set(*, user: User) -> bool:
    return MemberPin.objects.filter(user=user).exists()


@dataclass(frozen=True)
class PinWait:
    until: datetime | None
    tries_left: int  # before a wait starts


def pin_wait(*, member: User, tablet: Tablet, now: datetime | None = None) -> PinWait:
    """Until when the member must wait before their next PIN at the tablet, if at all."""
    now = now or timezone.now()
    failures = list(
        PinFailure.objects.filter(member=member, at__gte=now - FAILURE_MEMORY).values_list(
            "tablet_id", "at"
        )
    )
    busy = (
        PinFailure.objects.filter(tablet=tablet, at__gte=now - BUSY_TABLET_WINDOW).count()
        >= BUSY_TABLET_FAILURES
    )
    free_here = 1 if busy else FREE_TRIES_AT_TABLET
    here = sum(1 for tablet_id, _at in failures if tablet_id == tablet.pk)
    # How many wrong PINs past the free ones, counting the one that used the last free try.
    beyond = max(here - free_here, len(failures) - FREE_TRIES_ANYWHERE) + 1
    if beyond <= 0:
        return PinWait(None, min(free_here - here, FREE_TRIES_ANYWHERE - len(failures)))
    wait = min(FIRST_WAIT * 2 ** min(beyond - 1, 7), LONGEST_WAIT)
    until = max(at for _tablet_id, at in failures) + wait
    return PinWait(until if until > now else None, 0)


def pin_sign_in(*, member: User, tablet: Tablet, pin: str) -> None:
    """Check the member's PIN at the tablet: returns when it is right, else raises PinError
    (wrong, or a wait first). The member's PIN row is locked meanwhile, so two guesses at
    once are counted one after the other."""
    pin = pin.strip()
    name = member.get_full_name() or member.get_username()
    with transaction.atomic():
        record = MemberPin.objects.select_for_update().filter(user=member).first()
        if record is None:
            raise PinError(_("%(name)s has no PIN yet.") % {"name": name})
        wait = pin_wait(member=member, tablet=tablet)
        if wait.until is not None:
            raise PinError(_wait_message(name=name, until=wait.until), field="pin")
        if PIN_PATTERN.fullmatch(pin) and check_password(pin, record.pin_hash):
            PinFailure.objects.filter(member=member).delete()
            return
        PinFailure.objects.create(member=member, tablet=tablet)
    after = pin_wait(member=member, tablet=tablet)
    if after.until is not None:
        raise PinError(_wait_message(name=name, until=after.until), field="pin")
    raise PinError(
        ngettext(
            "Wrong PIN. %(count)d more try before a wait.",
            "Wrong PIN. %(count)d more tries before a wait.",
            after.tries_left,
        )
        % {"count": after.tries_left},
        field="pin",
    )


def _wait_message(*, name: str, until: datetime) -> str:
    seconds = max(1, int((until - timezone.now()).total_seconds()))
    if seconds < 120:
        wait = ngettext("%(count)d second", "%(count)d seconds", seconds) % {"count": seconds}
    else:
        minutes = -(-seconds // 60)
        wait = ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
    return _(
        "Too many wrong PINs for %(name)s. Try again in %(wait)s, or ask a coordinator to "
        "reset the PIN. Everyone else can go on."
    ) % {"name": name, "wait": wait}
