from datetime import timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from deliveries.reservations import item_free_map
from hub.access import membership_get
from hub.decorators import hub_role_required
from hub.errors import UserError, user_error_show
from hub.http import HubRequest
from hub.models import Hub
from hub.paging import keyset_page, uncounted_page
from hub.roles import Role
from inventory import alerts as alert_services
from inventory.forms import AdjustForm, CountForm, DiscardForm, StockFilterForm, TransferForm
from inventory.models import Item, MovementKind
from inventory.reasons import Reason
from inventory.selectors import (
    EXPIRING_DAYS,
    alert_get,
    expiring_soon_list,
    item_get,
    item_history_list,
    item_minimum_get,
    item_stock_list,
    location_active_get,
    location_stock_list,
    stock_search_list,
)
from inventory.selectors import alert_list as alert_list_query
from inventory.services import (
    CountLine,
    StockLine,
    location_count,
    stock_adjust,
    stock_remove,
    stock_transfer_within_hub,
)
from overview.stock_alert_forms import ItemRulesForm


@require_GET
@hub_role_required(Role.COORDINATOR)
def alert_list(request: HubRequest, hub: Hub) -> HttpResponse:
    """The hub's capacity alerts, newest first, with how each was delivered."""
    page = Paginator(alert_list_query(hub=hub), 50).get_page(request.GET.get("page"))
    deliveries = [d for alert in page for d in alert.deliveries.all()]
    membership = membership_get(user=request.user, hub=hub)
    return render(
        request,
        "inventory/alert_list.html",
        {
            "hub": hub,
            "page": page,
            "alert_emails": membership.alert_emails,
            "sending": alert_services.delivery_sending_ids(deliveries=deliveries),
        },
    )


@require_POST
@hub_role_required(Role.COORDINATOR)
def alert_acknowledge(request: HubRequest, hub: Hub, pk: int) -> HttpResponse:
    alert = alert_get(hub=hub, pk=pk)
    if alert_services.alert_acknowledge(alert=alert, user=request.user):
        messages.success(request, _("Alert acknowledged."))
    return redirect("alert_list", hub_slug=hub.slug)


@require_POST
@hub_role_required(Role.COORDINATOR)
def alert_emails_toggle(request: HubRequest, hub: Hub) -> HttpResponse:
    """Opt in or out of this hub's alert e-mails (for oneself only)."""
    wanted = request.POST.get("alert_emails") == "on"
    alert_services.alert_emails_set(hub=hub, user=request.user, wanted=wanted)
    if wanted:
        messages.success(request, _("You will get this hub's storage alerts by e-mail."))
    else:
        messages.success(request, _("You will no longer get this hub's alerts by e-mail."))
    return redirect("alert_list", hub_slug=hub.slug)


STOCK_PAGE_SIZE = 50
HISTORY_PAGE_SIZE = 25


@require_GET
@hub_role_required(Role.COORDINATOR)
def stock_list(request: HubRequest, hub: Hub) -> HttpResponse:
    """Everything in stock, filtered by name, category, location and expiry, 50 a page."""
    form = StockFilterForm(request.GET or None, hub=hub)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    balances = stock_search_list(
        hub=hub,
        query=filters.get("q", ""),
        category_id=getattr(filters.get("category"), "pk", None),
        location_id=getattr(filters.get("location"), "pk", None),
        expiring_by=expiring_by() if filters.get("expiring") else None,
    )
    page = keyset_page(
        rows=balances,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
        size=STOCK_PAGE_SIZE,
    )
    free = item_free_map(hub=hub, item_ids={balance.item_id for balance in page})
    for balance in page:
        balance.item_free = free[balance.item_id]
    return render(
        request,
        "inventory/stock_list.html",
        {"hub": hub, "form": form, "page": page, "query": _query_without_page(request)},
    )


@require_GET
@hub_role_required(Role.COORDINATOR)
def stock_expiring(request: HubRequest, hub: Hub) -> HttpResponse:
    """What expires within 14 days, or has expired, soonest first."""
    today = timezone.localdate()
    page = uncounted_page(
        rows=expiring_soon_list(hub=hub, today=today),
        number=request.GET.get("page"),
        size=STOCK_PAGE_SIZE,
    )
    return render(
        request,
        "inventory/stock_expiring.html",
        {"hub": hub, "page": page, "today": today, "days": EXPIRING_DAYS},
    )


def expiring_by():
    return timezone.localdate() + timedelta(days=EXPIRING_DAYS)


def _query_without_page(request: HubRequest) -> str:
    query = request.GET.copy()
    for token in ("page", "after", "before"):
        query.pop(token, None)
    return query.urlencode()


ITEM_FORMS = {"adjust": AdjustForm, "discard": DiscardForm, "transfer": TransferForm}


@require_GET
@hub_role_required(Role.COORDINATOR)
def item_detail(request: HubRequest, hub: Hub, item_pk: int) -> HttpResponse:
    """One item at the hub: where it is, its ledger (who, when, why) and the corrections."""
    item = item_get(pk=item_pk)
    return _item_page(request, hub, item)


