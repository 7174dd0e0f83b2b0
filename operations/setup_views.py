"""A new hub from one page, for admins."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from hub.roles import Role, role_at_least
from operations.setup_forms import HubCreateForm
from operations.setup_services import HubSetupError, hub_create


@require_http_methods(["GET", "POST"])
def hub_create_view(request: HttpRequest) -> HttpResponse:
    if not role_at_least(request.user, Role.ADMIN):
        raise PermissionDenied
    form = HubCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in ("name", "address", "opening_hours")}
        try:
            hub = hub_create(
                user=request.user,
                time_zone=form.cleaned_data["time_zone"],
                default_language=form.cleaned_data["default_language"],
                storage=form.storage(),
                **fields,
            )
        except HubSetupError as error:
            form.add_error(error.field, str(error))
        else:
            messages.success(
                request,
                _("%(hub)s is ready. Next, show a join code to let volunteers in.")
                % {"hub": hub.name},
            )
            return redirect("join_code", hub_slug=hub.slug)
    status = 400 if form.errors else 200
    return render(request, "hub/hub_create.html", {"form": form}, status=status)
