"""Forms of the tablet pages and the People page's tablet section. They read what was
posted; the rules (4 digits, a name, who may) are the services'."""

from django import forms
from django.utils.translation import gettext_lazy as _

from hub import fields
from hub.tablets import TABLET_NAME_MAX_LENGTH


class PinField(forms.CharField):
    """Four digits, typed on a numeric keypad; digits of any script read as ASCII."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("PIN"))
        kwargs.setdefault("max_length", 4)
        kwargs.setdefault("min_length", 4)
        super().__init__(
            widget=forms.PasswordInput(
                attrs={
                    "inputmode": "numeric",
                    "pattern": "[0-9]{4}",
                    "autocomplete": "off",
                    "class": "pin-input",
                }
            ),
            **kwargs,
        )

    def to_python(self, value):
        return fields.ascii_digits(super().to_python(value) or "")


class PinForm(forms.Form):
    pin = PinField(label=_("Your 4-digit PIN"))


class PinSetForm(forms.Form):
    pin = PinField(
        label=_("New 4-digit PIN"),
        help_text=_("For the table's tablet: you tap your name and type it to log dropoffs."),
    )


class TabletEnrolForm(forms.Form):
    name = forms.CharField(
        label=_("Name of this tablet"),
        max_length=TABLET_NAME_MAX_LENGTH,
        initial=_("Front table"),
    )


class TabletSettingsForm(forms.Form):
    shift_ends = fields.TimeField(
        label=_("Sessions end at"),
        required=False,
        help_text=_("The end of the shift, in the hub's time. Empty: 8 hours after switching in."),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    idle_minutes = fields.IntegerField(
        label=_("and after idle (minutes)"), min_value=1, max_value=720
    )
