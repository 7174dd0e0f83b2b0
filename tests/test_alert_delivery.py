"""Sending an alert: e-mail to the coordinators and admins who opted in, a JSON POST to each
webhook, each channel once, failures recorded and retried; and the alerts page."""

import contextlib
import json
import threading
import time
from datetime import timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import psycopg
import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from hub.models import Membership
from inventory.alerts import alert_send, alerts_undelivered
from inventory.locks import ALERT_DELIVERY_LOCK_SPACE
from inventory.models import AlertDelivery, CapacityAlert, Webhook
from inventory.services import StockLine, stock_receive
from inventory.tasks import alerts_enqueue
from tests.factories import ItemFactory, StorageLocationFactory, UserFactory
from tests.worker import broker


class Receiver(BaseHTTPRequestHandler):
    """A chat tool on loopback: records each POST; answers with the next planned status."""

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append((dict(self.headers), json.loads(body)))
        status = self.server.statuses.pop(0) if self.server.statuses else 200
        self.send_response(status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(autouse=True)
def _webhooks_on_loopback(settings):
    # The receivers here listen on 127.0.0.1, a private address webhooks may not reach
    # unless the deployment allows it on purpose (tests/test_webhook_addresses.py).
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True


@pytest.fixture
def receiver():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    server.received, server.statuses = [], []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def alert(hub, settings):
    settings.SITE_URL = "https://hub.example.org"
    hub.close_when_full = False
    hub.save()
    shelf = StorageLocationFactory(hub=hub, name="Back room", capacity_litres=Decimal("100"))
    # Room elsewhere, so that only the back room crosses, not the hub as a whole.
    StorageLocationFactory(hub=hub, name="Garage", capacity_litres=Decimal("1000"))
    stock_receive(
        lines=[StockLine(ItemFactory(unit_volume_litres=Decimal("1")), shelf, 82)], user=None
    )
    return CapacityAlert.objects.get(location=shelf)


def opted_in(user, hub):
    Membership.objects.filter(user=user, hub=hub).update(alert_emails=True)


def test_it_emails_the_coordinators_and_admins_who_opted_in(
    hub, alert, coordinator, admin_user, volunteer, outsider
):
    for user, email in ((coordinator, "c@example.org"), (admin_user, "a@example.org")):
        user.email = email
        user.save()
    quiet = UserFactory(role="Coordinator", hubs=[hub], email="quiet@example.org")
    volunteer.email = "v@example.org"
    volunteer.save()
    opted_in(coordinator, hub)
    opted_in(admin_user, hub)
    opted_in(volunteer, hub)  # volunteers get no alert e-mail, even opted in
    assert quiet.memberships.get().alert_emails is False

    assert alert_send(alert_id=alert.pk) == []

    # One message each, so that no one sees the others' addresses.
    assert sorted(m.to for m in mail.outbox) == [["a@example.org"], ["c@example.org"]]
    for message in mail.outbox:
        assert "Back room is 82.0 % full" in message.subject
        assert "https://hub.example.org/hubs/west-adams/alerts/" in message.body


def test_it_posts_the_alert_to_each_webhook_as_json(hub, alert, receiver):
    port = receiver.server_address[1]
    Webhook.objects.create(hub=hub, name="Chat", url=f"http://127.0.0.1:{port}/hook")

    alert_send(alert_id=alert.pk)

    [(headers, body)] = receiver.received
    assert body["hub"] == "West Adams Hub"
    assert body["location"] == "Back room"
    assert (body["fill_percent"], body["threshold_percent"], body["level"]) == (
        82.0,
        80,
        "nearly_full",
    )
    assert body["link"] == "https://hub.example.org/hubs/west-adams/alerts/"
    assert body["text"].startswith("West Adams Hub: Back room is 82.0 % full (nearly full at 80 %)")
    assert "hours_to_full" in body
    assert headers["Idempotency-Key"].startswith(f"donation-hub-alert-{alert.pk}-webhook:")


def test_it_sends_each_channel_once_however_often_it_runs(hub, alert, receiver, coordinator):
    coordinator.email = "c@example.org"
    coordinator.save()
    opted_in(coordinator, hub)
    Webhook.objects.create(
        hub=hub, name="Chat", url=f"http://127.0.0.1:{receiver.server_address[1]}/"
    )

    alert_send(alert_id=alert.pk)
    alert_send(alert_id=alert.pk)

    assert len(receiver.received) == 1
    assert len(mail.outbox) == 1
    assert sorted(AlertDelivery.objects.values_list("channel", "attempts")) == [
        ("email", 1),
        (f"webhook:{Webhook.objects.get().pk}", 1),
    ]
    assert alerts_undelivered() == []


def test_it_records_a_failing_webhook_and_sends_it_on_a_later_run(hub, alert, receiver):
    receiver.statuses = [500]
    Webhook.objects.create(
        hub=hub, name="Chat", url=f"http://127.0.0.1:{receiver.server_address[1]}/"
    )

    [failed] = alert_send(alert_id=alert.pk)
    assert (failed.attempts, failed.sent_at) == (1, None)
    assert "500" in failed.last_error
    assert alert_send(alert_id=alert.pk) == []  # too soon: the backoff is 10 s
    assert alerts_undelivered() == []

    later = time_machine.travel(timezone.now() + timedelta(seconds=11))
    with later:
        assert alerts_undelivered() == [alert.pk]
        assert alert_send(alert_id=alert.pk) == []
    delivery = AlertDelivery.objects.get()
    assert delivery.attempts == 2 and delivery.sent_at is not None
    assert len(receiver.received) == 2


def test_it_gives_up_on_a_webhook_that_does_not_answer_in_time(hub, alert, monkeypatch):
    monkeypatch.setattr("inventory.alerts.WEBHOOK_TIMEOUT_SECONDS", 0.5)
    silent = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)  # never answers
    Webhook.objects.create(
        hub=hub, name="Hung", url=f"http://127.0.0.1:{silent.server_address[1]}/"
    )

    started = time.monotonic()
    [failed] = alert_send(alert_id=alert.pk)

    assert time.monotonic() - started < 3
    assert "timed out" in failed.last_error.lower()
    silent.server_close()


