"""Donors ask before they drive: the public pledge form (no account), and the table's "not
coming" for an expected pledge."""

from axes.helpers import get_client_ip_address
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from hub.decorators import hub_role_required
from hub.errors import UserError, user_error_show
from hub.fields import parse_id
from hub.http import HubRequest
from hub.intake.nearby import hubs_with_room
from hub.intake.pledge_forms import ROWS_ADDED, PledgeForm, pledge_lines, pledge_rows_from_post
from hub.intake.pledge_selectors import (
    place_name_list,
    pledge_expected_find,
    pledge_for_key,
    pledge_options,
)
from hub.intake.pledge_services import (
    PledgeError,
    PledgeThrottled,
    pledge_cancel,
    pledge_create,
    pledge_lines_check,
)
from hub.intake.selectors import item_active_list
from hub.models import Hub
from hub.roles import Role

PAGE = "public/pledge.html"


@require_http_methods(["GET", "POST"])
@login_not_required
@never_cache
def pledge(request: HttpRequest) -> HttpResponse:
    """What the donor has and where they are; the hubs that take it now and have room,
    nearest first, each with a button that pledges it there."""
    posted = request.method == "POST"
    form = PledgeForm(
        request.POST if posted else None, initial={"idempotency_key": PledgeForm.new_key()}
    )
    more = posted and "more_lines" in request.POST
    rows = pledge_rows_from_post(request.POST if posted else None, extra=ROWS_ADDED if more else 0)
    context = {"form": form, "rows": rows}
    status = 200
    if posted and not more:
        lines = pledge_lines(rows)
        if form.is_valid() and lines is not None:
            try:
                pledge_lines_check(lines=lines)
            except PledgeError as error:
                user_error_show(error=error, form=form)
            else:
                chosen = parse_id(request.POST.get("hub"))
                if chosen is not None:
                    return _pledge_to(request, form, lines, chosen, context)
                context["lines"] = lines
                context["answer"] = pledge_options(lines=lines, place=form.cleaned_data["place"])
        status = 200 if form.is_valid() and lines is not None and not form.errors else 400
    context |= {"places": place_name_list(), "items": item_active_list()}
    return render(request, PAGE, context, status=status)


def _pledge_to(request: HttpRequest, form: PledgeForm, lines, chosen: int, context: dict):
    near = next((near for near in hubs_with_room() if near.hub.pk == chosen), None)
    hub = near.hub if near is not None else None
    address = get_client_ip_address(request) or "unknown"
    key = form.cleaned_data["idempotency_key"] or PledgeForm.new_key()
    if earlier := pledge_for_key(key=key):  # a retry: the first answer, whatever changed
        return render(request, PAGE, {"made": earlier, "near": near})
    try:
        if hub is None:
            raise PledgeError(_("That hub cannot take donations now. Choose another hub."))
        made, left_out = pledge_create(
            hub=hub,
            lines=lines,
            place=form.cleaned_data["place"],
            donor_contact=form.cleaned_data["donor_contact"],
            donor_consent=form.cleaned_data["donor_consent"],
            idempotency_key=key,
            address=address,
        )
    except PledgeThrottled:
        return render(request, PAGE, {"throttled": True}, status=429)
    except PledgeError as error:
        user_error_show(error=error, form=form)
        context |= {
            "lines": lines,
            "answer": pledge_options(lines=lines, place=form.cleaned_data["place"]),
            "places": place_name_list(),
            "items": item_active_list(),
        }
        return render(request, PAGE, context, status=400)
    return render(
        request,
        PAGE,
        {"made": made, "left_out": left_out, "near": near},
    )


@require_POST
@hub_role_required(Role.VOLUNTEER)
def pledge_cancel_view(request: HubRequest, hub: Hub, pk: int) -> HttpResponse:
    found = pledge_expected_find(hub=hub, pk=pk)
    if found is not None:
        try:
            pledge_cancel(pledge=found, user=request.user)
        except UserError as error:
            user_error_show(error=error, request=request)
        else:
            messages.success(
                request, _("Pledge #%(number)d taken off the list.") % {"number": found.pk}
            )
    return redirect("intake", hub_slug=hub.slug)
