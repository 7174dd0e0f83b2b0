"""Names reach e-mail subjects, CSV cells and chat messages: they are refused with a line
break or another control character when saved, and an alert about a place whose name was
stored before that check still goes out, its subject on one line."""

from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from deliveries.forms import DestinationForm
from hub.models import Membership
from inventory.alerts import alert_send
from inventory.models import AlertDelivery, CapacityAlert, StorageLocation
from inventory.services import StockLine, stock_receive
from tests.factories import ItemFactory, StorageLocationFactory

BAD_NAMES = [
    "Back\nroom",
    "Back\r\nBcc: x@example.org",
    "Back\troom",
    "Back\x1broom",
    "Back\u2028room",
]


def test_it_sends_the_alert_of_a_location_stored_with_a_line_break(hub, coordinator):
    coordinator.email = "c@example.org"
    coordinator.save()
    Membership.objects.filter(user=coordinator).update(alert_emails=True)
    hub.close_when_full = False
    hub.save()
    # Stored before names were checked: straight into the table, past every form.
    shelf = StorageLocationFactory(hub=hub, name="Back\r\nroom", capacity_litres=Decimal("100"))
    StorageLocationFactory(hub=hub, name="Garage", capacity_litres=Decimal("1000"))
    stock_receive(
        lines=[StockLine(ItemFactory(unit_volume_litres=Decimal("1")), shelf, 82)], user=None
    )
    alert = CapacityAlert.objects.get(location=shelf)

    assert alert_send(alert_id=alert.pk) == []

    [message] = mail.outbox
    assert message.subject.startswith(
        "West Adams Hub: Back room is 82.0 % full (nearly full at 80 %). Full in about"
    )
    message.message()  # a subject with a line break is refused here, as at the send
    assert AlertDelivery.objects.get(alert=alert).sent_at is not None


@pytest.mark.parametrize("name", BAD_NAMES)
def test_it_refuses_a_location_name_with_a_control_character_in_the_admin(
    client, admin_user, hub, name
):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:inventory_storagelocation_add"),
        {"hub": hub.pk, "name": name, "capacity_litres": "50", "is_active": "on"},
    )

    # Line breaks and tabs reach the form, which says why; other control characters are
    # refused for the whole request before any form reads it (hub.control_characters).
    refused_whole = any(ord(c) < 32 and c not in "\t\n\r" for c in name)
    assert response.status_code == (400 if refused_whole else 200)
    assert ("control characters" if refused_whole else "Write it on one line") in response.text
    assert not StorageLocation.objects.exists()


@pytest.mark.parametrize("name", BAD_NAMES)
def test_it_refuses_a_destination_name_with_a_control_character(hub, name):
    form = DestinationForm({"name": name, "kind": "shelter", "contact_name": name}, hub=hub)

    assert not form.is_valid()
    assert form.errors["name"] == [
        "Write it on one line, without line breaks, tabs or other control characters."
    ]
    assert "contact_name" in form.errors
