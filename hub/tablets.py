"""The table's shared tablet: a coordinator enrols a device for the hub (it keeps a signed
cookie naming its `Tablet` row and key), volunteers switch on it by name and PIN, and
their session there reaches the table's pages only (`hub.tablet_middleware`) and ends at
the end of the shift or after the hub's idle time.

The cookie is signed with the site's secret and checked against the row at each request,
so a revoked tablet stops at its next request, and a copied cookie is worth nothing once
revoked."""

import secrets
import zoneinfo
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from hub.access import hub_role_check
from hub.errors import UserError
from hub.models import Hub, MemberPin, PeopleAction, PeopleChange, Tablet
from hub.roles import Role

COOKIE_NAME = "dh_tablet"
COOKIE_SALT = "hub.tablet"
# Browsers cap a cookie's life at 400 days; the tablet stays enrolled until revoked.
COOKIE_MAX_AGE = 400 * 24 * 3600
# Without a shift end set for the hub, a session on the tablet lasts this long.
SESSION_HOURS = 8
TABLET_NAME_MAX_LENGTH = 60

# What a tablet session keeps in the Django session.
SESSION_TABLET = "tablet"
SESSION_ENDS = "tablet_ends"
SESSION_SEEN = "tablet_seen"


class TabletError(UserError):
    """A tablet action refused; the message is for the user."""


def tablet_enrol(*, hub: Hub, user: User, name: str) -> Tablet:
    """A new tablet of the hub, on record; its cookie is `tablet_cookie_value`."""
    _coordinator_check(hub=hub, user=user)
    name = " ".join(name.split())
    if not name:
        raise TabletError(_("Give the tablet a name, e.g. Front table."), field="name")
    if len(name) > TABLET_NAME_MAX_LENGTH:
        raise TabletError(
            _("Keep the name under %(max)d characters.") % {"max": TABLET_NAME_MAX_LENGTH},
            field="name",
        )
    with transaction.atomic():
        tablet = Tablet.objects.create(
            hub=hub, name=name, key=secrets.token_urlsafe(32), enrolled_by=user
        )
        PeopleChange.objects.create(
            hub=hub, tablet=tablet, changed_by=user, action=PeopleAction.TABLET_ENROLLED
        )
    return tablet


def tablet_revoke(*, hub: Hub, user: User, tablet_id: int | None) -> Tablet:
    """The tablet stops: its cookie no longer opens anything, its session ends."""
    _coordinator_check(hub=hub, user=user)
    with transaction.atomic():
        tablet = (
            Tablet.objects.select_for_update()
            .filter(pk=tablet_id, hub=hub, revoked_at__isnull=True)
            .first()
            if tablet_id is not None
            else None
        )
        if tablet is None:
            raise TabletError(_("Choose one of the hub's tablets."))
        tablet.revoked_at = timezone.now()
        tablet.save(update_fields=["revoked_at"])
        PeopleChange.objects.create(
            hub=hub, tablet=tablet, changed_by=user, action=PeopleAction.TABLET_REVOKED
        )
    return tablet


def tablet_settings_set(*, hub: Hub, user: User, shift_ends: time | None, idle_minutes: int) -> Hub:
    _coordinator_check(hub=hub, user=user)
    Hub.objects.filter(pk=hub.pk).update(
        tablet_shift_ends=shift_ends, tablet_idle_minutes=idle_minutes
    )
    hub.tablet_shift_ends, hub.tablet_idle_minutes = shift_ends, idle_minutes
    return hub


def tablet_list(*, hub: Hub) -> list[Tablet]:
    return list(
        Tablet.objects.filter(hub=hub, revoked_at__isnull=True).select_related("enrolled_by")
    )


def tablet_cookie_value(*, tablet: Tablet) -> str:
    return signing.dumps({"id": tablet.pk, "key": tablet.key}, salt=COOKIE_SALT)


def tablet_from_cookie(*, value: str | None) -> Tablet | None:
    """The enrolled tablet the cookie names, of an active hub; None for a missing, forged,
    revoked or stale cookie."""
    if not value:
        return None
    try:
        data = signing.loads(value, salt=COOKIE_SALT)
        tablet_id, key = int(data["id"]), str(data["key"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    tablet = (
        Tablet.objects.filter(pk=tablet_id, revoked_at__isnull=True, hub__is_active=True)
        .select_related("hub")
        .first()
    )
    if tablet is None or not constant_time_compare(tablet.key, key):
        return None
    return tablet


@dataclass(frozen=True)
class TabletPerson:
    pk: int
    name: str


def tablet_people(*, tablet: Tablet) -> list[TabletPerson]:
    """Who can switch in at the tablet: the hub's active members who set a PIN."""
    users = (
        get_user_model()
        .objects.filter(memberships__hub_id=tablet.hub_id, is_active=True)
        .filter(pk__in=MemberPin.objects.values("user_id"))
        .order_by("first_name", "last_name", "username")
        .only("pk", "first_name", "last_name", "username")
    )
    return [TabletPerson(u.pk, u.get_full_name() or u.get_username()) for u in users]


def tablet_person_get(*, tablet: Tablet, member_id: int | None) -> User | None:
    if member_id is None:
        return None
    return (
        get_user_model()
        .objects.filter(pk=member_id, memberships__hub_id=tablet.hub_id, is_active=True)
        .first()
    )


def tablet_session_ends(*, hub: Hub, now: datetime | None = None) -> datetime:
    """When a session started now on the hub's tablet ends: at the hub's shift end (the
    next one, in the hub's time zone), or `SESSION_HOURS` from now without one."""
    now = now or timezone.now()
    fallback = now + timedelta(hours=SESSION_HOURS)
    if hub.tablet_shift_ends is None:
        return fallback
    local = timezone.localtime(now, zoneinfo.ZoneInfo(hub.time_zone))
    end = local.replace(
        hour=hub.tablet_shift_ends.hour,
        minute=hub.tablet_shift_ends.minute,
        second=0,
        microsecond=0,
    )
    if end <= local:
        end += timedelta(days=1)
    return end


def tablet_touch(*, tablet: Tablet) -> None:
    """Note that the tablet was used, at most once a minute (a write per request is waste)."""
    now = timezone.now()
    if tablet.last_used_at is None or now - tablet.last_used_at > timedelta(minutes=1):
        Tablet.objects.filter(pk=tablet.pk).update(last_used_at=now)
        tablet.last_used_at = now


def _coordinator_check(*, hub: Hub, user: User) -> None:
    hub_role_check(
        user=user,
        hub=hub,
        role=Role.COORDINATOR,
        message=_("Only the hub's coordinators can manage its tablets."),
    )
