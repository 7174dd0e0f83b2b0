"""The dropoff table: one page (hub/intake.html) and the htmx fragments it asks for."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import cast

from django.contrib import messages
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from hub.decorators import hub_role_required
from hub.errors import UserError, user_error_show
from hub.fields import parse_id
from hub.http import HubRequest
from hub.intake.forms import (
    NEW_ITEM_NAME_MAX,
    DropoffForm,
    LineForm,
    UnlistedSize,
    line_forms_from_post,
    unlisted_item,
)
from hub.intake.nearby import NEARBY_SHOWN, NearbyHub, hubs_with_room_near_hub
from hub.intake.pledge_selectors import pledge_expected_find, pledge_expected_list
from hub.intake.pledge_services import pledge_arrive
from hub.intake.selectors import (
    Acceptance,
    acceptance_map_cached,
    category_choice_list_cached,
    category_find,
    dropoff_detail_get,
    dropoff_fills_after,
    dropoff_find,
    dropoff_for_key,
    dropoff_get,
    dropoff_just_logged,
    dropoff_lines_prefetch,
    hub_intake_refresh,
    intake_tile_list,
    item_active_find,
    item_active_named_find,
    item_search,
    location_active_list_cached,
    location_default,
    other_hub_list,
    recent_dropoff_list,
    redirect_suggestions,
)
from hub.intake.services import dropoff_can_undo, dropoff_log, dropoff_undo
from hub.models import Dropoff, Hub, IntakeStatus, Outcome, Pledge
from hub.roles import Role, role_at_least
from inventory.barcodes import item_by_barcode
from inventory.models import Category, Item
from inventory.selectors import LocationFill, location_fill_list

PAGE = "hub/intake.html"
# Buttons that, without JavaScript, post the form to change it rather than to log it.
# keep_lines: a language button posts the form back to draw it in the new language.
NO_SCRIPT_ACTIONS = {"add_item", "add_unlisted", "remove_line", "search", "keep_lines"}
# The storage location last chosen on this device (set here and by intake.js), per hub.
LOCATION_COOKIE = "intake_location"
LOCATION_COOKIE_DAYS = 365


@dataclass
class LineRow:
    """What one line row of the form shows."""

    item: Item | None
    acceptance: Acceptance
    quantity: object = 1
    expiry_date: object = ""
    outcome: str = Outcome.ACCEPTED
    redirected_to: object = None
    suggestion: Hub | None = None
    errors: list[str] = field(default_factory=list)
    confirmed: object = ""
    unusual: object = None  # the UsualLine when the quantity asks for a confirmation
    new_size: str = ""  # of an item that is not in the catalog
    expired: str = ""  # the choice for a line past its expiry date (ExpiredChoice)
    new_barcode: str = ""  # scanned for an item that is not in the catalog

    @property
    def unlisted(self) -> bool:
        return self.item is not None and self.item.pk is None

    @property
    def past_expiry(self) -> bool:
        """The line's expiry date is before today (the hub's day: views run in its zone)."""
        try:
            expiry = date.fromisoformat(str(self.expiry_date or ""))
        except ValueError:
            return False
        return expiry < timezone.localdate()


@require_http_methods(["GET", "POST"])
@hub_role_required(Role.VOLUNTEER)
def intake(request: HubRequest, hub: Hub) -> HttpResponse:
    if request.method == "POST":
        return _submit(request, hub)
    logged = None
    if (pk := parse_id(request.GET.get("logged"))) is not None:
        logged = dropoff_find(hub=hub, pk=pk)
    context = _page_context(request, hub, logged=logged)
    if pledge := pledge_expected_find(hub=hub, pk=parse_id(request.GET.get("pledge"))):
        context |= {"pledge": pledge, "rows": _pledge_rows(hub, pledge, context)}
    return render(request, PAGE, context)


def _pledge_rows(hub: Hub, pledge: Pledge, context: dict) -> list[LineRow]:
    """The line rows of a donor's pledge, ready to check and log: catalog items as they
    are, the donor's own words as items new to the catalog."""
    rows = []
    for line in pledge.lines.all():
        item = line.item or unlisted_item(
            hub=hub, name=line.description, category=line.category, size=UnlistedSize.BOX
        )
        row = _new_row(hub, item, context["acceptance"], context["suggestions"])
        row.quantity = line.quantity
        row.new_size = UnlistedSize.BOX if line.item is None else ""
        rows.append(row)
    return rows


