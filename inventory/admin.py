from django import forms
from django.contrib import admin
from django.db import models

from hub.admin_base import HubScopedMixin, ReadOnlyAdmin
from hub.fields import BoundedInputAdmin
from hub.translated import translations_form
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
from inventory.services import item_unit_volume_change


@admin.register(StorageLocation)
class StorageLocationAdmin(HubScopedMixin, admin.ModelAdmin):
    form = translations_form(forms.ModelForm, ["name"], max_length=120)
    exclude = ["translations"]
    list_display = ["name", "hub", "capacity_litres", "used_litres", "is_active"]
    list_filter = ["hub", "is_active"]
    search_fields = ["name"]


@admin.register(Category)
class CategoryAdmin(BoundedInputAdmin, admin.ModelAdmin):
    form = translations_form(forms.ModelForm, ["name"], max_length=80)
    exclude = ["translations"]
    list_display = ["name", "code", "sort_order"]
    prepopulated_fields = {"code": ["name"]}


@admin.register(Item)
class ItemAdmin(BoundedInputAdmin, admin.ModelAdmin):
    form = translations_form(forms.ModelForm, ["name"], max_length=120)
    exclude = ["translations"]
    list_display = ["name", "category", "unit", "unit_volume_litres", "tracks_expiry", "is_active"]
    list_filter = ["category", "unit", "tracks_expiry", "is_active", "needs_review"]
    search_fields = ["name", "aliases"]
    list_select_related = ["category"]

    def save_model(self, request, obj, form, change):
        if change and "unit_volume_litres" in form.changed_data:
            # The locations holding it are recomputed with it, under their locks.
            item_unit_volume_change(item=obj, unit_volume_litres=obj.unit_volume_litres)
        super().save_model(request, obj, form, change)


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
    fields = readonly_fields = ("channel", "sent_at", "attempts", "last_error", "last_attempt_at")
    extra = 0
    can_delete = False


@admin.register(CapacityAlert)
class CapacityAlertAdmin(HubScopedMixin, ReadOnlyAdmin):
    list_display = ["created_at", "hub", "location", "level", "fill_percent", "acknowledged_at"]
    list_filter = ["hub", "level"]
    list_select_related = ["hub", "location"]
    inlines = [AlertDeliveryInline]
