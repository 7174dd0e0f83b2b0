from collections.abc import Callable
from typing import cast
from urllib.parse import urlencode

from django.contrib.auth import middleware as auth_middleware
from django.contrib.messages import get_messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control
from django_htmx.http import HttpResponseClientRedirect

from hub.http import HtmxRequest


class HtmxMessagesMiddleware:
    """An htmx swap does not re-render the page's message area, so append the pending
    messages to the fragment as an out-of-band swap of #messages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HtmxRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            not request.htmx
            or response.status_code in (204, 301, 302, 303, 307, 308)
            or "HX-Redirect" in response
            or "HX-Refresh" in response
            or not response.get("Content-Type", "").startswith("text/html")
            or response.streaming
        ):
            return response
        messages = list(get_messages(request))
        if messages:
            response.write(
                render_to_string(
                    "includes/messages.html",
                    {"messages": messages, "oob": True},
                    request=request,
                )
            )
        return response


class LoginRequiredMiddleware(auth_middleware.LoginRequiredMiddleware):
    """Every page needs a login. When a session ends under an htmx request (a poll, a
    submit), the whole page goes to the login form and back, instead of the login form
    being swapped into a fragment of the page."""

    def handle_no_permission(  # type: ignore[override]  # a client redirect for htmx
        self, request: HttpRequest, view_func: Callable[..., HttpResponse]
    ) -> HttpResponse:
        # Runs in process_view, after HtmxMiddleware has set request.htmx.
        htmx = cast(HtmxRequest, request).htmx
        if not htmx:
            return super().handle_no_permission(request, view_func)
        back_to = htmx.current_url_abs_path or "/"
        login = resolve_url(self.get_login_url(view_func))
        field = self.get_redirect_field_name(view_func)
        return HttpResponseClientRedirect(f"{login}?{urlencode({field: back_to})}")


class PrivatePagesMiddleware:
    """Pages behind the login hold personal data (donors' names and contacts, shelter
    contacts, who did what): neither the browser nor anything between may keep a copy, which
    the next person at a shared tablet or a proxy could read. A view that sets its own
    Cache-Control (the public status, cached for everyone) keeps it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.user.is_authenticated and "Cache-Control" not in response:
            patch_cache_control(response, private=True, no_store=True)
        return response
