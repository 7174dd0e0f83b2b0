from django.contrib import admin

from deliveries.models import Destination, DestinationNeed, Run, Stop
from hub.admin_base import HubScopedMixin, ReadOnlyAdmin


class DestinationNeedInline(HubScopedMixin, admin.TabularInline):
    hub_path = "destination__hub"
    model = DestinationNeed
    fields = ["item", "category", "quantity", "priority", "notes"]
    autocomplete_fields = ["item"]
    extra = 1


@admin.register(Destination)
class DestinationAdmin(HubScopedMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "hub", "address", "contact_name", "is_active"]
    list_filter = ["kind", "hub", "is_active"]
    search_fields = ["name", "address"]
    inlines = [DestinationNeedInline]


class StopInline(admin.TabularInline):
    model = Stop
    fields = readonly_fields = ("position", "destination", "status", "received_by", "delivered_at")
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Run)
class RunAdmin(HubScopedMixin, ReadOnlyAdmin):
    """Runs change only through their pages (dispatch moves stock): read-only here."""

    list_display = ["pk", "hub", "planned_at", "driver", "status"]
    list_filter = ["hub", "status"]
    list_select_related = ["hub", "driver"]
    date_hierarchy = "planned_at"
    inlines = [StopInline]
    readonly_fields = [f.name for f in Run._meta.fields]
