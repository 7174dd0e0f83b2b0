"""Who may act in which hub: the one place that checks a person's membership and role.
Views reach it through `hub.decorators.hub_role_required`; services that take a user call
`hub_role_check` themselves, so a call from the shell or a task is held to the same rule."""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from hub.errors import Denied
from hub.models import Hub, Membership
from hub.roles import RANK, Role, role_at_least, user_role_keep


def hub_list_for_user(*, user) -> QuerySet[Hub]:
    """The active hubs the user is a member of."""
    return Hub.objects.filter(memberships__user=user, is_active=True).order_by("name")


# The user's highest role, as its rank (hub.roles.RANK; NULL: none), read with the hub.
# Plain SQL: one subquery, cheaper to build than the ORM's one per role.
_ROLE_RANK_SQL = (
    "SELECT MAX(CASE g.name WHEN %s THEN %s WHEN %s THEN %s WHEN %s THEN %s END)"
    " FROM auth_user_groups ug JOIN auth_group g ON g.id = ug.group_id WHERE ug.user_id = %s"
)


# The active hub of that slug with the user's role rank, if the user is a member (a user
# is a member of a hub once: no order needed). Plain SQL, as the role's: every request of a
# hub's pages runs it, and the ORM's form cost more to build than to run.
_HUB_FOR_USER_SQL = (
    # Constants only are joined into the text; the values are parameters.
    f"SELECT h.*, ({_ROLE_RANK_SQL}) AS _role_rank FROM hub_hub h"  # noqa: S608
    " JOIN hub_membership m ON m.hub_id = h.id"
    " WHERE h.is_active AND m.user_id = %s AND h.slug = %s"
)
_RANKS = [value for role, rank in RANK.items() for value in (role.value, rank)]


def hub_get_for_user(*, user, slug: str) -> Hub:
    """The hub, if the user is a member; otherwise 404, so other hubs are not even confirmed.
    The same query reads the user's role, for hub.roles.user_role."""
    found = list(Hub.objects.raw(_HUB_FOR_USER_SQL, [*_RANKS, user.pk, user.pk, slug]))
    if not found:
        raise Http404("No such hub")
    hub = found[0]
    _membership_seen(user=user, hub_id=hub.pk)
    role_rank = hub._role_rank  # type: ignore[attr-defined]  # a column of the raw query
    held = [role.value for role, rank in RANK.items() if rank == role_rank]
    user_role_keep(user=user, groups=held)
    return hub


def _membership_seen(*, user, hub_id: int) -> None:
    """Remember on the user object (a request's, made for it) that it is a member of the
    hub, so that the services its view calls check it again without a query. Only a view's
    check records it: a user object kept longer (a shell, a test) is asked each time."""
    user.__dict__.setdefault("_member_of_hubs", set()).add(hub_id)


def hub_get_for_role(*, user, slug: str, role: Role) -> Hub:
    """The hub of a page for `role`: 404 unless the user is a member (so other hubs are
    not even confirmed), 403 unless they hold the role."""
    hub = hub_get_for_user(user=user, slug=slug)
    if not role_at_least(user, role):
        raise PermissionDenied
    return hub


def hub_role_allowed(*, user, hub: Hub | int, role: Role | None) -> bool:
    """Whether the user is a member of the hub holding at least `role` (None: any
    role or none, membership alone: a run's driver)."""
    if not user.is_authenticated:
        return False
    if role is not None and not role_at_least(user, role):
        return False
    hub_id = hub if isinstance(hub, int) else hub.pk
    if hub_id in user.__dict__.get("_member_of_hubs", ()):
        return True
    return Membership.objects.filter(user_id=user.pk, hub_id=hub_id).exists()


def hub_role_check(
    *, user, hub: Hub, role: Role | None, message: str, denied: type[Denied] = Denied
) -> None:
    """Raise `denied` with the message unless the user may act in the hub with `role`."""
    if not hub_role_allowed(user=user, hub=hub, role=role):
        raise denied(message)


def membership_get(*, user, hub: Hub) -> Membership:
    """The user's membership of the hub (the view's decorator has checked there is one)."""
    return Membership.objects.get(user=user, hub=hub)
