"""The hub's People page: its members, their role, when last active and whether they set a
tablet PIN; unlocking one locked out of logging in, the changes of `hub/people_actions.py`,
the table's tablets, and the record of every change (coordinators and admins)."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from hub.decorators import hub_role_required
from hub.errors import UserError, user_error_show
from hub.fields import parse_id
from hub.http import HubRequest
from hub.models import Hub, PeopleAction
from hub.people import PeopleError, member_list, member_unlock, people_change_list
from hub.people_actions import member_actions_allowed, member_change
from hub.roles import Role
from hub.tablet_forms import TabletEnrolForm, TabletSettingsForm
from hub.tablets import COOKIE_NAME, tablet_from_cookie, tablet_list

PAGE = "hub/people.html"
DONE = {
    PeopleAction.PROMOTED: gettext_lazy("%(name)s is a coordinator now."),
    PeopleAction.DEMOTED: gettext_lazy("%(name)s is a volunteer now."),
    PeopleAction.DEACTIVATED: gettext_lazy("%(name)s is no longer a member of this hub."),
}


@require_http_methods(["GET", "POST"])
@never_cache
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
            messages.success(
                request, _("%(name)s can log in again.") % {"name": _name(unlock.member)}
            )
        return redirect("people", hub_slug=hub.slug)
    return render(request, PAGE, _context(request, hub))


@require_POST
@never_cache
@hub_role_required(Role.COORDINATOR)
def people_change(request: HubRequest, hub: Hub, member_id: int) -> HttpResponse:
    """One change to one member. A new password link or PIN is shown on this answer only."""
    try:
        result = member_change(
            hub=hub, user=request.user, member_id=member_id, action=request.POST.get("action", "")
        )
    except UserError as error:
        user_error_show(error=error, request=request)
        return redirect("people", hub_slug=hub.slug)
    change = result.change
    if not result.secret:
        messages.success(
            request, DONE[PeopleAction(change.action)] % {"name": _name(change.member)}
        )
        return redirect("people", hub_slug=hub.slug)
    secret = result.secret
    if change.action == PeopleAction.PASSWORD_RESET:
        secret = request.build_absolute_uri(secret)
    context = _context(request, hub) | {"shown_once": change, "secret": secret}
    return render(request, PAGE, context)


def _context(request: HubRequest, hub: Hub) -> dict:
    here = tablet_from_cookie(value=request.COOKIES.get(COOKIE_NAME))
    members = member_list(hub=hub)
    return {
        "hub": hub,
        "members": [
            (m, member_actions_allowed(user=request.user, member_id=m.user.pk, role=m.role))
            for m in members
        ],
        "changes": people_change_list(hub=hub),
        "tablets": tablet_list(hub=hub),
        "this_tablet": here if here is not None and here.hub_id == hub.pk else None,
        "enrol_form": TabletEnrolForm(),
        "settings_form": TabletSettingsForm(
            initial={"shift_ends": hub.tablet_shift_ends, "idle_minutes": hub.tablet_idle_minutes}
        ),
    }


def _name(member) -> str:
    return member.get_full_name() or member.get_username()
