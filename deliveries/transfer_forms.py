"""The receipt of a transfer: one small form per line (what was counted, where it goes,
and what the page showed in transit), and the note on differences."""

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from deliveries.models import TransferLine
from deliveries.transfers import ArrivalLine
from hub import fields
from inventory.models import StorageLocation
from inventory.services import MAX_QUANTITY


class LocationField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        # Every choice is of this hub: its name alone (not "Store (Pasadena Hub)").
        return obj.name


class ArrivalLineForm(forms.Form):
    counted = fields.IntegerField(label=_("Counted"), min_value=0, max_value=MAX_QUANTITY)
    location = LocationField(
        label=_("Into"),
        queryset=StorageLocation.objects.none(),
        required=False,
        empty_label=_("Not now: leave in transit"),
        error_messages={"invalid_choice": _("Choose one of this hub's storage locations.")},
    )
    expected = fields.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, data, *, line: TransferLine, locations):
        super().__init__(data, prefix=f"line-{line.pk}")
        self.line = line
        cast(forms.ModelChoiceField, self.fields["location"]).queryset = locations
        self.fields["counted"].initial = line.in_transit
        self.fields["expected"].initial = line.in_transit

    def arrival(self) -> ArrivalLine:
        data = self.cleaned_data
        return ArrivalLine(self.line.pk, data["expected"], data["counted"], data["location"])


class ReceiveNoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note on differences"),
        max_length=200,
        required=False,
        help_text=_("Needed when a line came short or with more than was sent: say what happened."),
    )
