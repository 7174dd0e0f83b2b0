"""Reports for a period, and the CSV exports coordinators hand to others."""

from collections.abc import Iterable, Iterator
from datetime import datetime

from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from deliveries.selectors import delivered_by_destination_list
from hub.decorators import hub_role_required
from hub.exports import CHUNK_SIZE, csv_response
from hub.http import HubRequest
from hub.intake.forms import ReportPeriodForm
from hub.intake.nearby import sent_here_list, sent_on_list
from hub.intake.selectors import dropoff_line_rows, dropoff_report
from hub.models import Hub, Outcome
from hub.roles import Role
from inventory.models import MovementKind, Unit
from inventory.selectors import ledger_rows, received_by_category_list, stock_level_rows


@require_GET
@hub_role_required(Role.COORDINATOR)
def reports(request: HubRequest, hub: Hub) -> HttpResponse:
    """Dropoffs, what was received per category and what was declined or sent on, for a
    period (the last 7 days unless chosen), with the exports of the same period."""
    form = ReportPeriodForm(request.GET)
    valid = not form.is_bound or form.is_valid()
    context = {"hub": hub, "form": form}
    if valid:
        since, until = form.period()
        days = form.days()
        context |= {
            "dropoffs": dropoff_report(hub=hub, since=since, until=until),
            "received": received_by_category_list(hub=hub, since=since, until=until),
            "sent_on": sent_on_list(hub=hub, since=since, until=until),
            "sent_here": sent_here_list(hub=hub, since=since, until=until),
            "delivered": delivered_by_destination_list(hub=hub, since=days[0], until=days[1]),
            "export_query": form.query(),
        }
    return render(request, "hub/reports.html", context, status=200 if valid else 400)


def _period_or_error(request: HubRequest) -> tuple[ReportPeriodForm, HttpResponse | None]:
    form = ReportPeriodForm(request.GET)
    if form.is_bound and not form.is_valid():
        errors = " ".join(str(e) for errors in form.errors.values() for e in errors)
        return form, HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    return form, None


def _timestamp(value: datetime | None, tz) -> str:
    return timezone.localtime(value, tz).isoformat(timespec="seconds") if value else ""


@require_GET
@hub_role_required(Role.COORDINATOR)
def export_dropoffs(request: HubRequest, hub: Hub) -> HttpResponseBase:
    """One row per dropoff line of the period. Donor details are left out: an export is
    handed on, and donors agreed only to the hub keeping them."""
    form, error = _period_or_error(request)
    if error:
        return error
    since, until = form.period()
    # Read now, in the request's language and zone: the rows are written after the view.
    tz, units = timezone.get_current_timezone(), _units()
    outcomes = {value: str(label) for value, label in Outcome.choices}
    rows = dropoff_line_rows(hub=hub, since=since, until=until, chunk_size=CHUNK_SIZE)

    def lines(rows: Iterable[tuple]) -> Iterator[tuple]:
        for pk, at, by, undone, item, category, qty, unit, outcome, where, to, expiry in rows:
            yield (
                pk,
                _timestamp(at, tz),
                by,
                _timestamp(undone, tz),
                item,
                category,
                qty,
                units[unit],
                outcomes[outcome],
                where,
                to,
                expiry or "",
            )

    return csv_response(
        filename=f"{hub.slug}-dropoffs-{form.slug()}.csv",
        header=[
            _("dropoff"),
            _("logged at"),
            _("logged by"),
            _("undone at"),
            _("item"),
            _("category"),
            _("quantity"),
            _("unit"),
            _("outcome"),
            _("location"),
            _("redirected to"),
            _("expiry date"),
        ],
        rows=lines(rows),
    )


@require_GET
@hub_role_required(Role.COORDINATOR)
def export_stock(request: HubRequest, hub: Hub) -> HttpResponseBase:
    """What is in stock now, one row per item, location and expiry date."""
    units = _units()
    rows = stock_level_rows(hub=hub, chunk_size=CHUNK_SIZE)

    def lines(rows: Iterable[tuple]) -> Iterator[tuple]:
        for item, category, location, expiry, quantity, unit, volume in rows:
            yield item, category, location, expiry or "", quantity, units[unit], quantity * volume

    return csv_response(
        filename=f"{hub.slug}-stock-{timezone.localdate().isoformat()}.csv",
        header=[
            _("item"),
            _("category"),
            _("location"),
            _("expiry date"),
            _("quantity"),
            _("unit"),
            _("litres"),
        ],
        rows=lines(rows),
    )


@require_GET
@hub_role_required(Role.COORDINATOR)
def export_ledger(request: HubRequest, hub: Hub) -> HttpResponseBase:
    """Every stock movement of the period at the hub, oldest first: who, when, why."""
    form, error = _period_or_error(request)
    if error:
        return error
    since, until = form.period()
    tz = timezone.get_current_timezone()
    kinds = {value: str(label) for value, label in MovementKind.choices}
    rows = ledger_rows(hub=hub, since=since, until=until, chunk_size=CHUNK_SIZE)

    def lines(rows: Iterable[tuple]) -> Iterator[tuple]:
        for pk, at, kind, item, category, where, expiry, qty, by, why, op, rev in rows:
            when = _timestamp(at, tz)
            yield pk, when, kinds[kind], item, category, where, expiry or "", qty, by, why, op, rev

    return csv_response(
        filename=f"{hub.slug}-ledger-{form.slug()}.csv",
        header=[
            _("movement"),
            _("when"),
            _("kind"),
            _("item"),
            _("category"),
            _("location"),
            _("expiry date"),
            _("quantity"),
            _("by"),
            _("reason"),
            _("operation"),
            _("reverses"),
        ],
        rows=lines(rows),
    )


def _units() -> dict[str, str]:
    return {value: str(label) for value, label in Unit.choices}
