"""Intake control for a hub's admins: one page (hub/intake_control.html) with one form to
open, limit or close intake for the hub and every category at once, each with its status
now at a glance, and a second form for the fill thresholds. Both post to the page itself
(an `action` field says which); with htmx the answer replaces the page's #control part,
without JavaScript the page reloads."""

import zoneinfo
from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from hub.decorators import hub_role_required
from hub.errors import UserError, user_error_show
from hub.http import HubRequest
from hub.intake.control_forms import CategoryIntakeForm, HubIntakeForm, ThresholdsForm
from hub.intake.selectors import (
    Acceptance,
    acceptance_map,
    category_intake_list,
)
from hub.intake.services import (
    FOLLOW_HUB,
    IntakeChoice,
    IntakeControlRefused,
    IntakeSaved,
    hub_thresholds_set,
    intake_control_save,
)
from hub.models import CategoryIntake, Hub, IntakeStatus
from hub.roles import Role
from inventory.models import Category
from inventory.selectors import category_list

PAGE = "hub/intake_control.html"


@dataclass
class CategoryRow:
    """One row of the category table: what the hub says about the category, what the
    table does with it now (after the hub's own status), and the row's fields."""

    category: Category
    intake: CategoryIntake | None
    acceptance: Acceptance
    form: CategoryIntakeForm


def hub_time_zone(hub: Hub):
    """The zone reopen times are entered and shown in: the hub's own."""
    return zoneinfo.ZoneInfo(hub.time_zone)


@require_http_methods(["GET", "POST"])
@hub_role_required(Role.ADMIN)
def intake_control(request: HubRequest, hub: Hub) -> HttpResponse:
    with timezone.override(hub_time_zone(hub)):
        if request.method == "GET":
            return render(request, PAGE, _context(hub))
        action = request.POST.get("action")
        if action == "intake":
            return _intake_submit(request, hub)
        if action == "thresholds":
            return _thresholds_submit(request, hub)
        return HttpResponseBadRequest(_("Unknown change. Reload the page and try again."))


def _intake_submit(request: HubRequest, hub: Hub) -> HttpResponse:
    """The hub and every category, saved together or not at all; a refused one keeps every
    row as typed, its reason beside it. A part of the form that was not sent (no hub status,
    a category without its fields) is left as it is."""
    hub_form = HubIntakeForm(request.POST) if "status" in request.POST else None
    categories = {category.pk: category for category in category_list()}
    category_forms = {
        pk: CategoryIntakeForm(request.POST, category=category)
        for pk, category in categories.items()
        if f"category-{pk}-status" in request.POST
    }
    forms = [f for f in [hub_form, *category_forms.values()] if f is not None]
    if all(form.is_valid() for form in forms):
        try:
            saved = intake_control_save(
                hub=hub,
                user=request.user,
                hub_choice=IntakeChoice(**hub_form.cleaned_data) if hub_form else None,
                category_choices={
                    categories[pk]: IntakeChoice(**form.cleaned_data)
                    for pk, form in category_forms.items()
                },
            )
        except IntakeControlRefused as refused:
            for pk, error in refused.errors.items():
                user_error_show(error=error, form=hub_form if pk is None else category_forms[pk])
        else:
            messages.success(request, _intake_message(hub, saved))
            if not request.htmx:
                return redirect("intake_control", hub_slug=hub.slug)
            return render(request, f"{PAGE}#control", _context(hub))
    context = _context(hub, hub_form=hub_form, category_forms=category_forms)
    return render(request, f"{PAGE}#control" if request.htmx else PAGE, context)


def _intake_message(hub: Hub, saved: IntakeSaved) -> str:
    parts = [_hub_message(hub)] if saved.hub_changed else []
    parts += [_category_message(category, row) for category, row in saved.categories]
    return " ".join(parts) or _("Nothing changed.")


def _thresholds_submit(request: HubRequest, hub: Hub) -> HttpResponse:
    form = ThresholdsForm(request.POST)
    if form.is_valid():
        try:
            hub_thresholds_set(hub=hub, user=request.user, **form.cleaned_data)
        except UserError as error:
            user_error_show(error=error, form=form)
        else:
            messages.success(request, _thresholds_message(hub))
            return _saved(request, hub)
    return _again(request, hub, thresholds_form=form)


def _saved(request: HubRequest, hub: Hub) -> HttpResponse:
    if not request.htmx:
        return redirect("intake_control", hub_slug=hub.slug)
    return render(request, f"{PAGE}#control", _context(hub))


