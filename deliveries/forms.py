"""The forms of the destination pages. They only read what was posted; the rules (a unique
name, a receiving hub for another hub only, one need per item or category) are the
services', which answer DestinationError with the field it is about."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from deliveries.models import Destination, DestinationKind, DestinationNeed, NeedPriority
from hub.models import Hub
from hub.selectors import other_hub_list
from inventory.models import Category, Item


def _max_length(model, field: str) -> int:
    return model._meta.get_field(field).max_length


class DestinationForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=_max_length(Destination, "name"),
        error_messages={"required": _("Name the destination.")},
    )
    kind = forms.ChoiceField(
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
        error_messages={"invalid_choice": _("Choose another active hub of the network.")},
    )
    address = forms.CharField(
        label=_("Address"), max_length=_max_length(Destination, "address"), required=False
    )
    contact_name = forms.CharField(
        label=_("Contact name"), max_length=_max_length(Destination, "contact_name"), required=False
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
        self.fields["receiving_hub"].queryset = other_hub_list(hub=hub)

    def clean(self):
        data = super().clean()
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

    item = forms.ChoiceField(
        label=_("Item"),
        required=False,
        error_messages={"invalid_choice": _("This item is not in the catalog any more.")},
    )
    category = forms.ChoiceField(
        label=_("or any item of the category"),
        required=False,
        error_messages={"invalid_choice": _("That category is not in the catalog any more.")},
    )
    quantity = forms.IntegerField(
        label=_("Quantity"),
        min_value=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={key: QUANTITY_ERROR for key in ("required", "invalid", "min_value")},
    )
    priority = forms.TypedChoiceField(
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
        self.fields["item"].choices = [("", "—"), *groups.items()]
        self.categories = {c.pk: c for c in Category.objects.order_by("sort_order", "name")}
        self.fields["category"].choices = [
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
