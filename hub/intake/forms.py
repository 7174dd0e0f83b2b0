"""The intake form: the dropoff's own fields, and its lines posted as parallel lists (one
entry per line row for each of item, quantity, expiry_date, outcome, redirected_to)."""

import uuid
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hub.intake.selectors import other_hub_list
from hub.intake.services import DropoffLineInput
from hub.models import Hub, Outcome
from inventory.models import Item, StorageLocation

LINE_FIELDS = ("item", "quantity", "expiry_date", "outcome", "redirected_to")
MAX_LINES = 50


def parse_id(value: str | None) -> int | None:
    """A primary key from a URL or a form, or None. isascii() first: str.isdigit() also
    accepts digits such as "²" that int() and the database refuse."""
    if value and value.isascii() and value.isdigit() and len(value) < 19:
        return int(value)
    return None


class DropoffForm(forms.Form):
    idempotency_key = forms.CharField(
        widget=forms.HiddenInput,
        max_length=64,
        error_messages={
            "required": _("This form was out of date. Check the items and log them again."),
            "max_length": _("This form was out of date. Check the items and log them again."),
        },
    )
    # Not required: a dropoff that is all declined or sent on stocks nothing. The service
    # asks for a location of this hub for every accepted line.
    location = forms.ModelChoiceField(
        label=_("Put accepted goods in"), queryset=StorageLocation.objects.none(), required=False
    )
    donor_consent = forms.BooleanField(
        label=_("The donor agrees that we keep their name and contact"), required=False
    )
    donor_name = forms.CharField(label=_("Donor name"), max_length=120, required=False)
    donor_contact = forms.CharField(label=_("Phone or e-mail"), max_length=120, required=False)

    def __init__(self, *args, hub: Hub, locations: list[StorageLocation], **kwargs):
        super().__init__(*args, **kwargs)
        self.hub = hub
        self.fields["location"].queryset = StorageLocation.objects.filter(hub=hub, is_active=True)
        # The choices come from the fill already read for the page: no second query.
        self.fields["location"].choices = [(loc.pk, loc.name) for loc in locations]

    @staticmethod
    def new_key() -> str:
        return uuid.uuid4().hex

    def clean(self):
        data = super().clean()
        if (data.get("donor_name") or data.get("donor_contact")) and not data.get("donor_consent"):
            self.add_error(
                "donor_consent",
                _("Tick this to keep the donor's details, or leave them empty."),
            )
        return data


class LineForm(forms.Form):
    """One line row. Items and hubs are looked up in bulk by the caller (one query each for
    all lines), so validating a dropoff costs the same whatever the catalog size."""

    item = forms.IntegerField(widget=forms.HiddenInput)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1)
    expiry_date = forms.DateField(label=_("Expires"), required=False)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    redirected_to = forms.IntegerField(required=False)

    def __init__(self, *args, hub: Hub, items: dict[int, Item], hubs: dict[int, Hub], **kw):
        super().__init__(*args, **kw)
        self.hub, self.items, self.hubs = hub, items, hubs

    def clean_quantity(self) -> int:
        quantity = self.cleaned_data["quantity"]
        if quantity > self.hub.max_line_quantity:
            raise forms.ValidationError(
                _("More than %(max)d on one line? Check the number.")
                % {"max": self.hub.max_line_quantity}
            )
        return quantity

    def clean_item(self) -> Item:
        item = self.items.get(self.cleaned_data["item"])
        if item is None or not item.is_active:
            raise forms.ValidationError(_("This item is not in the catalog. Remove the line."))
        return item

    def clean_redirected_to(self) -> Hub | None:
        pk = self.cleaned_data.get("redirected_to")
        if pk is None:
            return None
        if pk not in self.hubs:
            raise forms.ValidationError(_("Choose a hub of the network."))
        return self.hubs[pk]

    def clean(self):
        data = super().clean()
        item = data.get("item")
        if item is not None and not item.tracks_expiry:
            data["expiry_date"] = None
        if data.get("outcome") == Outcome.REDIRECTED and not data.get("redirected_to"):
            self.add_error("redirected_to", _("Choose the hub you sent the donor to."))
        if data.get("outcome") != Outcome.REDIRECTED:
            data["redirected_to"] = None
        return data

    def to_input(self, *, location: StorageLocation | None) -> DropoffLineInput:
        data = self.cleaned_data
        return DropoffLineInput(
            item=data["item"],
            quantity=data["quantity"],
            outcome=data["outcome"],
            location=location if data["outcome"] == Outcome.ACCEPTED else None,
            expiry_date=data["expiry_date"],
            redirected_to=data["redirected_to"],
        )


def line_forms_from_post(post: QueryDict, *, hub: Hub) -> list[LineForm] | None:
    """The posted line rows as bound forms, or None when the lists don't line up (a
    tampered or truncated form)."""
    columns = {name: post.getlist(name) for name in LINE_FIELDS}
    count = len(columns["item"])
    if count > MAX_LINES or any(len(values) != count for values in columns.values()):
        return None
    item_ids = {pk for pk in map(parse_id, columns["item"]) if pk is not None}
    items = Item.objects.select_related("category").in_bulk(item_ids)
    hubs = other_hub_list(hub=hub).in_bulk()
    return [
        LineForm(
            {name: columns[name][n] for name in LINE_FIELDS},
            hub=hub,
            items=items,
            hubs=hubs,
            prefix=None,
        )
        for n in range(count)
    ]


REPORT_DAYS = 7
REPORT_MAX_DAYS = 366


class ReportPeriodForm(forms.Form):
    """A range of whole days in the hub's time zone, both ends included."""

    since = forms.DateField(
        label=_("From"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date, e.g. 2025-01-10.")},
    )
    until = forms.DateField(
        label=_("To"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date, e.g. 2025-01-10.")},
    )

    def __init__(self, data=None, **kwargs):
        today = timezone.localdate()
        initial = {"since": today - timedelta(days=REPORT_DAYS - 1), "until": today}
        if data is not None and not (data.get("since") or data.get("until")):
            data = None  # a page opened without a period gets the last week
        super().__init__(data, initial=initial, **kwargs)

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until:
            if since > until:
                self.add_error("until", _("The end must be on or after the start."))
            elif (until - since).days >= REPORT_MAX_DAYS:
                self.add_error(
                    "until", _("Choose at most %(days)d days.") % {"days": REPORT_MAX_DAYS}
                )
        return data

    def days(self) -> tuple[date, date]:
        """The first and the last day of the period."""
        if self.is_bound:
            return self.cleaned_data["since"], self.cleaned_data["until"]
        return self.initial["since"], self.initial["until"]

    def period(self) -> tuple[datetime, datetime]:
        """[start of `since`, start of the day after `until`), aware, in the hub's zone."""
        since, until = self.days()
        tz = timezone.get_current_timezone()
        start = datetime.combine(since, time.min, tzinfo=tz)
        end = datetime.combine(until + timedelta(days=1), time.min, tzinfo=tz)
        return start, end

    def slug(self) -> str:
        """The period for a file name: 2025-01-07_2025-01-13."""
        start, end = self.period()
        return f"{start.date().isoformat()}_{(end.date() - timedelta(days=1)).isoformat()}"

    def query(self) -> str:
        """The period as a query string, for the export links."""
        start, end = self.period()
        return urlencode(
            {
                "since": start.date().isoformat(),
                "until": (end.date() - timedelta(days=1)).isoformat(),
            }
        )
