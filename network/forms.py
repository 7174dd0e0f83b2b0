"""The forms of the Network page and of receiving a transfer. They read what was posted; the
rules (what the hub has free, what the claiming hub takes and has room for) are the
services'."""

from typing import cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from deliveries.models import Run
from hub import fields
from inventory.models import Item
from inventory.services import MAX_QUANTITY
from network.models import ClaimHow


class OfferForm(forms.Form):
    item = forms.ModelChoiceField(
        label=_("Item"),
        queryset=Item.objects.none(),
        error_messages={
            "required": _("Choose an item the hub has in stock."),
            "invalid_choice": _("Choose an item the hub has in stock."),
        },
    )
    quantity = fields.IntegerField(label=_("Quantity"), min_value=1, max_value=MAX_QUANTITY)
    until = fields.DateField(
        label=_("Offered until"), widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, items: QuerySet[Item], **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["item"]).queryset = items


class ClaimForm(forms.Form):
    quantity = fields.IntegerField(label=_("Quantity"), min_value=1, max_value=MAX_QUANTITY)
    how = fields.ChoiceField(
        label=_("Who drives"),
        choices=ClaimHow.choices,
        error_messages={
            "required": _("Choose who drives."),
            "invalid_choice": _("Choose who drives."),
        },
    )


class PlanForm(forms.Form):
    run = forms.ModelChoiceField(
        label=_("Run"),
        queryset=Run.objects.none(),
        error_messages={
            "required": _("Choose one of the hub's runs that have not left."),
            "invalid_choice": _("Choose one of the hub's runs that have not left."),
        },
    )

    def __init__(self, *args, runs: QuerySet[Run], **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["run"]).queryset = runs
