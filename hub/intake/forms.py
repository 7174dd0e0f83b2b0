"""The intake form: the dropoff's own fields, and its lines posted as parallel lists (one
entry per line row for each of item, quantity, expiry_date, outcome, redirected_to)."""

import copy
import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import cast
from urllib.parse import urlencode

from django import forms
from django.db import models
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hub import fields
from hub.fields import parse_id
from hub.intake.selectors import (
    UNUSUAL_FLOOR,
    UsualLine,
    item_map_cached,
    other_hub_list,
    usual_line_map,
)
from hub.intake.services import (
    DropoffLineInput,
    IntakeError,
    dropoff_line_check,
    expired_line_problem,
)
from hub.models import Hub, Outcome
from inventory.models import Category, Item, StorageLocation, Unit

LINE_FIELDS = ("item", "quantity", "expiry_date", "outcome", "redirected_to")
# Later columns: a page loaded before they existed posts none of them, taken as empty.
OPTIONAL_LINE_FIELDS = (
    "confirmed",
    "new_name",
    "new_category",
    "new_size",
    "expired",
    "new_barcode",
)
MAX_LINES = 50
NEW_ITEM_NAME_MAX = 80


class ExpiredChoice(models.TextChoices):
    """What the volunteer chose for a line past its expiry date."""

    DISCARD = "discard", _("Discard it")
    ACCEPT = "accept", _("Accept anyway")


class UnlistedSize(models.TextChoices):
    """How big one unit of an item that is not in the catalog is, as the volunteer sees it."""

    SMALL = "small", _("Small (fits in a hand)")
    BOX = "box", _("Box")
    BAG = "bag", _("Bag")
    LARGE = "large", _("Large (needs both arms)")


# The unit and the litres one unit of each size counts for, until a coordinator sets them.
UNLISTED_SIZES = {
    UnlistedSize.SMALL: (Unit.EACH, Decimal("1")),
    UnlistedSize.BOX: (Unit.BOX, Decimal("30")),
    UnlistedSize.BAG: (Unit.BAG, Decimal("20")),
    UnlistedSize.LARGE: (Unit.EACH, Decimal("100")),
}


def unlisted_item(*, hub: Hub, name: str, category: Category, size: str) -> Item:
    """An unsaved catalog item for something a volunteer logs that is not in the catalog:
    flagged for a coordinator's review, saved by dropoff_log with the dropoff."""
    unit, litres = UNLISTED_SIZES[UnlistedSize(size)]
    return Item(
        name=name,
        category=category,
        unit=unit,
        unit_volume_litres=litres,
        needs_review=True,
        created_at_hub=hub,
    )


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
    location = fields.ChoiceField(label=_("Put accepted goods in"), required=False)
    donor_consent = forms.BooleanField(
        label=_("The donor agrees that we keep their name and contact"), required=False
    )
    donor_name = forms.CharField(label=_("Donor name"), max_length=120, required=False)
    donor_contact = forms.CharField(label=_("Phone or e-mail"), max_length=120, required=False)

    def __init__(self, *args, hub: Hub, locations: list[StorageLocation], **kwargs):
        super().__init__(*args, **kwargs)
        self.hub = hub
        # The hub's active locations, as the view has them (with the page's fill, or from
        # the cache): no query of their own.
        self.locations = {str(loc.pk): loc for loc in locations}
        location = cast(fields.ChoiceField, self.fields["location"])
        location.choices = [(loc.pk, loc.name) for loc in locations]
        if isinstance(initial := self.initial.get("location"), StorageLocation):
            self.initial["location"] = initial.pk

    def clean_location(self) -> StorageLocation | None:
        return self.locations.get(self.cleaned_data["location"])

    @staticmethod
    def new_key() -> str:
        return uuid.uuid4().hex

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if (data.get("donor_name") or data.get("donor_contact")) and not data.get("donor_consent"):
            self.add_error(
                "donor_consent",
                _("Tick this to keep the donor's details, or leave them empty."),
            )
        return data


class _SharedFields(dict):
    """A form's fields that no instance changes: each form takes them as they are rather than
    deep-copying every field and widget (Django's default), which was most of the cost of
    building a submit's forms. Those named `per_form` (a form sets their choices) are
    copied for each form as Django does."""

    def __init__(self, fields: dict, *, per_form: tuple[str, ...] = ()):
        super().__init__(fields)
        self.per_form = per_form

    def __deepcopy__(self, memo: dict) -> dict:
        return {**self, **{name: copy.deepcopy(self[name], memo) for name in self.per_form}}


