from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from deliveries.models import RunStatus
from deliveries.reservations import item_free_map
from deliveries.selectors import (
    destination_active_list,
    draft_run_choice_list,
    driver_run_list,
    most_needed_list,
    run_list_for_day,
)
from deliveries.shelter_selectors import need_request_new_count
from hub.access import hub_list_for_user
from hub.decorators import hub_role_required
from hub.http import AuthenticatedRequest, HubRequest
from hub.intake.nearby import sent_here_list, sent_on_list
from hub.intake.selectors import category_intake_list
from hub.models import Hub
from hub.roles import Role, role_at_least
from inventory.selectors import (
    alert_open_list,
    expiring_soon_list,
    flow_by_hour_list,
    hours_to_full,
    hub_fill,
    location_fill_list,
    under_minimum_list,
)
from overview.charts import flow_chart
from overview.stock_alert_forms import BatchDiscardForm, BatchToRunForm, ExpiryDaysForm

OPEN_ALERTS_SHOWN = 10
EXPIRING_SHOWN = 20
MOST_NEEDED_SHOWN = 8


@require_GET
def home(request: AuthenticatedRequest) -> HttpResponse:
    hubs = list(hub_list_for_user(user=request.user))
    if len(hubs) == 1:
        # A volunteer is here for the dropoff table, unless a run they drive is on the road;
        # the others come for the hub at a glance (which lists the runs they drive).
        start = "hub_detail"
        if not role_at_least(request.user, Role.COORDINATOR) and not any(
            run.status == RunStatus.OUT_FOR_DELIVERY
            for run in driver_run_list(hub=hubs[0], user=request.user)
        ):
            start = "intake"
        return redirect(start, hub_slug=hubs[0].slug)
    return render(request, "hub/home.html", {"hubs": hubs})


@require_GET
@hub_role_required(Role.VOLUNTEER)
def hub_detail(request: HubRequest, hub: Hub) -> HttpResponse:
    locations = location_fill_list(hub=hub)
    fill = hub_fill(hub=hub, locations=locations)
    forecast = hours_to_full(fill=fill, location_ids=[f.location.pk for f in locations])
    return render(
        request,
        "hub/hub_detail.html",
        {
            "hub": hub,
            "locations": locations,
            "fill": fill,
            "hours_to_full": forecast,
            "driver_runs": driver_run_list(hub=hub, user=request.user),
        },
    )


@require_GET
@never_cache
@hub_role_required(Role.COORDINATOR)
def dashboard(request: HubRequest, hub: Hub) -> HttpResponse:
    """The hub at a glance for coordinators. It polls itself: an htmx request gets only the
    #dashboard part back, with the same figures read afresh."""
    locations = location_fill_list(hub=hub)
    fill = hub_fill(hub=hub, locations=locations)
    context = {
        "hub": hub,
        "locations": locations,
        "fill": fill,
        "hours_to_full": hours_to_full(fill=fill, location_ids=[f.location.pk for f in locations]),
        "category_intakes": category_intake_list(hub=hub),
        "alerts": alert_open_list(hub=hub, limit=OPEN_ALERTS_SHOWN),
        "chart": flow_chart(flows=flow_by_hour_list(hub=hub)),
        "most_needed": most_needed_list(hub=hub, limit=MOST_NEEDED_SHOWN),
        "runs": run_list_for_day(hub=hub, day=timezone.localdate()),
        **_network_today(hub),
        "refresh_seconds": settings.DASHBOARD_REFRESH_SECONDS,
        "updated_at": timezone.now(),
    }
    if request.htmx and not request.htmx.boosted:  # the poll; a boosted form wants the page
        return render(request, "hub/dashboard.html#dashboard", context)
    # Not polled: a form being filled in them must not be redrawn under the coordinator.
    context.update(_stock_lists(hub=hub))
    return render(request, "hub/dashboard.html", context)


def _stock_lists(*, hub: Hub) -> dict:
    """What expires soon and what is under its minimum, with what acting on a batch needs:
    what of each item no run holds, the draft runs and the destinations."""
    expiring = list(
        expiring_soon_list(
            hub=hub, today=timezone.localdate(), days=hub.expiry_alert_days
        ).select_related("location")[:EXPIRING_SHOWN]
    )
    context: dict = {
        "expiring": expiring,
        "under_minimum": under_minimum_list(hub=hub),
        "today": timezone.localdate(),
        "expiry_days_form": ExpiryDaysForm(initial={"days": hub.expiry_alert_days}),
    }
    if expiring:
        free = item_free_map(hub=hub, item_ids={b.item_id for b in expiring})
        runs = draft_run_choice_list(hub=hub)
        destinations = destination_active_list(hub=hub)
        context["batches"] = [
            (
                batch,
                free[batch.item_id],
                BatchDiscardForm(initial={"batch": batch.pk, "quantity": batch.quantity}),
                BatchToRunForm(
                    initial={
                        "batch": batch.pk,
                        "quantity": min(batch.quantity, free[batch.item_id].free) or 1,
                    },
                    runs=runs,
                    destinations=destinations,
                    auto_id=f"run-{batch.pk}-%s",
                ),
            )
            for batch in expiring
        ]
        context["destinations"] = destinations
    return context


def _network_today(hub: Hub) -> dict:
    """Donors sent on and sent here since midnight, and sites' requests to confirm."""
    since = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    until = since + timedelta(days=1)
    return {
        "sent_on": sent_on_list(hub=hub, since=since, until=until),
        "sent_here": sent_here_list(hub=hub, since=since, until=until),
        "new_need_requests": need_request_new_count(hub=hub),
    }


@require_GET
@login_not_required
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """For docker-compose and load balancers: the app is up and reaches its database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
