"""Helpers the destination and run test modules share."""

from django.urls import reverse

from deliveries.models import DestinationNeed
from tests.factories import DestinationFactory


def destination_form(**fields) -> dict:
    """The destination form's POST data: a shelter, unless told otherwise."""
    data = {
        "name": "Pasadena Convention Center",
        "kind": "shelter",
        "receiving_hub": "",
        "address": "300 E Green St, Pasadena",
        "contact_name": "Maria",
        "contact_phone": "626-555-0101",
        "notes": "Unload at the back door.",
        "is_active": "on",
    }
    return {**data, **fields}


def need_form(item=None, category=None, quantity=10, priority=2, notes="") -> dict:
    return {
        "item": str(getattr(item, "pk", item or "")),
        "category": str(getattr(category, "pk", category or "")),
        "quantity": str(quantity),
        "priority": str(priority),
        "notes": notes,
    }


def url(name: str, hub, *args) -> str:
    return reverse(name, args=[hub.slug, *args])


def destination_with_needs(hub, items, **fields):
    destination = DestinationFactory(hub=hub, **fields)
    DestinationNeed.objects.bulk_create(
        DestinationNeed(destination=destination, item=item, quantity=5 + n)
        for n, item in enumerate(items)
    )
    return destination
