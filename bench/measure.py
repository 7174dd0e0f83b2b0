"""One data set's figures: run by bench.run once per size, in an environment pointing at that
size's database (DATABASE_URL) and the benchmark's Redis, it writes its figures as JSON.

    python -m bench.measure --out figures.json --logs DIR [--seconds 20] [--clients 4] ...

1. queries per page, in-process with Django's test client and CaptureQueriesContext;
2. the floor (bench.floor) under gunicorn with 2 workers: dropoffs per second, p50/p99, and
   its bare GET per second (the client's own limit), both driven by wrk (bench/dropoff.lua);
3. the app under gunicorn with 2 workers, a Celery worker beside it: intake submits per
   second and p50/p99, driven by wrk the same way, then the latency of capacity alerts from
   the crossing dropoff to the webhook receiving it.
With --pages-only it lists the pages (URL, viewer) for bench.pages, which times them at
both sizes at once, on the data as generated, before any of the writes above.
"""

import argparse
import contextlib
import json
import os
import re
import threading
import time
import uuid
from dataclasses import dataclass
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402

from bench.common import (  # noqa: E402
    Session,
    gunicorn_start,
    percentile,
    stop_on_sigterm,
    worker_start,
    wrk_run,
)
from deliveries.models import Run  # noqa: E402
from hub.models import Dropoff, Hub, Membership  # noqa: E402
from inventory.models import Category, Item, MovementKind, StorageLocation, Webhook  # noqa: E402
from inventory.services import StockLine, stock_receive, stock_remove  # noqa: E402
from operations.management.commands.bench_data import BENCH_PASSWORD  # noqa: E402

User = get_user_model()
HUB = "bench-01"
LINES = 5
LOGGED = re.compile(rb"/dropoffs/(\d+)/undo/")


@dataclass(frozen=True)
class Page:
    label: str
    url_name: str
    username: str | None  # None: no login


PAGES = (
    Page("intake page", "intake", "bench-volunteer-1"),
    Page("dashboard", "dashboard", "bench-coordinator-1"),
    Page("stock page", "stock_list", "bench-coordinator-1"),
    Page("public status page", "public_hub_status", None),
    Page("run page", "run_detail", "bench-coordinator-1"),
)


def page_url(page: Page, hub: Hub) -> str | None:
    """The page's URL at this hub, or None when the page is not built (yet)."""
    args: list[str | int] = [hub.slug]
    if page.url_name == "run_detail":
        args.append(Run.objects.filter(hub=hub).order_by("-planned_at").values("pk")[0]["pk"])
    try:
        return reverse(page.url_name, args=args)
    except NoReverseMatch:
        return None


def intake_items(hub: Hub) -> list[Item]:
    """Five small items without expiry dates: the same lines for the app and the floor."""
    return list(
        Item.objects.filter(is_active=True, tracks_expiry=False).order_by(
            "unit_volume_litres", "pk"
        )[:LINES]
    )


def intake_post(*, location: StorageLocation, items: list[Item], key: str) -> dict:
    """What the intake form posts for a dropoff of one of each item."""
    return {
        "idempotency_key": key,
        "location": str(location.pk),
        "donor_name": "",
        "donor_contact": "",
        "item": [str(item.pk) for item in items],
        "quantity": ["1"] * len(items),
        "expiry_date": [""] * len(items),
        "outcome": ["accepted"] * len(items),
        "redirected_to": [""] * len(items),
    }


HTMX = {"HX-Request": "true", "HX-Target": "intake"}


# --- 1. queries per page -------------------------------------------------------------------


def query_counts(*, hub: Hub, location: StorageLocation, items: list[Item]) -> dict:
    counts: dict[str, int | None] = {}
    for page in PAGES:
        url = page_url(page, hub)
        if url is None:
            counts[page.label] = None
            continue
        client = Client()
        if page.username:
            client.force_login(User.objects.get(username=page.username))
        client.get(url)  # the first request fills per-process caches (content types...)
        cache.clear()  # the public page's statuses are counted as built, not cached
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)  # noqa: S101
        counts[page.label] = len(queries)
    client = Client()
    client.force_login(User.objects.get(username="bench-volunteer-1"))
    url = reverse("intake", args=[hub.slug])
    client.post(url, intake_post(location=location, items=items, key=uuid.uuid4().hex))
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            url,
            intake_post(location=location, items=items, key=uuid.uuid4().hex),
            headers=HTMX,
        )
    assert LOGGED.search(response.content), response.content[:500]  # noqa: S101
    counts["intake submit"] = len(queries)
    return counts


