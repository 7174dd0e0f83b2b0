"""The forms of the intake control page (hub/control_views.py). They only read what was
posted; the rules (a reason to close, a reopen time in the future, nearly full below full)
are the services', so that every way in obeys them. A refused change comes back as
IntakeControlError with the field it is about, and the view puts it beside that field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from hub import fields
from hub.intake.services import FOLLOW_HUB, REASON_MAX_LENGTH
from hub.models import IntakeStatus
from inventory.models import Category

HUB_STATUS_CHOICES = [
    (IntakeStatus.OPEN, _("Open: take donations")),
    (IntakeStatus.LIMITED, _("Limited: only categories marked open or only if needed")),
    (IntakeStatus.CLOSED, _("Closed: take no donations")),
]
CATEGORY_STATUS_CHOICES = [
    (FOLLOW_HUB, _("Follow the hub")),
    (IntakeStatus.OPEN, _("Open")),
    (IntakeStatus.LIMITED, _("Only if needed")),
    (IntakeStatus.CLOSED, _("Closed")),
]
PERCENT_ERROR = _("Enter a whole number from 1 to 100.")


class HubIntakeForm(forms.Form):
    status = fields.ChoiceField(
        label=_("Intake"),
        choices=HUB_STATUS_CHOICES,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose open, limited or closed."),
            "invalid_choice": _("Choose open, limited or closed."),
        },
    )
    reason = forms.CharField(
        label=_("Why (needed when limited or closed)"),
        max_length=REASON_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    reopens_at = fields.LocalDateTimeField(
        label=_("Reopen by itself at (optional)"), required=False
    )


class CategoryIntakeForm(forms.Form):
    """One row of the category table, in the page's one intake form: its fields are named
    after the category (category-<pk>-status, ...)."""

    status = fields.ChoiceField(
        label=_("Intake"),
        choices=CATEGORY_STATUS_CHOICES,
        error_messages={
            "required": _("Choose follow the hub, open, only if needed or closed."),
            "invalid_choice": _("Choose follow the hub, open, only if needed or closed."),
        },
    )
    reason = forms.CharField(
        label=_("Why"),
        max_length=REASON_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    reopens_at = fields.LocalDateTimeField(label=_("Follow the hub again at"), required=False)

    def __init__(self, *args, category: Category, **kwargs):
        kwargs.setdefault("prefix", f"category-{category.pk}")
        super().__init__(*args, **kwargs)
        self.category = category
        for name, field in self.fields.items():
            field.widget.attrs["aria-label"] = _("%(field)s: %(category)s") % {
                "field": field.label,
                "category": category.display_name,
            }
            if name == "reason":
                field.widget.attrs["placeholder"] = _("e.g. Too much clothing")


class ThresholdsForm(forms.Form):
    nearly_full_percent = fields.IntegerField(
        label=_("Nearly full at (%)"),
        min_value=1,
        max_value=100,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            key: PERCENT_ERROR for key in ("required", "invalid", "min_value", "max_value")
        },
    )
    full_percent = fields.IntegerField(
        label=_("Full at (%)"),
        min_value=1,
        max_value=100,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            key: PERCENT_ERROR for key in ("required", "invalid", "min_value", "max_value")
        },
    )
    close_when_full = forms.BooleanField(
        label=_("Close intake by itself when storage is full"), required=False
    )
