"""`make load` (python -m bench.load): 32 clients for 60 s against gunicorn (2 workers) and
Postgres, writing stock at once, then a check that nothing was lost or double-counted.

The clients, on the small generated data set (2 hubs, their locations with room to spare):
- tablets log 5-line dropoffs (a tenth of them sent twice with the same key, as a retry on
  flaky Wi-Fi does);
- tablets log a dropoff and undo it at once (stock voided: removals racing the receipts);
- coordinators make delivery runs (a stop, three lines of goods in stock) and dispatch
  them: through the run page when it is built (URL `run_dispatch`), otherwise by calling
  `deliveries.services.run_dispatch` from the client's thread, on Postgres directly. A
  dispatch that finds too little stock (taken by another meanwhile) is refused, not lost.
  Each coordinator dispatches at most one run every 2 seconds.

It prints the count of 5xx answers, writes acknowledged to clients against rows found,
ledger consistency (every balance equals its ledger sum, none negative), and p50/p99 latency
per kind of request. Expected: zero 5xx, zero lost, consistent.

    python -m bench.load [--database-url postgres://postgres@127.0.0.1:5432/dh_bench]
                         [--clients 32] [--seconds 60] [--keep]
"""

import argparse
import contextlib
import os
import random
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import (
    BIN,
    Session,
    app_env,
    drive,
    gunicorn_start,
    percentile,
    redis_start,
    stop_on_sigterm,
    worker_start,
)
from bench.run import DEFAULT_DATABASE_URL, database_create, database_drop, run

RETRY_SHARE = 0.1
DISPATCH_EVERY = 2.0  # seconds, at most one dispatch per coordinator client


@dataclass
class Outcomes:
    """What the clients were told, shared by all their threads."""

    logged: dict[str, int] = field(default_factory=dict)  # idempotency key -> dropoff pk
    undone: set[int] = field(default_factory=set)
    dispatched: set[int] = field(default_factory=set)
    refused: int = 0  # dispatches refused for want of stock
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    problems: list[str] = field(default_factory=list)

    def __post_init__(self):
        self.lock = threading.Lock()

    def answered(self, kind: str, response) -> None:
        with self.lock:
            self.statuses[response.status] += 1
            self.latencies[kind].append(response.seconds)

    def problem(self, text: str) -> None:
        with self.lock:
            if len(self.problems) < 20:
                self.problems.append(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    )
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    stop_on_sigterm()

    logs = Path(tempfile.mkdtemp(prefix="dh-load-"))
    print(f"Logs in {logs}", file=sys.stderr)
    name = f"{args.database_url.rsplit('/', 1)[1] or 'dh_bench'}_load"
    url = database_create(args.database_url, name)
    redis, redis_url = redis_start(logs)
    ok = False
    env = app_env(database_url=url, redis_url=redis_url, static_root=logs / "static")
    try:
        run([str(BIN / "python"), "manage.py", "collectstatic", "--noinput", "-v0"], env)
        run([str(BIN / "python"), "manage.py", "migrate", "--noinput", "-v0"], env)
        print(run([str(BIN / "python"), "manage.py", "bench_data", "--size", "small"], env))
        os.environ.update(env)
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
        import django

        django.setup()
        ok = load(args=args, env=env, logs=logs)
    finally:
        redis.stop()
        if not args.keep:
            database_drop(args.database_url, name)  # WITH (FORCE): our connections too
    raise SystemExit(0 if ok else 1)