def _submit(request: HubRequest, hub: Hub) -> HttpResponse:
    # A retry of a form already logged gets the first result, whatever changed since: found
    # by its key when the form is refused (here, or by dropoff_log, which answers with the
    # first dropoff), so that a new form costs no lookup.
    key = request.POST.get("idempotency_key", "")
    if NO_SCRIPT_ACTIONS & request.POST.keys():
        if earlier := dropoff_for_key(hub=hub, key=key):
            return _logged(request, hub, earlier)
        return _edit_without_script(request, hub, location_fill_list(hub=hub))
    form = DropoffForm(request.POST, hub=hub, locations=location_active_list_cached(hub=hub))
    line_forms = line_forms_from_post(
        request.POST, hub=hub, confirm=parse_id(request.POST.get("confirm_quantity"))
    )
    if line_forms is None:
        form.add_error(None, _("The form came in incomplete. Add the items again."))
        line_forms = []
    valid = all([form.is_valid(), *(line.is_valid() for line in line_forms)])
    if valid and not form.errors:
        try:
            dropoff = dropoff_log(
                hub=hub,
                user=request.user,
                lines=[
                    line.to_input(location=form.cleaned_data["location"]) for line in line_forms
                ],
                idempotency_key=form.cleaned_data["idempotency_key"],
                donor_name=form.cleaned_data["donor_name"],
                donor_contact=form.cleaned_data["donor_contact"],
                donor_consent=form.cleaned_data["donor_consent"],
            )
        except UserError as error:
            user_error_show(error=error, form=form, line_forms=line_forms)
        else:
            fresh = dropoff_just_logged(dropoff=dropoff)
            if fresh:
                _pledge_settle(request, hub, dropoff)
            return _logged(request, hub, dropoff, fresh=fresh)
    elif earlier := dropoff_for_key(hub=hub, key=key):
        return _logged(request, hub, earlier)
    if "idempotency_key" in form.errors:
        form.data = cast(QueryDict, form.data).copy()
        form.data["idempotency_key"] = DropoffForm.new_key()
    if request.htmx:
        context = _context(request, hub, form=form, line_forms=line_forms)
        return render(request, f"{PAGE}#intake", context)
    context = _page_context(request, hub, form=form, line_forms=line_forms)
    return render(request, PAGE, context)


def _edit_without_script(request: HubRequest, hub: Hub, fills) -> HttpResponse:
    """The same form back with a line added or removed, or with search results: what the
    tiles, the search box and the remove buttons do by htmx, as plain form posts."""
    locations = [f.location for f in fills]
    form = DropoffForm(initial=request.POST.dict(), hub=hub, locations=locations)
    line_forms = line_forms_from_post(request.POST, hub=hub) or []
    removed = parse_id(request.POST.get("remove_line"))
    line_forms = [f for n, f in enumerate(line_forms) if n != removed]
    context = _page_context(
        request, hub, form=form, line_forms=line_forms, fills=fills, show_errors=False
    )
    added = parse_id(request.POST.get("add_item"))
    item = item_active_find(pk=added)
    if "add_unlisted" in request.POST:
        item = _unlisted_requested(hub, request.POST)
        context["unlisted_error"] = item is None
    same = [row for row in context["rows"] if item is not None and item.pk and row.item == item]
    if same:  # a second tap on a tile adds one, as it does with htmx
        same[0].quantity = (parse_id(str(same[0].quantity)) or 0) + 1
    elif item is not None:
        row = _new_row(hub, item, context["acceptance"], context["suggestions"])
        row.new_size = request.POST.get("unlisted_size", "") if item.pk is None else ""
        context["rows"].append(row)
    if "search" in request.POST:
        query = request.POST.get("q", "")[:80]
        found = item_search(query=query)
        acceptance = context["acceptance"]
        context["query"] = query
        context["found"] = [(i, acceptance[(hub.pk, i.category_id)]) for i in found]
    return render(request, PAGE, context)


