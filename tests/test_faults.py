"""Intake keeps working when parts fail: a dropoff posted at the table completes quickly with
Redis stopped or hung, and a database connection lost in the middle of a dropoff gives a
clear error, stores nothing, and leaves the next request working. (A worker killed mid-alert:
tests/test_alert_worker.py.)"""

import os
import threading
import time
from decimal import Decimal

import psycopg
import pytest
from django.conf import settings
from django.db import connection, connections

from hub.models import Dropoff, DropoffLine
from inventory.alerts import alerts_undelivered
from inventory.models import CapacityAlert, StockMovement
from inventory.services import StockLine, stock_receive
from tests.factories import ItemFactory, StorageLocationFactory
from tests.intake import assert_nothing_stored, dropoff_form, intake_url, line, login
from tests.ledger import assert_ledger_matches_balances, qty
from tests.worker import RedisServer, broker, eventually

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _require_postgres():
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        pytest.skip("needs DATABASE_URL for Postgres, as `make test` sets it")


@pytest.fixture
def hall(hub):
    return StorageLocationFactory(hub=hub, name="Main hall", capacity_litres=Decimal("100"))


@pytest.fixture
def blankets(db):
    return ItemFactory(name="Blanket", unit_volume_litres=Decimal("1"))


# --- Redis stopped or hung -----------------------------------------------------------------


@pytest.fixture
def private_redis(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.parametrize("fault", ["stopped", "hung"])
def test_a_dropoff_at_the_table_completes_in_under_2_s_with_redis(
    fault, client, settings, hub, volunteer, hall, blankets, private_redis
):
    # Broker and cache both on the private Redis, as in production.
    settings.CACHES = {
        alias: {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": private_redis.url,
            "OPTIONS": {"socket_connect_timeout": timeout, "socket_timeout": timeout},
        }
        for alias, timeout in (("default", 1), ("sessions", 0.25))
    }
    settings.SESSION_ENGINE, settings.SESSION_CACHE_ALIAS = "hub.sessions", "sessions"
    stock_receive(lines=[StockLine(blankets, hall, 70)], user=None)  # 70 %: under the mark
    login(client, volunteer)
    with broker(private_redis.url):
        private_redis.stop() if fault == "stopped" else private_redis.hang()

        started = time.monotonic()
        # 85 %: crosses "nearly full", so the request queues an alert on a dead broker.
        response = client.post(intake_url(hub), dropoff_form(hall, line(blankets, 15)))
        seconds = time.monotonic() - started

    print(f"\ndropoff posted with Redis {fault}: {seconds:.3f} s")
    assert seconds < 2.0, seconds
    assert response.status_code == 302
    assert Dropoff.objects.count() == 1
    assert qty(blankets, hall) == 85
    # The alert is raised and waits for the minute's sweep.
    assert alerts_undelivered() == [CapacityAlert.objects.get().pk]


# --- the database connection lost mid-dropoff ----------------------------------------------


def other_session():
    database = settings.DATABASES["default"]
    return psycopg.connect(
        dbname=database["NAME"],
        user=database["USER"],
        host=database["HOST"],
        port=database["PORT"] or 5432,
        password=database["PASSWORD"],
        autocommit=True,
    )


def test_a_dropoff_whose_database_connection_is_killed_stores_nothing_and_the_next_works(
    client, hub, volunteer, hall, blankets
):
    client.raise_request_exception = False  # answered as a server does, not re-raised
    login(client, volunteer)
    form = dropoff_form(hall, line(blankets, 5))
    answers = []

    def post():
        try:
            answers.append(client.post(intake_url(hub), form))
        finally:
            connections.close_all()  # this thread's connection

    with other_session() as other:
        # Hold the stock lock the dropoff takes after writing its dropoff and lines, so it
        # waits there, half done, in its transaction.
        other.execute("SELECT pg_advisory_lock(%s, %s)", [hall.pk, blankets.pk])
        request = threading.Thread(target=post)
        request.start()
        waiting = eventually(
            lambda: other.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                " AND wait_event_type = 'Lock' AND query LIKE %s",
                ["%pg_advisory_xact_lock%"],
            ).fetchone(),
            timeout=10,
            what="the dropoff waiting on the stock lock",
        )
        assert other.execute(
            "SELECT count(*) FROM hub_dropoff WHERE idempotency_key = %s",
            [form["idempotency_key"]],
        ).fetchone() == (0,)  # not committed: the dropoff is mid-transaction

        # The connection drops (a failover, a restarted pgbouncer, a network cut).
        other.execute("SELECT pg_terminate_backend(%s)", [waiting[0]])
        request.join(timeout=10)
        other.execute("SELECT pg_advisory_unlock(%s, %s)", [hall.pk, blankets.pk])

    [answer] = answers
    assert answer.status_code == 503
    assert "The connection to the database was lost." in answer.text
    assert "Nothing of this request was saved." in answer.text
    assert answer["Retry-After"] == "5"
    assert_nothing_stored()

    # The volunteer taps again (same form, same key): a new connection, logged once.
    again = client.post(intake_url(hub), form)
    assert again.status_code == 302
    dropoff = Dropoff.objects.get()
    assert dropoff.idempotency_key == form["idempotency_key"]
    assert DropoffLine.objects.count() == 1
    assert StockMovement.objects.count() == 1
    assert qty(blankets, hall) == 5
    assert_ledger_matches_balances()
    assert connection.is_usable()
