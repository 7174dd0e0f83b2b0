"""Sessions on the table's tablet. Any login on an enrolled device (a PIN, a password, a
join by code) is a tablet session: it reaches the table's pages of the tablet's hub only,
and ends at the end of the shift or after the hub's idle time. An anonymous visitor of the
device is sent to the switch screen (names and PINs) instead of the login form."""

from collections.abc import Callable
from datetime import timedelta
from typing import cast

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_htmx.http import HttpResponseClientRedirect

from hub.http import HtmxRequest
from hub.models import Tablet
from hub.tablets import (
    COOKIE_NAME,
    SESSION_ENDS,
    SESSION_SEEN,
    SESSION_TABLET,
    tablet_from_cookie,
    tablet_session_ends,
    tablet_touch,
)

# The table's pages: the dropoff page and what it asks for. Any URL named intake_* is the
# table's, but for the coordinators' and admins' pages named so.
TABLE_PAGES = {"intake", "dropoff_detail", "dropoff_undo", "logout"}
TABLE_PREFIX = "intake_"
NOT_TABLE_PAGES = {"intake_tiles", "intake_control"}
# The idle clock is written to the session at most this often, not at every request.
SEEN_EVERY = timedelta(seconds=30)


@receiver(user_logged_in, dispatch_uid="hub.tablet_session_start")
def tablet_session_start(sender, request: HttpRequest | None, user, **kwargs) -> None:
    if request is None:
        return
    tablet = tablet_from_cookie(value=request.COOKIES.get(COOKIE_NAME))
    if tablet is None:
        return
    now = timezone.now()
    ends = tablet_session_ends(hub=tablet.hub, now=now)
    request.session[SESSION_TABLET] = tablet.pk
    request.session[SESSION_ENDS] = ends.timestamp()
    request.session[SESSION_SEEN] = now.timestamp()
    # Past the end, so that the next request still finds the session and says why it ended.
    request.session.set_expiry(ends + timedelta(hours=1))


def table_page(*, url_name: str | None, hub_slug: str | None, tablet: Tablet) -> bool:
    if hub_slug is not None and hub_slug != tablet.hub.slug:
        return False
    if url_name in TABLE_PAGES:
        return True
    return bool(url_name and url_name.startswith(TABLE_PREFIX) and url_name not in NOT_TABLE_PAGES)


class TabletSessionMiddleware:
    """Between the authentication and the login-required middleware: it sends an enrolled
    device's visitor to the switch screen before the login form would, and ends or confines
    a tablet session before any view runs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        session_tablet = request.session.get(SESSION_TABLET)
        cookie = request.COOKIES.get(COOKIE_NAME)
        if session_tablet is None and not cookie:
            return None
        needs_login = getattr(view_func, "login_required", True)
        if session_tablet is None or not request.user.is_authenticated:
            if (
                needs_login
                and not request.user.is_authenticated
                and tablet_from_cookie(value=cookie)
            ):
                return _go(request, reverse("tablet_switch"))
            return None
        tablet = tablet_from_cookie(value=cookie)
        if tablet is None or tablet.pk != session_tablet:
            logout(request)
            messages.info(request, _("This device is no longer the table's tablet."))
            return _go(request, reverse("login"))
        ended = _ended(request, tablet)
        if ended:
            logout(request)
            messages.info(request, ended)
            return _go(request, reverse("tablet_switch"))
        tablet_touch(tablet=tablet)
        request.tablet = tablet  # type: ignore[attr-defined]  # for the layout's header
        match = request.resolver_match
        # The admin site checks its logins itself, so its views need none here: refuse it.
        in_admin = match is not None and "admin" in match.namespaces
        if (not needs_login and not in_admin) or table_page(
            url_name=match.url_name if match else None,
            hub_slug=view_kwargs.get("hub_slug"),
            tablet=tablet,
        ):
            return None
        messages.error(
            request,
            _(
                "The table's tablet opens the dropoff pages only. For the rest, log in on "
                "your own phone or computer."
            ),
        )
        return _go(request, reverse("intake", args=[tablet.hub.slug]))


def _ended(request: HttpRequest, tablet: Tablet) -> str | None:
    """Why the tablet session is over, or None while it goes on (the idle clock restarts)."""
    now = timezone.now().timestamp()
    if now >= float(request.session.get(SESSION_ENDS, 0)):
        return _("The shift is over: your session on this tablet ended. Tap your name to go on.")
    seen = float(request.session.get(SESSION_SEEN, 0))
    idle = tablet.hub.tablet_idle_minutes
    if now - seen > idle * 60:
        return ngettext(
            "The tablet was idle for over %(count)d minute: your session ended. Tap your "
            "name to go on.",
            "The tablet was idle for over %(count)d minutes: your session ended. Tap your "
            "name to go on.",
            idle,
        ) % {"count": idle}
    if now - seen > SEEN_EVERY.total_seconds():
        request.session[SESSION_SEEN] = now
    return None


def _go(request: HttpRequest, url: str) -> HttpResponse:
    if cast(HtmxRequest, request).htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)