def load(*, args, env: dict, logs: Path) -> bool:
    from django.urls import NoReverseMatch, reverse

    from bench.measure import HTMX, LOGGED, intake_post
    from hub.models import Hub
    from inventory.models import Item, StorageLocation
    from operations.management.commands.bench_data import BENCH_PASSWORD

    hubs = list(Hub.objects.order_by("slug"))
    StorageLocation.objects.update(capacity_litres=10_000_000)  # room for every dropoff
    items = list(Item.objects.filter(is_active=True, tracks_expiry=False).order_by("pk"))
    locations = {
        hub.pk: list(StorageLocation.objects.filter(hub=hub).order_by("pk")) for hub in hubs
    }
    try:
        reverse("run_dispatch", args=[hubs[0].slug, 1])
        dispatch = "page"
    except NoReverseMatch:
        dispatch = "service"
    from django.db import connections

    connections.close_all()

    outcomes = Outcomes()
    with contextlib.ExitStack() as running:
        worker = worker_start(env=env, logs=logs)
        running.callback(worker.stop)
        server, base = gunicorn_start(app="config.wsgi:application", env=env, logs=logs, name="web")
        running.callback(server.stop)
        clients = []
        for n in range(args.clients):
            hub = hubs[n % len(hubs)]
            number = hubs.index(hub) + 1
            kind = ("intake", "intake", "undo", "coordinator")[n % 4]
            username = f"bench-{'coordinator' if kind == 'coordinator' else 'volunteer'}-{number}"
            session = Session(base).login(username, BENCH_PASSWORD)
            session.get(reverse("intake", args=[hub.slug]))  # the CSRF cookie
            clients.append((kind, hub, session, random.Random(n)))  # noqa: S311 - not secret

        def log_dropoff(hub, session, rng, kind: str) -> int | None:
            lines = rng.sample(items, 5)
            location = rng.choice(locations[hub.pk])
            key = uuid.uuid4().hex
            data = intake_post(location=location, items=lines, key=key)
            data["quantity"] = [str(rng.randint(1, 20)) for _ in lines]
            path = reverse("intake", args=[hub.slug])
            answers = [session.post(path, data, headers=HTMX)]
            if rng.random() < RETRY_SHARE:
                answers.append(session.post(path, data, headers=HTMX))
            pks = set()
            for response in answers:
                outcomes.answered(kind, response)
                match = LOGGED.search(response.body)
                if response.status == 200 and match:
                    pks.add(int(match.group(1)))
                else:
                    outcomes.problem(f"intake {response.status}: {response.body[:200]!r}")
            if len(pks) > 1:
                outcomes.problem(f"one key, two dropoffs: {pks}")
            if pks:
                with outcomes.lock:
                    outcomes.logged[key] = min(pks)
                return min(pks)
            return None

        def one(client, tally) -> None:
            kind, hub, session, rng = client
            if kind == "intake":
                log_dropoff(hub, session, rng, "intake")
            elif kind == "undo":
                pk = log_dropoff(hub, session, rng, "intake")
                if pk is not None:
                    response = session.post(reverse("dropoff_undo", args=[hub.slug, pk]), {})
                    outcomes.answered("undo", response)
                    if response.status in (200, 302):
                        with outcomes.lock:
                            outcomes.undone.add(pk)
                    else:
                        outcomes.problem(f"undo {response.status}: {response.body[:200]!r}")
            else:
                started = time.monotonic()
                try:
                    dispatch_one(hub, session, rng, outcomes, through_page=dispatch == "page")
                except Exception as error:  # any failure is reported with the verdict
                    outcomes.problem(f"dispatch: {error!r}")
                # A coordinator plans a run between dispatches; called in-process, without
                # the pause the service would take the machine from the tablets.
                time.sleep(max(DISPATCH_EVERY - (time.monotonic() - started), 0))
            tally.ok(0)

        tally = drive(clients=clients, seconds=args.seconds, one=one)
    for error, count in tally.failures.items():
        outcomes.problem(f"{count} x {error}")
    return verdict(outcomes=outcomes, args=args, dispatch=dispatch)


def dispatch_one(hub, session, rng, outcomes: Outcomes, *, through_page: bool) -> None:
    """Plan a run of one stop with three lines of goods the hub has, and dispatch it."""
    from django.contrib.auth import get_user_model
    from django.db.models import Sum
    from django.urls import reverse
    from django.utils import timezone

    from deliveries.models import Destination, Run
    from deliveries.services import run_create, run_dispatch, stop_add
    from inventory.models import Item, StockBalance
    from inventory.services import StockError

    users = get_user_model().objects
    number = hub.slug.rsplit("-", 1)[1].lstrip("0")
    coordinator = users.get(username=f"bench-coordinator-{number}")
    stocked = list(
        StockBalance.objects.filter(location__hub=hub)
        .values("item")
        .annotate(total=Sum("quantity"))
        .filter(total__gte=10)
        .values_list("item", flat=True)
    )
    items = Item.objects.in_bulk(rng.sample(stocked, min(3, len(stocked))))
    run = run_create(
        hub=hub,
        driver=users.get(username=f"bench-volunteer-{number}"),
        vehicle="Van",
        planned_at=timezone.now(),
        user=coordinator,
    )
    destination = rng.choice(list(Destination.objects.filter(hub=hub, is_active=True)))
    lines = [(item, rng.randint(1, 3)) for item in items.values()]
    stop_add(run=run, destination=destination, lines=lines, user=coordinator)
    if through_page:
        response = session.post(reverse("run_dispatch", args=[hub.slug, run.pk]), {})
        outcomes.answered("dispatch", response)
        if response.status >= 400:
            outcomes.problem(f"dispatch {response.status}: {response.body[:200]!r}")
            return
        run.refresh_from_db()
        if run.status != "out_for_delivery":
            with outcomes.lock:
                outcomes.refused += 1
            return
    else:
        started = time.perf_counter()
        try:
            run_dispatch(run=Run.objects.get(pk=run.pk), user=coordinator)
        except StockError:
            with outcomes.lock:
                outcomes.refused += 1
            return
        finally:
            with outcomes.lock:
                outcomes.latencies["dispatch (service)"].append(time.perf_counter() - started)
    with outcomes.lock:
        outcomes.dispatched.add(run.pk)


