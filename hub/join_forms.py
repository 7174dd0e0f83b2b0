"""Forms of the join code pages (hub/join_views.py). They read what was posted; the rules
(a future time, at most 7 days, a password strong enough) are the services'."""

from datetime import timedelta

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from hub import fields
from hub.join_services import DISPLAY_NAME_MAX_LENGTH, SHIFT_HOURS
from hub.tablet_forms import PinField

VALIDITY_CHOICES = [
    ("shift", format_lazy(_("For this shift ({hours} hours)"), hours=SHIFT_HOURS)),
    ("day", _("For a day (24 hours)")),
    ("until", _("Until a time I choose")),
]


class JoinCodeForm(forms.Form):
    validity = forms.ChoiceField(
        label=_("Valid"), choices=VALIDITY_CHOICES, widget=forms.RadioSelect, initial="shift"
    )
    until = fields.LocalDateTimeField(label=_("Until"), required=False)

    def clean(self):
        super().clean()
        data = self.cleaned_data
        validity = data.get("validity")
        if validity == "until" and not data.get("until"):
            self.add_error("until", _("Choose until when the code is valid."))
        return data

    def expires_at(self):
        validity = self.cleaned_data["validity"]
        if validity == "until":
            return self.cleaned_data["until"]
        hours = SHIFT_HOURS if validity == "shift" else 24
        return timezone.now() + timedelta(hours=hours)


class JoinForm(forms.Form):
    display_name = forms.CharField(
        label=_("Your name"),
        max_length=DISPLAY_NAME_MAX_LENGTH,
        help_text=_("What the team calls you. A first name is enough."),
        widget=forms.TextInput(attrs={"autocomplete": "nickname", "autocapitalize": "words"}),
    )
    password = forms.CharField(
        label=_("Choose a password"),
        max_length=128,
        strip=False,
        help_text=_("At least 8 characters, not only digits."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    pin = PinField(
        label=_("A 4-digit PIN for the table's tablet (optional)"),
        required=False,
        help_text=_("On the hub's shared tablet you tap your name and type it."),
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
