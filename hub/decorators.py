import zoneinfo
from collections.abc import Callable
from functools import wraps
from typing import cast

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from hub.access import hub_get_for_role
from hub.http import HubRequest
from hub.roles import Role


def hub_role_required(role: Role) -> Callable:
    """For views under /hubs/<hub_slug>/: the user must be a member of that hub (else 404)
    and hold at least `role` (else 403). The view receives the hub as `hub`, and runs in
    the hub's time zone: "today", hours and dates on its pages are the hub's own."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, hub_slug: str, *args, **kwargs) -> HttpResponse:
            hub = hub_get_for_role(user=request.user, slug=hub_slug, role=role)
            hub_request = cast(HubRequest, request)
            hub_request.hub = hub  # for the layout's alert banner
            with timezone.override(zoneinfo.ZoneInfo(hub.time_zone)):
                return view(hub_request, *args, hub=hub, **kwargs)

        return wrapper

    return decorator
