"""The new hub form (hub/setup_views.py): the hub's own fields, and for each storage preset
how many locations, their name and their litres. The rules are operations.setup_services'."""

import zoneinfo
from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from operations.setup_services import (
    MOST_LITRES,
    MOST_LOCATIONS_PER_KIND,
    STORAGE_PRESETS,
    StorageRequest,
)

WHOLE_NUMBER = format_lazy(_("Enter a whole number from 0 to {max}."), max=MOST_LOCATIONS_PER_KIND)


class HubCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    address = forms.CharField(label=_("Address"), max_length=255, required=False)
    opening_hours = forms.CharField(
        label=_("Opening hours"),
        max_length=255,
        required=False,
        help_text=_("As the public should read them, e.g. Mon-Sat 9:00-18:00."),
    )
    time_zone = forms.ChoiceField(label=_("Time zone"))
    default_language = forms.ChoiceField(
        label=_("Default language"),
        choices=settings.LANGUAGES,
        help_text=_("What newcomers joining by code are offered first."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [(z, z) for z in sorted(zoneinfo.available_timezones())]
        self.fields["time_zone"].initial = settings.TIME_ZONE
        self.fields["default_language"].initial = settings.LANGUAGE_CODE
        for preset in STORAGE_PRESETS:
            self.fields[f"{preset.kind}_count"] = forms.IntegerField(
                label=_("How many"),
                min_value=0,
                max_value=MOST_LOCATIONS_PER_KIND,
                initial=1 if preset.kind == "room" else 0,
                error_messages={
                    "invalid": WHOLE_NUMBER,
                    "min_value": WHOLE_NUMBER,
                    "max_value": WHOLE_NUMBER,
                },
            )
            self.fields[f"{preset.kind}_name"] = forms.CharField(
                label=_("Named"), max_length=100, initial=preset.name
            )
            self.fields[f"{preset.kind}_litres"] = forms.DecimalField(
                label=_("Litres each"),
                min_value=Decimal("0.1"),
                max_value=MOST_LITRES,
                max_digits=12,
                decimal_places=1,
                initial=preset.litres,
            )

    def presets(self) -> list[dict]:
        """The storage fields grouped per preset, for the template's table."""
        return [
            {
                "preset": preset,
                "count": self[f"{preset.kind}_count"],
                "name": self[f"{preset.kind}_name"],
                "litres": self[f"{preset.kind}_litres"],
            }
            for preset in STORAGE_PRESETS
        ]

    def hub_fields(self) -> list:
        return [
            self[name]
            for name in ("name", "address", "opening_hours", "time_zone", "default_language")
        ]

    def storage(self) -> list[StorageRequest]:
        data = self.cleaned_data
        return [
            StorageRequest(
                name=data[f"{p.kind}_name"],
                count=data[f"{p.kind}_count"],
                litres=data[f"{p.kind}_litres"],
            )
            for p in STORAGE_PRESETS
        ]
