from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from hub.decorators import hub_role_required
from hub.models import Hub, Membership
from hub.roles import Role
from inventory import alerts as alert_services
from inventory.models import CapacityAlert
from inventory.selectors import stock_level_list


@require_GET
@hub_role_required(Role.COORDINATOR)
def stock_list(request: HttpRequest, hub: Hub) -> HttpResponse:
    return render(
        request, "inventory/stock_list.html", {"hub": hub, "balances": stock_level_list(hub=hub)}
    )


@require_GET
@hub_role_required(Role.COORDINATOR)
def alert_list(request: HttpRequest, hub: Hub) -> HttpResponse:
    """The hub's capacity alerts, newest first, with how each was delivered."""
    alerts = (
        CapacityAlert.objects.filter(hub=hub)
        .select_related("location", "acknowledged_by")
        .prefetch_related("deliveries")
    )
    page = Paginator(alerts, 50).get_page(request.GET.get("page"))
    deliveries = [d for alert in page for d in alert.deliveries.all()]
    membership = Membership.objects.get(user=request.user, hub=hub)
    return render(
        request,
        "inventory/alert_list.html",
        {
            "hub": hub,
            "page": page,
            "alert_emails": membership.alert_emails,
            "sending": alert_services.delivery_sending_ids(deliveries=deliveries),
        },
    )


@require_POST
@hub_role_required(Role.COORDINATOR)
def alert_acknowledge(request: HttpRequest, hub: Hub, pk: int) -> HttpResponse:
    alert = get_object_or_404(CapacityAlert, hub=hub, pk=pk)
    if alert_services.alert_acknowledge(alert=alert, user=request.user):
        messages.success(request, _("Alert acknowledged."))
    return redirect("alert_list", hub_slug=hub.slug)


@require_POST
@hub_role_required(Role.COORDINATOR)
def alert_emails_toggle(request: HttpRequest, hub: Hub) -> HttpResponse:
    """Opt in or out of this hub's alert e-mails (for oneself only)."""
    wanted = request.POST.get("alert_emails") == "on"
    Membership.objects.filter(user=request.user, hub=hub).update(alert_emails=wanted)
    if wanted:
        messages.success(request, _("You will get this hub's storage alerts by e-mail."))
    else:
        messages.success(request, _("You will no longer get this hub's alerts by e-mail."))
    return redirect("alert_list", hub_slug=hub.slug)
