"""The commands docker-compose.yml runs (web, worker, beat and their healthchecks), run
outside Docker against the test Postgres and Redis, since Docker does not run in CI."""

import glob
import http.client
import os
import re
import subprocess
import time
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings

from tests.deployment import (
    ROOT,
    TEST_SECRET_KEY,
    free_port,
    healthcheck_command,
    production_env,
    replace_once,
    service_command,
    start,
    stop,
    wait_for,
)

# Where compose's beat keeps its schedule inside the container; replaced when run here.
BEAT_SCHEDULE_IN_CONTAINER = "/tmp/celerybeat-schedule"  # noqa: S108


@pytest.fixture(autouse=True)
def _require_services():
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        pytest.skip("needs DATABASE_URL for Postgres, as `make test` sets it")
    if not os.environ.get("REDIS_URL"):
        pytest.skip("needs REDIS_URL, as `make test` sets it")


def get(port: int, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    # http.client, like the compose healthcheck: a redirect is an answer, not followed.
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def answers(port: int, path: str, headers: dict[str, str]):
    try:
        return get(port, path, headers)
    except OSError:
        return None


@pytest.mark.django_db(transaction=True)
def test_it_runs_the_web_command_of_compose(tmp_path):
    # The database pytest-django created for this run, not the main DATABASE_URL: that one
    # is a developer's or CI's own database, which may not even exist (pytest-django only
    # connects to it to create test_<name>), and migrating or writing it from a test would
    # reach outside the disposable database. The test database is already migrated, so
    # `migrate` must be a clean no-op; with transaction=True pytest-django empties every
    # table afterwards, so whatever gunicorn writes (sessions, lockouts) leaks to no other
    # test, and the per-xdist-worker name keeps parallel runs apart.
    database_url = urlsplit(os.environ["DATABASE_URL"])
    database_url = urlunsplit(
        database_url._replace(path="/" + settings.DATABASES["default"]["NAME"])
    )
    env = production_env(
        SECRET_KEY=TEST_SECRET_KEY,
        DATABASE_URL=database_url,
        REDIS_URL=os.environ["REDIS_URL"],
        # The image keeps the default, /app/staticfiles; here collectstatic's output stays
        # out of the working tree.
        STATIC_ROOT=str(tmp_path / "staticfiles"),
    )
    # What the Dockerfile does at build time.
    collectstatic = subprocess.run(
        ["python", "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env={**env, "SECRET_KEY": "collectstatic-at-build-time-only"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert collectstatic.returncode == 0, collectstatic.stderr

    port = free_port()
    command = replace_once(service_command("web"), "0.0.0.0:8000", f"127.0.0.1:{port}")
    healthcheck = replace_once(healthcheck_command("web"), "8000", str(port))
    assert command[:2] == ["sh", "-c"]
    assert re.match(
        r"python manage\.py migrate --noinput && exec gunicorn config\.wsgi:app", command[2]
    )
    # What the TLS proxy in front of the hub sends.
    proxy_headers = {"Host": env["ALLOWED_HOSTS"].split(",")[0], "X-Forwarded-Proto": "https"}

    # The healthcheck must be able to fail: nothing listens on the port yet.
    assert subprocess.run(healthcheck, env=env, capture_output=True, timeout=30).returncode != 0

    log = tmp_path / "web.log"
    process = start(command, env, log)
    try:
        status, _, body = wait_for(
            lambda: answers(port, "/healthz/", proxy_headers),
            timeout=60,
            process=process,
            log=log,
            what="answer on /healthz/",
        )
        assert (status, body) == (200, b"ok")

        status, headers, body = get(port, "/accounts/login/", proxy_headers)
        assert status == 200
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "secure" in headers["set-cookie"].lower()
        assert int(re.search(r"max-age=(\d+)", headers["strict-transport-security"])[1]) > 0
        # Static files: hashed names from the collectstatic manifest, served by WhiteNoise.
        static_urls = re.findall(r'(?:href|src)="(/static/[^"]+)"', body.decode())
        assert static_urls
        for url in static_urls:
            assert re.search(r"\.[0-9a-f]{12}\.\w+$", url), url
            assert get(port, url, proxy_headers)[0] == 200, url

        # Plain http straight to gunicorn is sent to https.
        status, headers, _ = get(port, "/accounts/login/", {"Host": proxy_headers["Host"]})
        assert status == 301 and headers["location"].startswith("https://")

        result = subprocess.run(healthcheck, env=env, capture_output=True, text=True, timeout=30)
        assert result.returncode == 0, result.stderr

        # WEB_CONCURRENCY=2 from .env.example reached gunicorn.
        wait_for(
            lambda: log.read_text().count("Booting worker with pid") == 2,
            timeout=15,
            process=process,
            log=log,
            what="2 gunicorn workers",
        )
    finally:
        stop(process)
    assert process.returncode is not None


@pytest.mark.worker
def test_it_starts_the_celery_worker_of_compose(tmp_path):
    # In a container the node name is celery@<hostname> and the healthcheck pings
    # celery@$HOSTNAME. A unique name here, plus a private queue, keeps this worker from
    # answering for, or taking tasks meant for, any other worker on the same Redis database.
    hostname = f"deploytest-{uuid.uuid4().hex[:12]}"
    command = [
        *service_command("worker"),
        *("--hostname", f"celery@{hostname}", "--queues", f"deploytest-{hostname}"),
    ]
    assert command[:4] == ["celery", "-A", "config", "worker"]
    assert "--concurrency=2" in command
    # The worker never touches the database here: no task can reach its private queue.
    env = production_env(
        SECRET_KEY=TEST_SECRET_KEY,
        DATABASE_URL=os.environ["DATABASE_URL"],
        REDIS_URL=os.environ["REDIS_URL"],
    )
    log = tmp_path / "worker.log"
    process = start(command, env, log)
    try:
        wait_for(
            lambda: f"celery@{hostname} ready." in log.read_text(),
            timeout=20,
            process=process,
            log=log,
            what="worker ready",
        )
        result = subprocess.run(
            healthcheck_command("worker"),
            cwd=ROOT,
            env={**env, "HOSTNAME": hostname},
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert f"celery@{hostname}: OK" in result.stdout
    finally:
        stop(process)
    assert "Traceback" not in log.read_text(), log.read_text()


def test_it_starts_celery_beat_of_compose_and_its_healthcheck_notices_a_stuck_beat(tmp_path):
    # A private schedule file: /tmp/celerybeat-schedule is shared by everything on this host.
    schedule = str(tmp_path / "celerybeat-schedule")
    command = replace_once(service_command("beat"), BEAT_SCHEDULE_IN_CONTAINER, schedule)
    healthcheck = replace_once(healthcheck_command("beat"), BEAT_SCHEDULE_IN_CONTAINER, schedule)
    assert command[:4] == ["celery", "-A", "config", "beat"]
    env = production_env(
        SECRET_KEY=TEST_SECRET_KEY,
        DATABASE_URL=os.environ["DATABASE_URL"],
        REDIS_URL=os.environ["REDIS_URL"],
    )

    def beat_is_healthy() -> bool:
        return subprocess.run(healthcheck, env=env, capture_output=True, timeout=30).returncode == 0

    assert not beat_is_healthy()  # no schedule file yet
    log = tmp_path / "beat.log"
    process = start(command, env, log)
    try:
        wait_for(
            lambda: glob.glob(schedule + "*") and "beat: Starting" in log.read_text(),
            timeout=20,
            process=process,
            log=log,
            what="beat schedule file",
        )
        assert beat_is_healthy()
    finally:
        stop(process)
    # A schedule file untouched for 16 minutes is what a stuck beat leaves behind.
    sixteen_minutes_ago = time.time() - 16 * 60
    for path in glob.glob(schedule + "*"):
        os.utime(path, (sixteen_minutes_ago, sixteen_minutes_ago))
    assert not beat_is_healthy()