class LineForm(forms.Form):
    """One line row: an item of the catalog, or (no item) one the volunteer names, with a
    category and a size. Items, hubs, categories and usual quantities are looked up in bulk
    by the caller (one query each for all lines at most: the items are cached), whatever the
    catalog size."""

    item = fields.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=1, max_value=None
    )
    # Bounded by the hub's own maximum per line (clean_quantity), which says so.
    quantity = fields.IntegerField(
        label=_("Quantity"),
        min_value=1,
        max_value=None,
        error_messages={"invalid": _("Enter a whole number.")},
    )
    expiry_date = fields.DateField(label=_("Expires"), required=False)
    outcome = fields.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    redirected_to = fields.IntegerField(required=False, min_value=1, max_value=None)
    # The unusual quantity the volunteer confirmed for this line, if any.
    confirmed = fields.IntegerField(required=False, min_value=1, max_value=None)
    new_name = forms.CharField(label=_("Name"), max_length=NEW_ITEM_NAME_MAX, required=False)
    new_category = fields.IntegerField(required=False, min_value=1, max_value=None)
    new_size = fields.ChoiceField(choices=UnlistedSize.choices, required=False)
    expired = fields.ChoiceField(choices=ExpiredChoice.choices, required=False)
    # A code scanned for an item that is not in the catalog (kept only if valid and free).
    new_barcode = forms.CharField(max_length=20, required=False)

    def __init__(
        self,
        *args,
        hub: Hub,
        items: dict[int, Item],
        hubs: dict[int, Hub],
        categories: dict[int, Category],
        usual: dict[int, UsualLine],
        **kw,
    ):
        super().__init__(*args, **kw)
        self.hub, self.items, self.hubs = hub, items, hubs
        self.categories, self.usual = categories, usual
        self.unusual: UsualLine | None = None  # set when the quantity needs a confirmation

    def clean_item(self) -> Item | None:
        pk = self.cleaned_data["item"]
        if pk is None:
            return None  # an item that is not in the catalog: see clean()
        item = self.items.get(pk)
        if item is None:
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
        super().clean()
        data = self.cleaned_data
        if data.get("item") is None and "item" not in self.errors:
            data["item"] = self._unlisted(data)
        item = data.get("item")
        if item is not None and not item.tracks_expiry:
            data["expiry_date"] = None
        if data.get("outcome") != Outcome.REDIRECTED:
            data["redirected_to"] = None
        self._expired_check(data)
        quantity = data.get("quantity")
        checkable = "outcome" in data and "redirected_to" not in self.errors
        if item is not None and quantity is not None and checkable:
            try:
                dropoff_line_check(
                    hub=self.hub,
                    item=item,
                    quantity=quantity,
                    outcome=data["outcome"],
                    redirected_to=data.get("redirected_to"),
                )
            except IntakeError as error:
                self.add_error(error.field, str(error))
                return data
            usual = self.usual.get(item.pk, UsualLine(None))
            if quantity > usual.limit and data.get("confirmed") != quantity:
                self.unusual = usual
                self.add_error("quantity", self._unusual_message(item, quantity, usual))
        return data

    def _expired_check(self, data: dict) -> None:
        """Every line past its date without a valid choice says so at once (dropoff_log
        would refuse the first one only)."""
        item, expiry = data.get("item"), data.get("expiry_date")
        if item is None or expiry is None or expiry >= timezone.localdate():
            return
        if data.get("outcome") != Outcome.ACCEPTED or data.get("expired") == ExpiredChoice.DISCARD:
            return
        line = DropoffLineInput(
            item=item,
            quantity=1,
            expiry_date=expiry,
            expired_accepted=data.get("expired") == ExpiredChoice.ACCEPT,
        )
        if problem := expired_line_problem(item=item, line=line):
            self.add_error(None, problem)

    def _unlisted(self, data: dict) -> Item | None:
        name = data.get("new_name", "")
        category_pk = data.get("new_category")
        category = self.categories.get(category_pk) if category_pk is not None else None
        size = data.get("new_size")
        if not name:
            self.add_error("new_name", _("Name the item, or remove the line."))
        if category is None:
            self.add_error("new_category", _("Choose the item's category."))
        if not size:
            self.add_error("new_size", _("Choose the item's size."))
        if not (name and category and size):
            return None
        return unlisted_item(hub=self.hub, name=name, category=category, size=size)

    @staticmethod
    def _unusual_message(item: Item, quantity: int, usual: UsualLine) -> str:
        if usual.usual is None:
            return _("%(quantity)d %(item)s on one line is a lot. Is the number right?") % {
                "quantity": quantity,
                "item": item.display_name,
            }
        return _(
            "%(quantity)d %(item)s is far more than this hub usually gets on one line "
            "(about %(usual)d). Is the number right?"
        ) % {"quantity": quantity, "item": item.display_name, "usual": usual.usual}

    def to_input(self, *, location: StorageLocation | None) -> DropoffLineInput:
        data = self.cleaned_data
        outcome = data["outcome"]
        expiry = data["expiry_date"]
        # Only a line past its date is discarded by the choice: one whose date was changed
        # since keeps its outcome (the service asks again if it is still expired).
        past = expiry is not None and expiry < timezone.localdate()
        if outcome == Outcome.ACCEPTED and past and data["expired"] == ExpiredChoice.DISCARD:
            outcome = Outcome.DISCARDED
        return DropoffLineInput(
            item=data["item"],
            quantity=data["quantity"],
            outcome=outcome,
            location=location if outcome == Outcome.ACCEPTED else None,
            expiry_date=expiry,
            redirected_to=data["redirected_to"],
            expired_accepted=data["expired"] == ExpiredChoice.ACCEPT,
            new_barcode=data["new_barcode"] if data["item"].pk is None else "",
        )