def _pledge_settle(request: HubRequest, hub: Hub, dropoff: Dropoff) -> None:
    """The pledge the form was started from (if any) arrived as this dropoff."""
    if pledge := pledge_expected_find(hub=hub, pk=parse_id(request.POST.get("pledge"))):
        pledge_arrive(pledge=pledge, dropoff=dropoff, user=request.user)


def _logged(
    request: HubRequest, hub: Hub, dropoff: Dropoff, *, fresh: bool = False
) -> HttpResponse:
    """The answer to a logged dropoff: what was logged, and a fresh form for the next donor
    that keeps the location the goods went to. To htmx it renders only what the dropoff
    changed: the confirmation, the emptied form with the new fills, and (`fresh`: logged by
    this request, not found by its key) its row added on top of the recent list."""
    chosen = parse_id(request.POST.get("location"))
    response: HttpResponse
    if not request.htmx:
        response = redirect(f"{reverse('intake', args=[hub.slug])}?logged={dropoff.pk}")
    else:
        if not fresh:
            # Logged earlier: intake may have changed since. A dropoff logged now read the
            # hub's intake under its lock, and its own fill's closure was written into `hub`.
            hub_intake_refresh(hub=hub)
        fills = dropoff_fills_after(dropoff=dropoff) or location_fill_list(hub=hub)
        default, full_location = _location_for_next_donor(request, hub, fills, chosen=chosen)
        dropoff_lines_prefetch(dropoff=dropoff)
        context = {
            "hub": hub,
            "form": DropoffForm(
                initial={"idempotency_key": DropoffForm.new_key(), "location": default},
                hub=hub,
                locations=[f.location for f in fills],
            ),
            "fills": fills,
            "closed": hub.intake_status == IntakeStatus.CLOSED,
            "rows": [],
            "logged": dropoff,
            "logged_fills": _fills_of(dropoff, fills),
            "can_undo": dropoff_can_undo(dropoff=dropoff, user=request.user),
            "full_location": full_location,
        }
        if fresh:
            context["recent_new"] = dropoff
        else:
            context |= {"recent_oob": True, "recent": recent_dropoff_list(hub=hub)}
        response = render(request, f"{PAGE}#intake", context)
    if chosen is not None:
        response.set_cookie(
            LOCATION_COOKIE,
            str(chosen),
            max_age=LOCATION_COOKIE_DAYS * 24 * 3600,
            path=reverse("hub_detail", args=[hub.slug]),
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response


def _page_context(request: HubRequest, hub: Hub, **kwargs) -> dict:
    """The whole page: the #intake part, plus the item tiles beside it."""
    context = _context(request, hub, **kwargs)
    acceptance = context["acceptance"]
    tiles = intake_tile_list(hub=hub)
    return {
        **context,
        "expected": pledge_expected_list(hub=hub),
        "tiles": [(item, acceptance[(hub.pk, item.category_id)]) for item in tiles],
        "categories": category_choice_list_cached(hub=hub),
        "sizes": UnlistedSize.choices,
        "new_item_name_max": NEW_ITEM_NAME_MAX,
    }


def _context(
    request: HubRequest,
    hub: Hub,
    *,
    form: DropoffForm | None = None,
    line_forms: Sequence[LineForm] = (),
    fills=None,
    logged: Dropoff | None = None,
    show_errors: bool = True,
    chosen_location: int | None = None,
) -> dict:
    fills = fills if fills is not None else location_fill_list(hub=hub)
    full_location = None
    if form is None:
        default, full_location = _location_for_next_donor(
            request, hub, fills, chosen=chosen_location
        )
        form = DropoffForm(
            initial={"idempotency_key": DropoffForm.new_key(), "location": default},
            hub=hub,
            locations=[f.location for f in fills],
        )
    acceptance = acceptance_map_cached(hub=hub)
    suggestions = redirect_suggestions(hub=hub)
    if logged is not None:
        dropoff_lines_prefetch(dropoff=logged)
    return {
        "hub": hub,
        "form": form,
        "fills": fills,
        "closed": hub.intake_status == IntakeStatus.CLOSED,
        "acceptance": acceptance,
        "suggestions": suggestions,
        "rows": [
            _row_from_form(f, hub, acceptance, suggestions, show_errors=show_errors)
            for f in line_forms
        ],
        "other_hubs": other_hub_list(hub=hub),
        "recent": recent_dropoff_list(hub=hub),
        "logged": logged,
        "logged_fills": _fills_of(logged, fills),
        "can_undo": logged is not None and dropoff_can_undo(dropoff=logged, user=request.user),
        "full_location": full_location,
        "nearby": _nearby(hub, acceptance),
        # A form started from a pledge keeps it until the dropoff is logged.
        "pledge": None
        if logged
        else pledge_expected_find(hub=hub, pk=parse_id(request.POST.get("pledge"))),
    }


def _nearby(hub: Hub, acceptance: dict) -> list[NearbyHub]:
    """Where to send donors on, when the hub does not take everything now."""
    closed = hub.intake_status == IntakeStatus.CLOSED
    if not closed and all(rule.accepts for (pk, _c), rule in acceptance.items() if pk == hub.pk):
        return []
    return hubs_with_room_near_hub(hub=hub)[:NEARBY_SHOWN]


def _location_for_next_donor(
    request: HubRequest, hub: Hub, fills: list[LocationFill], *, chosen: int | None
) -> tuple[object, LocationFill | None]:
    """The location the form starts with, and the remembered one when it is full now: the
    one last chosen on this device (`chosen` just now, or its cookie), else the emptiest
    with room. A remembered location that is full is not swapped for another silently:
    the form starts with none, and the page says why."""
    remembered = chosen if chosen is not None else parse_id(request.COOKIES.get(LOCATION_COOKIE))
    fill = next((f for f in fills if f.location.pk == remembered), None)
    if fill is None:
        return location_default(locations=fills), None
    if fill.free_litres <= 0 or fill.percent >= hub.full_percent:
        return None, fill
    return fill.location, None


def _fills_of(dropoff: Dropoff | None, fills) -> list:
    if dropoff is None:
        return []
    used = {line.location_id for line in dropoff.lines.all() if line.location_id}
    return [f for f in fills if f.location.pk in used]


def _row_from_form(
    line: LineForm, hub: Hub, acceptance: dict, suggestions: dict, *, show_errors: bool
) -> LineRow:
    item_pk = parse_id(line.data["item"])
    item = line.items.get(item_pk) if item_pk is not None else None
    if item is None and not line.data["item"]:
        category_pk = parse_id(line.data["new_category"])
        item = _unlisted_from(
            hub,
            line.data["new_name"],
            line.categories.get(category_pk) if category_pk is not None else None,
            line.data["new_size"],
        )
    errors = [str(e) for errors in line.errors.values() for e in errors] if show_errors else []
    return LineRow(
        item=item,
        acceptance=acceptance[(hub.pk, item.category_id)] if item else Acceptance("closed"),
        quantity=line.data["quantity"],
        expiry_date=line.data["expiry_date"],
        outcome=line.data["outcome"],
        redirected_to=parse_id(line.data["redirected_to"]),
        suggestion=suggestions.get(item.category_id) if item else None,
        errors=errors,
        confirmed=line.data["confirmed"],
        unusual=line.unusual if show_errors else None,
        new_size=line.data["new_size"],
        expired=line.data["expired"],
        new_barcode=line.data["new_barcode"] if item is not None and item.pk is None else "",
    )


def _unlisted_from(hub: Hub, name: str, category: Category | None, size: str) -> Item | None:
    """The unsaved item a line names, if its name, category and size make one."""
    name = " ".join(name.split())[:NEW_ITEM_NAME_MAX]
    if not name or category is None or size not in UnlistedSize.values:
        return None
    return unlisted_item(hub=hub, name=name, category=category, size=size)


def _unlisted_requested(hub: Hub, params) -> Item | None:
    """The item the "not in the list" fields ask for: the catalog's own when the name is
    one of its active items, else a new one (saved when the dropoff is logged)."""
    name = " ".join(params.get("unlisted_name", "").split())[:NEW_ITEM_NAME_MAX]
    if not name:
        return None
    if item := item_active_named_find(name=name):
        return item
    category = category_find(pk=parse_id(params.get("unlisted_category")))
    return _unlisted_from(hub, name, category, params.get("unlisted_size", ""))


def _new_row(hub: Hub, item: Item, acceptance: dict, suggestions: dict) -> LineRow:
    rule = acceptance[(hub.pk, item.category_id)]
    suggestion = suggestions.get(item.category_id)
    # What the hub does not take goes, by default, to the nearest hub with room for it: the
    # donor is sent on rather than turned away.
    outcome = Outcome.DECLINED if suggestion is None else Outcome.REDIRECTED
    return LineRow(
        item=item,
        acceptance=rule,
        outcome=Outcome.ACCEPTED if rule.accepts else outcome,
        suggestion=suggestion,
    )


@require_GET
@hub_role_required(Role.VOLUNTEER)
def intake_line(request: HubRequest, hub: Hub) -> HttpResponse:
    """A new line row for the item tapped (a tile or a search result), or for one that is
    not in the catalog (a name, a category and a size)."""
    if "unlisted_name" in request.GET:
        item = _unlisted_requested(hub, request.GET)
        if item is None:
            response = render(request, f"{PAGE}#unlisted-error", {"unlisted_error": True})
            return retarget(reswap(response, "outerHTML"), "#unlisted-error")
    elif "barcode" in request.GET:
        # A scan the tablet's copy of the catalog did not know (a code added since).
        item = item_by_barcode(code=request.GET["barcode"][:20])
        if item is None:
            raise Http404("No item has this barcode")
    else:
        pk = parse_id(request.GET.get("item"))
        item = item_active_find(pk=pk)
        if item is None:
            raise Http404("No such item")
    row = _new_row(hub, item, acceptance_map_cached(hub=hub), redirect_suggestions(hub=hub))
    if item.pk is None:
        row.new_size = request.GET.get("unlisted_size", "")
        row.new_barcode = request.GET.get("unlisted_barcode", "")[:20]
    return render(
        request, f"{PAGE}#line", {"hub": hub, "row": row, "other_hubs": other_hub_list(hub=hub)}
    )


@require_GET
@hub_role_required(Role.VOLUNTEER)
def intake_item_search(request: HubRequest, hub: Hub) -> HttpResponse:
    acceptance = acceptance_map_cached(hub=hub)
    found = item_search(query=request.GET.get("q", "")[:80])
    return render(
        request,
        f"{PAGE}#search-results",
        {
            "hub": hub,
            "query": request.GET.get("q", ""),
            "found": [(item, acceptance[(hub.pk, item.category_id)]) for item in found],
        },
    )


@require_GET
@hub_role_required(Role.VOLUNTEER)
def intake_recent(request: HubRequest, hub: Hub) -> HttpResponse:
    return render(request, f"{PAGE}#recent", {"hub": hub, "recent": recent_dropoff_list(hub=hub)})


@require_GET
@hub_role_required(Role.VOLUNTEER)
def dropoff_detail(request: HubRequest, hub: Hub, pk: int) -> HttpResponse:
    dropoff = dropoff_detail_get(hub=hub, pk=pk)
    return render(
        request,
        "hub/dropoff_detail.html",
        {
            "hub": hub,
            "dropoff": dropoff,
            "can_undo": dropoff_can_undo(dropoff=dropoff, user=request.user),
            "show_donor": role_at_least(request.user, Role.COORDINATOR),
        },
    )


@require_POST
@hub_role_required(Role.VOLUNTEER)
def dropoff_undo_view(request: HubRequest, hub: Hub, pk: int) -> HttpResponse:
    dropoff = dropoff_get(hub=hub, pk=pk)
    try:
        dropoff_undo(dropoff=dropoff, user=request.user)
    except UserError as error:
        user_error_show(error=error, request=request)
    else:
        messages.success(request, _("Dropoff #%(number)d undone.") % {"number": dropoff.pk})
    if request.htmx:
        dropoff.refresh_from_db()
        context = _context(request, hub, logged=dropoff)
        return render(
            request, f"{PAGE}#confirmation", {**context, "recent_oob": True, "location_oob": True}
        )
    if request.POST.get("next") == "detail":
        return redirect("dropoff_detail", hub_slug=hub.slug, pk=dropoff.pk)
    return redirect("intake", hub_slug=hub.slug)
