"""Forms of what coordinators do about expiring stock and minimums: the hub's expiry
window, an item's rules (safe after its date, the hub's minimum), and a listed batch
discarded or put on a run. They check input; the services make the changes."""

import uuid
from typing import cast

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from deliveries.models import Destination, Run
from hub import fields
from inventory.services import MAX_QUANTITY
from inventory.stock_alerts import MAX_EXPIRY_DAYS, MAX_MINIMUM

NEW_RUN = "new"


class ExpiryDaysForm(forms.Form):
    days = fields.IntegerField(
        label=_("Alert and list batches expiring within (days)"),
        min_value=1,
        max_value=MAX_EXPIRY_DAYS,
    )


class ItemRulesForm(forms.Form):
    safe_after_expiry = forms.BooleanField(
        label=_("Safe after its date: the table may accept it anyway (e.g. canned food)"),
        required=False,
    )
    minimum = fields.IntegerField(
        label=_("Minimum to keep at this hub"),
        help_text=_("Falling under it raises an alert. Leave it empty for no minimum."),
        min_value=1,
        max_value=MAX_MINIMUM,
        required=False,
    )


class BatchForm(forms.Form):
    """A batch listed on the dashboard, and the quantity shown: what the action is about,
    even if more of the same batch came in since the page was drawn."""

    batch = fields.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=None)
    quantity = fields.IntegerField(label=_("Quantity"), min_value=1, max_value=MAX_QUANTITY)


class BatchDiscardForm(BatchForm):
    """Discarded once, however often it is sent (a double tap, a retry)."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("idempotency_key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)


class BatchToRunForm(BatchForm):
    run = fields.ChoiceField(label=_("Run"))
    destination = fields.ChoiceField(label=_("Stop"))

    def __init__(self, *args, runs: list[Run], destinations: list[Destination], **kwargs):
        super().__init__(*args, **kwargs)
        self.runs = {str(run.pk): run for run in runs}
        self.destinations = {str(d.pk): d for d in destinations}
        cast(forms.ChoiceField, self.fields["run"]).choices = [
            *((pk, _run_label(run)) for pk, run in self.runs.items()),
            (NEW_RUN, _("A new draft run, driven by me")),
        ]
        cast(forms.ChoiceField, self.fields["destination"]).choices = [
            (pk, d.name) for pk, d in self.destinations.items()
        ]

    def chosen_run(self) -> Run | None:
        value = self.cleaned_data["run"]
        return None if value == NEW_RUN else self.runs[value]

    def chosen_destination(self) -> Destination:
        return self.destinations[self.cleaned_data["destination"]]


def _run_label(run: Run) -> str:
    return _("Run #%(number)d, %(when)s") % {
        "number": run.pk,
        "when": formats.date_format(timezone.localtime(run.planned_at), "SHORT_DATETIME_FORMAT"),
    }
