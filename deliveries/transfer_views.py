"""Goods between hubs, under /hubs/<hub_slug>/transfers/: what is arriving and what the hub
sent, and receiving a transfer, for any member of the hub (volunteers count goods in at the
door). Sending back is for coordinators of either hub (the service checks)."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from deliveries import selectors
from deliveries.models import Transfer, TransferStatus
from deliveries.transfer_forms import ArrivalLineForm, ReceiveNoteForm
from deliveries.transfers import transfer_receive, transfer_return
from hub.decorators import hub_role_required
from hub.errors import UserError, user_error_show
from hub.http import HubRequest
from hub.models import Hub
from hub.roles import Role, role_at_least
from inventory.selectors import location_fill_list

PAGE = "deliveries/transfer_detail.html"


@require_GET
@hub_role_required(Role.VOLUNTEER)
def transfer_list(request: HubRequest, hub: Hub) -> HttpResponse:
    return render(
        request,
        "deliveries/transfer_list.html",
        {
            "hub": hub,
            "arriving": selectors.transfer_arriving_list(hub=hub),
            "outgoing": selectors.transfer_outgoing_list(hub=hub),
        },
    )


@require_http_methods(["GET", "POST"])
@hub_role_required(Role.VOLUNTEER)
def transfer_detail(request: HubRequest, hub: Hub, pk: int) -> HttpResponse:
    transfer = selectors.transfer_get(hub=hub, pk=pk)
    data = request.POST if request.method == "POST" else None
    line_forms, note_form = _forms(hub, transfer, data)
    if data is not None:
        if transfer.to_hub_id != hub.pk:
            messages.error(request, _("Only the receiving hub receives a transfer."))
            return redirect("transfer_detail", hub_slug=hub.slug, pk=transfer.pk)
        if note_form.is_valid() and all(f.is_valid() for f in line_forms):
            try:
                transfer_receive(
                    transfer=transfer,
                    arrivals=[f.arrival() for f in line_forms],
                    note=note_form.cleaned_data["note"],
                    user=request.user,
                )
            except UserError as error:
                user_error_show(error=error, form=note_form)
            else:
                messages.success(request, _("Received into stock."))
                if not request.htmx:
                    return redirect("transfer_detail", hub_slug=hub.slug, pk=transfer.pk)
                transfer = selectors.transfer_get(hub=hub, pk=pk)
                line_forms, note_form = _forms(hub, transfer, None)
    fills = {f.location.pk: f for f in location_fill_list(hub=hub)}
    template = f"{PAGE}#receive" if request.htmx else PAGE
    return render(
        request,
        template,
        {
            "hub": hub,
            "transfer": transfer,
            "line_forms": line_forms,
            "note_form": note_form,
            "fills": fills.values() if transfer.to_hub_id == hub.pk else [],
            "can_send_back": role_at_least(request.user, Role.COORDINATOR),
        },
    )


def _forms(hub: Hub, transfer: Transfer, data) -> tuple[list[ArrivalLineForm], ReceiveNoteForm]:
    if transfer.to_hub_id != hub.pk or transfer.status != TransferStatus.IN_TRANSIT:
        return [], ReceiveNoteForm()
    locations = selectors.receiving_location_choices(hub=hub)
    line_forms = [
        ArrivalLineForm(data, line=line, locations=locations)
        for line in transfer.lines.all()
        if line.in_transit
    ]
    return line_forms, ReceiveNoteForm(data)


@require_POST
@hub_role_required(Role.COORDINATOR)
def transfer_send_back(request: HubRequest, hub: Hub, pk: int) -> HttpResponse:
    transfer = selectors.transfer_get(hub=hub, pk=pk)
    try:
        transfer_return(transfer=transfer, user=request.user)
    except UserError as error:
        user_error_show(error=error, request=request)
    else:
        messages.success(
            request,
            _("Sent back: it is in the stock of %(hub)s again.") % {"hub": transfer.from_hub.name},
        )
    return redirect("transfer_detail", hub_slug=hub.slug, pk=transfer.pk)
