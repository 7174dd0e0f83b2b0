from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from hub.roles import Role, role_at_least, user_role
from inventory.selectors import alert_open_list


def roles(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    can_coordinate = role_at_least(user, Role.COORDINATOR)
    context: dict[str, object] = {
        "user_role": user_role(user),
        "can_coordinate": can_coordinate,
        "can_administer": role_at_least(user, Role.ADMIN),
        # Set by hub.tablet_sessions on the table's tablet: the layout shows who and Switch.
        "tablet": getattr(request, "tablet", None),
    }
    hub = getattr(request, "hub", None)
    if hub is not None and can_coordinate:
        # The banner's link comes with it: error pages (404, 403) have the request's hub but
        # not a `hub` of their own in the template.
        context["open_alerts_url"] = reverse("alert_list", args=[hub.slug])
        # Lazy: the query runs once, and only on pages that show the banner.
        context["open_alerts"] = SimpleLazyObject(
            lambda: alert_open_list(hub=hub, limit=3, capacity_only=True)
        )
    return context
