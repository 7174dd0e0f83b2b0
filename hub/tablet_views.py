"""The table's tablet: its switch screen (the hub's people who set a PIN), the PIN page,
enrolling and revoking tablets and their session times (from the People page), and a
person's own PIN."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from hub.decorators import hub_role_required
from hub.errors import UserError, user_error_show
from hub.fields import parse_id
from hub.http import AuthenticatedRequest, HubRequest
from hub.models import Hub
from hub.pins import pin_is_set, pin_set, pin_sign_in
from hub.roles import Role
from hub.tablet_forms import PinForm, PinSetForm, TabletEnrolForm, TabletSettingsForm
from hub.tablets import (
    COOKIE_MAX_AGE,
    COOKIE_NAME,
    SESSION_TABLET,
    tablet_cookie_value,
    tablet_enrol,
    tablet_from_cookie,
    tablet_people,
    tablet_person_get,
    tablet_revoke,
    tablet_settings_set,
)

SWITCH_PAGE = "hub/tablet_switch.html"
PIN_PAGE = "hub/tablet_pin.html"
LOGIN_BACKEND = "django.contrib.auth.backends.ModelBackend"


@require_http_methods(["GET", "POST"])
@login_not_required
@never_cache
def tablet_switch(request: HttpRequest) -> HttpResponse:
    """The names to tap. A POST ends the current person's session on the tablet first."""
    tablet = tablet_from_cookie(value=request.COOKIES.get(COOKIE_NAME))
    if tablet is None:
        return render(request, SWITCH_PAGE, {"not_enrolled": True}, status=403)
    if request.method == "POST":
        if request.session.get(SESSION_TABLET) is not None:
            logout(request)
        return redirect("tablet_switch")
    current = request.user if request.user.is_authenticated else None
    context = {"device": tablet, "people": tablet_people(tablet=tablet), "current": current}
    return render(request, SWITCH_PAGE, context)


@require_http_methods(["GET", "POST"])
@login_not_required
@never_cache
def tablet_pin(request: HttpRequest, member_id: int) -> HttpResponse:
    tablet = tablet_from_cookie(value=request.COOKIES.get(COOKIE_NAME))
    if tablet is None:
        return render(request, SWITCH_PAGE, {"not_enrolled": True}, status=403)
    member = tablet_person_get(tablet=tablet, member_id=member_id)
    if member is None or not pin_is_set(user=member):
        messages.error(request, _("Choose your name among those shown."))
        return redirect("tablet_switch")
    form = PinForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            pin_sign_in(member=member, tablet=tablet, pin=form.cleaned_data["pin"])
        except UserError as error:
            user_error_show(error=error, form=form)
        else:
            login(request, member, backend=LOGIN_BACKEND)
            name = member.get_full_name() or member.get_username()
            messages.success(
                request,
                _("Hello, %(name)s. The dropoffs you log are in your name.") % {"name": name},
            )
            return redirect("intake", hub_slug=tablet.hub.slug)
    name = member.get_full_name() or member.get_username()
    context = {"device": tablet, "member_name": name, "form": form}
    return render(request, PIN_PAGE, context, status=400 if form.errors else 200)


@require_POST
@hub_role_required(Role.COORDINATOR)
def tablet_enrol_view(request: HubRequest, hub: Hub) -> HttpResponse:
    """Enrol the device this is posted from; the coordinator is logged out of it, so that
    the next person at the table switches in by name and PIN."""
    form = TabletEnrolForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the tablet a name, e.g. Front table."))
        return redirect("people", hub_slug=hub.slug)
    try:
        tablet = tablet_enrol(hub=hub, user=request.user, name=form.cleaned_data["name"])
    except UserError as error:
        user_error_show(error=error, request=request)
        return redirect("people", hub_slug=hub.slug)
    logout(request)
    messages.success(
        request,
        _("This device is now %(name)s, the table's tablet. Each volunteer taps their name.")
        % {"name": tablet.name},
    )
    response = redirect("tablet_switch")
    response.set_cookie(
        COOKIE_NAME,
        tablet_cookie_value(tablet=tablet),
        max_age=COOKIE_MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


@require_POST
@hub_role_required(Role.COORDINATOR)
def tablet_revoke_view(request: HubRequest, hub: Hub) -> HttpResponse:
    try:
        tablet = tablet_revoke(
            hub=hub, user=request.user, tablet_id=parse_id(request.POST.get("tablet"))
        )
    except UserError as error:
        user_error_show(error=error, request=request)
    else:
        messages.success(
            request, _("%(name)s is no longer the table's tablet.") % {"name": tablet.name}
        )
    return redirect("people", hub_slug=hub.slug)


@require_POST
@hub_role_required(Role.COORDINATOR)
def tablet_settings_view(request: HubRequest, hub: Hub) -> HttpResponse:
    form = TabletSettingsForm(request.POST)
    if form.is_valid():
        tablet_settings_set(
            hub=hub,
            user=request.user,
            shift_ends=form.cleaned_data["shift_ends"],
            idle_minutes=form.cleaned_data["idle_minutes"],
        )
        messages.success(request, _("Tablet sessions: saved."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    return redirect("people", hub_slug=hub.slug)


@require_http_methods(["GET", "POST"])
@never_cache
def account_pin(request: AuthenticatedRequest) -> HttpResponse:
    """A person's own tablet PIN."""
    form = PinSetForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            pin_set(user=request.user, pin=form.cleaned_data["pin"])
        except UserError as error:
            user_error_show(error=error, form=form)
        else:
            messages.success(request, _("Your PIN is set: tap your name on the table's tablet."))
            return redirect("account_pin")
    context = {"form": form, "has_pin": pin_is_set(user=request.user)}
    return render(request, "hub/account_pin.html", context, status=400 if form.errors else 200)
