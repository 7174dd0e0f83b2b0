"""Join codes: a coordinator shows one (a link and its QR code); a newcomer who opens it
gives a display name, a password and a language and is a Volunteer of the hub at once.

A hub has one valid code at a time: making a new one revokes the last, so "which code is
out there" always has one answer."""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from hub.languages import language_is_known, user_language_set
from hub.models import Hub, JoinCode, Membership
from hub.pins import PinError, pin_check_format, pin_set
from hub.roles import Role, role_at_least
from hub.throttle import throttle_add as _throttle_add
from hub.throttle import throttle_count as _throttle_count

SHIFT_HOURS = 8
LONGEST_VALIDITY = timedelta(days=7)
# One code is shared by everyone arriving; past this many people, a new code is needed.
MOST_JOINS_PER_CODE = 300
# Many phones share a hub's Wi-Fi (one address), so the cap per address is generous; it
# stops a script, not a queue of volunteers.
MOST_JOINS_PER_ADDRESS_PER_HOUR = 60
MOST_BAD_CODES_PER_ADDRESS = 20
BAD_CODE_WINDOW_SECONDS = 15 * 60
DISPLAY_NAME_MAX_LENGTH = 60


class JoinError(Exception):
    """A join that cannot be made; the message is for the newcomer. `field` says which
    form field it is about, or None for the form as a whole."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


class JoinThrottled(Exception):
    """Too many tries from one address: answer 429 and store nothing."""


def join_code_create(*, hub: Hub, user: User, expires_at: datetime) -> JoinCode:
    """A new code for the hub, valid until `expires_at`; the hub's earlier codes stop."""
    _coordinator_check(hub=hub, user=user)
    now = timezone.now()
    if expires_at <= now:
        raise JoinError(_("Choose a time in the future."), field="until")
    if expires_at > now + LONGEST_VALIDITY:
        raise JoinError(_("A join code can be valid for at most 7 days."), field="until")
    with transaction.atomic():
        JoinCode.objects.filter(hub=hub, revoked_at__isnull=True, expires_at__gt=now).update(
            revoked_at=now, revoked_by=user
        )
        return JoinCode.objects.create(
            hub=hub, token=secrets.token_urlsafe(12), created_by=user, expires_at=expires_at
        )


def join_code_revoke(*, code: JoinCode, user: User) -> JoinCode:
    _coordinator_check(hub=code.hub, user=user)
    JoinCode.objects.filter(pk=code.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=user
    )
    code.refresh_from_db()
    return code


def join_code_current(*, hub: Hub) -> JoinCode | None:
    """The hub's valid code, if it has one."""
    return (
        JoinCode.objects.filter(hub=hub, revoked_at__isnull=True, expires_at__gt=timezone.now())
        .order_by("-created_at")
        .first()
    )


def join_code_find(*, token: str, address: str) -> JoinCode | None:
    """The valid code of an active hub with this token, or None. Every miss counts against
    the address; past the limit, even a right token is refused (JoinThrottled)."""
    if _throttle_count(f"join:bad:{address}") >= MOST_BAD_CODES_PER_ADDRESS:
        raise JoinThrottled
    code = None
    if 0 < len(token) <= 32:
        code = (
            JoinCode.objects.filter(token=token, hub__is_active=True).select_related("hub").first()
        )
    if code is None or not code.is_valid():
        _throttle_add(f"join:bad:{address}", seconds=BAD_CODE_WINDOW_SECONDS)
        return None
    return code


@dataclass(frozen=True)
class Newcomer:
    display_name: str
    password: str
    language: str
    pin: str = ""  # for the table's tablet; none when empty


def newcomer_join(*, code: JoinCode, newcomer: Newcomer, address: str) -> User:
    """Make the newcomer a Volunteer of the code's hub: a user named after them (the
    username is theirs to log in with later), the Volunteer role, a membership and their
    language, all or nothing."""
    name = " ".join(newcomer.display_name.split())
    if not name:
        raise JoinError(_("Enter the name the team should call you."), field="display_name")
    if len(name) > DISPLAY_NAME_MAX_LENGTH:
        raise JoinError(
            _("Keep your name under %(max)d characters.") % {"max": DISPLAY_NAME_MAX_LENGTH},
            field="display_name",
        )
    if not language_is_known(newcomer.language):
        raise JoinError(_("Choose one of the languages shown."), field="language")
    user_model = get_user_model()
    try:
        password_validation.validate_password(
            newcomer.password, user_model(username=slugify(name), first_name=name)
        )
    except ValidationError as error:
        raise JoinError(" ".join(error.messages), field="password") from error
    if newcomer.pin:
        try:
            pin_check_format(pin=newcomer.pin)
        except PinError as error:
            raise JoinError(str(error), field="pin") from error
    if _throttle_count(f"join:new:{address}") >= MOST_JOINS_PER_ADDRESS_PER_HOUR:
        raise JoinThrottled
    with transaction.atomic():
        # Counted under the code's row lock, so the cap holds with many phones at once.
        code = JoinCode.objects.select_for_update().select_related("hub").get(pk=code.pk)
        if not code.is_valid():
            raise JoinError(_("This join code has expired or was revoked. Ask for a new one."))
        if code.joined_count >= MOST_JOINS_PER_CODE:
            raise JoinError(_("This join code has been used up. Ask for a new one."))
        user = _user_create(name=name, password=newcomer.password)
        user.groups.add(Group.objects.get_or_create(name=Role.VOLUNTEER.value)[0])
        Membership.objects.create(user=user, hub=code.hub)
        user_language_set(user=user, language=newcomer.language)
        if newcomer.pin:
            pin_set(user=user, pin=newcomer.pin)
        code.joined_count += 1
        code.save(update_fields=["joined_count"])
    _throttle_add(f"join:new:{address}", seconds=3600)
    return user


def _user_create(*, name: str, password: str) -> User:
    """A user whose username is the name in link form (maría-lópez), numbered when taken."""
    user_model = get_user_model()
    base = slugify(name, allow_unicode=True)[:40].strip("-") or "volunteer"
    for n in range(1, 50):
        username = base if n == 1 else f"{base}-{n}"
        if user_model.objects.filter(username__iexact=username).exists():
            continue
        try:
            with transaction.atomic():
                return user_model.objects.create_user(
                    username=username, password=password, first_name=name[:150]
                )
        except IntegrityError:  # taken by someone joining at the same moment
            continue
    return user_model.objects.create_user(
        username=f"{base}-{secrets.randbelow(10**6)}", password=password, first_name=name[:150]
    )


def _coordinator_check(*, hub: Hub, user: User) -> None:
    if not role_at_least(user, Role.COORDINATOR) or not hub.memberships.filter(user=user).exists():
        raise JoinError(_("Only the hub's coordinators can manage its join codes."))
