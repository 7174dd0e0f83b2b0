"""Printable labels for storage locations: a QR code each, which the table's scanner reads
to pick the location and the stock pages' scanner (or any phone's camera) to open its
count."""

import segno
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from hub.decorators import hub_role_required
from hub.http import HubRequest
from hub.models import Hub
from hub.roles import Role
from inventory.selectors import location_fill_list


@require_GET
@hub_role_required(Role.COORDINATOR)
def location_labels(request: HubRequest, hub: Hub) -> HttpResponse:
    labels = []
    for fill in location_fill_list(hub=hub):
        url = request.build_absolute_uri(
            reverse("location_count", args=[hub.slug, fill.location.pk])
        )
        # Vector: sharp at any printer resolution; "m" survives a scuffed label.
        qr = segno.make(url, error="m").svg_data_uri(scale=4, border=0)
        labels.append({"location": fill.location, "url": url, "qr": qr})
    return render(request, "inventory/location_labels.html", {"hub": hub, "labels": labels})
