"""Deliveries, under /hubs/<hub_slug>/, for coordinators and admins: the destinations the hub
delivers to and their standing needs."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from deliveries import selectors, services
from deliveries.forms import DestinationForm, DestinationNeedForm
from deliveries.models import Destination, DestinationNeed
from deliveries.shelter_forms import NeedConfirmForm
from deliveries.shelter_selectors import need_request_new_list
from hub.decorators import hub_role_required
from hub.errors import UserError, user_error_show
from hub.http import HubRequest
from hub.models import Hub
from hub.roles import Role

# --- destinations --------------------------------------------------------------------------

DESTINATION_PAGE = "deliveries/destination_detail.html"


@require_GET
@hub_role_required(Role.COORDINATOR)
def destination_list(request: HubRequest, hub: Hub) -> HttpResponse:
    return render(
        request,
        "deliveries/destination_list.html",
        {"hub": hub, "destinations": selectors.destination_list(hub=hub)},
    )


@require_http_methods(["GET", "POST"])
@hub_role_required(Role.COORDINATOR)
def destination_create(request: HubRequest, hub: Hub) -> HttpResponse:
    form = DestinationForm(request.POST or None, hub=hub)
    if request.method == "POST" and form.is_valid():
        try:
            destination = services.destination_create(
                hub=hub, user=request.user, **form.cleaned_data
            )
        except UserError as error:
            user_error_show(error=error, form=form)
        else:
            messages.success(request, _("%(name)s added.") % {"name": destination.name})
            return redirect("destination_detail", hub_slug=hub.slug, pk=destination.pk)
    return render(
        request, "deliveries/destination_form.html", {"hub": hub, "form": form, "destination": None}
    )


@require_GET
@hub_role_required(Role.COORDINATOR)
def destination_detail(request: HubRequest, hub: Hub, pk: int) -> HttpResponse:
    destination = selectors.destination_get(hub=hub, pk=pk)
    return render(request, DESTINATION_PAGE, _detail_context(destination))


@require_http_methods(["GET", "POST"])
@hub_role_required(Role.COORDINATOR)
def destination_edit(request: HubRequest, hub: Hub, pk: int) -> HttpResponse:
    destination = selectors.destination_get(hub=hub, pk=pk)
    form = DestinationForm(
        request.POST or None, hub=hub, initial=DestinationForm.initial_for(destination)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.destination_update(
                destination=destination, user=request.user, **form.cleaned_data
            )
        except UserError as error:
            user_error_show(error=error, form=form)
        else:
            messages.success(request, _("%(name)s saved.") % {"name": destination.name})
            return redirect("destination_detail", hub_slug=hub.slug, pk=destination.pk)
    return render(
        request,
        "deliveries/destination_form.html",
        {"hub": hub, "form": form, "destination": destination},
    )


@require_POST
@hub_role_required(Role.COORDINATOR)
def destination_need_add(request: HubRequest, hub: Hub, pk: int) -> HttpResponse:
    destination = selectors.destination_get(hub=hub, pk=pk)
    form = DestinationNeedForm(request.POST)
    if form.is_valid():
        try:
            need = services.destination_need_save(
                destination=destination, user=request.user, **form.cleaned_data
            )
        except UserError as error:
            user_error_show(error=error, form=form)
        else:
            messages.success(request, _need_message(_("Need added: %(need)s."), need))
            return _needs_saved(request, destination)
    return _needs_page(request, destination, need_form=form)


@require_http_methods(["GET", "POST"])
@hub_role_required(Role.COORDINATOR)
def destination_need_edit(request: HubRequest, hub: Hub, pk: int, need_pk: int) -> HttpResponse:
    destination = selectors.destination_get(hub=hub, pk=pk)
    need = selectors.destination_need_get(destination=destination, pk=need_pk)
    form = DestinationNeedForm(
        request.POST or None, need=need, initial=DestinationNeedForm.initial_for(need)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.destination_need_save(
                destination=destination, user=request.user, need=need, **form.cleaned_data
            )
        except UserError as error:
            user_error_show(error=error, form=form)
        else:
            messages.success(request, _need_message(_("Need saved: %(need)s."), need))
            return redirect("destination_detail", hub_slug=hub.slug, pk=destination.pk)
    return render(
        request,
        "deliveries/need_form.html",
        {"hub": hub, "destination": destination, "need": need, "form": form},
    )


@require_POST
@hub_role_required(Role.COORDINATOR)
def destination_need_delete(request: HubRequest, hub: Hub, pk: int, need_pk: int) -> HttpResponse:
    destination = selectors.destination_get(hub=hub, pk=pk)
    need = selectors.destination_need_get(destination=destination, pk=need_pk)
    try:
        services.destination_need_delete(need=need, user=request.user)
    except UserError as error:
        user_error_show(error=error)
    messages.success(request, _need_message(_("Need removed: %(need)s."), need))
    return _needs_saved(request, destination)


def _needs_saved(request: HubRequest, destination: Destination) -> HttpResponse:
    if not request.htmx:
        return redirect("destination_detail", hub_slug=destination.hub.slug, pk=destination.pk)
    # Read again: the prefetched needs are those from before the change.
    fresh = selectors.destination_get(hub=destination.hub, pk=destination.pk)
    return _needs_page(request, fresh)


def _needs_page(
    request: HubRequest, destination: Destination, *, need_form: DestinationNeedForm | None = None
) -> HttpResponse:
    """The page, or with htmx its #needs part (and the messages, out of band)."""
    context = _detail_context(destination, need_form=need_form)
    template = f"{DESTINATION_PAGE}#needs" if request.htmx else DESTINATION_PAGE
    return render(request, template, context)


def _detail_context(
    destination: Destination,
    *,
    need_form: DestinationNeedForm | None = None,
    confirm_forms: dict[int, NeedConfirmForm] | None = None,
) -> dict:
    confirm_forms = confirm_forms or {}
    return {
        "hub": destination.hub,
        "destination": destination,
        "needs": destination.needs.all(),
        "need_form": need_form or DestinationNeedForm(),
        # What the site asked for through its private link, each with its confirmation.
        "need_requests": [
            (
                found,
                confirm_forms.get(found.pk)
                or NeedConfirmForm(initial=NeedConfirmForm.initial_from(found), need_request=found),
            )
            for found in need_request_new_list(destination=destination)
        ],
    }


def _need_message(text: str, need: DestinationNeed) -> str:
    what = str(need.item or need.category)  # exactly one of the two (a check constraint)
    return text % {"need": f"{need.quantity} x {what}"}
