"""The demo data command, and the one-command demo path (SQLite, no Redis) it is part of."""

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from http.cookiejar import CookieJar
from io import StringIO
from pathlib import Path
from urllib.error import URLError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, Request, build_opener, urlopen

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.utils import timezone

from hub.models import Hub
from hub.roles import Role
from inventory.models import Category, Item, StockBalance, StockMovement
from inventory.selectors import flow_by_hour_list, hours_to_full, hub_fill, location_fill_list
from network.models import Offer
from network.selectors import match_list, network_hub_rows, open_offer_list
from tests.ledger import assert_ledger_matches_balances

PROJECT_DIR = Path(__file__).resolve().parent.parent

LOGINS = {
    "volunteer": ("donate-volunteer", Role.VOLUNTEER, {"west-adams"}),
    "coordinator": ("donate-coordinator", Role.COORDINATOR, {"west-adams"}),
    "admin": ("donate-admin", Role.ADMIN, {"west-adams", "altadena"}),
    "altadena": ("donate-altadena", Role.COORDINATOR, {"altadena"}),
}


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded(module_db, django_db_blocker) -> str:
    """The demo, loaded once for the tests that read it; what the command printed."""
    with django_db_blocker.unblock():
        return seed()


def test_it_loads_the_hubs_people_catalog_and_stock(db, seeded: str, client: Client) -> None:
    output = seeded

    assert set(Hub.objects.values_list("name", flat=True)) == {
        "West Adams Hub",
        "Altadena Community Hub",
    }
    assert list(Category.objects.values_list("code", flat=True)) == [
        "water",
        "food",
        "hygiene",
        "ppe",
        "bedding",
        "clothing",
        "baby",
        "pet",
        "medical",
        "other",
    ]
    assert Item.objects.count() >= 35
    for username, (password, role, hub_slugs) in LOGINS.items():
        # Axes guards every login and needs the request it comes with.
        request = RequestFactory().post("/accounts/login/")
        assert client.login(request=request, username=username, password=password), username
        client.logout()
        user = get_user_model().objects.get(username=username)
        assert list(user.groups.values_list("name", flat=True)) == [role.value]
        assert set(user.hubs.values_list("slug", flat=True)) == hub_slugs
        assert user.is_staff == (role == Role.ADMIN)
        assert password in output, "the summary tells the demo logins"
    west_adams = Hub.objects.get(slug="west-adams")
    assert 30 <= hub_fill(hub=west_adams).percent <= 80
    assert max(f.percent for f in location_fill_list(hub=west_adams)) >= 60
    # A second busy hub, with room for the blankets West Adams offers and it needs.
    altadena = Hub.objects.get(slug="altadena")
    assert 50 <= hub_fill(hub=altadena).percent <= 80
    [offer] = Offer.objects.all()
    assert (offer.hub, offer.item.name, offer.quantity) == (west_adams, "Blanket", 200)
    [match] = match_list(rows=network_hub_rows(hub=altadena), offers=open_offer_list())
    assert (match.to.hub, match.quantity) == (altadena, 90)
    assert_ledger_matches_balances()


def test_it_spreads_the_stock_over_the_last_two_weeks_like_a_real_hub(db, seeded: str) -> None:
    west_adams = Hub.objects.get(slug="west-adams")

    days = {
        timezone.localdate(at)
        for at in StockMovement.objects.filter(location__hub=west_adams).values_list(
            "created_at", flat=True
        )
    }
    today = timezone.localdate()
    assert min(days) == today - timedelta(days=13)
    assert len(days) >= 10  # goods came in on most days
    assert sum(f.in_litres for f in flow_by_hour_list(hub=west_adams)) > 0
    fills = location_fill_list(hub=west_adams)
    forecast = hours_to_full(
        fill=hub_fill(hub=west_adams, locations=fills), location_ids=[f.location.pk for f in fills]
    )
    # At the pace of the last hours, days away from full, not "full in about 6 hours".
    assert forecast is not None and forecast > 48


def test_it_changes_nothing_when_loaded_twice(db, seeded: str) -> None:
    def snapshot() -> dict:
        return {
            "rows": {m._meta.label: m._default_manager.count() for m in apps.get_models()},
            "balances": sorted(
                StockBalance.objects.values_list(
                    "item__name", "location__name", "expiry_date", "quantity"
                )
            ),
            "passwords": dict(get_user_model().objects.values_list("username", "password")),
        }

    first = snapshot()
    output = seed()

    assert snapshot() == first
    assert "stock receipts written now: 0" in output


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(*, check: Callable[[], bool], server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while not check():
        if server.poll() is not None:
            pytest.fail(f"runserver exited with {server.returncode}:\n{log.read_text()}")
        if time.monotonic() > deadline:
            pytest.fail(f"runserver did not answer within 30 s:\n{log.read_text()}")
        time.sleep(0.25)


def get(url: str) -> tuple[int, str]:
    with urlopen(url, timeout=5) as response:  # noqa: S310 - our own local server
        return response.status, response.read().decode()


def answers(url: str, *, containing: str = "") -> bool:
    try:
        status, body = get(url)
    except (URLError, ConnectionError, TimeoutError):
        return False
    return status == 200 and containing in body


def test_it_serves_the_login_page_on_sqlite(tmp_path: Path) -> None:
    # What `make demo` runs: DEBUG on, the embedded database, no Redis, no secrets set.
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "DATABASE_URL", "SECRET_KEY", "SECURE_COOKIES"}
    }
    env.update(DEBUG="true", DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}")

    def manage(*args: str, **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=PROJECT_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
            **kwargs,
        )

    for command in (["migrate", "--noinput"], ["seed_demo"]):
        done = manage(*command)
        assert done.returncode == 0, done.stdout + done.stderr
    assert "donate-volunteer" in done.stdout

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "runserver.log"
    with log.open("w") as log_file:
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=PROJECT_DIR,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        login_url = f"{base}/accounts/login/"
        wait_for(check=lambda: answers(login_url, containing="Log in"), server=server, log=log)
        assert answers(f"{base}/static/css/app.css")

        browser = build_opener(HTTPCookieProcessor(CookieJar()))
        with browser.open(login_url, timeout=5) as response:
            form = response.read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
        assert token, form
        data = urlencode(
            {
                "username": "volunteer",
                "password": "donate-volunteer",
                "csrfmiddlewaretoken": token.group(1),
            }
        ).encode()
        login = Request(login_url, data=data, headers={"Referer": login_url})  # noqa: S310 - our own local server
        with browser.open(login, timeout=10) as response:
            landing_url, page = response.geturl(), response.read().decode()

        assert landing_url == f"{base}/hubs/west-adams/intake/"
        assert "West Adams Hub" in page and "Log a dropoff" in page
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
