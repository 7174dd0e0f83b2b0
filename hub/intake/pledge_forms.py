"""The public pledge form: where the donor is, how to reach them (only if they agree), and
what they have, posted as parallel lists (what, category, quantity; one entry per row)."""

import uuid
from typing import cast

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from hub import fields
from hub.intake.pledge_selectors import PledgeLineInput
from hub.intake.pledge_services import MAX_LINES, MAX_QUANTITY
from hub.intake.selectors import item_active_named_find, item_search
from inventory.models import Category

ROWS_SHOWN = 4
ROWS_ADDED = 3


class PledgeForm(forms.Form):
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)
    place = forms.CharField(
        label=_("Your postcode or neighbourhood"),
        max_length=80,
        required=False,
        help_text=_("To list the nearest hubs first. Nothing else about you is needed."),
    )
    donor_consent = forms.BooleanField(
        label=_("The hub may contact me about this pledge"), required=False
    )
    donor_contact = forms.CharField(
        label=_("Phone or e-mail (optional)"), max_length=120, required=False
    )

    @staticmethod
    def new_key() -> str:
        return uuid.uuid4().hex


class PledgeRowForm(forms.Form):
    what = forms.CharField(label=_("What"), max_length=80, required=False)
    category = forms.ModelChoiceField(
        label=_("Kind"), queryset=Category.objects.none(), required=False
    )
    quantity = fields.IntegerField(
        label=_("How many"), min_value=1, max_value=MAX_QUANTITY, required=False
    )

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["category"]).queryset = categories

    @property
    def is_blank(self) -> bool:
        return not any(str(self.data.get(name, "")).strip() for name in ("what", "quantity"))

    def clean(self):
        data = super().clean() or {}
        if self.is_blank or self.errors:
            return data
        what = " ".join(str(data.get("what") or "").split())
        if not what:
            raise forms.ValidationError(_("Say what it is."))
        if data.get("quantity") is None:
            raise forms.ValidationError(_("Say how many."))
        item = item_active_named_find(name=what)
        if item is None:
            found = item_search(query=what)
            item = found[0] if len(found) == 1 else None
        category = data.get("category") or (item.category if item else None)
        if category is None:
            raise forms.ValidationError(_("Choose what kind of thing it is."))
        if item is not None and item.category_id != category.pk:
            item = None  # the donor's own kind wins over a guess
        data["line"] = PledgeLineInput(
            category=category, quantity=data["quantity"], item=item, description=what
        )
        return data


def pledge_rows_from_post(post: QueryDict | None, *, extra: int = 0) -> list[PledgeRowForm]:
    """The posted rows as bound forms (unbound empty ones on a first visit), with `extra`
    empty rows more; at most MAX_LINES."""
    categories = Category.objects.order_by("sort_order", "name")
    if post is None:
        return [PledgeRowForm(categories=categories, prefix=None) for _n in range(ROWS_SHOWN)]
    columns = {name: post.getlist(name)[:MAX_LINES] for name in ("what", "category", "quantity")}
    count = max(len(values) for values in columns.values())
    rows = [
        PledgeRowForm(
            {name: values[n] if n < len(values) else "" for name, values in columns.items()},
            categories=categories,
        )
        for n in range(count)
    ]
    # The filled rows, and one empty row (or more when asked) for another line.
    rows = [row for row in rows if not row.is_blank]
    rows += [PledgeRowForm(categories=categories) for _n in range(max(extra, 1))]
    return rows[:MAX_LINES]


def pledge_lines(rows: list[PledgeRowForm]) -> list[PledgeLineInput] | None:
    """The lines of the valid, filled rows; None when a filled row has an error."""
    filled = [row for row in rows if row.is_bound]
    if not all([row.is_valid() for row in filled]):
        return None
    return [row.cleaned_data["line"] for row in filled if "line" in row.cleaned_data]
