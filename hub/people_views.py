"""The hub's People page: its members, their role and last login, and an Unlock button for
one locked out of logging in (coordinators and admins)."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from hub.decorators import hub_role_required
from hub.fields import parse_id
from hub.http import HubRequest
from hub.models import Hub
from hub.people import PeopleError, login_unlock_list, member_list, member_unlock
from hub.roles import Role


@require_http_methods(["GET", "POST"])
@hub_role_required(Role.COORDINATOR)
def people(request: HubRequest, hub: Hub) -> HttpResponse:
    if request.method == "POST":
        try:
            unlock = member_unlock(
                hub=hub, member_id=parse_id(request.POST.get("unlock")), user=request.user
            )
        except PeopleError as error:
            messages.error(request, str(error))
        else:
            name = unlock.member.get_full_name() or unlock.member.get_username()
            messages.success(request, _("%(name)s can log in again.") % {"name": name})
        return redirect("people", hub_slug=hub.slug)
    return render(
        request,
        "hub/people.html",
        {"hub": hub, "members": member_list(hub=hub), "unlocks": login_unlock_list(hub=hub)},
    )
