"""Delivery runs, under /hubs/<hub_slug>/runs/: coordinators and admins plan them, add stops
and lines, print the pick list, dispatch and cancel; the run's driver (any member of the
hub) and the coordinators use the driver view to mark each stop delivered.

Every action posts a real form and answers with a redirect; with htmx the answer is the
part of the page that changed, with the messages out of band."""

from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from deliveries import selectors, services
from deliveries.forms import (
    LineRow,
    RunForm,
    RunStatusFilterForm,
    item_choices,
    line_rows_from_post,
)
from deliveries.models import Destination, Run, Stop, StopStatus
from deliveries.reservations import run_uncovered_map
from hub.decorators import hub_role_required
from hub.errors import UserError, user_error_show
from hub.exports import csv_response
from hub.fields import parse_id
from hub.http import HubRequest
from hub.intake.forms import ReportPeriodForm
from hub.models import Hub
from hub.roles import Role

RUN_PAGE = "deliveries/run_detail.html"
STOP_FORM = "deliveries/stop_form.html"
DRIVE_PAGE = "deliveries/run_drive.html"


# --- the list, a new run, a run's details --------------------------------------------------


@require_GET
@hub_role_required(Role.COORDINATOR)
def run_list(request: HubRequest, hub: Hub) -> HttpResponse:
    form = RunStatusFilterForm(request.GET)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    page = Paginator(selectors.run_list(hub=hub, status=status or None), 50).get_page(
        request.GET.get("page")
    )
    uncovered = run_uncovered_map(hub=hub)
    for run in page:
        run.uncovered = uncovered.get(run.pk, [])
    return render(
        request,
        "deliveries/run_list.html",
        {"hub": hub, "page": page, "filter_form": form, "status": status},
    )


@require_http_methods(["GET", "POST"])
@hub_role_required(Role.COORDINATOR)
def run_create(request: HubRequest, hub: Hub) -> HttpResponse:
    form = RunForm(request.POST or None, drivers=selectors.driver_choice_list(hub=hub))
    if request.method == "POST" and form.is_valid():
        try:
            run = services.run_create(hub=hub, user=request.user, **form.cleaned_data)
        except UserError as error:
            user_error_show(error=error, form=form)
        else:
            messages.success(
                request, _("Run %(number)d planned: add its stops.") % {"number": run.pk}
            )
            return redirect("run_detail", hub_slug=hub.slug, pk=run.pk)
    return render(request, "deliveries/run_form.html", {"hub": hub, "form": form, "run": None})


