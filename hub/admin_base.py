"""What every app's admin pages share: rows and choices limited to the user's hubs, and
records that change only through their services shown read-only."""

from typing import TYPE_CHECKING

from django.contrib import admin
from django.contrib.admin.options import BaseModelAdmin
from django.contrib.auth import get_user_model
from django.db.models import Q

from hub.access import hub_list_for_user
from hub.fields import BoundedInputAdmin
from hub.models import Hub

User = get_user_model()


def people_visible_to(user):
    """The people a hub Admin may see: members of their hubs, and people not yet placed in
    any hub (just created). Never a superuser: those run the whole network."""
    queryset = User.objects.all()
    if user.is_superuser:
        return queryset
    mine = Q(memberships__hub__in=hub_list_for_user(user=user))
    return queryset.filter(mine | Q(memberships__isnull=True), is_superuser=False).distinct()


if TYPE_CHECKING:
    # The mixin's super() calls reach the admin class it is mixed into.
    _AdminBase = BaseModelAdmin
else:
    _AdminBase = object


class HubScopedMixin(BoundedInputAdmin, _AdminBase):
    """Limits rows, and the hubs and hub-owned rows offered in forms, to the user's hubs.
    `hub_path` is the lookup from the model to its hub ("" for the Hub itself)."""

    hub_path = "hub"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        lookup = f"{self.hub_path}__in" if self.hub_path else "pk__in"
        return queryset.filter(**{lookup: hub_list_for_user(user=request.user)})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if not request.user.is_superuser:
            hubs = hub_list_for_user(user=request.user)
            related = db_field.related_model
            if related is Hub:
                kwargs["queryset"] = hubs
            elif related is User:
                kwargs["queryset"] = people_visible_to(request.user)
            elif any(f.name == "hub" for f in related._meta.get_fields()):
                kwargs["queryset"] = related._default_manager.filter(hub__in=hubs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records that change only through their services: the stock ledger and its
    balances, dropoffs (logged and undone at the table), alerts."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
