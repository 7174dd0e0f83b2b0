"""What coordinators and admins change about the hub's people from its People page: make
a volunteer a coordinator and back (admins), take someone off the hub, reset a password (a
set-password link, shown once) or a tablet PIN (a new PIN, shown once). Each change is a
`PeopleChange` row, with who made it and when.

Who may change whom: a coordinator acts on volunteers, an admin on volunteers and
coordinators; nobody on an admin here (the admin site is for that), nor on themselves.
Roles are the network's, not one hub's: an admin changes the role of someone who is a
member of their own hubs only."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, User
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from hub.access import hub_role_check
from hub.errors import UserError
from hub.models import Hub, Membership, PeopleAction, PeopleChange
from hub.pins import pin_new
from hub.roles import RANK, Role, user_role


class PeopleActionError(UserError):
    """A change to a person refused; the message is for the coordinator."""


@dataclass(frozen=True)
class ChangeResult:
    change: PeopleChange
    # Shown once to whoever made the change: a set-password link's path, or a new PIN.
    secret: str = ""


ACTIONS = ("promote", "demote", "deactivate", "reset_password", "reset_pin")


def member_change(*, hub: Hub, user: User, member_id: int | None, action: str) -> ChangeResult:
    """Apply one of `ACTIONS` to a member of the hub, on record."""
    hub_role_check(
        user=user,
        hub=hub,
        role=Role.COORDINATOR,
        message=_("Only a coordinator or an admin of this hub can change its people."),
    )
    if action not in ACTIONS:
        raise PeopleActionError(_("Choose one of the changes shown."))
    with transaction.atomic():
        member = (
            get_user_model()
            .objects.select_for_update()
            .filter(pk=member_id, memberships__hub=hub)
            .first()
            if member_id is not None
            else None
        )
        if member is None:
            raise PeopleActionError(_("Choose a member of this hub."))
        _may_change(user=user, member=member)
        return _ACTIONS[action](hub=hub, user=user, member=member)


def member_actions_allowed(*, user: User, member_id: int, role: Role | None) -> list[str]:
    """Which of `ACTIONS` the user may take on a member holding `role` (for the buttons;
    `member_change` checks again)."""
    own = user_role(user)
    if member_id == user.pk or own is None or role == Role.ADMIN:
        return []
    if role is not None and RANK[role] >= RANK[own]:
        return []
    allowed = ["deactivate", "reset_password", "reset_pin"]
    if own == Role.ADMIN:
        allowed.insert(0, "demote" if role == Role.COORDINATOR else "promote")
    return allowed


def _may_change(*, user: User, member: User) -> None:
    if member.pk == user.pk:
        raise PeopleActionError(
            _("You cannot change yourself here: ask another coordinator or an admin.")
        )
    own, theirs = user_role(user), user_role(member)
    if theirs == Role.ADMIN:
        raise PeopleActionError(_("An admin is changed on the admin site only."))
    if own is None or (theirs is not None and RANK[theirs] >= RANK[own]):
        raise PeopleActionError(_("Only an admin can change a coordinator."))


def _promote(*, hub: Hub, user: User, member: User) -> ChangeResult:
    return _role_change(hub=hub, user=user, member=member, role=Role.COORDINATOR)


def _demote(*, hub: Hub, user: User, member: User) -> ChangeResult:
    return _role_change(hub=hub, user=user, member=member, role=Role.VOLUNTEER)


def _role_change(*, hub: Hub, user: User, member: User, role: Role) -> ChangeResult:
    if user_role(user) != Role.ADMIN:
        raise PeopleActionError(_("Only an admin can make someone a coordinator or undo it."))
    if user_role(member) == role:
        raise PeopleActionError(
            _("%(name)s is a %(role)s already.") % {"name": _name(member), "role": role.label}
        )
    # The role holds in every hub the member belongs to: all of them must be the admin's.
    theirs = set(Membership.objects.filter(user=member).values_list("hub_id", flat=True))
    mine = set(Membership.objects.filter(user=user).values_list("hub_id", flat=True))
    if not theirs <= mine:
        raise PeopleActionError(
            _(
                "%(name)s is also a member of a hub you are not an admin of: their role "
                "is changed there or on the admin site."
            )
            % {"name": _name(member)}
        )
    roles = Group.objects.filter(name__in=[r.value for r in Role])
    member.groups.remove(*roles)
    member.groups.add(Group.objects.get_or_create(name=role.value)[0])
    action = PeopleAction.PROMOTED if role == Role.COORDINATOR else PeopleAction.DEMOTED
    return ChangeResult(_record(hub=hub, user=user, member=member, action=action))


def _deactivate(*, hub: Hub, user: User, member: User) -> ChangeResult:
    Membership.objects.filter(user=member, hub=hub).delete()
    return ChangeResult(_record(hub=hub, user=user, member=member, action=PeopleAction.DEACTIVATED))


def _reset_password(*, hub: Hub, user: User, member: User) -> ChangeResult:
    """The old password stops (and with it the member's sessions); the link sets a new one,
    once, within PASSWORD_RESET_TIMEOUT."""
    member.set_unusable_password()
    member.save(update_fields=["password"])
    path = reverse(
        "password_set",
        args=[
            urlsafe_base64_encode(force_bytes(member.pk)),
            default_token_generator.make_token(member),
        ],
    )
    change = _record(hub=hub, user=user, member=member, action=PeopleAction.PASSWORD_RESET)
    return ChangeResult(change, path)


def _reset_pin(*, hub: Hub, user: User, member: User) -> ChangeResult:
    pin = pin_new(user=member)
    return ChangeResult(
        _record(hub=hub, user=user, member=member, action=PeopleAction.PIN_RESET), pin
    )


def _record(*, hub: Hub, user: User, member: User, action: PeopleAction) -> PeopleChange:
    return PeopleChange.objects.create(hub=hub, member=member, changed_by=user, action=action)


def _name(member: User) -> str:
    return member.get_full_name() or member.get_username()


_ACTIONS = {
    "promote": _promote,
    "demote": _demote,
    "deactivate": _deactivate,
    "reset_password": _reset_password,
    "reset_pin": _reset_pin,
}
