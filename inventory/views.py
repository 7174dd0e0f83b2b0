from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from hub.decorators import hub_role_required
from hub.models import Hub
from hub.roles import Role
from inventory.selectors import stock_level_list


@require_GET
@hub_role_required(Role.COORDINATOR)
def stock_list(request: HttpRequest, hub: Hub) -> HttpResponse:
    return render(
        request, "inventory/stock_list.html", {"hub": hub, "balances": stock_level_list(hub=hub)}
    )
