from django.contrib import admin
from django.db import models

from hub.admin import HubScopedMixin, ReadOnlyAdmin
from inventory.models import (
    AlertDelivery,
    CapacityAlert,
    Category,
    Item,
    StockBalance,
    StockMovement,
    StorageLocation,
    Webhook,
)


@admin.register(StorageLocation)
class StorageLocationAdmin(HubScopedMixin, admin.ModelAdmin):
    list_display = ["name", "hub", "capacity_litres", "is_active"]
    list_filter = ["hub", "is_active"]
    search_fields = ["name"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "sort_order"]
    prepopulated_fields = {"code": ["name"]}


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "unit", "unit_volume_litres", "tracks_expiry", "is_active"]
    list_filter = ["category", "unit", "tracks_expiry", "is_active", "needs_review"]
    search_fields = ["name", "aliases"]
    list_select_related = ["category"]


@admin.register(StockMovement)
class StockMovementAdmin(HubScopedMixin, ReadOnlyAdmin):
    hub_path = "location__hub"
    list_display = ["created_at", "kind", "item", "location", "quantity", "created_by", "reason"]
    list_filter = ["kind", "location__hub"]
    search_fields = ["item__name", "reason"]
    list_select_related = ["item", "location", "created_by"]
    date_hierarchy = "created_at"
    # The ledger grows to millions of rows: don't count them all on every page.
    show_full_result_count = False


@admin.register(StockBalance)
class StockBalanceAdmin(HubScopedMixin, ReadOnlyAdmin):
    hub_path = "location__hub"
    list_display = ["item", "location", "expiry_date", "quantity"]
    list_filter = ["location__hub"]
    search_fields = ["item__name"]
    list_select_related = ["item", "location"]
    show_full_result_count = False


@admin.register(Webhook)
class WebhookAdmin(HubScopedMixin, admin.ModelAdmin):
    list_display = ["name", "hub", "url", "is_active"]
    list_filter = ["hub", "is_active"]
    # An address typed without a scheme is meant as https (Django 6's default too).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


class AlertDeliveryInline(admin.TabularInline):
    model = AlertDelivery
    fields = ["channel", "sent_at", "attempts", "last_error", "last_attempt_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(CapacityAlert)
class CapacityAlertAdmin(HubScopedMixin, ReadOnlyAdmin):
    list_display = ["created_at", "hub", "location", "level", "fill_percent", "acknowledged_at"]
    list_filter = ["hub", "level"]
    list_select_related = ["hub", "location"]
    inlines = [AlertDeliveryInline]
