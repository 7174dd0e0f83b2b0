"""Public status of the hubs: whether each takes donations, which categories, what it needs
most. No login, and no personal data: no donor, no user, no destination, only hub facts and
needs summed per item or category.

Caching, for 30 seconds:
- The JSON feeds are cached whole by `cache_page`. Its key already ends in the language
  that LocaleMiddleware chose (from the language cookie or Accept-Language), so a Spanish
  visitor never gets the English feed. `Vary: Accept-Language, Cookie` is added outside the
  cache, for proxies, without splitting the server's cache per visitor's cookies.
- The pages are not cached whole: base.html holds the visitor's CSRF token (for the language
  form) and, when logged in, their name, and neither may be served to someone else. What
  costs queries, the statuses, is cached per language instead; the page is rendered from it
  for each request without a query.
If the cache (Redis) is down, both are built for each request instead of failing.
"""

import logging
from datetime import datetime
from functools import wraps

from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language
from django.views.decorators.cache import cache_page
from django.views.decorators.http import require_safe
from redis.exceptions import RedisError

from overview.selectors import HubStatus, network_status_list, public_hub_status

logger = logging.getLogger(__name__)

CACHE_SECONDS = 30
VARY = ("Accept-Language", "Cookie")


def _cached(key: str, build):
    """`build()`, kept CACHE_SECONDS per language; built afresh when the cache is down."""
    key = f"public-status:v1:{get_language()}:{key}"
    try:
        value = cache.get(key)
    except RedisError:
        logger.warning("Cache unavailable; building the public status afresh", exc_info=True)
        return build()
    if value is None:
        value = build()
        try:
            cache.set(key, value, CACHE_SECONDS)
        except RedisError:
            logger.warning("Cache unavailable; public status not cached", exc_info=True)
    return value


def _vary_on_language(view):
    """Tells proxies the response depends on Accept-Language and the language cookie. Goes
    outside `cache_page`, so the server's cache is not split per visitor's cookies."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        patch_vary_headers(response, VARY)
        return response

    return wrapper


def _cache_page_unless_down(timeout: int):
    """`cache_page(timeout)`, serving the page uncached when the cache (Redis) is down."""

    def decorator(view):
        cached_view = cache_page(timeout)(view)

        @wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                return cached_view(request, *args, **kwargs)
            except RedisError:
                logger.warning("Cache unavailable; serving %s uncached", request.path)
                return view(request, *args, **kwargs)

        return wrapper

    return decorator


# Pages


@login_not_required
@require_safe
@_vary_on_language
def network_status(request: HttpRequest) -> HttpResponse:
    statuses = _cached("network", network_status_list)
    return render(request, "public/network.html", {"statuses": statuses})


@login_not_required
@require_safe
@_vary_on_language
def hub_status(request: HttpRequest, hub_slug: str) -> HttpResponse:
    status = _cached(f"hub:{hub_slug}", lambda: public_hub_status(slug=hub_slug))
    return render(request, "public/hub.html", {"status": status})


# JSON feeds: stable English keys and machine values, with translated labels beside them.


def _iso(value: datetime | None) -> str | None:
    return None if value is None else timezone.localtime(value).replace(microsecond=0).isoformat()


def _hub_json(request: HttpRequest, status: HubStatus) -> dict:
    return {
        "name": status.name,
        "slug": status.slug,
        "url": request.build_absolute_uri(reverse("public_hub_status", args=[status.slug])),
        "feed_url": request.build_absolute_uri(reverse("public_hub_feed", args=[status.slug])),
        "address": status.address,
        "opening_hours": status.opening_hours,
        "latitude": status.latitude,
        "longitude": status.longitude,
        "fill_percent": status.fill_percent,
        "accepts": [c.code for c in status.categories if c.accepts],
        "intake": {
            "status": status.status,
            "status_label": status.status_label,
            "headline": status.headline,
            "reason": status.reason,
            "reopens_at": _iso(status.reopens_at),
        },
        "categories": [
            {
                "code": c.code,
                "name": c.name,
                "status": c.status,
                "status_label": c.status_label,
                "accepts": c.accepts,
                "reason": c.reason,
                "reopens_at": _iso(c.reopens_at),
            }
            for c in status.categories
        ],
        "most_needed": [
            {
                "kind": n.need.kind,
                "name": n.need.name,
                "category": n.need.category_code,
                "unit": n.need.unit or None,
                "unit_label": n.need.unit_label or None,
                "shortfall": n.need.shortfall,
                "priority": n.need.priority_code,
                "priority_label": n.need.priority_label,
                "accepted_now": n.accepts,
            }
            for n in status.most_needed
        ],
        "surplus": [
            {
                "name": line.name,
                "category": line.category_code,
                "quantity": line.quantity,
                "unit": line.unit,
                "unit_label": line.unit_label or None,
            }
            for line in status.surplus
        ],
        "last_updated": _iso(status.last_updated),
    }


def _feed(data: dict) -> JsonResponse:
    return JsonResponse(
        {"generated_at": _iso(timezone.now()), "language": get_language(), **data},
        json_dumps_params={"ensure_ascii": False},
    )


def _cors(view):
    """Lets other groups' maps read the feed from their own pages: any origin may GET it
    (it holds public facts only, and no cookie is honoured for it)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Allow-Methods"] = "GET"
        return response

    return wrapper


@login_not_required
@_cors
@_vary_on_language
@_cache_page_unless_down(CACHE_SECONDS)
@require_safe
def network_feed(request: HttpRequest) -> HttpResponse:
    return _feed({"hubs": [_hub_json(request, s) for s in network_status_list()]})


@login_not_required
@_cors
@_vary_on_language
@_cache_page_unless_down(CACHE_SECONDS)
@require_safe
def hub_feed(request: HttpRequest, hub_slug: str) -> HttpResponse:
    return _feed({"hub": _hub_json(request, public_hub_status(slug=hub_slug))})
