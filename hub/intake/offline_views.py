"""What the dropoff table needs to keep working without the network: the service worker
(served from the site's root so that its scope covers every page), the page it shows for
pages that need the network, and the hub's catalog as the tablet keeps it (items, their
barcodes, what the hub takes, and a line row per kind of item to fill in)."""

import hashlib
import json
import os

from django.contrib.auth.decorators import login_not_required
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from hub.decorators import hub_role_required
from hub.http import HubRequest
from hub.intake.forms import UNLISTED_SIZES, UnlistedSize
from hub.intake.selectors import (
    Acceptance,
    acceptance_map,
    category_choice_list,
    offline_catalog_list,
    other_hub_list,
    redirect_suggestions,
)
from hub.intake.views import PAGE, LineRow
from hub.models import Hub, Outcome
from hub.roles import Role
from inventory.models import Item, Unit

# What every page of the table loads; the service worker keeps a copy of each.
STATIC_FILES = (
    "css/app.css",
    "css/print.css",
    "django_htmx/htmx-2.min.js",
    "js/intake.js",
    "js/offline.js",
    "js/scan.js",
    "js/network.js",
    "vendor/zxing-library-0.23.0/index.min.js",
)
# An item id no catalog row has: the offline line rows carry it until filled in.
PLACEHOLDER_ID = 2147483647


@require_GET
@login_not_required  # it holds no data, and a logged-out device must still fetch it
@never_cache
def service_worker(request) -> HttpResponse:
    statics = [staticfiles_storage.url(name) for name in STATIC_FILES]
    offline = reverse("offline_page")
    # A new version of any file installs a new worker: its name changes in production
    # (hashed names), its size or time where files are served as they are.
    stamps = [_stamp(name) for name in STATIC_FILES]
    version = hashlib.sha256(json.dumps([statics, stamps, offline]).encode()).hexdigest()[:12]
    body = render_to_string(
        "offline/sw.js",
        {"config": json.dumps({"version": version, "statics": statics, "offline": offline})},
    )
    return HttpResponse(body, content_type="text/javascript; charset=utf-8")


def _stamp(name: str) -> list[float]:
    path = finders.find(name)
    if not isinstance(path, str):
        return []
    stat = os.stat(path)
    return [stat.st_size, stat.st_mtime]


@require_GET
@login_not_required
def offline_page(request) -> HttpResponse:
    """Shown by the service worker for a page that is not kept on the device."""
    return render(request, "offline/offline.html")


@require_GET
@hub_role_required(Role.VOLUNTEER)
def intake_offline_data(request: HubRequest, hub: Hub) -> JsonResponse:
    acceptance = acceptance_map(hubs=[hub])
    suggestions = redirect_suggestions(hub=hub)
    other_hubs = list(other_hub_list(hub=hub))
    items = offline_catalog_list()
    kinds = {(item["category"], item["expiry"]) for item in items}
    templates = {}
    for category in category_choice_list():
        rule = acceptance[(hub.pk, category.pk)]
        for expiry in (False, True):
            if (category.pk, expiry) in kinds:
                item = Item(pk=PLACEHOLDER_ID, name="", category=category, tracks_expiry=expiry)
                templates[f"{category.pk}:{int(expiry)}"] = _line(
                    hub, item, rule, suggestions, other_hubs
                )
        unlisted = Item(name="", category=category, unit=Unit.EACH)
        templates[f"{category.pk}:new"] = _line(hub, unlisted, rule, suggestions, other_hubs)
    return JsonResponse(
        {
            "language": get_language(),
            "placeholder": PLACEHOLDER_ID,
            "items": items,
            "templates": templates,
            "accepts": {
                str(category_id): {"accepts": rule.accepts, "status": rule.status}
                for (_hub, category_id), rule in acceptance.items()
            },
            "sizes": {
                size.value: str(Unit(UNLISTED_SIZES[size][0]).label) for size in UnlistedSize
            },
        }
    )


def _line(hub: Hub, item: Item, rule: Acceptance, suggestions: dict, other_hubs) -> str:
    row = LineRow(
        item=item,
        acceptance=rule,
        outcome=Outcome.ACCEPTED if rule.accepts else Outcome.DECLINED,
        suggestion=suggestions.get(item.category_id),
    )
    return render_to_string(f"{PAGE}#line", {"hub": hub, "row": row, "other_hubs": other_hubs})
