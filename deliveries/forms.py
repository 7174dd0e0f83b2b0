"""The forms of the destination and run pages. They only read what was posted; the rules (a unique
name, a receiving hub for another hub only, one need per item or category) are the
services', which answer DestinationError with the field it is about."""

from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from django import forms
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from deliveries.models import (
    Destination,
    DestinationKind,
    DestinationNeed,
    NeedPriority,
    Run,
    RunStatus,
)
from hub import fields
from hub.fields import parse_id
from hub.intake.selectors import other_hub_list
from hub.models import Hub
from hub.validators import single_line
from inventory.models import Category, Item

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _max_length(model, field: str) -> int:
    return model._meta.get_field(field).max_length


class DestinationForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=_max_length(Destination, "name"),
        validators=[single_line],
        error_messages={"required": _("Name the destination.")},
    )
    kind = fields.ChoiceField(
        label=_("Kind"),
        choices=DestinationKind.choices,
        error_messages={
            "required": _("Choose a shelter, church, camp, fire station or another hub."),
            "invalid_choice": _("Choose a shelter, church, camp, fire station or another hub."),
        },
    )
    receiving_hub = forms.ModelChoiceField(
        label=_("Receiving hub (another hub only)"),
        queryset=Hub.objects.none(),
        required=False,
        empty_label=_("None"),
        error_messages={"invalid_choice": _("Choose another active hub of the network.")},
    )
    address = forms.CharField(
        label=_("Address"), max_length=_max_length(Destination, "address"), required=False
    )
    contact_name = forms.CharField(
        label=_("Contact name"),
        max_length=_max_length(Destination, "contact_name"),
        required=False,
        validators=[single_line],
    )
    contact_phone = forms.CharField(
        label=_("Contact phone"),
        max_length=_max_length(Destination, "contact_phone"),
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    notes = forms.CharField(
        label=_("Notes (opening times, where to unload, ...)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    is_active = forms.BooleanField(
        label=_("Active: offered for new runs"), required=False, initial=True
    )

    def __init__(self, *args, hub: Hub, **kwargs):
        super().__init__(*args, **kwargs)
        receiving_hub = cast(forms.ModelChoiceField, self.fields["receiving_hub"])
        receiving_hub.queryset = other_hub_list(hub=hub)

    def clean(self):
        super().clean()
        data = self.cleaned_data
        # The hub picker stays on the page whatever the kind: a hub left chosen there for a
        # shelter means nothing, so it is dropped rather than refused.
        if data.get("kind") != DestinationKind.OTHER_HUB:
            data["receiving_hub"] = None
        return data

    @staticmethod
    def initial_for(destination: Destination) -> dict:
        return {
            "name": destination.name,
            "kind": destination.kind,
            "receiving_hub": destination.receiving_hub_id,
            "address": destination.address,
            "contact_name": destination.contact_name,
            "contact_phone": destination.contact_phone,
            "notes": destination.notes,
            "is_active": destination.is_active,
        }


QUANTITY_ERROR = _("Enter a whole number of at least 1.")


class DestinationNeedForm(forms.Form):
    """An item or a category, so many units, a priority. The items are read once, grouped by
    category for the picker, and the chosen one is taken from that read."""

    item = fields.ChoiceField(
        label=_("Item"),
        required=False,
        error_messages={"invalid_choice": _("This item is not in the catalog any more.")},
    )
    category = fields.ChoiceField(
        label=_("or any item of the category"),
        required=False,
        error_messages={"invalid_choice": _("That category is not in the catalog any more.")},
    )
    quantity = fields.IntegerField(
        label=_("Quantity"),
        min_value=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={key: QUANTITY_ERROR for key in ("required", "invalid", "min_value")},
    )
    priority = fields.TypedChoiceField(
        label=_("Priority"),
        choices=NeedPriority.choices,
        coerce=int,
        initial=NeedPriority.NORMAL,
        error_messages={
            "required": _("Choose high, normal or low."),
            "invalid_choice": _("Choose high, normal or low."),
        },
    )
    notes = forms.CharField(
        label=_("Note"), max_length=_max_length(DestinationNeed, "notes"), required=False
    )

    def __init__(self, *args, need: DestinationNeed | None = None, **kwargs):
        kwargs.setdefault("auto_id", f"id_need_{need.pk}_%s" if need else "id_need_%s")
        super().__init__(*args, **kwargs)
        # An item taken out of the catalog stays choosable in the need that already has it.
        kept = Q(pk=need.item_id) if need is not None and need.item_id else Q(pk__in=[])
        items = (
            Item.objects.filter(Q(is_active=True) | kept)
            .select_related("category")
            .order_by("category__sort_order", "name")
        )
        self.items = {item.pk: item for item in items}
        groups: dict[str, list[tuple[int, str]]] = {}
        for item in self.items.values():
            groups.setdefault(item.category.name, []).append((item.pk, item.name))
        cast(forms.ChoiceField, self.fields["item"]).choices = [("", "—"), *groups.items()]
        self.categories = {c.pk: c for c in Category.objects.order_by("sort_order", "name")}
        cast(forms.ChoiceField, self.fields["category"]).choices = [
            ("", "—"),
            *((c.pk, c.name) for c in self.categories.values()),
        ]

    def clean_item(self) -> Item | None:
        value = self.cleaned_data.get("item")
        return self.items[int(value)] if value else None

    def clean_category(self) -> Category | None:
        value = self.cleaned_data.get("category")
        return self.categories[int(value)] if value else None

    @staticmethod
    def initial_for(need: DestinationNeed) -> dict:
        return {
            "item": need.item_id or "",
            "category": need.category_id or "",
            "quantity": need.quantity,
            "priority": need.priority,
            "notes": need.notes,
        }


# --- runs --------------------------------------------------------------------------------------


class DateTimeLocalField(fields.DateTimeField):
    """A date and time picker, read in the current time zone (the hub's)."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    default_error_messages = {
        "required": _("Enter a date and a time, e.g. 2025-01-10 09:00."),
        "invalid": _("Enter a date and a time, e.g. 2025-01-10 09:00."),
        "overflow": _("Enter a date and a time, e.g. 2025-01-10 09:00."),
    }


class DriverField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.get_username()


class RunForm(forms.Form):
    driver = DriverField(
        label=_("Driver"),
        queryset=None,
        empty_label=_("Choose a driver"),
        error_messages={
            "required": _("Choose the driver among the hub's members."),
            "invalid_choice": _("Choose the driver among the hub's members."),
        },
    )
    vehicle = forms.CharField(
        label=_("Vehicle (optional)"),
        max_length=_max_length(Run, "vehicle"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Blue pickup")}),
    )
    planned_at = DateTimeLocalField(label=_("Planned for"))
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, drivers, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["driver"]).queryset = drivers

    @staticmethod
    def initial_for(run: Run) -> dict:
        return {
            "driver": run.driver_id,
            "vehicle": run.vehicle,
            "planned_at": timezone.localtime(run.planned_at),
            "notes": run.notes,
        }


class RunStatusFilterForm(forms.Form):
    status = fields.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *RunStatus.choices], required=False
    )


@dataclass
class LineRow:
    """One row of a stop's lines as shown and posted: an item (None in an empty row), the
    quantity as typed, and what the suggestion said (when the row comes from one)."""

    item: Item | None
    quantity: str
    error: "StrOrPromise" = ""
    needed: int | None = None
    in_stock: int | None = None


MAX_LINE_ROWS = 100


def item_choices() -> list[tuple[str, list[Item]]]:
    """The active items grouped by category, for an item picker (one query)."""
    groups: dict[str, list[Item]] = {}
    items = (
        Item.objects.filter(is_active=True)
        .select_related("category")
        .order_by("category__sort_order", "category__name", "name")
    )
    for item in items:
        groups.setdefault(item.category.name, []).append(item)
    return list(groups.items())


def line_rows_from_post(post: QueryDict) -> tuple[list[LineRow], list[tuple[Item, int]] | None]:
    """The posted rows (parallel lists `item` and `quantity`) and, when every row reads, the
    lines to store: (item, quantity) with quantity 0 kept, for the service drops it. An
    empty row (no item, no quantity or 0) is left out."""
    item_ids, quantities = post.getlist("item"), post.getlist("quantity")
    if len(item_ids) != len(quantities) or len(item_ids) > MAX_LINE_ROWS:
        return [], None
    items = Item.objects.select_related("category").in_bulk(
        {pk for pk in map(parse_id, item_ids) if pk is not None}
    )
    rows, lines, ok = [], [], True
    for raw_item, raw_quantity in zip(item_ids, quantities, strict=True):
        raw_quantity = raw_quantity.strip()
        item = items.get(parse_id(raw_item))
        if not raw_item and raw_quantity in ("", "0"):
            continue
        row = LineRow(item=item, quantity=raw_quantity)
        rows.append(row)
        quantity = parse_id(raw_quantity)
        if item is None:
            row.error = (
                _("This item is not in the catalog any more.")
                if raw_item
                else _("Choose an item, or set the quantity to 0.")
            )
        elif quantity is None:
            row.error = _("Enter a whole number; 0 drops the line.")
        else:
            lines.append((item, quantity))
            continue
        ok = False
    return rows, lines if ok else None
