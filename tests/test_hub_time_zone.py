"""A hub's pages are in the hub's own time zone, whatever the deployment's default."""

from datetime import UTC, datetime
from decimal import Decimal

import time_machine
from django.urls import reverse

from hub.intake.services import DropoffLineInput
from tests.factories import StorageLocationFactory
from tests.intake import logged


def test_it_shows_a_dropoffs_time_in_the_hubs_zone(client, hub, volunteer, water):
    hall = StorageLocationFactory(hub=hub, name="Main hall", capacity_litres=Decimal("1000"))
    with time_machine.travel(datetime(2026, 1, 10, 0, 30, tzinfo=UTC), tick=False):
        logged(hub, volunteer, DropoffLineInput(water, 2, location=hall))
    client.force_login(volunteer)

    los_angeles = client.get(reverse("intake_recent", args=[hub.slug])).content.decode()
    hub.time_zone = "Asia/Tokyo"
    hub.save()
    tokyo = client.get(reverse("intake_recent", args=[hub.slug])).content.decode()

    assert "4:30 p.m." in los_angeles
    assert "9:30 a.m." in tokyo
