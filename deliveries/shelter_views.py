"""A site's private needs link (no account), and what coordinators do with it: make or
revoke the link, confirm or dismiss the requests it brings."""

from axes.helpers import get_client_ip_address
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from deliveries import selectors
from deliveries.shelter_forms import NeedConfirmForm, ShelterNeedForm
from deliveries.shelter_selectors import (
    destination_for_token,
    need_request_new_get,
    need_request_new_list,
    shelter_need_list,
)
from deliveries.shelter_services import (
    NeedRequestThrottled,
    bad_link_check,
    bad_link_count,
    need_request_confirm,
    need_request_dismiss,
    need_request_post,
    need_request_withdraw,
    request_link_make,
    request_link_revoke,
)
from deliveries.views import DESTINATION_PAGE, _detail_context
from hub.decorators import hub_role_required
from hub.errors import UserError, user_error_show
from hub.fields import parse_id
from hub.http import HubRequest
from hub.models import Hub
from hub.roles import Role

SHELTER_PAGE = "deliveries/shelter_needs.html"


@require_http_methods(["GET", "POST"])
@login_not_required
@never_cache
def shelter_needs(request: HttpRequest, token: str) -> HttpResponse:
    address = get_client_ip_address(request) or "unknown"
    try:
        bad_link_check(address=address)
    except NeedRequestThrottled:
        return render(request, SHELTER_PAGE, {"throttled": True}, status=429)
    destination = destination_for_token(token=token)
    if destination is None:
        bad_link_count(address=address)
        return render(request, SHELTER_PAGE, {"invalid": True}, status=404)
    form = ShelterNeedForm()
    status = 200
    if request.method == "POST" and "withdraw" in request.POST:
        found = need_request_new_get(
            destination=destination, pk=parse_id(request.POST.get("withdraw"))
        )
        if found is not None:
            need_request_withdraw(need_request=found)
            messages.success(request, _("Request taken back."))
        return redirect("shelter_needs", token=token)
    if request.method == "POST":
        form = ShelterNeedForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                need_request_post(
                    destination=destination,
                    item=data["item"],
                    category=data["category"],
                    description=data["description"],
                    quantity=data["quantity"],
                    priority=data["priority"],
                    address=address,
                )
            except NeedRequestThrottled:
                return render(request, SHELTER_PAGE, {"throttled": True}, status=429)
            except UserError as error:
                user_error_show(error=error, form=form)
            else:
                messages.success(request, _("Sent. The hub's coordinators will confirm it soon."))
                return redirect("shelter_needs", token=token)
        status = 400
    context = {
        "destination": destination,
        "form": form,
        "needs": shelter_need_list(destination=destination),
        "pending": need_request_new_list(destination=destination),
        "token": token,
    }
    return render(request, SHELTER_PAGE, context, status=status)


@require_POST
@hub_role_required(Role.COORDINATOR)
def destination_link(request: HubRequest, hub: Hub, pk: int) -> HttpResponse:
    """Makes a new private link (the old one stops), shown this once; or revokes it."""
    destination = selectors.destination_get(hub=hub, pk=pk)
    if request.POST.get("action") == "revoke":
        request_link_revoke(destination=destination, user=request.user)
        messages.success(request, _("The private link was revoked: it no longer opens."))
        return redirect("destination_detail", hub_slug=hub.slug, pk=destination.pk)
    token = request_link_make(destination=destination, user=request.user)
    context = _detail_context(destination)
    context["new_link"] = request.build_absolute_uri(reverse("shelter_needs", args=[token]))
    return render(request, DESTINATION_PAGE, context)


@require_POST
@hub_role_required(Role.COORDINATOR)
def need_request_decide(request: HubRequest, hub: Hub, pk: int, request_pk: int) -> HttpResponse:
    destination = selectors.destination_get(hub=hub, pk=pk)
    found = need_request_new_get(destination=destination, pk=request_pk)
    if found is None:
        messages.error(request, _("This request was already settled. Reload the page."))
        return redirect("destination_detail", hub_slug=hub.slug, pk=destination.pk)
    if request.POST.get("action") == "dismiss":
        need_request_dismiss(need_request=found, user=request.user)
        messages.success(request, _("Request dismissed."))
        return redirect("destination_detail", hub_slug=hub.slug, pk=destination.pk)
    form = NeedConfirmForm(request.POST, need_request=found)
    if form.is_valid():
        data = form.cleaned_data
        try:
            need_request_confirm(
                need_request=found,
                user=request.user,
                item=data["item"],
                category=data["category"],
                quantity=data["quantity"],
                priority=data["priority"],
            )
        except UserError as error:
            user_error_show(error=error, form=form)
        else:
            messages.success(request, _("Request confirmed into the standing needs."))
            return redirect("destination_detail", hub_slug=hub.slug, pk=destination.pk)
    context = _detail_context(destination, confirm_forms={found.pk: form})
    return render(request, DESTINATION_PAGE, context, status=400)
