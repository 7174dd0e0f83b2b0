"""Helpers the tablet test modules share: enrolling a client as the table's tablet and
switching a person in on it."""

from django.test import Client
from django.urls import reverse

from hub.models import Hub, Tablet
from hub.pins import pin_set
from hub.tablets import COOKIE_NAME


def enrol(client: Client, *, coordinator, hub: Hub, name: str = "Front table") -> Tablet:
    """The coordinator enrols the client's device; the client is logged out after."""
    client.force_login(coordinator)
    response = client.post(reverse("tablet_enrol", args=[hub.slug]), {"name": name})
    assert response.status_code == 302, response
    assert response["Location"] == reverse("tablet_switch")
    assert COOKIE_NAME in response.cookies
    return Tablet.objects.get(hub=hub, name=name, revoked_at__isnull=True)


def with_pin(user, pin: str = "1234"):
    pin_set(user=user, pin=pin)
    return user


def switch_in(client: Client, user, pin: str = "1234"):
    return client.post(reverse("tablet_pin", args=[user.pk]), {"pin": pin})
