"""Roles are Django groups (made by a migration); hubs a user may act in are memberships."""

from collections.abc import Iterable

from django.contrib.auth.models import Group, Permission
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    # The values are the group names, so they stay in English in the database.
    VOLUNTEER = "Volunteer", _("Volunteer")
    COORDINATOR = "Coordinator", _("Coordinator")
    ADMIN = "Admin", _("Admin")


RANK = {Role.VOLUNTEER: 1, Role.COORDINATOR: 2, Role.ADMIN: 3}

# What the Admin role may do in the Django admin; everything there is scoped to their hubs.
ADMIN_PERMISSIONS = {
    "auth": ["add_user", "change_user", "view_user", "view_group"],
    "hub": [
        "add_hub",
        "change_hub",
        "view_hub",
        "add_membership",
        "change_membership",
        "delete_membership",
        "view_membership",
        "add_categoryintake",
        "change_categoryintake",
        "delete_categoryintake",
        "view_categoryintake",
        "view_dropoff",
        "view_dropoffline",
    ],
    "inventory": [
        "add_storagelocation",
        "change_storagelocation",
        "view_storagelocation",
        # The catalog is the whole network's: only its operators (superusers) change it.
        "view_category",
        "view_item",
        "view_stockmovement",
        "view_stockbalance",
        "add_webhook",
        "change_webhook",
        "delete_webhook",
        "view_webhook",
        "view_capacityalert",
        "view_alertdelivery",
    ],
    "deliveries": [
        "add_destination",
        "change_destination",
        "delete_destination",
        "view_destination",
        "add_destinationneed",
        "change_destinationneed",
        "delete_destinationneed",
        "view_destinationneed",
        "view_run",
        "view_stop",
    ],
}


def role_of_groups(names: Iterable[str]) -> Role | None:
    """The highest role among these group names, or None."""
    names = set(names)
    held = [role for role in Role if role.value in names]
    return max(held, key=RANK.__getitem__) if held else None


def user_role(user) -> Role | None:
    """The highest role the user holds, or None. Cached on the user for the request."""
    if not user.is_authenticated or not user.is_active:
        return None
    if not hasattr(user, "_hub_role"):
        user._hub_role = role_of_groups(user.groups.values_list("name", flat=True))
    return user._hub_role


def user_role_keep(*, user, groups: Iterable[str]) -> None:
    """Keep on the user (a request's, made for it) the role of the groups a query of the
    request read already, so that user_role asks nothing more."""
    if not hasattr(user, "_hub_role"):
        user._hub_role = role_of_groups(groups)


def role_at_least(user, role: Role) -> bool:
    held = user_role(user)
    return held is not None and RANK[held] >= RANK[role]


def grant_role_permissions(sender, **kwargs) -> None:
    """post_migrate: permissions only exist once an app has migrated, so grant them then.
    The role groups come from a migration; a database flushed since (`manage.py flush`, a
    transactional test) gets them back here, empty of members."""
    codenames = ADMIN_PERMISSIONS.get(sender.label)
    if not codenames:
        return
    groups = {role: Group.objects.get_or_create(name=role.value)[0] for role in Role}
    group = groups[Role.ADMIN]
    # Exactly these: a permission taken off the list is taken from the group too.
    app = Permission.objects.filter(content_type__app_label=sender.label)
    group.permissions.remove(*app.exclude(codename__in=codenames))
    group.permissions.add(*app.filter(codename__in=codenames))
