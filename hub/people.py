"""The hub's people as its coordinators and admins see them: members, their role, when
last active, whether they set a tablet PIN, whether too many wrong passwords locked them
out, and unlocking them. Every change to people is a `PeopleChange` row; the other changes
are in `hub/people_actions.py`."""

from dataclasses import dataclass
from datetime import datetime

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hub.errors import UserError
from hub.models import Hub, MemberPin, PeopleAction, PeopleChange
from hub.roles import Role, role_at_least, role_of_groups, user_role


@dataclass(frozen=True)
class Member:
    user: User
    role: Role | None
    last_login: datetime | None
    locked_out: bool
    has_pin: bool


def member_list(*, hub: Hub) -> list[Member]:
    """The hub's members by name, each with their role and whether they are locked out."""
    users = list(
        get_user_model()
        .objects.filter(memberships__hub=hub, is_active=True)
        .prefetch_related("groups")
        .order_by("first_name", "last_name", "username")
    )
    locked = locked_out_usernames(usernames=[u.get_username() for u in users])
    pins = set(MemberPin.objects.filter(user__in=users).values_list("user_id", flat=True))
    return [
        Member(u, _role_of(u), u.last_login, u.get_username() in locked, u.pk in pins)
        for u in users
    ]


def _role_of(user) -> Role | None:
    return role_of_groups(group.name for group in user.groups.all())  # prefetched


def locked_out_usernames(*, usernames: list[str]) -> set[str]:
    """Which of these usernames are locked out now, from any address (django-axes)."""
    return set(
        AccessAttempt.objects.filter(
            username__in=usernames,
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
            attempt_time__gte=timezone.now() - get_cool_off(),
        ).values_list("username", flat=True)
    )


def people_change_list(*, hub: Hub, limit: int = 30) -> list[PeopleChange]:
    """The hub's latest changes to people and tablets, newest first."""
    return list(
        PeopleChange.objects.filter(hub=hub).select_related("member", "tablet", "changed_by")[
            :limit
        ]
    )


class PeopleError(UserError):
    """An action on the People page that is refused; the message is for the user."""


def member_unlock(*, hub: Hub, member_id: int | None, user: User) -> PeopleChange:
    """Let a locked-out member of the hub log in again now, on record. A coordinator or an
    admin of the hub may, for members whose role is not above their own."""
    if not role_at_least(user, Role.COORDINATOR) or not user.memberships.filter(hub=hub).exists():
        raise PeopleError(_("Only a coordinator or an admin of this hub can unlock people."))
    member = (
        get_user_model().objects.filter(pk=member_id, memberships__hub=hub).first()
        if member_id is not None
        else None
    )
    if member is None:
        raise PeopleError(_("Choose a member of this hub to unlock."))
    role = user_role(member)
    if role is not None and not role_at_least(user, role):
        raise PeopleError(_("Only an admin can unlock an admin."))
    if member.get_username() not in locked_out_usernames(usernames=[member.get_username()]):
        raise PeopleError(
            _("%(name)s is not locked out.") % {"name": member.get_full_name() or member}
        )
    with transaction.atomic():
        axes_reset(username=member.get_username())
        return PeopleChange.objects.create(
            hub=hub, member=member, changed_by=user, action=PeopleAction.UNLOCKED
        )
