"""Capacity alerts delivered by a real Celery worker process to a webhook receiver on
loopback, through a Redis of the test's own that the test stops and starts: a dead broker
never blocks intake, and the alert still goes out, once, when the broker is back."""

import os
import re
import time
import uuid
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from hub.intake.services import DropoffLineInput, dropoff_log
from inventory.alerts import alerts_undelivered
from inventory.models import AlertDelivery, AlertLevel, CapacityAlert, Webhook
from inventory.tasks import alert_deliver, alerts_sweep
from tests.factories import ItemFactory, StorageLocationFactory
from tests.worker import (
    FIRST_RETRY_SECONDS,
    SITE_URL,
    RedisServer,
    WebhookReceiver,
    broker,
    eventually,
    worker_spawn,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _require_services():
    # The worker is another process: it needs a database server it can share with this one.
    # Redis it does not need from the environment: each test starts its own.
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        pytest.skip("needs DATABASE_URL for Postgres, as `make test` sets it")


@pytest.fixture
def private_redis(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def receiver():
    receiver = WebhookReceiver()
    try:
        yield receiver
    finally:
        receiver.close()


@pytest.fixture
def web(private_redis):
    """This process, which stands for the web process, queueing on the private Redis."""
    with broker(private_redis.url):
        yield


def _worker(private_redis, directory):
    worker = worker_spawn(redis_url=private_redis.url, directory=directory)
    try:
        worker.wait_ready()
        yield worker
    finally:
        worker.stop()


@pytest.fixture
def worker(transactional_db, web, private_redis, tmp_path):
    """A worker on the private Redis and the test database. Stopped before pytest-django
    empties the tables, so it holds no connection then."""
    yield from _worker(private_redis, tmp_path)


@pytest.fixture
def second_worker(worker, private_redis, tmp_path):
    yield from _worker(private_redis, tmp_path)


@pytest.fixture
def hall(hub):
    return StorageLocationFactory(hub=hub, name="Main hall", capacity_litres=Decimal("100"))


@pytest.fixture
def tent(hub):
    """Empty, and big enough that the hub as a whole stays far below its thresholds: only
    the hall's crossing raises an alert."""
    return StorageLocationFactory(hub=hub, name="Overflow tent", capacity_litres=Decimal("1000"))


@pytest.fixture
def blankets(db):
    return ItemFactory(name="Blanket", unit_volume_litres=Decimal("1"))


@pytest.fixture
def webhook(hub, receiver):
    return Webhook.objects.create(hub=hub, name="Coordinators' chat", url=receiver.url)


def log(hub, user, item, location, quantity):
    return dropoff_log(
        hub=hub,
        user=user,
        lines=[DropoffLineInput(item, quantity, location=location)],
        idempotency_key=uuid.uuid4().hex,
    )


def delivery(alert: CapacityAlert) -> AlertDelivery:
    return AlertDelivery.objects.get(alert=alert)


def sent(alert: CapacityAlert):
    return AlertDelivery.objects.filter(alert=alert, sent_at__isnull=False).first()


def runs(worker, task: str) -> list[float]:
    """How long each run of the task that succeeded on the worker took, by its log."""
    pattern = rf"Task {re.escape(task)}\[[\w-]+\] succeeded in ([\d.]+)s"
    return [float(seconds) for seconds in re.findall(pattern, worker.text())]


SWEEP = "inventory.tasks.alerts_sweep"


@pytest.mark.worker
def test_it_logs_a_dropoff_while_redis_is_down_and_the_alert_arrives_once_it_is_back(
    hub, volunteer, hall, tent, blankets, webhook, receiver, private_redis, worker
):
    log(hub, volunteer, blankets, hall, 70)  # 70 %: below nearly full
    assert not CapacityAlert.objects.exists()
    # A minute's sweep as beat queues it: this process has a live broker connection now, as
    # a web process that has queued before has, and the worker takes tasks.
    alerts_sweep.apply_async()
    eventually(lambda: runs(worker, SWEEP), timeout=10, what="sweep run by the worker")

    private_redis.stop()
    assert not private_redis.answers()

    started = time.monotonic()
    log(hub, volunteer, blankets, hall, 15)  # 85 %: crosses nearly full (80 %)
    dropoff_seconds = time.monotonic() - started

    # Intake went on without the broker, without waiting on it for long.
    assert dropoff_seconds < 2.0, dropoff_seconds
    alert = CapacityAlert.objects.get()
    assert (alert.location, alert.level) == (hall, AlertLevel.NEARLY_FULL)
    assert alert.fill_percent == Decimal("85.0")
    assert alerts_undelivered() == [alert.pk]
    assert not AlertDelivery.objects.filter(sent_at__isnull=False).exists()

    # Beat queues the minute's sweep; here the sweep runs as soon as Redis is back.
    assert any(
        entry["task"] == "inventory.tasks.alerts_sweep" and float(entry["schedule"]) == 60
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
    )
    assert receiver.received() == []  # nothing got through while Redis was down
    private_redis.start()
    back = time.monotonic()
    assert alerts_sweep() == 1

    [post] = eventually(receiver.received, timeout=30, what="webhook POST")
    alert_seconds = post.at - back
    print(f"\ndropoff with Redis down: {dropoff_seconds:.3f} s")
    print(f"alert at the webhook after Redis is back: {alert_seconds:.3f} s")

    assert post.path == "/hook"
    assert post.headers["Content-Type"] == "application/json"
    assert post.headers["Idempotency-Key"] == f"donation-hub-alert-{alert.pk}-webhook:{webhook.pk}"
    payload = post.json()
    assert payload["hub"] == hub.name
    assert payload["hub_slug"] == hub.slug
    assert payload["location"] == "Main hall"
    assert payload["level"] == AlertLevel.NEARLY_FULL
    assert payload["fill_percent"] == 85.0
    assert payload["threshold_percent"] == 80
    assert payload["link"] == SITE_URL + reverse("alert_list", args=[hub.slug])
    assert hub.name in payload["text"] and "Main hall" in payload["text"]
    assert "85" in payload["text"] and payload["link"] in payload["text"]

    done = eventually(lambda: sent(alert), timeout=10, what="delivery marked sent")
    assert done.attempts == 1
    assert done.last_error == ""
    assert alerts_undelivered() == []

    # The next minute's sweep, queued to the worker as beat does: nothing more to send.
    alerts_sweep.apply_async()
    eventually(lambda: len(runs(worker, SWEEP)) == 2, timeout=10, what="second sweep run")
    assert len(receiver.received()) == 1
    assert delivery(alert).attempts == 1
    assert "Traceback" not in worker.text(), worker.text()


@pytest.mark.worker
def test_it_sends_an_alert_once_even_when_the_task_runs_twice(
    hub, hall, webhook, receiver, worker, second_worker
):
    alert = CapacityAlert.objects.create(
        hub=hub,
        location=hall,
        level=AlertLevel.NEARLY_FULL,
        fill_percent=Decimal("81.0"),
        threshold_percent=80,
    )
    # A slow receiver: the second run starts while the first still holds the channel.
    receiver.delay = 2.0

    alert_deliver.apply_async(args=[alert.pk])
    alert_deliver.apply_async(args=[alert.pk])

    task = "inventory.tasks.alert_deliver"
    eventually(
        lambda: len(runs(worker, task) + runs(second_worker, task)) == 2,
        timeout=20,
        what="both runs of the task",
    )
    # Each worker ran it once (a solo worker takes one task at a time), at the same time:
    # one run waited on the slow receiver; the other found the channel taken and skipped it.
    [first], [second] = runs(worker, task), runs(second_worker, task)
    skipped, sending = sorted([first, second])
    assert skipped < 1.0 <= receiver.delay <= sending, (first, second)
    assert len(receiver.received()) == 1
    done = delivery(alert)
    assert done.sent_at is not None
    assert done.attempts == 1
    assert "retry" not in (worker.text() + second_worker.text()).lower()
    assert "Traceback" not in worker.text() + second_worker.text()


@pytest.mark.worker
def test_it_retries_a_failing_webhook_with_backoff_and_records_the_error(
    hub, volunteer, hall, tent, blankets, webhook, receiver, worker
):
    receiver.statuses[:] = [500]

    log(hub, volunteer, blankets, hall, 85)  # queued on commit, Redis is up
    alert = CapacityAlert.objects.get()

    failed = eventually(
        lambda: AlertDelivery.objects.filter(
            alert=alert, attempts=1, sending_since__isnull=True
        ).first(),
        timeout=15,
        what="first attempt recorded",
    )
    assert failed.sent_at is None
    assert "500" in failed.last_error, failed.last_error
    assert alerts_undelivered() == []  # the sweep leaves it to its backoff

    done = eventually(lambda: sent(alert), timeout=20, what="delivery sent on retry")
    first, second = receiver.received()
    # The first retry waits its backoff (production's 10 s is 1 s here), not more.
    gap = second.at - first.at
    assert FIRST_RETRY_SECONDS * 0.9 <= gap < FIRST_RETRY_SECONDS + 6, gap
    assert first.headers["Idempotency-Key"] == second.headers["Idempotency-Key"]
    assert done.attempts == 2
    assert done.last_error == ""


@pytest.mark.worker
def test_it_sends_an_alert_exactly_once_when_its_worker_is_killed_mid_send_and_restarted(
    hub, hall, webhook, receiver, private_redis, tmp_path, worker
):
    alert = CapacityAlert.objects.create(
        hub=hub,
        location=hall,
        level=AlertLevel.FULL,
        fill_percent=Decimal("96.0"),
        threshold_percent=95,
    )
    # The receiver gets the first POST but holds its answer: the worker is mid-send.
    receiver.delays[:] = [30.0]
    alert_deliver.apply_async(args=[alert.pk])
    eventually(receiver.received, timeout=15, what="the first POST")
    in_flight = delivery(alert)
    assert in_flight.sending_since is not None and in_flight.sent_at is None
    assert alerts_undelivered() == []  # its worker lives: nobody else may send it

    worker.kill()

    # Postgres ends the dead worker's session and drops its lock on the delivery: the sweep
    # sees at once that nobody is sending it.
    eventually(lambda: alerts_undelivered() == [alert.pk], timeout=10, what="the send due")
    assert delivery(alert).sending_since is not None  # the dead worker never recorded it
    restarted = worker_spawn(redis_url=private_redis.url, directory=tmp_path)
    try:
        restarted.wait_ready()
        alerts_sweep.apply_async()  # the next minute's sweep, as beat queues it
        done = eventually(lambda: sent(alert), timeout=20, what="delivery sent after restart")
        assert done.attempts == 2 and done.sending_since is None

        first, again = receiver.received()
        key = f"donation-hub-alert-{alert.pk}-webhook:{webhook.pk}"
        assert first.headers["Idempotency-Key"] == again.headers["Idempotency-Key"] == key
        assert first.json() == again.json()
        # Shown exactly once by a receiver that honours the key.
        assert receiver.shown() == [first]

        # Nothing more goes out: the next sweep finds it sent.
        alerts_sweep.apply_async()
        eventually(lambda: len(runs(restarted, SWEEP)) == 2, timeout=10, what="second sweep")
        assert len(receiver.received()) == 2
        assert "Traceback" not in restarted.text(), restarted.text()
    finally:
        restarted.stop()


# --- a hung broker: accepts connections, never answers -------------------------------------


def test_a_hung_broker_holds_up_a_dropoff_about_a_second_at_most(
    hub, volunteer, hall, tent, blankets, private_redis, web
):
    log(hub, volunteer, blankets, hall, 70)
    private_redis.hang()

    started = time.monotonic()
    log(hub, volunteer, blankets, hall, 15)  # crosses nearly full: one alert
    seconds = time.monotonic() - started
    print(f"\ndropoff with Redis hung, 1 alert: {seconds:.3f} s")

    assert seconds < 2.0, seconds
    assert alerts_undelivered() == [CapacityAlert.objects.get().pk]


def test_a_hung_broker_holds_up_a_dropoff_raising_several_alerts_about_a_second_too(
    hub, volunteer, hall, blankets, private_redis, web
):
    StorageLocationFactory(hub=hub, name="Closet", capacity_litres=Decimal("20"))
    log(hub, volunteer, blankets, hall, 70)
    private_redis.hang()

    started = time.monotonic()
    # The hall 96 % full, the hub's storage 80 %: two alerts at once.
    log(hub, volunteer, blankets, hall, 26)
    seconds = time.monotonic() - started
    print(f"\ndropoff with Redis hung, 2 alerts: {seconds:.3f} s")

    assert CapacityAlert.objects.count() == 2
    assert seconds < 2.0, seconds
