from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse

from hub.access import hub_get_for_role
from hub.roles import Role


def hub_role_required(role: Role) -> Callable:
    """For views under /hubs/<hub_slug>/: the user must be a member of that hub (else 404)
    and hold at least `role` (else 403). The view receives the hub as `hub`."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, hub_slug: str, *args, **kwargs) -> HttpResponse:
            hub = hub_get_for_role(user=request.user, slug=hub_slug, role=role)
            request.hub = hub  # for the layout's alert banner
            return view(request, *args, hub=hub, **kwargs)

        return wrapper

    return decorator
