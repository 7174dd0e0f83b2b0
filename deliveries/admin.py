from django.contrib import admin

from deliveries.models import Destination
from hub.admin import HubScopedMixin


@admin.register(Destination)
class DestinationAdmin(HubScopedMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "hub", "address", "contact_name", "is_active"]
    list_filter = ["kind", "hub", "is_active"]
    search_fields = ["name", "address"]
