"""The coordinators' stock forms: the stock filter, counts, adjustments, discards, transfers.
They check input; the changes themselves are made by inventory.services."""

import uuid
from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from hub import fields
from hub.models import Hub
from inventory.models import Category, StockBalance, StorageLocation
from inventory.selectors import EXPIRING_DAYS
from inventory.services import MAX_QUANTITY

REASON_MAX = 200
OUT_OF_DATE = _("This form was out of date. Check it and send it again.")


def _date_input() -> forms.DateInput:
    # A native date picker posts ISO dates, which every language's input formats accept.
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class LocationChoiceField(forms.ModelChoiceField):
    """A location of one hub, by its name alone (str() would read its hub for each)."""

    def label_from_instance(self, obj: StorageLocation) -> str:
        return obj.name


def _locations(hub: Hub):
    return StorageLocation.objects.filter(hub=hub, is_active=True).order_by("name")


class StockFilterForm(forms.Form):
    q = forms.CharField(label=_("Name"), max_length=80, required=False)
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.order_by("sort_order", "name"),
        required=False,
        empty_label=_("All categories"),
    )
    location = LocationChoiceField(
        label=_("Location"),
        queryset=StorageLocation.objects.none(),
        required=False,
        empty_label=_("All locations"),
    )
    expiring = forms.BooleanField(required=False)

    def __init__(self, *args, hub: Hub, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["location"]).queryset = _locations(hub)
        self.fields["expiring"].label = _("Expires within %(days)d days") % {"days": EXPIRING_DAYS}


class KeyedForm(forms.Form):
    """A form whose service call is made once, however often it is sent."""

    idempotency_key = forms.CharField(
        widget=forms.HiddenInput,
        max_length=64,
        error_messages={"required": OUT_OF_DATE, "max_length": OUT_OF_DATE},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("idempotency_key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)


def _quantity(label, *, min_value: int | None = 1) -> fields.IntegerField:
    return fields.IntegerField(label=label, min_value=min_value, max_value=MAX_QUANTITY)


class StockChangeForm(KeyedForm):
    """Shared by the item page's forms: a location of the hub and an expiry date."""

    location = LocationChoiceField(label=_("Location"), queryset=StorageLocation.objects.none())
    expiry_date = fields.DateField(label=_("Expiry date"), required=False, widget=_date_input())

    def __init__(self, *args, hub: Hub, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["location"]).queryset = _locations(hub)


class AdjustForm(StockChangeForm):
    prefix = "adjust"
    delta = fields.IntegerField(
        label=_("Change by (minus to take away)"),
        min_value=-MAX_QUANTITY,
        max_value=MAX_QUANTITY,
    )
    reason = forms.CharField(label=_("Why"), max_length=REASON_MAX)

    def clean_delta(self):
        delta = self.cleaned_data["delta"]
        if delta == 0:
            raise forms.ValidationError(_("Enter a change other than zero."))
        return delta


DISCARD_REASONS = [
    ("spoiled", _("Spoiled or expired")),
    ("recycled", _("Recycled")),
    ("given_away", _("Given away")),
]


class DiscardForm(StockChangeForm):
    prefix = "discard"
    quantity = _quantity(_("Quantity"))
    why = fields.ChoiceField(label=_("Why"), choices=DISCARD_REASONS)
    note = forms.CharField(label=_("Note (optional)"), max_length=REASON_MAX, required=False)

    def reason(self) -> str:
        why = dict(DISCARD_REASONS)[self.cleaned_data["why"]]
        note = self.cleaned_data["note"].strip()
        return f"{why}: {note}" if note else str(why)


class TransferForm(StockChangeForm):
    prefix = "transfer"
    to_location = LocationChoiceField(label=_("To"), queryset=StorageLocation.objects.none())
    quantity = _quantity(_("Quantity"))
    reason = forms.CharField(label=_("Why (optional)"), max_length=REASON_MAX, required=False)

    def __init__(self, *args, hub: Hub, **kwargs):
        super().__init__(*args, hub=hub, **kwargs)
        self.fields["location"].label = _("From")
        cast(forms.ModelChoiceField, self.fields["to_location"]).queryset = _locations(hub)

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if data.get("location") and data.get("location") == data.get("to_location"):
            self.add_error("to_location", _("Choose two different locations."))
        return data


class CountForm(KeyedForm):
    """One quantity box per balance of the location; empty boxes were not counted."""

    reason = forms.CharField(label=_("Note for the record"), max_length=REASON_MAX)

    def __init__(self, *args, balances: list[StockBalance], **kwargs):
        kwargs.setdefault("initial", {}).setdefault("reason", _("Physical count"))
        super().__init__(*args, **kwargs)
        self.balances = balances
        for balance in balances:
            self.fields[self.field_name(balance)] = fields.IntegerField(
                label=_("Counted"), min_value=0, max_value=MAX_QUANTITY, required=False
            )

    @staticmethod
    def field_name(balance: StockBalance) -> str:
        return f"counted_{balance.pk}"

    def rows(self) -> list[tuple[StockBalance, forms.BoundField]]:
        return [(b, self[self.field_name(b)]) for b in self.balances]

    def counted(self) -> list[tuple[StockBalance, int]]:
        return [
            (b, self.cleaned_data[self.field_name(b)])
            for b in self.balances
            if self.cleaned_data.get(self.field_name(b)) is not None
        ]
