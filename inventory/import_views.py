"""Bringing in a spreadsheet: upload, a preview of every row, then confirm. Between the two
the file waits in the cache, under the hub, the person and its hash, for an hour; nothing
about it is stored in the database before the confirmation."""

import contextlib
from typing import cast

from django.contrib import messages
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from hub.decorators import hub_role_required
from hub.http import HubRequest
from hub.models import Hub
from hub.roles import Role
from inventory.import_services import (
    StockImportError,
    stock_import_confirm,
    stock_import_preview,
)
from inventory.spreadsheet import MAX_BYTES, SpreadsheetError

PAGE = "inventory/stock_import.html"
PREVIEW_SECONDS = 3600


@require_http_methods(["GET", "POST"])
@hub_role_required(Role.COORDINATOR)
def stock_import(request: HubRequest, hub: Hub) -> HttpResponse:
    if request.method == "GET":
        return render(request, PAGE, {"hub": hub})
    if request.POST.get("action") == "confirm":
        return _confirm(request, hub)
    return _preview(request, hub)


def _preview(request: HubRequest, hub: Hub) -> HttpResponse:
    upload = request.FILES.get("file")
    if upload is None:
        return _refused(request, hub, _("Choose a .csv or .xlsx file to upload."))
    # Django's upload handlers always set the size of an uploaded file.
    if cast(int, upload.size) > MAX_BYTES:
        return _refused(
            request,
            hub,
            _("The file is larger than %(mb)d MB. Split it, or leave out other columns.")
            % {"mb": MAX_BYTES // (1024 * 1024)},
        )
    name, content = upload.name or "", upload.read(MAX_BYTES + 1)
    try:
        preview = stock_import_preview(hub=hub, name=name, content=content)
    except SpreadsheetError as error:
        return _refused(request, hub, str(error))
    kept = _keep(_cache_key(request, hub, preview.digest), (name, content))
    return render(
        request,
        PAGE,
        {"hub": hub, "preview": preview, "file_name": name, "kept": kept},
    )


def _confirm(request: HubRequest, hub: Hub) -> HttpResponse:
    digest = request.POST.get("digest", "")[:64]
    key = _cache_key(request, hub, digest)
    kept = _kept(key) if digest.isalnum() else None
    if kept is None:
        return _refused(request, hub, _("The preview has expired. Upload the file again."))
    name, content = kept
    try:
        preview = stock_import_confirm(hub=hub, user=request.user, name=name, content=content)
    except (StockImportError, SpreadsheetError) as error:
        return _refused(request, hub, str(error))
    _forget(key)
    good = preview.good
    messages.success(
        request,
        ngettext(
            "Imported %(rows)d row: %(new)d new items, %(stocked)d stock lines counted.",
            "Imported %(rows)d rows: %(new)d new items, %(stocked)d stock lines counted.",
            len(good),
        )
        % {"rows": len(good), "new": preview.new_item_count, "stocked": len(preview.stocked)},
    )
    return redirect("stock_list", hub_slug=hub.slug)


def _refused(request: HubRequest, hub: Hub, message: str) -> HttpResponse:
    return render(request, PAGE, {"hub": hub, "file_error": message}, status=400)


def _cache_key(request: HubRequest, hub: Hub, digest: str) -> str:
    return f"stock-import:{hub.pk}:{request.user.pk}:{digest}"


# The cache may be down; then a preview cannot be confirmed, which the page says.


def _keep(key: str, value) -> bool:
    try:
        cache.set(key, value, timeout=PREVIEW_SECONDS)
    except Exception:
        return False
    return True


def _kept(key: str):
    try:
        return cache.get(key)
    except Exception:
        return None


def _forget(key: str) -> None:
    with contextlib.suppress(Exception):  # it expires by itself anyway
        cache.delete(key)