# Their rows are drawn by the template, not by the forms: only the dropoff's locations (its
# choices) change per form.
LineForm.base_fields = _SharedFields(LineForm.base_fields)
DropoffForm.base_fields = _SharedFields(DropoffForm.base_fields, per_form=("location",))


def line_forms_from_post(
    post: QueryDict, *, hub: Hub, confirm: int | None = None
) -> list[LineForm] | None:
    """The posted line rows as bound forms, or None when the lists don't line up (a
    tampered or truncated form). `confirm` is a quantity the volunteer confirmed with a
    line's "yes, it is right" button: every line of that quantity counts as confirmed."""
    columns = {name: post.getlist(name) for name in LINE_FIELDS}
    count = len(columns["item"])
    for name in OPTIONAL_LINE_FIELDS:
        columns[name] = post.getlist(name) or [""] * count
    if count > MAX_LINES or any(len(values) != count for values in columns.values()):
        return None
    if confirm is not None:
        columns["confirmed"] = [
            str(confirm) if quantity.strip() == str(confirm) else confirmed
            for quantity, confirmed in zip(columns["quantity"], columns["confirmed"], strict=True)
        ]
    item_ids = {pk for pk in map(parse_id, columns["item"]) if pk is not None}
    items = item_map_cached(ids=item_ids)
    # Only the hubs named: a dropoff that sends nobody on reads none.
    hub_ids = {pk for pk in map(parse_id, columns["redirected_to"]) if pk is not None}
    hubs = other_hub_list(hub=hub).in_bulk(hub_ids) if hub_ids else {}
    unlisted = any(not value for value in columns["item"])
    categories = Category.objects.in_bulk() if unlisted else {}
    # A line of up to UNUSUAL_FLOOR units is never unusual, whatever the item's history:
    # only the items of larger lines (or of quantities not read yet) need theirs.
    larger = {
        pk
        for pk, quantity in zip(map(parse_id, columns["item"]), columns["quantity"], strict=True)
        if (parsed := parse_id(quantity)) is None or parsed > UNUSUAL_FLOOR
    }
    usual = usual_line_map(hub=hub, item_ids=set(items) & larger)
    return [
        LineForm(
            {name: columns[name][n] for name in columns},
            hub=hub,
            items=items,
            hubs=hubs,
            categories=categories,
            usual=usual,
            prefix=None,
        )
        for n in range(count)
    ]


REPORT_DAYS = 7
REPORT_MAX_DAYS = 366


class ReportPeriodForm(forms.Form):
    """A range of whole days in the hub's time zone, both ends included."""

    since = fields.DateField(
        label=_("From"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date, e.g. 2025-01-10.")},
    )
    until = fields.DateField(
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
        super().clean()
        data = self.cleaned_data
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
