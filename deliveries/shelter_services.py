"""Sites say what they need themselves: each destination may have a private link (no
account) where its contact posts and updates needs; the hub's coordinators confirm each
request into a standing need, or dismiss it. Nothing about the people a site serves is
asked or stored: a request is an item or a category, a quantity and an urgency."""

import secrets

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from deliveries.models import (
    Destination,
    DestinationNeed,
    NeedPriority,
    NeedRequest,
    NeedRequestStatus,
)
from deliveries.services import (
    DestinationError,
    _coordinator_check,
    destination_need_save,
)
from deliveries.shelter_selectors import request_token_hash
from hub.throttle import throttle_add, throttle_count
from inventory.models import Category, Item
from inventory.services import MAX_QUANTITY

# 192 random bits: the link is the only key, so it cannot be guessed.
TOKEN_BYTES = 24
# A site's contact posts a handful of needs a day; a script posts hundreds.
MOST_REQUESTS_PER_ADDRESS_PER_HOUR = 60
MOST_BAD_LINKS_PER_ADDRESS = 20
BAD_LINK_WINDOW_SECONDS = 15 * 60
DESCRIPTION_MAX = 120


class NeedRequestThrottled(Exception):
    """Too many requests or wrong links from one address: answer 429 and store nothing."""


def request_link_make(*, destination: Destination, user: User) -> str:
    """A new private link token for the site; the one before stops working. Only its
    hash is kept: the token is shown to the coordinator this once."""
    _coordinator_check(hub=destination.hub, user=user)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    Destination.objects.filter(pk=destination.pk).update(
        request_token_hash=request_token_hash(token), request_link_created_at=timezone.now()
    )
    destination.request_link_created_at = timezone.now()
    return token


def request_link_revoke(*, destination: Destination, user: User) -> None:
    _coordinator_check(hub=destination.hub, user=user)
    Destination.objects.filter(pk=destination.pk).update(
        request_token_hash=None, request_link_created_at=None
    )
    destination.request_link_created_at = None


def bad_link_check(*, address: str) -> None:
    """Refuses an address that tried too many wrong links lately (guessing)."""
    if throttle_count(f"needs:bad:{address}") >= MOST_BAD_LINKS_PER_ADDRESS:
        raise NeedRequestThrottled


def bad_link_count(*, address: str) -> None:
    throttle_add(f"needs:bad:{address}", seconds=BAD_LINK_WINDOW_SECONDS)


def need_request_post(
    *,
    destination: Destination,
    item: Item | None,
    category: Category | None,
    description: str,
    quantity: int,
    priority: int,
    address: str,
) -> NeedRequest:
    """The contact's request: so many of an item, or of a category in their own words (0:
    "we have enough of this now"). A request for the same thing still waiting is updated
    rather than doubled."""
    if throttle_count(f"needs:post:{address}") >= MOST_REQUESTS_PER_ADDRESS_PER_HOUR:
        raise NeedRequestThrottled
    description = " ".join((description or "").split())
    item, category = _what_check(item=item, category=category, description=description)
    _amount_check(quantity=quantity, priority=priority)
    if quantity == 0 and not _standing(destination=destination, item=item, category=category):
        raise DestinationError(_("Enter how many you need."), field="quantity")
    same = NeedRequest.objects.filter(
        destination=destination, status=NeedRequestStatus.NEW, item=item
    )
    same = same.filter(category=category, description=description) if item is None else same
    with transaction.atomic():
        request = same.select_for_update().first()
        if request is None:
            request = NeedRequest(destination=destination, item=item, category=category)
        request.description, request.quantity, request.priority = description, quantity, priority
        request.save()
    throttle_add(f"needs:post:{address}", seconds=3600)
    return request


def need_request_withdraw(*, need_request: NeedRequest) -> None:
    """The contact takes back a request not confirmed yet."""
    NeedRequest.objects.filter(pk=need_request.pk, status=NeedRequestStatus.NEW).delete()


def need_request_confirm(
    *,
    need_request: NeedRequest,
    user: User,
    item: Item | None,
    category: Category | None,
    quantity: int,
    priority: int,
) -> DestinationNeed | None:
    """The coordinator's reading of the request becomes the site's standing need for that
    item or category (added, or the one listed changed); 0 removes the standing need."""
    destination = need_request.destination
    _coordinator_check(hub=destination.hub, user=user)
    if (item is None) == (category is None):
        raise DestinationError(
            _("Choose an item or a category: one of the two, not both."), field="item"
        )
    _amount_check(quantity=quantity, priority=priority)
    with transaction.atomic():
        locked = NeedRequest.objects.select_for_update().filter(pk=need_request.pk).first()
        if locked is None or locked.status != NeedRequestStatus.NEW:
            raise DestinationError(_("This request was already settled. Reload the page."))
        standing = _standing(destination=destination, item=item, category=category)
        need = None
        if quantity == 0:
            if standing is not None:
                standing.delete()
        else:
            need = destination_need_save(
                destination=destination,
                user=user,
                item=item,
                category=category,
                quantity=quantity,
                priority=priority,
                notes=standing.notes if standing else locked.description[:255],
                need=standing,
            )
        _settle(locked, NeedRequestStatus.CONFIRMED, user)
    return need


def need_request_dismiss(*, need_request: NeedRequest, user: User) -> None:
    _coordinator_check(hub=need_request.destination.hub, user=user)
    with transaction.atomic():
        locked = NeedRequest.objects.select_for_update().filter(pk=need_request.pk).first()
        if locked is not None and locked.status == NeedRequestStatus.NEW:
            _settle(locked, NeedRequestStatus.DISMISSED, user)


def _settle(request: NeedRequest, status: str, user: User) -> None:
    request.status, request.decided_at, request.decided_by = status, timezone.now(), user
    request.save(update_fields=["status", "decided_at", "decided_by", "updated_at"])


def _standing(
    *, destination: Destination, item: Item | None, category: Category | None
) -> DestinationNeed | None:
    needs = DestinationNeed.objects.filter(destination=destination)
    if item is not None:
        return needs.filter(item=item).first()
    return needs.filter(category=category).first() if category is not None else None


def _what_check(
    *, item: Item | None, category: Category | None, description: str
) -> tuple[Item | None, Category | None]:
    if item is not None and not item.is_active:
        raise DestinationError(_("This item is not in the catalog any more."), field="item")
    if item is None and category is None:
        raise DestinationError(
            _("Choose an item, or a kind of thing and say what in your words."), field="item"
        )
    if len(description) > DESCRIPTION_MAX:
        raise DestinationError(_("Keep it shorter."), field="description")
    # An item says it all; a category alone is any item of it.
    return (item, None) if item is not None else (None, category)


def _amount_check(*, quantity: int, priority: int) -> None:
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not quantity >= 0:
        raise DestinationError(_("Enter a whole number."), field="quantity")
    if quantity > MAX_QUANTITY:
        raise DestinationError(
            _("Enter at most %(max)d.") % {"max": MAX_QUANTITY}, field="quantity"
        )
    if priority not in NeedPriority.values:
        raise DestinationError(_("Choose high, normal or low."), field="priority")