def test_it_never_fails_or_holds_up_the_request_when_the_broker_is_down(alert):
    with broker("redis://127.0.0.1:1/0"):  # nothing listens on port 1
        started = time.monotonic()
        assert alerts_enqueue(alert_ids=[alert.pk, alert.pk]) == 0
        assert time.monotonic() - started < 1.5
    assert alerts_undelivered() == [alert.pk]  # the minute's sweep will send it


def test_it_lists_alerts_and_lets_a_coordinator_acknowledge_them(client, hub, alert, coordinator):
    client.force_login(coordinator)
    page = client.get(reverse("hub_detail", args=[hub.slug])).text
    assert "Storage alert" in page and "Back room 82.0 %" in page  # the banner

    response = client.post(reverse("alert_acknowledge", args=[hub.slug, alert.pk]))

    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.acknowledged_by == coordinator
    listing = client.get(reverse("alert_list", args=[hub.slug])).text
    assert "carlos" in listing and "Acknowledge</button>" not in listing
    assert "Storage alert" not in client.get(reverse("hub_detail", args=[hub.slug])).text


def test_it_keeps_alerts_to_coordinators_and_admins_of_the_hub(
    client, hub, alert, volunteer, outsider
):
    client.force_login(volunteer)
    assert client.get(reverse("alert_list", args=[hub.slug])).status_code == 403
    assert "Storage alert" not in client.get(reverse("hub_detail", args=[hub.slug])).text
    client.force_login(outsider)
    assert client.get(reverse("alert_list", args=[hub.slug])).status_code == 404
    url = reverse("alert_acknowledge", args=[hub.slug, alert.pk])
    assert client.post(url).status_code == 404
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