@require_http_methods(["GET", "POST"])
@hub_role_required(Role.COORDINATOR)
def run_edit(request: HubRequest, hub: Hub, pk: int) -> HttpResponse:
    run = selectors.run_get(hub=hub, pk=pk)
    form = RunForm(
        request.POST or None,
        drivers=selectors.driver_choice_list(hub=hub),
        initial=RunForm.initial_for(run),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.run_update(run=run, user=request.user, **form.cleaned_data)
        except UserError as error:
            user_error_show(error=error, form=form)
        else:
            messages.success(request, _("Run %(number)d saved.") % {"number": run.pk})
            return redirect("run_detail", hub_slug=hub.slug, pk=run.pk)
    return render(request, "deliveries/run_form.html", {"hub": hub, "form": form, "run": run})


@require_GET
@hub_role_required(Role.COORDINATOR)
def run_detail(request: HubRequest, hub: Hub, pk: int) -> HttpResponse:
    run = selectors.run_get(hub=hub, pk=pk)
    return render(request, RUN_PAGE, _run_context(hub, run))


def _run_context(hub: Hub, run: Run) -> dict:
    context: dict[str, object] = {"hub": hub, "run": run, "stops": run.stops.all()}
    if run.is_open:
        context["destinations"] = selectors.destination_choice_list(hub=hub, run=run)
        context["shortfalls"] = selectors.pick_list(run=run).shortfalls
    return context


def _run_changed(request: HubRequest, hub: Hub, run: Run) -> HttpResponse:
    """After an action on the run: back to its page, or with htmx its #run part."""
    if not request.htmx:
        return redirect("run_detail", hub_slug=hub.slug, pk=run.pk)
    fresh = selectors.run_get(hub=hub, pk=run.pk)
    return render(request, f"{RUN_PAGE}#run", _run_context(hub, fresh))


# --- the run's state: picking, out for delivery, cancelled ---------------------------------


@require_POST
@hub_role_required(Role.COORDINATOR)
def run_picking_start(request: HubRequest, hub: Hub, pk: int) -> HttpResponse:
    return _run_action(
        request,
        hub,
        pk,
        services.run_picking_start,
        _("Run %(number)d: picking started. Print the pick list."),
    )


@require_http_methods(["GET", "POST"])
@hub_role_required(Role.COORDINATOR)
def run_dispatch(request: HubRequest, hub: Hub, pk: int) -> HttpResponse:
    """GET: the run's totals, to confirm before its goods leave the stock; POST: dispatch."""
    if request.method == "GET":
        run = selectors.run_get(hub=hub, pk=pk)
        if not run.is_open:
            return redirect("run_detail", hub_slug=hub.slug, pk=run.pk)
        return render(
            request,
            "deliveries/run_dispatch.html",
            {
                "hub": hub,
                "run": run,
                "totals": selectors.run_totals(run=run),
                "shortfalls": selectors.pick_list(run=run).shortfalls,
            },
        )
    return _run_action(
        request,
        hub,
        pk,
        services.run_dispatch,
        _("Run %(number)d is out for delivery: its goods left the stock."),
    )


@require_POST
@hub_role_required(Role.COORDINATOR)
def run_cancel(request: HubRequest, hub: Hub, pk: int) -> HttpResponse:
    return _run_action(
        request, hub, pk, services.run_cancel, _("Run %(number)d cancelled: no stock moved.")
    )


def _run_action(request: HubRequest, hub: Hub, pk: int, service, done: str) -> HttpResponse:
    run = selectors.run_get(hub=hub, pk=pk)
    try:
        service(run=run, user=request.user)
    except UserError as error:
        # A shortfall, a run already dispatched or cancelled: nothing changed; say why.
        user_error_show(error=error, request=request)
    else:
        messages.success(request, done % {"number": run.pk})
    return _run_changed(request, hub, run)


# --- stops and their lines ---------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@hub_role_required(Role.COORDINATOR)
def stop_create(request: HubRequest, hub: Hub, pk: int) -> HttpResponse:
    """A new stop: the destination chosen on the run's page, then its lines, suggested from
    the destination's standing needs and the stock, for the coordinator to change."""
    run = selectors.run_get(hub=hub, pk=pk)
    data = request.POST if request.method == "POST" else request.GET
    destination_pk = parse_id(data.get("destination"))
    if destination_pk is None:
        messages.error(request, _("Choose a destination for the stop."))
        return redirect("run_detail", hub_slug=hub.slug, pk=run.pk)
    destination = selectors.destination_get(hub=hub, pk=destination_pk)
    if request.method == "GET":
        rows = [
            LineRow(item=s.item, quantity=str(s.quantity), needed=s.needed, in_stock=s.in_stock)
            for s in selectors.stop_line_suggestions(run=run, destination=destination)
        ]
        return _stop_form(request, hub, run, destination, rows=rows, blank_rows=1 + (not rows))
    rows, lines = line_rows_from_post(request.POST)
    if request.POST.get("action") == "more" or lines is None:
        return _stop_form(request, hub, run, destination, rows=rows, error=_lines_error(lines))
    try:
        services.stop_add(run=run, destination=destination, lines=lines, user=request.user)
    except UserError as error:
        return _stop_form(
            request, hub, run, destination, rows=rows, error=user_error_show(error=error)
        )
    messages.success(request, _("Stop added: %(destination)s.") % {"destination": destination})
    return redirect("run_detail", hub_slug=hub.slug, pk=run.pk)


@require_http_methods(["GET", "POST"])
@hub_role_required(Role.COORDINATOR)
def stop_edit(request: HubRequest, hub: Hub, pk: int, stop_pk: int) -> HttpResponse:
    run = selectors.run_get(hub=hub, pk=pk)
    stop = _stop_of(run, stop_pk)
    if request.method == "GET":
        rows = [LineRow(item=line.item, quantity=str(line.quantity)) for line in stop.lines.all()]
        return _stop_form(request, hub, run, stop.destination, rows=rows, stop=stop)
    rows, lines = line_rows_from_post(request.POST)
    if request.POST.get("action") == "more" or lines is None:
        return _stop_form(
            request, hub, run, stop.destination, rows=rows, stop=stop, error=_lines_error(lines)
        )
    try:
        services.stop_lines_set(stop=stop, lines=lines, user=request.user)
    except UserError as error:
        return _stop_form(
            request,
            hub,
            run,
            stop.destination,
            rows=rows,
            stop=stop,
            error=user_error_show(error=error),
        )
    messages.success(request, _("Stop saved: %(destination)s.") % {"destination": stop.destination})
    return redirect("run_detail", hub_slug=hub.slug, pk=run.pk)


@require_GET
@hub_role_required(Role.COORDINATOR)
def stop_line_row(request: HubRequest, hub: Hub, pk: int) -> HttpResponse:
    """One more empty line row, for htmx (without it, the form's "Another line" button
    posts and the form comes back with the row)."""
    run = selectors.run_get(hub=hub, pk=pk)
    return render(
        request, f"{STOP_FORM}#blank-row", {"hub": hub, "run": run, "choices": item_choices()}
    )


@require_POST
@hub_role_required(Role.COORDINATOR)
def stop_remove(request: HubRequest, hub: Hub, pk: int, stop_pk: int) -> HttpResponse:
    run = selectors.run_get(hub=hub, pk=pk)
    stop = _stop_of(run, stop_pk)
    try:
        services.stop_remove(stop=stop, user=request.user)
    except UserError as error:
        user_error_show(error=error, request=request)
    else:
        messages.success(
            request, _("Stop removed: %(destination)s.") % {"destination": stop.destination}
        )
    return _run_changed(request, hub, run)


@require_POST
@hub_role_required(Role.COORDINATOR)
def stop_move(request: HubRequest, hub: Hub, pk: int, stop_pk: int) -> HttpResponse:
    run = selectors.run_get(hub=hub, pk=pk)
    stop = _stop_of(run, stop_pk)
    offset = {"up": -1, "down": 1}.get(request.POST.get("direction", ""))
    if offset is None:
        messages.error(request, _("Move the stop up or down."))
        return _run_changed(request, hub, run)
    try:
        services.stop_move(stop=stop, offset=offset, user=request.user)
    except UserError as error:
        user_error_show(error=error, request=request)
    return _run_changed(request, hub, run)


def _stop_of(run: Run, stop_pk: int) -> Stop:
    """One of the run's stops (prefetched with it), or 404."""
    for stop in run.stops.all():
        if stop.pk == stop_pk:
            return stop
    raise Http404("No such stop")


def _lines_error(lines) -> str:
    return _("Check the lines marked below.") if lines is None else ""


def _stop_form(
    request: HubRequest,
    hub: Hub,
    run: Run,
    destination: Destination,
    *,
    rows: list[LineRow],
    stop: Stop | None = None,
    error: str = "",
    blank_rows: int = 1,
) -> HttpResponse:
    return render(
        request,
        STOP_FORM,
        {
            "hub": hub,
            "run": run,
            "destination": destination,
            "stop": stop,
            "rows": rows,
            "blank_rows": range(blank_rows),
            "choices": item_choices(),
            "error": error,
        },
    )


# --- the pick list -------------------------------------------------------------------------


@require_GET
@hub_role_required(Role.COORDINATOR)
def run_pick_list(request: HubRequest, hub: Hub, pk: int) -> HttpResponse:
    run = selectors.run_get(hub=hub, pk=pk)
    return render(
        request,
        "deliveries/run_pick_list.html",
        {"hub": hub, "run": run, "stops": run.stops.all(), "picks": selectors.pick_list(run=run)},
    )


# --- the driver's view -------------------------------------------------------------------


@dataclass
class StopCard:
    """A stop on the driver's phone, with what was typed into it when it was refused."""

    stop: Stop
    error: str = ""
    received_by: str = ""
    note: str = ""
    returned: dict[int, str] = field(default_factory=dict)

    @property
    def lines(self) -> list:
        return [(line, self.returned.get(line.pk, "0")) for line in self.stop.lines.all()]


@require_GET
@hub_role_required(Role.VOLUNTEER)
def run_drive(request: HubRequest, hub: Hub, pk: int) -> HttpResponse:
    run = _drivable_run(request, hub, pk)
    return render(request, DRIVE_PAGE, _drive_context(hub, run))


@require_POST
@hub_role_required(Role.VOLUNTEER)
def stop_deliver(request: HubRequest, hub: Hub, pk: int, stop_pk: int) -> HttpResponse:
    run = _drivable_run(request, hub, pk)
    stop = _stop_of(run, stop_pk)
    card = StopCard(
        stop=stop,
        received_by=request.POST.get("received_by", ""),
        note=request.POST.get("note", ""),
        returned={
            line.pk: request.POST.get(f"returned-{line.pk}", "0").strip() or "0"
            for line in stop.lines.all()
        },
    )
    typed = {pk: parse_id(value) for pk, value in card.returned.items()}
    returned = {pk: count for pk, count in typed.items() if count is not None}
    if len(returned) < len(typed):
        card.error = _("Write how many came back as a whole number (0 if none).")
    else:
        try:
            services.stop_deliver(
                stop=stop,
                user=request.user,
                received_by=card.received_by,
                note=card.note,
                returned=returned,
            )
        except UserError as error:
            card.error = user_error_show(error=error)
    if card.error:
        if request.htmx:
            return render(request, f"{DRIVE_PAGE}#stop", {"hub": hub, "run": run, "card": card})
        return render(request, DRIVE_PAGE, _drive_context(hub, run, refused=card))
    fresh = selectors.run_get(hub=hub, pk=run.pk)
    done = _stop_of(fresh, stop.pk)
    if done.status == StopStatus.PARTIAL:
        text = _("%(destination)s: partly delivered; what came back is in stock again.")
    else:
        text = _("%(destination)s: delivered.")
    messages.success(request, text % {"destination": done.destination})
    if not request.htmx:
        return redirect("run_drive", hub_slug=hub.slug, pk=run.pk)
    return render(
        request,
        f"{DRIVE_PAGE}#stop",
        {"hub": hub, "run": fresh, "card": StopCard(stop=done), "oob_status": True},
    )


def _drivable_run(request: HubRequest, hub: Hub, pk: int) -> Run:
    run = selectors.run_get(hub=hub, pk=pk)
    if not selectors.run_drive_allowed(run=run, user=request.user):
        raise PermissionDenied(_("Only the run's driver or a coordinator can open this run."))
    return run


def _drive_context(hub: Hub, run: Run, *, refused: StopCard | None = None) -> dict:
    cards = [
        refused if refused is not None and refused.stop.pk == stop.pk else StopCard(stop=stop)
        for stop in run.stops.all()
    ]
    return {"hub": hub, "run": run, "cards": cards}


# --- totals and the CSV export -------------------------------------------------------------


@require_GET
@hub_role_required(Role.COORDINATOR)
def delivery_report(request: HubRequest, hub: Hub) -> HttpResponse:
    form = ReportPeriodForm(request.GET)
    context = {"hub": hub, "form": form}
    valid = not form.is_bound or form.is_valid()
    if valid:
        since, until = form.days()
        context |= {
            "since": since,
            "until": until,
            "by_destination": selectors.delivered_by_destination_list(
                hub=hub, since=since, until=until
            ),
            "by_category": selectors.delivered_by_category_list(hub=hub, since=since, until=until),
        }
    return render(request, "deliveries/delivery_report.html", context, status=200 if valid else 400)


@require_GET
@hub_role_required(Role.COORDINATOR)
def run_export(request: HubRequest, hub: Hub) -> HttpResponseBase:
    form = ReportPeriodForm(request.GET)
    if form.is_bound and not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("delivery_report", hub_slug=hub.slug)
    since, until = form.days()
    return csv_response(
        filename=f"runs-{hub.slug}-{since.isoformat()}-{until.isoformat()}.csv",
        header=selectors.RUN_EXPORT_HEADER,
        rows=selectors.run_export_rows(hub=hub, since=since, until=until),
    )