def _item_page(request: HubRequest, hub: Hub, item: Item, **bound) -> HttpResponse:
    balances = item_stock_list(hub=hub, item=item)
    forms = {
        name: bound.get(name) or form(hub=hub, item=item, on_record=_on_record(balances))
        for name, form in ITEM_FORMS.items()
    }
    minimum = item_minimum_get(hub=hub, item=item)
    item_forms = [
        ("adjust", forms["adjust"], _("Adjust"), _("Save the adjustment")),
        ("discard", forms["discard"], _("Discard"), _("Discard")),
        ("transfer", forms["transfer"], _("Move to another location"), _("Move")),
    ]
    return render(
        request,
        "inventory/item_detail.html",
        {
            "hub": hub,
            "item": item,
            "balances": balances,
            "on_hand": sum(balance.quantity for balance in balances),
            "free": item_free_map(hub=hub, item_ids=[item.pk])[item.pk],
            # The item's ledger only grows: paged without counting it.
            "history": uncounted_page(
                rows=item_history_list(hub=hub, item=item),
                number=request.GET.get("page"),
                size=HISTORY_PAGE_SIZE,
            ),
            "item_forms": item_forms,
            "rules_form": ItemRulesForm(
                initial={
                    "safe_after_expiry": item.safe_after_expiry,
                    "minimum": minimum.minimum if minimum else None,
                }
            ),
        },
    )


@require_POST
@hub_role_required(Role.COORDINATOR)
def item_change(request: HubRequest, hub: Hub, item_pk: int, action: str) -> HttpResponse:
    """Adjust, discard or transfer the item; bad input comes back on the item page, with
    nothing stored."""
    item = item_get(pk=item_pk)
    if action not in ITEM_FORMS:
        raise Http404("No such change")
    form = ITEM_FORMS[action](
        request.POST,
        hub=hub,
        item=item,
        on_record=_on_record(item_stock_list(hub=hub, item=item)),
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            _item_change_make(action, hub=hub, item=item, data=data, form=form, user=request.user)
        except UserError as error:
            user_error_show(error=error, form=form)
        else:
            messages.success(request, str(_ITEM_DONE[action]) % {"item": item.display_name})
            return redirect("item_detail", hub_slug=hub.slug, item_pk=item.pk)
    return _item_page(request, hub, item, **{action: form})


def _on_record(balances) -> dict[int, int]:
    """location id -> units of the item the record holds there (all expiry dates)."""
    on_record: dict[int, int] = {}
    for balance in balances:
        on_record[balance.location_id] = on_record.get(balance.location_id, 0) + balance.quantity
    return on_record


_ITEM_DONE = {
    "adjust": gettext_lazy("%(item)s adjusted."),
    "discard": gettext_lazy("%(item)s discarded."),
    "transfer": gettext_lazy("%(item)s moved."),
}


def _item_change_make(action: str, *, hub: Hub, item: Item, data: dict, form, user) -> None:
    key = f"{action}:{data['idempotency_key']}"
    if action == "adjust":
        stock_adjust(
            item=item,
            location=data["location"],
            delta=data["delta"],
            expiry_date=data["expiry_date"],
            reason=data["reason"],
            user=user,
            idempotency_key=key,
        )
    elif action == "discard":
        stock_remove(
            lines=[StockLine(item, data["location"], data["quantity"], data["expiry_date"])],
            kind=MovementKind.DISCARDED,
            reason=form.reason(),
            user=user,
            idempotency_key=key,
        )
    else:
        stock_transfer_within_hub(
            hub=hub,
            item=item,
            from_location=data["location"],
            to_location=data["to_location"],
            quantity=data["quantity"],
            expiry_date=data["expiry_date"],
            reason=data["reason"] or Reason("moved"),
            user=user,
            idempotency_key=key,
        )


@require_http_methods(["GET", "POST"])
@hub_role_required(Role.COORDINATOR)
def location_count_view(request: HubRequest, hub: Hub, location_pk: int) -> HttpResponse:
    """Count a location: one box per balance the ledger has there; what is counted
    replaces the balance, the differences recorded as `counted` movements."""
    location = location_active_get(hub=hub, pk=location_pk)
    balances = location_stock_list(location=location)
    form = CountForm(
        request.POST or None, balances=balances, confirm_percent=hub.count_confirm_percent
    )
    if request.method == "POST" and form.is_valid():
        counted = form.counted()
        try:
            movements = location_count(
                location=location,
                lines=[CountLine(b.item, quantity, b.expiry_date) for b, quantity in counted],
                user=request.user,
                reason=form.cleaned_data["reason"],
                idempotency_key=f"count:{form.cleaned_data['idempotency_key']}",
            )
        except UserError as error:
            user_error_show(error=error, form=form)
        else:
            changed = sum(1 for m in movements if m.quantity)
            messages.success(
                request,
                ngettext(
                    "Count of %(location)s saved: %(changed)d balance corrected.",
                    "Count of %(location)s saved: %(changed)d balances corrected.",
                    changed,
                )
                % {"location": location.display_name, "changed": changed},
            )
            return redirect("location_count", hub_slug=hub.slug, location_pk=location.pk)
    return render(
        request,
        "inventory/location_count.html",
        {"hub": hub, "location": location, "form": form},
    )