def verdict(*, outcomes: Outcomes, args, dispatch: str) -> bool:
    from django.db import connection

    from deliveries.models import Run
    from hub.models import Dropoff
    from inventory.models import StockMovement
    from inventory.services import stock_key_scoped

    rows = Dropoff.objects.filter(idempotency_key__in=list(outcomes.logged)).values_list(
        "idempotency_key", "pk", "hub_id"
    )
    found = {key: pk for key, pk, _hub in rows}
    lost = [key for key, pk in outcomes.logged.items() if found.get(key) != pk]
    receipts = StockMovement.objects.filter(
        idempotency_key__in=[
            stock_key_scoped(key=f"dropoff:{key}", hub_ids=[hub_id]) for key, _pk, hub_id in rows
        ]
    ).count()
    undone = set(
        Dropoff.objects.filter(pk__in=outcomes.undone, undone_at__isnull=False).values_list(
            "pk", flat=True
        )
    )
    out = set(
        Run.objects.filter(pk__in=outcomes.dispatched, status="out_for_delivery").values_list(
            "pk", flat=True
        )
    )
    dispatch_records = StockMovement.objects.filter(
        idempotency_key__in=[
            stock_key_scoped(key=f"run-{pk}-dispatch", hub_ids=[hub_id])
            for pk, hub_id in Run.objects.filter(pk__in=outcomes.dispatched).values_list(
                "pk", "hub_id"
            )
        ]
    ).count()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM inventory_stockbalance AS b FULL JOIN ("
            "  SELECT item_id, location_id, expiry_date, SUM(quantity) AS total"
            "  FROM inventory_stockmovement GROUP BY item_id, location_id, expiry_date"
            ") AS l ON l.item_id = b.item_id AND l.location_id = b.location_id"
            "  AND l.expiry_date IS NOT DISTINCT FROM b.expiry_date"
            " WHERE COALESCE(b.quantity, 0) <> COALESCE(l.total, 0)"
        )
        mismatched = cursor.fetchone()[0]
        cursor.execute("SELECT COUNT(*) FROM inventory_stockbalance WHERE quantity < 0")
        negative = cursor.fetchone()[0]
    server_errors = sum(n for status, n in outcomes.statuses.items() if status >= 500)
    requests = sum(outcomes.statuses.values())
    lines = [
        f"# Load: {args.clients} clients for {args.seconds:.0f} s, gunicorn with 2 workers",
        "",
        f"requests: {requests} ({requests / args.seconds:.1f}/s); by status: "
        + ", ".join(f"{status}: {n}" for status, n in sorted(outcomes.statuses.items())),
        f"5xx answers: {server_errors}",
        f"dropoffs acknowledged: {len(outcomes.logged)}; found with the same number: "
        f"{len(outcomes.logged) - len(lost)}; lost: {len(lost)}; receipts in the ledger: "
        f"{receipts} (one per dropoff expected)",
        f"undos acknowledged: {len(outcomes.undone)}; found undone: {len(undone)}",
        f"dispatches ({'through the run page' if dispatch == 'page' else 'by the service'}):"
        f" {len(outcomes.dispatched)} acknowledged; found out for delivery: {len(out)}, with"
        f" their stock taken: {dispatch_records}; refused for want of stock:"
        f" {outcomes.refused}",
        f"ledger: {mismatched} balances differ from their ledger sums, {negative} negative",
        "",
        "| request | count | p50 ms | p99 ms |",
        "|---|---:|---:|---:|",
    ]
    for kind, seconds in sorted(outcomes.latencies.items()):
        lines.append(
            f"| {kind} | {len(seconds)} | {percentile(seconds, 50) * 1000:,.1f} "
            f"| {percentile(seconds, 99) * 1000:,.1f} |"
        )
    ok = (
        server_errors == 0
        and not lost
        and receipts == len(outcomes.logged)
        and undone == outcomes.undone
        and out == outcomes.dispatched
        and dispatch_records == len(outcomes.dispatched)
        and mismatched == 0
        and negative == 0
        and not outcomes.problems
    )
    if outcomes.problems:
        lines += ["", "Problems:", *(f"- {p}" for p in outcomes.problems)]
    lines += ["", "Zero 5xx, zero lost, consistent." if ok else "**FAILED**: see above."]
    print("\n".join(lines))
    return ok


if __name__ == "__main__":
    main()
