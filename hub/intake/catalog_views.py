"""Coordinators' pages for the dropoff table's catalog: the tiles pinned at the hub, and
the items volunteers added at the table, to keep or merge."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from hub.decorators import hub_role_required
from hub.fields import parse_id
from hub.http import HubRequest
from hub.intake.catalog_forms import AliasesForm, ReviewForm, TileForm
from hub.intake.selectors import (
    category_choice_list,
    item_active_find,
    item_active_list,
    item_merge_target_list,
    item_review_list,
    pinned_tile_list,
)
from hub.intake.services import IntakeError, tile_pin_change
from hub.models import Hub
from hub.roles import Role
from inventory.models import Unit
from inventory.services import StockError, item_aliases_set, item_keep, item_merge


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
    named, item = forms.get("aliases_form"), forms.get("aliases_item")
    asked = parse_id(request.GET.get("aliases_item")) if named is None else None
    if asked is not None and (item := item_active_find(pk=asked)):
        named = AliasesForm(initial={"item": item.pk, "aliases": item.aliases})
    return render(
        request,
        "hub/intake_tiles.html",
        {
            "hub": hub,
            "pins": pinned_tile_list(hub=hub),
            "form": forms.get("form") or TileForm(initial={"action": "pin"}),
            "aliases_form": named,
            "aliases_item": item,
            "items": item_active_list(),
        },
        status=status,
    )


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
            messages.success(
                request, _("Other names of %(item)s saved.") % {"item": item.display_name}
            )
            return redirect(f"{reverse('intake_tiles', args=[hub.slug])}?aliases_item={item.pk}")
    item = form.cleaned_data.get("item")
    return _tiles_page(request, hub, aliases_form=form, aliases_item=item, status=400)


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
            "items": item_review_list(hub=hub),
            "targets": item_merge_target_list(),
            "categories": category_choice_list(),
            "units": Unit.choices,
        },
        status=status,
    )
