"""Join by code: the coordinator's page that shows the hub's code (a QR code and a short
link, printable), and the newcomer's page the link opens, without a login."""

import segno
from axes.helpers import get_client_ip_address
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from hub.decorators import hub_role_required
from hub.http import HubRequest
from hub.join_forms import JoinCodeForm, JoinForm
from hub.join_services import (
    JoinError,
    JoinThrottled,
    Newcomer,
    join_code_create,
    join_code_current,
    join_code_find,
    join_code_revoke,
    newcomer_join,
)
from hub.models import Hub
from hub.roles import Role

CODE_PAGE = "hub/join_code.html"
JOIN_PAGE = "hub/join.html"


@require_http_methods(["GET", "POST"])
@never_cache
@hub_role_required(Role.COORDINATOR)
def join_code(request: HubRequest, hub: Hub) -> HttpResponse:
    form = JoinCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            join_code_create(hub=hub, user=request.user, expires_at=form.expires_at())
        except JoinError as error:
            form.add_error(error.field, str(error))
        else:
            messages.success(request, _("A new join code is ready. The last one stopped."))
            return redirect("join_code", hub_slug=hub.slug)
    code = join_code_current(hub=hub)
    context = {"hub": hub, "form": form, "code": code}
    if code is not None:
        link = request.build_absolute_uri(reverse("join", args=[code.token]))
        context |= {
            "link": link,
            "qr": segno.make(link, error="m").svg_data_uri(scale=8, border=2),
        }
    status = 400 if form.errors else 200
    return render(request, CODE_PAGE, context, status=status)


@require_POST
@hub_role_required(Role.COORDINATOR)
def join_code_revoke_view(request: HubRequest, hub: Hub) -> HttpResponse:
    code = join_code_current(hub=hub)
    if code is not None:
        join_code_revoke(code=code, user=request.user)
        messages.success(request, _("The join code was revoked: its link no longer works."))
    return redirect("join_code", hub_slug=hub.slug)


@require_http_methods(["GET", "POST"])
@login_not_required
@never_cache
def join(request: HttpRequest, token: str) -> HttpResponse:
    address = get_client_ip_address(request) or "unknown"
    try:
        code = join_code_find(token=token, address=address)
    except JoinThrottled:
        return _throttled(request)
    if code is None:
        return render(request, JOIN_PAGE, {"invalid": True}, status=404)
    hub = code.hub
    form = JoinForm(
        request.POST if request.method == "POST" else None,
        initial={"language": hub.default_language},
    )
    if request.method == "POST" and form.is_valid():
        newcomer = Newcomer(**form.cleaned_data)
        try:
            user = newcomer_join(code=code, newcomer=newcomer, address=address)
        except JoinThrottled:
            return _throttled(request)
        except JoinError as error:
            form.add_error(error.field, str(error))
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            translation.activate(newcomer.language)
            messages.success(
                request,
                _("Welcome, %(name)s! Next time, log in as %(username)s with your password.")
                % {"name": user.first_name, "username": user.get_username()},
            )
            return redirect("intake", hub_slug=hub.slug)
    status = 400 if form.errors else 200
    return render(request, JOIN_PAGE, {"join_hub": hub, "form": form}, status=status)


def _throttled(request: HttpRequest) -> HttpResponse:
    return render(request, JOIN_PAGE, {"throttled": True}, status=429)