def _again(request: HubRequest, hub: Hub, **forms) -> HttpResponse:
    """The page (or with htmx its #control part) with the refused form and its messages."""
    context = _context(hub, **forms)
    return render(request, f"{PAGE}#control" if request.htmx else PAGE, context)


def _context(
    hub: Hub,
    *,
    hub_form: HubIntakeForm | None = None,
    thresholds_form: ThresholdsForm | None = None,
    category_forms: dict[int, CategoryIntakeForm] | None = None,
) -> dict:
    category_forms = category_forms or {}
    intakes = {row.category_id: row for row in category_intake_list(hub=hub)}
    acceptance = acceptance_map(hubs=[hub])
    categories = [
        _category_row(
            hub,
            category,
            intakes.get(category.pk),
            acceptance,
            form=category_forms.get(category.pk),
        )
        for category in category_list()
    ]
    if hub_form is None:
        hub_form = HubIntakeForm(
            initial={
                "status": hub.intake_status,
                "reason": hub.intake_reason,
                "reopens_at": hub.intake_reopens_at,
            }
        )
    if thresholds_form is None:
        thresholds_form = ThresholdsForm(
            initial={
                "nearly_full_percent": hub.nearly_full_percent,
                "full_percent": hub.full_percent,
                "close_when_full": hub.close_when_full,
            }
        )
    return {
        "hub": hub,
        "hub_form": hub_form,
        "thresholds_form": thresholds_form,
        "categories": categories,
        "time_zone": timezone.get_current_timezone_name(),
    }


def _category_row(
    hub: Hub,
    category: Category,
    intake: CategoryIntake | None,
    acceptance: dict,
    *,
    form: CategoryIntakeForm | None = None,
) -> CategoryRow:
    if form is None:
        form = CategoryIntakeForm(
            category=category,
            initial={
                "status": intake.status if intake else FOLLOW_HUB,
                "reason": intake.reason if intake else "",
                "reopens_at": intake.reopens_at if intake else None,
            },
        )
    return CategoryRow(
        category=category,
        intake=intake,
        acceptance=acceptance.get((hub.pk, category.pk), Acceptance(IntakeStatus.OPEN)),
        form=form,
    )


def _when(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _hub_message(hub: Hub) -> str:
    values = {"hub": hub.name, "reason": hub.intake_reason}
    if hub.intake_status == IntakeStatus.OPEN:
        return _("%(hub)s is open for donations.") % values
    if hub.intake_reopens_at:
        values["when"] = _when(hub.intake_reopens_at)
        if hub.intake_status == IntakeStatus.LIMITED:
            return (
                _(
                    "%(hub)s takes only categories marked open or only if needed until %(when)s: "
                    "%(reason)s"
                )
                % values
            )
        return _("%(hub)s is closed to donations until %(when)s: %(reason)s") % values
    if hub.intake_status == IntakeStatus.LIMITED:
        return _("%(hub)s takes only categories marked open or only if needed: %(reason)s") % values
    return _("%(hub)s is closed to donations: %(reason)s") % values


def _category_message(category: Category, row: CategoryIntake | None) -> str:
    values = {"category": category.display_name}
    if row is None:
        return _("%(category)s now follows the hub.") % values
    if row.status == IntakeStatus.OPEN:
        if row.reason:
            return _("%(category)s: open (%(reason)s).") % {**values, "reason": row.reason}
        return _("%(category)s: open.") % values
    values["reason"] = row.reason
    if row.reopens_at:
        values["when"] = _when(row.reopens_at)
        if row.status == IntakeStatus.LIMITED:
            return _("%(category)s: only if needed until %(when)s: %(reason)s") % values
        return _("%(category)s: closed until %(when)s: %(reason)s") % values
    if row.status == IntakeStatus.LIMITED:
        return _("%(category)s: only if needed: %(reason)s") % values
    return _("%(category)s: closed: %(reason)s") % values


def _thresholds_message(hub: Hub) -> str:
    text = _("Thresholds saved: nearly full at %(nearly)d %%, full at %(full)d %%.") % {
        "nearly": hub.nearly_full_percent,
        "full": hub.full_percent,
    }
    if hub.close_when_full:
        return text + " " + _("Intake closes by itself when storage is full.")
    return text + " " + _("Intake stays open when storage is full.")
