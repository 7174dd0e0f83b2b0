"""Reads for sites' private needs links: which destination a link opens, and the requests
its contact made."""

import hashlib

from django.db.models import QuerySet

from deliveries.models import Destination, DestinationNeed, NeedRequest, NeedRequestStatus
from hub.models import Hub


def request_token_hash(token: str) -> str:
    """What is stored of a link's token. Looked up by this hash: an attacker timing the
    lookup learns about hashes of guesses, never about the token."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def destination_for_token(*, token: str) -> Destination | None:
    """The active destination (of an active hub) whose current link holds `token`."""
    if not token or len(token) > 100:
        return None
    return (
        Destination.objects.filter(
            request_token_hash=request_token_hash(token), is_active=True, hub__is_active=True
        )
        .select_related("hub")
        .first()
    )


def shelter_need_list(*, destination: Destination) -> QuerySet[DestinationNeed]:
    """The site's standing needs, as its contact sees them."""
    return destination.needs.select_related("item", "category").order_by("priority", "pk")


def need_request_new_list(*, destination: Destination) -> QuerySet[NeedRequest]:
    """The site's requests waiting for a coordinator, oldest first."""
    return (
        NeedRequest.objects.filter(destination=destination, status=NeedRequestStatus.NEW)
        .select_related("item", "category")
        .order_by("created_at", "pk")
    )


def need_request_new_get(*, destination: Destination, pk: int | None) -> NeedRequest | None:
    if pk is None:
        return None
    return need_request_new_list(destination=destination).filter(pk=pk).first()


def need_request_new_count(*, hub: Hub) -> int:
    """Requests of the hub's sites waiting for a coordinator."""
    return NeedRequest.objects.filter(destination__hub=hub, status=NeedRequestStatus.NEW).count()
