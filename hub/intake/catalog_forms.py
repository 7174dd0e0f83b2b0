"""Forms of the coordinators' catalog pages: the pinned tiles, the items' other names, and
the review of the items volunteers added at the table."""

from typing import Any, cast

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hub import fields
from hub.intake.selectors import (
    category_choice_list,
    item_active_list,
    item_merge_target_list,
    item_review_list,
)
from hub.intake.services import TILE_ACTIONS
from hub.models import Hub
from inventory.models import Unit


def _choice(form: forms.Form, name: str) -> forms.ModelChoiceField:
    """The form's own copy of a model choice field, to set its choices from a selector."""
    return cast(forms.ModelChoiceField, form.fields[name])


class TileForm(forms.Form):
    item: forms.ModelChoiceField = forms.ModelChoiceField(
        label=gettext_lazy("Item"),
        queryset=None,
        empty_label=gettext_lazy("Choose an item"),
        error_messages={"invalid_choice": gettext_lazy("Choose an item of the catalog.")},
    )
    action = forms.ChoiceField(choices=[(a, a) for a in TILE_ACTIONS], widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _choice(self, "item").queryset = item_active_list()


class AliasesForm(forms.Form):
    item: forms.ModelChoiceField = forms.ModelChoiceField(queryset=None, widget=forms.HiddenInput)
    aliases = forms.CharField(label=gettext_lazy("Other names"), max_length=1000, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _choice(self, "item").queryset = item_active_list()


class ReviewForm(forms.Form):
    """Keep an item added at the table (name, category, unit, volume) or merge it."""

    item: forms.ModelChoiceField = forms.ModelChoiceField(queryset=None, widget=forms.HiddenInput)
    action = forms.ChoiceField(choices=[("keep", "keep"), ("merge", "merge")])
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120, required=False)
    category: forms.ModelChoiceField = forms.ModelChoiceField(
        label=gettext_lazy("Category"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("Choose a category"),
    )
    unit = forms.ChoiceField(label=gettext_lazy("Unit"), choices=Unit.choices, required=False)
    unit_volume_litres = fields.DecimalField(
        label=gettext_lazy("Litres per unit"),
        min_value=0.001,
        max_value=100_000,
        max_digits=9,
        decimal_places=3,
        required=False,
    )
    into: forms.ModelChoiceField = forms.ModelChoiceField(
        label=gettext_lazy("Merge into"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("Choose an item"),
    )

    def __init__(self, *args, hub: Hub, **kwargs):
        super().__init__(*args, **kwargs)
        _choice(self, "item").queryset = item_review_list(hub=hub)
        _choice(self, "category").queryset = category_choice_list()
        _choice(self, "into").queryset = item_merge_target_list()

    def clean(self) -> dict[str, Any]:
        data = cast(dict[str, Any], super().clean())
        if data.get("action") == "keep":
            for name in ("name", "category", "unit", "unit_volume_litres"):
                if data.get(name) in (None, ""):
                    self.add_error(name, _("Fill this in to keep the item."))
        if data.get("action") == "merge" and data.get("into") is None:
            self.add_error("into", _("Choose the item to merge it into."))
        return data
