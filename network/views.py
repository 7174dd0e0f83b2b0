"""The Network page, under /hubs/<hub_slug>/network/: for the hub's coordinators, every hub
of the network with its fill, intake and needs, the surplus on offer, matches, and the
hub's own offers and claims. Every action posts a real form and answers with a redirect;
with htmx the answer is the page's #network part, with the messages out of band."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from deliveries.selectors import transfer_arriving_list, transfer_outgoing_list
from hub.decorators import hub_role_required
from hub.errors import UserError, user_error_show
from hub.http import HubRequest
from hub.models import Hub
from hub.roles import Role
from network import selectors, services
from network.forms import ClaimForm, OfferForm, PlanForm

PAGE = "network/network.html"


def _context(hub: Hub, **forms) -> dict:
    rows = selectors.network_hub_rows(hub=hub)
    offers = selectors.open_offer_list()
    return {
        "hub": hub,
        "rows": rows,
        "offers": offers,
        "matches": selectors.match_list(rows=rows, offers=offers),
        "claims": selectors.claim_list(hub=hub),
        "arriving": transfer_arriving_list(hub=hub),
        "outgoing": transfer_outgoing_list(hub=hub, limit=10),
        "offer_form": forms.get("offer_form")
        or OfferForm(items=selectors.offer_item_choices(hub=hub)),
        "claim_form": ClaimForm(),
        "plan_form": PlanForm(runs=selectors.open_run_choices(hub=hub)),
        "failed_claim": forms.get("failed_claim"),
    }


def _page(request: HubRequest, hub: Hub, **forms) -> HttpResponse:
    template = f"{PAGE}#network" if request.htmx else PAGE
    return render(request, template, _context(hub, **forms))


def _changed(request: HubRequest, hub: Hub) -> HttpResponse:
    if not request.htmx:
        return redirect("network", hub_slug=hub.slug)
    return _page(request, hub)


@require_GET
@hub_role_required(Role.COORDINATOR)
def network(request: HubRequest, hub: Hub) -> HttpResponse:
    return _page(request, hub)


@require_POST
@hub_role_required(Role.COORDINATOR)
def offer_create(request: HubRequest, hub: Hub) -> HttpResponse:
    form = OfferForm(request.POST, items=selectors.offer_item_choices(hub=hub))
    if form.is_valid():
        try:
            offer = services.offer_create(hub=hub, user=request.user, **form.cleaned_data)
        except UserError as error:
            user_error_show(error=error, form=form)
        else:
            messages.success(
                request,
                _("%(quantity)d %(item)s offered to the network.")
                % {"quantity": offer.quantity, "item": offer.item.name},
            )
            return _changed(request, hub)
    return _page(request, hub, offer_form=form)


@require_POST
@hub_role_required(Role.COORDINATOR)
def offer_withdraw(request: HubRequest, hub: Hub, pk: int) -> HttpResponse:
    offer = selectors.offer_get(pk=pk)
    try:
        services.offer_withdraw(offer=offer, user=request.user)
    except UserError as error:
        user_error_show(error=error, request=request)
    else:
        messages.success(request, _("Offer withdrawn: the claims already made stand."))
    return _changed(request, hub)


@require_POST
@hub_role_required(Role.COORDINATOR)
def claim_create(request: HubRequest, hub: Hub, pk: int) -> HttpResponse:
    offer = selectors.offer_get(pk=pk)
    form = ClaimForm(request.POST)
    if form.is_valid():
        try:
            claim = services.claim_create(
                offer=offer, hub=hub, user=request.user, **form.cleaned_data
            )
        except UserError as error:
            user_error_show(error=error, request=request)
        else:
            messages.success(
                request,
                _("Claimed %(quantity)d %(item)s from %(hub)s.")
                % {"quantity": claim.quantity, "item": offer.item.name, "hub": offer.hub.name},
            )
    else:
        _form_errors_show(request, form)
    return _changed(request, hub)


@require_POST
@hub_role_required(Role.COORDINATOR)
def claim_plan(request: HubRequest, hub: Hub, pk: int) -> HttpResponse:
    claim = selectors.claim_get(hub=hub, pk=pk)
    form = PlanForm(request.POST, runs=selectors.open_run_choices(hub=hub))
    if form.is_valid():
        try:
            stop = services.claim_plan(claim=claim, run=form.cleaned_data["run"], user=request.user)
        except UserError as error:
            user_error_show(error=error, request=request)
        else:
            messages.success(
                request,
                _("On run %(number)d, stop %(position)d.")
                % {"number": stop.run_id, "position": stop.position},
            )
    else:
        _form_errors_show(request, form)
    return _changed(request, hub)


@require_POST
@hub_role_required(Role.COORDINATOR)
def claim_hand_over(request: HubRequest, hub: Hub, pk: int) -> HttpResponse:
    claim = selectors.claim_get(hub=hub, pk=pk)
    try:
        services.claim_hand_over(claim=claim, user=request.user)
    except UserError as error:
        user_error_show(error=error, request=request)
    else:
        messages.success(
            request,
            _("Handed over: in transit to %(hub)s until they receive it.")
            % {"hub": claim.hub.name},
        )
    return _changed(request, hub)


@require_POST
@hub_role_required(Role.COORDINATOR)
def claim_cancel(request: HubRequest, hub: Hub, pk: int) -> HttpResponse:
    claim = selectors.claim_get(hub=hub, pk=pk)
    try:
        services.claim_cancel(claim=claim, user=request.user)
    except UserError as error:
        user_error_show(error=error, request=request)
    else:
        messages.success(request, _("Claim cancelled."))
    return _changed(request, hub)


def _form_errors_show(request: HubRequest, form) -> None:
    """A row's small form has no place of its own for errors: they go to the messages."""
    for field_errors in form.errors.values():
        for message in field_errors:
            messages.error(request, message)
