"""Django admin for the people who set hubs up. Superusers see the whole network; a user
with the Admin role sees and changes only what belongs to their own hubs."""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from hub.access import hub_list_for_user
from hub.admin_base import HubScopedMixin, ReadOnlyAdmin, people_visible_to
from hub.fields import BoundedInputAdmin
from hub.models import CategoryIntake, Dropoff, DropoffLine, Hub, Membership, Place
from hub.roles import Role
from hub.translated import translations_form
from inventory.locks import hub_state_lock

User = get_user_model()


class MembershipOfHubInline(HubScopedMixin, admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]
    verbose_name = _("member")
    verbose_name_plural = _("members")


class CategoryIntakeInline(BoundedInputAdmin, admin.TabularInline):
    model = CategoryIntake
    extra = 0
    verbose_name = _("category that differs from the hub's intake")
    verbose_name_plural = _("categories that differ from the hub's intake")


@admin.register(Hub)
class HubAdmin(HubScopedMixin, admin.ModelAdmin):
    hub_path = ""
    # Its opening hours and intake reason in the other languages, beside the default one.
    form = translations_form(
        forms.ModelForm, ["opening_hours", "intake_reason"], max_length=255, every_language=True
    )
    exclude = ["translations"]
    list_display = ["name", "address", "intake_status", "is_active"]
    search_fields = ["name", "address"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [CategoryIntakeInline, MembershipOfHubInline]

    def save_model(self, request, obj, form, change):
        if change:
            # Its intake (and its categories', saved after it in the same transaction) is
            # changed under the lock dropoffs read it under (inventory.locks).
            hub_state_lock(hub=obj)
        super().save_model(request, obj, form, change)
        if not change:
            # Whoever sets up a hub can go on managing it.
            Membership.objects.get_or_create(user=request.user, hub=obj)


class MembershipOfUserInline(HubScopedMixin, admin.TabularInline):
    model = Membership
    extra = 1
    verbose_name = _("hub")
    verbose_name_plural = _("hubs")


admin.site.unregister(User)


@admin.register(User)
class PersonAdmin(BoundedInputAdmin, UserAdmin):
    inlines = [MembershipOfUserInline]
    list_display = ["username", "first_name", "last_name", "email", "is_active", "role_names"]
    list_filter = ["groups", "is_active", "memberships__hub"]

    limited_fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Role"), {"fields": ("is_active", "is_staff", "groups")}),
    )

    @admin.display(description=_("role"))
    def role_names(self, obj) -> str:
        return ", ".join(g.name for g in obj.groups.all())

    def get_queryset(self, request):
        visible = people_visible_to(request.user).values("pk")
        return super().get_queryset(request).filter(pk__in=visible).prefetch_related("groups")

    def has_change_permission(self, request, obj=None):
        """Roles are network-wide, so a hub Admin changes only people who belong to no hub
        but theirs, and never another Admin (their password, role or access)."""
        if not super().has_change_permission(request, obj):
            return False
        if obj is None or request.user.is_superuser or obj.pk == request.user.pk:
            return True
        elsewhere = obj.memberships.exclude(hub__in=hub_list_for_user(user=request.user))
        is_admin = obj.groups.filter(name=Role.ADMIN.value).exists()
        return not elsewhere.exists() and not is_admin

    def get_fieldsets(self, request, obj=None):
        if obj is None or request.user.is_superuser:
            return super().get_fieldsets(request, obj)
        return self.limited_fieldsets

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups" and not request.user.is_superuser:
            kwargs["queryset"] = Group.objects.filter(name__in=Role.values)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class DropoffLineInline(admin.TabularInline):
    model = DropoffLine
    fields = readonly_fields = (
        "item",
        "quantity",
        "expiry_date",
        "outcome",
        "location",
        "redirected_to",
    )
    extra = 0
    can_delete = False


@admin.register(Dropoff)
class DropoffAdmin(HubScopedMixin, ReadOnlyAdmin):
    """Dropoffs are logged at the table and undone there: read-only here."""

    list_display = ["pk", "hub", "logged_at", "logged_by", "undone_at"]
    list_filter = ["hub"]
    list_select_related = ["hub", "logged_by"]
    date_hierarchy = "logged_at"
    inlines = [DropoffLineInline]
    readonly_fields = [f.name for f in Dropoff._meta.fields]


@admin.register(Place)
class PlaceAdmin(BoundedInputAdmin, admin.ModelAdmin):
    """The postcodes and neighbourhoods the pledge form knows, with their rough centre: the
    network's, like the catalog."""

    list_display = ["name", "latitude", "longitude"]
    search_fields = ["name"]
