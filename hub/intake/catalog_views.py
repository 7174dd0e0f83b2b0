"""Coordinators' pages for the dropoff table's catalog: the tiles pinned at the hub, and
the items volunteers added at the table, to keep or merge."""

from typing import cast

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from hub import fields
from hub.decorators import hub_role_required
from hub.fields import parse_id
from hub.http import HubRequest
from hub.intake.services import TILE_ACTIONS, IntakeError, tile_pin_change
from hub.models import Hub, PinnedTile
from hub.roles import Role
from inventory.models import Category, Item, Unit
from inventory.services import StockError, item_aliases_set, item_keep, item_merge


class TileForm(forms.Form):
    item = forms.ModelChoiceField(
        label=gettext_lazy("Item"),
        queryset=Item.objects.filter(is_active=True).select_related("category"),
        error_messages={"invalid_choice": gettext_lazy("Choose an item of the catalog.")},
    )
    action = forms.ChoiceField(choices=[(a, a) for a in TILE_ACTIONS], widget=forms.HiddenInput)


@require_http_methods(["GET", "POST"])
@hub_role_required(Role.COORDINATOR)
def intake_tiles(request: HubRequest, hub: Hub) -> HttpResponse:
    """The tiles the dropoff table shows first, in this order, whatever is received most."""
    form = TileForm(request.POST or None, initial={"action": "pin"})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                tile_pin_change(
                    hub=hub, item=form.cleaned_data["item"], action=form.cleaned_data["action"]
                )
            except IntakeError as error:
                form.add_error("item", str(error))
            else:
                return redirect("intake_tiles", hub_slug=hub.slug)
        status = 400
    return _tiles_page(request, hub, form=form, status=status)


def _tiles_page(request: HubRequest, hub: Hub, *, status: int = 200, **forms) -> HttpResponse:
    pins = PinnedTile.objects.filter(hub=hub).select_related("item__category")
    items = (
        Item.objects.filter(is_active=True)
        .select_related("category")
        .order_by("category__sort_order", "name")
    )
    named, item = forms.get("aliases_form"), forms.get("aliases_item")
    asked = parse_id(request.GET.get("aliases_item")) if named is None else None
    if asked is not None and (item := Item.objects.filter(pk=asked, is_active=True).first()):
        named = AliasesForm(initial={"item": item.pk, "aliases": item.aliases})
    return render(
        request,
        "hub/intake_tiles.html",
        {
            "hub": hub,
            "pins": pins,
            "form": forms.get("form") or TileForm(initial={"action": "pin"}),
            "aliases_form": named,
            "aliases_item": item,
            "items": items,
        },
        status=status,
    )


class AliasesForm(forms.Form):
    item = forms.ModelChoiceField(
        queryset=Item.objects.filter(is_active=True), widget=forms.HiddenInput
    )
    aliases = forms.CharField(label=gettext_lazy("Other names"), max_length=1000, required=False)


@require_POST
@hub_role_required(Role.COORDINATOR)
def item_aliases(request: HubRequest, hub: Hub) -> HttpResponse:
    """The other names an item is found by at the dropoff table, in any language."""
    form = AliasesForm(request.POST)
    if form.is_valid():
        item = form.cleaned_data["item"]
        try:
            item_aliases_set(item=item, aliases=form.cleaned_data["aliases"])
        except StockError as error:
            form.add_error("aliases", str(error))
        else:
            messages.success(request, _("Other names of %(item)s saved.") % {"item": item.name})
            return redirect(f"{reverse('intake_tiles', args=[hub.slug])}?aliases_item={item.pk}")
    item = form.cleaned_data.get("item")
    return _tiles_page(request, hub, aliases_form=form, aliases_item=item, status=400)


class ReviewForm(forms.Form):
    """Keep an item added at the table (name, category, unit, volume) or merge it."""

    item = forms.ModelChoiceField(queryset=Item.objects.none(), widget=forms.HiddenInput)
    action = forms.ChoiceField(choices=[("keep", "keep"), ("merge", "merge")])
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120, required=False)
    category = forms.ModelChoiceField(
        label=gettext_lazy("Category"), queryset=Category.objects.all(), required=False
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
    into = forms.ModelChoiceField(
        label=gettext_lazy("Merge into"),
        queryset=Item.objects.filter(is_active=True, needs_review=False),
        required=False,
    )

    def __init__(self, *args, hub: Hub, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["item"]).queryset = review_queryset(hub=hub)

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if data.get("action") == "keep":
            for name in ("name", "category", "unit", "unit_volume_litres"):
                if data.get(name) in (None, ""):
                    self.add_error(name, _("Fill this in to keep the item."))
        if data.get("action") == "merge" and data.get("into") is None:
            self.add_error("into", _("Choose the item to merge it into."))
        return data


def review_queryset(*, hub: Hub):
    return Item.objects.filter(created_at_hub=hub, needs_review=True).select_related("category")


@require_http_methods(["GET", "POST"])
@hub_role_required(Role.COORDINATOR)
def item_review(request: HubRequest, hub: Hub) -> HttpResponse:
    """Items volunteers added here as "not in the list": keep each under a proper name and
    volume, or merge it, with its stock, into an item of the catalog."""
    form = ReviewForm(request.POST or None, hub=hub)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data["action"] == "keep":
                    item_keep(
                        item=data["item"],
                        name=data["name"],
                        category=data["category"],
                        unit=data["unit"],
                        unit_volume_litres=data["unit_volume_litres"],
                    )
                    messages.success(request, _("%(item)s kept.") % {"item": data["item"].name})
                else:
                    item_merge(item=data["item"], into=data["into"], user=request.user)
                    messages.success(
                        request,
                        _("%(item)s merged into %(into)s, with its stock.")
                        % {"item": data["item"].name, "into": data["into"].name},
                    )
            except StockError as error:
                form.add_error(None, str(error))
            else:
                return redirect("item_review", hub_slug=hub.slug)
        status = 400
    return render(
        request,
        "hub/item_review.html",
        {
            "hub": hub,
            "form": form,
            "items": review_queryset(hub=hub).order_by("name"),
            "targets": Item.objects.filter(is_active=True, needs_review=False).order_by("name"),
            "categories": Category.objects.all(),
            "units": Unit.choices,
        },
        status=status,
    )