# --- 2. and 3. throughput of dropoffs --------------------------------------------------------

# The rows every dropoff of a run rewrites: the same five balances and one location.
REWRITTEN_TABLES = ("inventory_stockbalance", "inventory_storagelocation")


def rewritten_tables_vacuum() -> None:
    """Clear the dead versions the runs before left on the rows each run rewrites, so that
    the floor and the intake each start from the same table: this machine's Postgres may run
    without autovacuum, and a balance rewritten by thousands of earlier dropoffs costs every
    later update of it a walk over its dead versions (on a production server, autovacuum
    clears them as they pile up)."""
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {', '.join(REWRITTEN_TABLES)}")
    connection.close()


def floor_throughput(*, env, logs, seconds, clients, hub, location, items, user) -> dict:
    """The floor's dropoffs, and its bare GET: what the client and the server do at the
    least, in the same run, with the same client (wrk)."""
    server, base = gunicorn_start(app="bench.floor:application", env=env, logs=logs, name="floor")
    source_type = ContentType.objects.get_for_model(Dropoff).pk
    lines = ",".join(str(item.pk) for item in items)
    args = [location.pk, lines, hub.pk, user.pk, source_type]
    try:
        run = {"base": base, "clients": clients}
        wrk_run(mode="floor", path="/floor/dropoff/", args=args, seconds=2, **run)  # warm up
        rewritten_tables_vacuum()
        dropoffs = wrk_run(mode="floor", path="/floor/dropoff/", args=args, seconds=seconds, **run)
        gets = wrk_run(mode="get", path="/floor/ping/", args=[], seconds=seconds, **run)
        return {**dropoffs, "get": gets}
    finally:
        server.stop()


def intake_throughput(*, base, seconds, clients, hub, location, items) -> dict:
    """Tablets logging the 5-line dropoff as the page does (bench/dropoff.lua: logged in
    during the warm-up, session and CSRF token, htmx, a fresh idempotency key each)."""
    path = reverse("intake", args=[hub.slug])
    lines = ",".join(str(item.pk) for item in items)
    args = ["bench-volunteer-1", BENCH_PASSWORD, location.pk, lines]
    run = {"base": base, "clients": clients, "mode": "intake", "path": path, "args": args}
    # The warm-up logs the tablets in (a few runs when the machine is slow to hash their
    # passwords); the measured run starts with their sessions.
    sessions = ""
    for _attempt in range(4):
        sessions = wrk_run(seconds=5, sessions=sessions, **run)["sessions"]
        if len(sessions.split(",")) >= clients:
            break
    rewritten_tables_vacuum()
    return wrk_run(seconds=seconds, sessions=sessions, **run)


# --- 3. pages ------------------------------------------------------------------------------


def page_list(*, hub: Hub) -> dict:
    """label -> the page's URL and who views it, or None when it is not built; bench.pages
    times them against the servers of both sizes at once."""
    pages = {}
    for page in PAGES:
        url = page_url(page, hub)
        pages[page.label] = (
            None
            if url is None
            else {"url": url, "username": page.username, "password": BENCH_PASSWORD}
        )
    return pages


# --- 3. alerts -----------------------------------------------------------------------------


