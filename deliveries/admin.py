from django.contrib import admin

from deliveries.models import Destination, DestinationNeed
from hub.admin import HubScopedMixin


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
