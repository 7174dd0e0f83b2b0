from django.db.models import QuerySet
from django.http import Http404

from hub.models import Hub


def hub_list_for_user(*, user) -> QuerySet[Hub]:
    """The active hubs the user is a member of."""
    return Hub.objects.filter(memberships__user=user, is_active=True).order_by("name")


def hub_get_for_user(*, user, slug: str) -> Hub:
    """The hub, if the user is a member; otherwise 404, so other hubs are not even confirmed."""
    hub = hub_list_for_user(user=user).filter(slug=slug).first()
    if hub is None:
        raise Http404("No such hub")
    return hub