class Receiver:
    """A webhook receiver on loopback that notes when each POST arrives."""

    def __init__(self):
        self.arrivals: list[float] = []
        self.arrived = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                at = time.perf_counter()
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()
                with receiver.arrived:
                    receiver.arrivals.append(at)
                    receiver.arrived.notify_all()

            def log_message(self, format, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def wait_for(self, count: int, timeout: float) -> float | None:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.arrivals) >= count, timeout=timeout)
            return self.arrivals[count - 1] if len(self.arrivals) >= count else None

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def alert_latencies(*, base, rounds) -> dict:
    """Time from sending the dropoff that crosses a threshold to the webhook receiving its
    alert, with the response's arrival as a second mark.

    A hub with one 1,000 L location at 72 %: a dropoff of 100 L takes it to 82 %, past
    "nearly full" (80 %), which raises one alert; the worker posts it to the webhook. Taking
    the 100 L out again (72 %, more than 5 points under) re-arms the threshold."""
    receiver = Receiver()
    volunteer = User.objects.get(username="bench-volunteer-1")
    run = uuid.uuid4().hex[:8]  # a database reused (bench.run --reuse) has earlier runs' hubs
    hub = Hub.objects.create(name=f"Bench Alerts Hub {run}", slug=f"bench-alerts-{run}")
    location = StorageLocation.objects.create(hub=hub, name="Shelf", capacity_litres=1000)
    crate = Item.objects.create(
        name=f"Bench crate {run}, 10 L",
        category=Category.objects.get(code="other"),
        unit_volume_litres=Decimal(10),
    )
    Membership.objects.create(user=volunteer, hub=hub)
    Webhook.objects.create(hub=hub, name="bench receiver", url=receiver.url)
    stock_receive(lines=[StockLine(crate, location, 72)], user=volunteer, reason="bench")
    session = Session(base).login("bench-volunteer-1", BENCH_PASSWORD)
    path = reverse("intake", args=[hub.slug])
    session.get(path)
    from_request, from_response, missed = [], [], 0
    try:
        for n in range(1, rounds + 1):
            data = intake_post(location=location, items=[crate], key=uuid.uuid4().hex)
            data["quantity"] = ["10"]
            sent = time.perf_counter()
            response = session.post(path, data, headers=HTMX)
            answered = time.perf_counter()
            if not LOGGED.search(response.body):
                raise RuntimeError(f"alert dropoff not logged: {response.status}")
            arrived = receiver.wait_for(n - missed, timeout=30)
            if arrived is None:
                missed += 1
            else:
                from_request.append(arrived - sent)
                from_response.append(arrived - answered)
            stock_remove(
                lines=[StockLine(crate, location, 10)],
                kind=MovementKind.DELIVERED,
                user=volunteer,
                reason="bench: re-arm",
            )
    finally:
        receiver.close()
    # From the request: an upper bound, the dropoff's own time included. From the response:
    # the commit comes before the confirmation page is rendered, so the webhook may arrive
    # before the response does (a negative figure).
    return {
        "rounds": rounds,
        "received": len(from_request),
        "median_ms": percentile(from_request, 50) * 1000,
        "p95_ms": percentile(from_request, 95) * 1000,
        "after_response_median_ms": percentile(from_response, 50) * 1000,
        "after_response_p95_ms": percentile(from_response, 95) * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--logs", type=Path, required=True)
    parser.add_argument("--seconds", type=float, default=20, help="per throughput run")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients")
    parser.add_argument("--alerts", type=int, default=20, help="threshold crossings")
    parser.add_argument(
        "--pages-only", action="store_true", help="only list the pages to time (bench.pages)"
    )
    args = parser.parse_args()
    stop_on_sigterm()

    env = dict(os.environ)
    hub = Hub.objects.get(slug=HUB)
    if args.pages_only:
        args.out.write_text(json.dumps({"pages": page_list(hub=hub)}, indent=2))
        return
    location = StorageLocation.objects.filter(hub=hub).order_by("name")[0]
    # Room for every dropoff of the run (floor and app), so none is refused for lack of it
    # and no threshold trips on the way; the other locations stay as generated.
    StorageLocation.objects.filter(pk=location.pk).update(
        capacity_litres=location.capacity_litres + 1_000_000
    )
    items = intake_items(hub)
    volunteer = User.objects.get(username="bench-volunteer-1")
    figures = {"queries": query_counts(hub=hub, location=location, items=items)}
    connection.close()
    common = {"seconds": args.seconds, "clients": args.clients}
    figures["floor"] = floor_throughput(
        env=env, logs=args.logs, hub=hub, location=location, items=items, user=volunteer, **common
    )
    with contextlib.ExitStack() as running:
        running.callback(connection.close)
        worker = worker_start(env=env, logs=args.logs)
        running.callback(worker.stop)
        server, base = gunicorn_start(
            app="config.wsgi:application", env=env, logs=args.logs, name="web"
        )
        running.callback(server.stop)
        figures["intake"] = intake_throughput(
            base=base, hub=hub, location=location, items=items, **common
        )
        figures["alerts"] = alert_latencies(base=base, rounds=args.alerts)
    args.out.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