def test_it_lets_a_coordinator_opt_in_and_out_of_alert_emails(client, hub, coordinator):
    client.force_login(coordinator)
    url = reverse("alert_emails_toggle", args=[hub.slug])

    client.post(url, {"alert_emails": "on"})
    assert Membership.objects.get(user=coordinator, hub=hub).alert_emails
    client.post(url, {})
    assert not Membership.objects.get(user=coordinator, hub=hub).alert_emails


@contextlib.contextmanager
def another_worker_sending(delivery: AlertDelivery):
    """A second database session holding the delivery's lock, as a live worker that is
    sending it does."""
    database = settings.DATABASES["default"]
    with psycopg.connect(
        dbname=database["NAME"],
        user=database["USER"],
        host=database["HOST"],
        port=database["PORT"] or 5432,
        password=database["PASSWORD"],
        autocommit=True,
    ) as other:
        held = other.execute(
            "SELECT pg_try_advisory_lock(%s::bigint)",
            [(ALERT_DELIVERY_LOCK_SPACE << 32) | delivery.pk],
        ).fetchone()
        assert held == (True,)
        yield


@pytest.fixture
def webhook(hub, receiver):
    return Webhook.objects.create(
        hub=hub, name="Chat", url=f"http://127.0.0.1:{receiver.server_address[1]}/"
    )


def test_it_sends_again_with_the_same_key_a_channel_whose_worker_died_mid_send(
    client, hub, alert, webhook, receiver, coordinator
):
    # A worker claimed the channel (committed), started sending, and was killed: its
    # session, and with it the delivery's lock, is gone.
    AlertDelivery.objects.create(
        alert=alert,
        channel=f"webhook:{webhook.pk}",
        attempts=1,
        sending_since=timezone.now() - timedelta(seconds=5),
    )
    client.force_login(coordinator)
    page = client.get(reverse("alert_list", args=[hub.slug])).text
    assert "cut off while sending: it will be sent again" in page
    assert alerts_undelivered() == [alert.pk]  # the sweep queues it at once

    assert alert_send(alert_id=alert.pk) == []

    [(headers, _body)] = receiver.received
    assert headers["Idempotency-Key"] == f"donation-hub-alert-{alert.pk}-webhook:{webhook.pk}"
    delivery = AlertDelivery.objects.get()
    assert delivery.attempts == 2
    assert delivery.sent_at is not None and delivery.sending_since is None
    assert alerts_undelivered() == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="session locks are Postgres's")
def test_it_leaves_alone_a_channel_a_live_worker_is_sending(
    client, hub, alert, webhook, receiver, coordinator
):
    delivery = AlertDelivery.objects.create(
        alert=alert,
        channel=f"webhook:{webhook.pk}",
        attempts=1,
        sending_since=timezone.now() - timedelta(minutes=30),  # a slow one
    )
    client.force_login(coordinator)

    with another_worker_sending(delivery):
        assert alert_send(alert_id=alert.pk) == []
        assert alerts_undelivered() == []
        page = client.get(reverse("alert_list", args=[hub.slug])).text

    assert receiver.received == []
    assert f"webhook:{webhook.pk}: sending" in page
    assert "cut off" not in page
    delivery.refresh_from_db()
    assert delivery.attempts == 1 and delivery.sent_at is None
    # Once that worker is gone, the channel is due again.
    assert alerts_undelivered() == [alert.pk]


def test_it_gives_each_alert_e_mail_one_message_id_for_every_try(hub, alert, coordinator):
    coordinator.email = "c@example.org"
    coordinator.save()
    opted_in(coordinator, hub)
    alert_send(alert_id=alert.pk)
    AlertDelivery.objects.update(sent_at=None)  # as if the worker died before recording it
    alert_send(alert_id=alert.pk)

    first, second = mail.outbox
    assert first.extra_headers["Message-ID"] == second.extra_headers["Message-ID"]
    assert first.extra_headers["Message-ID"].endswith("@hub.example.org>")
    assert "c@example.org" not in first.extra_headers["Message-ID"]
