"""The request as views see it: HttpRequest with the attributes that the middleware and
`hub_role_required` add, so that the type checker knows them."""

from django.contrib.auth.models import User
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from hub.models import Hub


class HtmxRequest(HttpRequest):
    """Any request: django-htmx's HtmxMiddleware sets `htmx` on every one."""

    htmx: HtmxDetails


class AuthenticatedRequest(HtmxRequest):
    """A request that got past LoginRequiredMiddleware: someone is logged in."""

    user: User


class HubRequest(AuthenticatedRequest):
    """A request to a page under /hubs/<hub_slug>/, let through by `hub_role_required`,
    which sets the hub (the layout's alert banner reads it)."""

    hub: Hub
