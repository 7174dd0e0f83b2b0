"""An item's barcodes, kept by coordinators on the item page: what the table's scanner
finds the item by."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hub.decorators import hub_role_required
from hub.errors import UserError
from hub.fields import parse_id
from hub.http import HubRequest
from hub.models import Hub
from hub.roles import Role
from inventory.barcodes import item_barcode_add, item_barcode_remove
from inventory.forms import BarcodeForm
from inventory.selectors import item_get


@require_POST
@hub_role_required(Role.COORDINATOR)
def item_barcodes(request: HubRequest, hub: Hub, item_pk: int) -> HttpResponse:
    item = item_get(pk=item_pk)
    if (pk := parse_id(request.POST.get("remove"))) is not None:
        item_barcode_remove(item=item, pk=pk)
        messages.success(request, _("Barcode removed."))
        return redirect("item_detail", hub_slug=hub.slug, item_pk=item.pk)
    form = BarcodeForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for e in form.errors.get("code", [])))
    else:
        try:
            barcode = item_barcode_add(item=item, code=form.cleaned_data["code"])
        except UserError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Barcode %(code)s added.") % {"code": barcode.printed})
    return redirect("item_detail", hub_slug=hub.slug, item_pk=item.pk)
