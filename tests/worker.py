"""Helpers of the tests that deliver alerts with a real Celery worker: a private Redis server
that a test may stop and start, a webhook receiver on loopback, the worker process, and
pointing this process's Celery app at the private Redis."""

import contextlib
import json
import os
import shutil
import signal
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import kombu.pools
import pytest
import redis
from django.conf import settings

from config.celery import app
from tests.deployment import (
    TEST_SECRET_KEY,
    VENV_BIN,
    free_port,
    production_env,
    start,
    stop,
    wait_for,
)

# What the worker puts in front of the links of its alerts.
SITE_URL = "https://hub.test"
# The worker's first retry of a failed alert channel: 1 s, not production's 10 s wait.
FIRST_RETRY_SECONDS = 1


def eventually(condition, *, timeout: float, what: str, interval: float = 0.1):
    """Poll `condition` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(interval)
    pytest.fail(f"no {what} within {timeout:.0f} s")


# --- Redis ---------------------------------------------------------------------------------


class RedisServer:
    """A redis-server of this test alone on a free loopback port, never the machine's shared
    one: stopping it cannot disturb anything else. No persistence, so what was queued when it
    stopped is gone when it starts again, as after a crash of an unpersisted broker."""

    def __init__(self, directory: Path):
        executable = shutil.which("redis-server")
        if executable is None:
            pytest.fail("redis-server is not installed; `make test` installs it")
        self.executable = executable
        self.directory = directory
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None
        self.log = directory / f"redis-{self.port}.log"

    def start(self) -> None:
        command = [
            self.executable,
            *("--port", str(self.port), "--bind", "127.0.0.1"),
            *("--save", "", "--appendonly", "no", "--dir", str(self.directory)),
        ]
        self.process = process = start(command, dict(os.environ), self.log)
        wait_for(self.answers, timeout=10, process=process, log=self.log, what="redis PONG")

    def stop(self) -> None:
        if self.process is not None:
            self.resume()  # a stopped process only takes SIGKILL, after stop()'s 15 s
            stop(self.process)
            self.process = None

    def hang(self) -> None:
        """Freeze the server: connections are still accepted (by the kernel) but never
        answered, as with an overloaded or half-dead broker."""
        assert self.process is not None, "not started"
        os.kill(self.process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None, "not started"
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.process.pid, signal.SIGCONT)

    def answers(self) -> bool:
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5, socket_timeout=0.5)
        try:
            return client.ping()
        except redis.RedisError:
            return False
        finally:
            client.close()


# --- Celery --------------------------------------------------------------------------------


def _pools_discard(*owned) -> None:
    """Close these broker pools and forget them. Only these: kombu keeps one pool per broker
    for the whole process, and a closed one stays closed ("Acquire on closed pool")."""
    pools = [pool for pool in owned if pool is not None]
    for group in (kombu.pools.producers, kombu.pools.connections):
        for key, pool in list(group.items()):
            if any(pool is ours for ours in pools):
                dict.__delitem__(group, key)  # keys are stored hashed already
    for pool in pools:
        with contextlib.suppress(Exception):
            pool.force_close_all()


@contextlib.contextmanager
def broker(url: str):
    """Point this process's Celery app (what the web process queues alerts with) at `url`,
    sending for real rather than eagerly; afterwards put back the settings and the pools the
    app had, untouched."""
    keys = ("broker_url", "task_always_eager")
    saved = {key: app.conf[key] for key in keys}
    # The pools are Celery's private attributes, which celery-types leaves out.
    celery: Any = app
    saved_pools = (celery._pool, celery.amqp._producer_pool)
    app.conf.update(broker_url=url, task_always_eager=False)
    # Celery builds its pools at first use and keeps them: new ones, for this broker.
    celery._pool = celery.amqp._producer_pool = None
    try:
        expected = urlsplit(url)
        with app.producer_or_acquire() as producer:  # what apply_async sends with
            connection = producer.connection
            assert (connection.hostname, connection.port) == (expected.hostname, expected.port)
        yield
    finally:
        _pools_discard(celery.amqp._producer_pool, celery._pool)
        celery._pool, celery.amqp._producer_pool = saved_pools
        for key, value in saved.items():
            app.conf[key] = value


def worker_database_url() -> str:
    """DATABASE_URL of the database pytest-django created for this run (see the web command's
    test): the worker must read and write what this test writes."""
    url = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(url._replace(path="/" + settings.DATABASES["default"]["NAME"]))


@dataclass
class Worker:
    process: subprocess.Popen
    log: Path
    name: str

    def text(self) -> str:
        return self.log.read_text()

    def wait_ready(self) -> None:
        wait_for(
            lambda: f"celery@{self.name} ready." in self.text(),
            timeout=30,
            process=self.process,
            log=self.log,
            what="worker ready",
        )

    def stop(self) -> None:
        stop(self.process)

    def kill(self) -> None:
        """SIGKILL, no goodbye: as the kernel's OOM killer or a lost machine would."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)


def worker_spawn(*, redis_url: str, directory: Path) -> Worker:
    """`celery -A config worker` in its own process group, on the private Redis and the test
    database, with a unique node name. Call wait_ready() before giving it work."""
    name = f"alerttest-{uuid.uuid4().hex[:12]}"
    command = [
        str(VENV_BIN / "celery"),
        *("-A", "config", "worker", "--pool", "solo", "--concurrency", "1"),
        *("--hostname", f"celery@{name}", "--loglevel", "INFO"),
        # Nothing else listens on this Redis: no other node to sync with or to gossip to.
        *("--without-mingle", "--without-gossip"),
    ]
    env = production_env(
        SECRET_KEY=TEST_SECRET_KEY,
        DATABASE_URL=worker_database_url(),
        REDIS_URL=redis_url,
        SITE_URL=SITE_URL,
        ALERT_FIRST_RETRY_SECONDS=str(FIRST_RETRY_SECONDS),
        # No SMTP server here; the tests' hubs have no e-mail recipients anyway.
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        # The tests' chat tool listens on loopback, which webhooks may not reach otherwise.
        WEBHOOKS_ALLOW_PRIVATE_NETWORKS="true",
    )
    log = directory / f"{name}.log"
    return Worker(process=start(command, env, log), log=log, name=name)


# --- the webhook receiver ------------------------------------------------------------------


@dataclass
class Received:
    at: float  # time.monotonic()
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)


@dataclass
class WebhookReceiver:
    """An HTTP server on 127.0.0.1 that records each POST; it answers with `statuses` in turn
    (then 200), each answer after `delays` in turn (then `delay`) seconds."""

    statuses: list[int] = field(default_factory=list)
    delay: float = 0.0
    delays: list[float] = field(default_factory=list)
    requests: list[Received] = field(default_factory=list)

    def __post_init__(self):
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver._lock:
                    receiver.requests.append(
                        Received(time.monotonic(), self.path, dict(self.headers.items()), body)
                    )
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                    delay = receiver.delays.pop(0) if receiver.delays else receiver.delay
                time.sleep(delay)
                with contextlib.suppress(OSError):  # the sender may be dead by now
                    self.send_response(status)
                    self.send_header("Content-Type", "text/plain")
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")

            def log_message(self, format, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def received(self) -> list[Received]:
        with self._lock:
            return list(self.requests)

    def shown(self) -> list[Received]:
        """What a receiver that honours Idempotency-Key acts on: the first of each key."""
        seen, first = set(), []
        for request in self.received():
            key = request.headers["Idempotency-Key"]
            if key not in seen:
                seen.add(key)
                first.append(request)
        return first

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
