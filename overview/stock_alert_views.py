"""What coordinators do about expiring stock and minimums: the hub's expiry window, an
item's rules, and a batch listed on the dashboard discarded or put on a draft run. Each
answers with the page it came from and a message; bad input stores nothing."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from deliveries.selectors import destination_active_list, draft_run_choice_list
from deliveries.services import stock_to_run_add
from hub.decorators import hub_role_required
from hub.errors import UserError, user_error_show
from hub.http import HubRequest
from hub.models import Hub
from hub.roles import Role
from inventory.selectors import batch_get, item_get
from inventory.services import batch_discard
from inventory.stock_alerts import hub_expiry_days_set, item_stock_rules_set
from overview.stock_alert_forms import (
    BatchDiscardForm,
    BatchToRunForm,
    ExpiryDaysForm,
    ItemRulesForm,
)


def _form_errors(request: HubRequest, form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


@require_POST
@hub_role_required(Role.COORDINATOR)
def expiry_days_set(request: HubRequest, hub: Hub) -> HttpResponse:
    form = ExpiryDaysForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        try:
            hub_expiry_days_set(hub=hub, user=request.user, days=form.cleaned_data["days"])
        except UserError as error:
            user_error_show(error=error, request=request)
        else:
            messages.success(
                request,
                _("Batches expiring within %(days)d days are listed and alerted.")
                % {"days": hub.expiry_alert_days},
            )
    return redirect(reverse("dashboard", args=[hub.slug]) + "#expiring")


@require_POST
@hub_role_required(Role.COORDINATOR)
def item_rules_set(request: HubRequest, hub: Hub, item_pk: int) -> HttpResponse:
    item = item_get(pk=item_pk)
    form = ItemRulesForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        try:
            item_stock_rules_set(
                hub=hub,
                item=item,
                user=request.user,
                safe_after_expiry=form.cleaned_data["safe_after_expiry"],
                minimum=form.cleaned_data["minimum"],
            )
        except UserError as error:
            user_error_show(error=error, request=request)
        else:
            messages.success(request, _("%(item)s: saved.") % {"item": item.name})
    return redirect(reverse("item_detail", args=[hub.slug, item.pk]) + "#rules-heading")


@require_POST
@hub_role_required(Role.COORDINATOR)
def batch_discard_view(request: HubRequest, hub: Hub) -> HttpResponse:
    form = BatchDiscardForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        batch = batch_get(hub=hub, pk=form.cleaned_data["batch"])
        quantity = form.cleaned_data["quantity"]
        try:
            batch_discard(
                batch=batch,
                quantity=quantity,
                user=request.user,
                idempotency_key=f"batch-discard:{form.cleaned_data['idempotency_key']}",
            )
        except UserError as error:
            user_error_show(error=error, request=request)
        else:
            messages.success(
                request,
                _("%(quantity)d %(item)s discarded from %(location)s.")
                % {"quantity": quantity, "item": batch.item.name, "location": batch.location.name},
            )
    return redirect(reverse("dashboard", args=[hub.slug]) + "#expiring")


@require_POST
@hub_role_required(Role.COORDINATOR)
def batch_to_run_view(request: HubRequest, hub: Hub) -> HttpResponse:
    form = BatchToRunForm(
        request.POST,
        runs=draft_run_choice_list(hub=hub),
        destinations=destination_active_list(hub=hub),
    )
    if not form.is_valid():
        _form_errors(request, form)
    else:
        batch = batch_get(hub=hub, pk=form.cleaned_data["batch"])
        try:
            run, added = stock_to_run_add(
                hub=hub,
                item=batch.item,
                quantity=form.cleaned_data["quantity"],
                run=form.chosen_run(),
                destination=form.chosen_destination(),
                user=request.user,
            )
        except UserError as error:
            user_error_show(error=error, request=request)
        else:
            messages.success(
                request,
                format_html(
                    '{} <a href="{}">{}</a>',
                    _("%(quantity)d %(item)s put on run #%(number)d.")
                    % {"quantity": added, "item": batch.item.name, "number": run.pk},
                    reverse("run_detail", args=[hub.slug, run.pk]),
                    _("Open the run"),
                ),
            )
    return redirect(reverse("dashboard", args=[hub.slug]) + "#expiring")
