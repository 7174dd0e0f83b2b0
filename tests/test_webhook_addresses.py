"""Webhooks go to http(s) on public addresses only, checked when saved and again at each
send, unless the deployment allows private networks on purpose."""

import socket
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from unittest import mock

import pytest
from django.urls import reverse

from inventory.alerts import alert_send
from inventory.models import AlertDelivery, CapacityAlert, Webhook
from inventory.services import StockLine, stock_receive
from tests.factories import ItemFactory, StorageLocationFactory

REFUSED = [
    ("ftp://files.example.org/hook", "Enter an http:// or https:// address."),
    ("http://127.0.0.1:6379/", "is a private, local or reserved address"),
    ("http://localhost/hook", "is a private, local or reserved address"),
    ("http://10.0.0.5/hook", "is a private, local or reserved address"),
    ("http://192.168.1.20/hook", "is a private, local or reserved address"),
    ("http://169.254.169.254/latest/meta-data/", "is a private, local or reserved address"),
    ("http://[::1]/hook", "is a private, local or reserved address"),
    ("http://[::ffff:127.0.0.1]/hook", "is a private, local or reserved address"),
    ("http://224.0.0.1/hook", "is a private, local or reserved address"),
    ("http://240.0.0.1/hook", "is a private, local or reserved address"),
    ("http://0.0.0.0/hook", "is a private, local or reserved address"),
]


def resolving(address):
    """Every host name resolves to `address` (no DNS in the tests)."""
    return mock.patch(
        "inventory.webhooks.socket.getaddrinfo",
        return_value=[(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, 443))],
    )


def add_webhook(client, hub, url):
    return client.post(
        reverse("admin:inventory_webhook_add"),
        {"hub": hub.pk, "name": "Chat", "url": url, "is_active": "on"},
    )


@pytest.mark.parametrize(("url", "message"), REFUSED)
def test_it_refuses_to_save_a_webhook_to_a_private_address_or_another_scheme(
    client, admin_user, hub, url, message
):
    client.force_login(admin_user)

    response = add_webhook(client, hub, url)

    assert response.status_code == 200
    assert message in response.text
    assert not Webhook.objects.exists()


def test_it_refuses_a_host_name_that_resolves_to_a_private_address(client, admin_user, hub):
    client.force_login(admin_user)

    with resolving("10.1.2.3"):
        response = add_webhook(client, hub, "https://chat.internal.example.org/hook")

    assert "chat.internal.example.org is a private, local or reserved address" in response.text
    assert not Webhook.objects.exists()


def test_it_saves_a_webhook_to_a_public_address(client, admin_user, hub):
    client.force_login(admin_user)

    with resolving("93.184.215.14"):
        response = add_webhook(client, hub, "https://chat.example.org/hook")

    assert response.status_code == 302
    assert Webhook.objects.get().url == "https://chat.example.org/hook"


def test_it_saves_a_private_address_when_the_deployment_allows_it(
    client, admin_user, hub, settings
):
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True
    client.force_login(admin_user)

    assert add_webhook(client, hub, "http://10.0.0.5/hook").status_code == 302


def test_it_sends_nothing_to_a_name_that_resolves_to_a_private_address_by_now(hub):
    hub.close_when_full = False
    hub.save()
    shelf = StorageLocationFactory(hub=hub, name="Back room", capacity_litres=Decimal("100"))
    StorageLocationFactory(hub=hub, name="Garage", capacity_litres=Decimal("1000"))
    # Saved while public; the name points at the hub's own Redis now.
    Webhook.objects.create(hub=hub, name="Chat", url="http://chat.example.org:6379/")
    stock_receive(
        lines=[StockLine(ItemFactory(unit_volume_litres=Decimal("1")), shelf, 82)], user=None
    )
    alert = CapacityAlert.objects.get(location=shelf)

    with (
        resolving("127.0.0.1"),
        mock.patch("inventory.webhooks.socket.create_connection") as connect,
    ):
        [failed] = alert_send(alert_id=alert.pk)

    connect.assert_not_called()
    delivery = AlertDelivery.objects.get(pk=failed.pk)
    assert delivery.sent_at is None
    assert "private, local or reserved" in delivery.last_error


def test_it_does_not_post_to_a_name_that_turns_private_between_check_and_connect(hub):
    hub.close_when_full = False
    hub.save()
    shelf = StorageLocationFactory(hub=hub, name="Back room", capacity_litres=Decimal("100"))
    StorageLocationFactory(hub=hub, name="Garage", capacity_litres=Decimal("1000"))
    internal = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    internal.received = []
    threading.Thread(target=internal.serve_forever, daemon=True).start()
    port = internal.server_address[1]
    Webhook.objects.create(hub=hub, name="Chat", url=f"http://chat.example.org:{port}/")
    stock_receive(
        lines=[StockLine(ItemFactory(unit_volume_litres=Decimal("1")), shelf, 82)], user=None
    )
    alert = CapacityAlert.objects.get(location=shelf)
    # DNS rebinding: public when checked, the internal service when connected to.
    answers = iter([("93.184.215.14", port), ("127.0.0.1", port)])
    try:
        with mock.patch(
            "inventory.webhooks.socket.getaddrinfo",
            side_effect=lambda *args, **kwargs: [
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", next(answers))
            ],
        ):
            [failed] = alert_send(alert_id=alert.pk)
    finally:
        internal.shutdown()
        internal.server_close()

    assert internal.received == []
    assert "not public" in AlertDelivery.objects.get(pk=failed.pk).last_error


class Recorder(BaseHTTPRequestHandler):
    def do_POST(self):
        self.server.received.append(self.path)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass
