"""The coordinators' stock forms: the stock filter, counts, adjustments, discards, transfers.
They check input; the changes themselves are made by inventory.services."""

import uuid
from typing import cast

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from hub import fields
from hub.models import Hub
from inventory.models import Category, Item, StockBalance, StorageLocation
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
    # A handheld scanner typing a location's label here opens its count (static/js/scan.js).
    q = forms.CharField(
        label=_("Name"),
        max_length=80,
        required=False,
        widget=forms.TextInput(attrs={"data-scan-input": ""}),
    )
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


class StockLocationChoiceField(LocationChoiceField):
    """A location of the hub, named with what the record holds there of one item."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("empty_label", _("Choose a location"))
        super().__init__(*args, **kwargs)
        self.on_record: dict[int, int] = {}
        self.unit = ""

    def label_from_instance(self, obj: StorageLocation) -> str:
        return _("%(location)s (%(quantity)s %(unit)s on record)") % {
            "location": obj.display_name,
            "quantity": formats.number_format(self.on_record.get(obj.pk, 0), force_grouping=True),
            "unit": self.unit,
        }


class StockChangeForm(KeyedForm):
    """Shared by the item page's forms: a location of the hub and an expiry date. Each
    location is named with what the record holds there of the item; `unit_fields` are
    counted in the item's unit, shown beside them."""

    unit_fields = ("delta", "quantity")
    location = StockLocationChoiceField(
        label=_("Location"), queryset=StorageLocation.objects.none()
    )
    expiry_date = fields.DateField(label=_("Expiry date"), required=False, widget=_date_input())

    def __init__(self, *args, hub: Hub, item: Item, on_record: dict[int, int], **kwargs):
        super().__init__(*args, **kwargs)
        self.item = item
        for field in self.fields.values():
            if isinstance(field, StockLocationChoiceField):
                field.queryset = _locations(hub)
                field.on_record, field.unit = on_record, item.get_unit_display()


class AdjustForm(StockChangeForm):
    prefix = "adjust"
    delta = fields.IntegerField(
        label=_("Change by (minus to take away)"),
        min_value=-MAX_QUANTITY,
        max_value=MAX_QUANTITY,
    )
    reason = forms.CharField(label=_("Why"), max_length=REASON_MAX)


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
    to_location = StockLocationChoiceField(label=_("To"), queryset=StorageLocation.objects.none())
    quantity = _quantity(_("Quantity"))
    reason = forms.CharField(label=_("Why (optional)"), max_length=REASON_MAX, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].label = _("From")


class CountForm(KeyedForm):
    """One quantity box per balance of the location; empty boxes were not counted. A count
    further from the record than the hub's share (count_confirm_percent) is refused until
    the counter ticks "yes, that is what is there" on its line."""

    reason = forms.CharField(label=_("Note for the record"), max_length=REASON_MAX)

    def __init__(self, *args, balances: list[StockBalance], confirm_percent: int, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("reason", _("Physical count"))
        super().__init__(*args, **kwargs)
        self.balances, self.confirm_percent = balances, confirm_percent
        self.to_confirm: set[int] = set()
        for balance in balances:
            self.fields[self.field_name(balance)] = fields.IntegerField(
                label=_("Counted"), min_value=0, max_value=MAX_QUANTITY, required=False
            )
            self.fields[self.confirm_name(balance)] = forms.BooleanField(
                label=_("Yes, that is what is there"), required=False
            )

    @staticmethod
    def field_name(balance: StockBalance) -> str:
        return f"counted_{balance.pk}"

    @staticmethod
    def confirm_name(balance: StockBalance) -> str:
        return f"confirm_{balance.pk}"

    def clean(self):
        super().clean()
        data = self.cleaned_data
        for balance in self.balances:
            counted = data.get(self.field_name(balance))
            if counted is None or data.get(self.confirm_name(balance)):
                continue
            if abs(counted - balance.quantity) * 100 > self.confirm_percent * balance.quantity:
                self.to_confirm.add(balance.pk)
                self.add_error(
                    self.field_name(balance),
                    _(
                        "%(counted)s is far from the %(record)s on record: count again, or "
                        "tick the box to confirm it."
                    )
                    % {
                        "counted": formats.number_format(counted, force_grouping=True),
                        "record": formats.number_format(balance.quantity, force_grouping=True),
                    },
                )
        return data

    def rows(self) -> list[tuple[StockBalance, forms.BoundField, forms.BoundField | None]]:
        """Each balance with its box, and its confirmation when it asks for one (asked
        before, or ticked in what was sent)."""
        rows = []
        for balance in self.balances:
            confirm = self[self.confirm_name(balance)]
            asks = balance.pk in self.to_confirm or (self.is_bound and confirm.value())
            rows.append((balance, self[self.field_name(balance)], confirm if asks else None))
        return rows

    def counted(self) -> list[tuple[StockBalance, int]]:
        return [
            (b, self.cleaned_data[self.field_name(b)])
            for b in self.balances
            if self.cleaned_data.get(self.field_name(b)) is not None
        ]


class BarcodeForm(forms.Form):
    """A barcode (the digits under the bars) to give an item; checked by item_barcode_add."""

    code = forms.CharField(label=_("Barcode"), max_length=20)
