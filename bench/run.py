"""`make bench` (python -m bench.run): speed and scale of Donation Hub against the floor of
this machine, measured in one run, printed as one table.

For each data set (small: about 1,000 ledger rows; large: 1,000,000 ledger rows, 2,000
items, 10 hubs, 50 locations) it makes a fresh Postgres database, migrates it, fills it with
`manage.py bench_data`. It times the pages first, on the data as generated, with the
servers of both sizes up at once (bench.pages); then runs bench.measure against each:
gunicorn with 2 workers as in production (DEBUG off, Redis cache), a real Celery worker, a
private redis-server. The databases are dropped at the end unless --keep is given.

    python -m bench.run [--database-url postgres://postgres@127.0.0.1:5432/dh_bench]
                        [--sizes small,large] [--seconds 20] [--keep] [--reuse]
                        [--json out.json]

`--sizes small,large,xlarge` adds the 10,000,000-row network of 50 hubs; each larger size's
pages are then compared with small's.
"""

import argparse
import contextlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

from bench.common import (
    BIN,
    ROOT,
    app_env,
    database_url_for,
    gunicorn_start,
    machine,
    redis_start,
    stop_on_sigterm,
    wrk_check,
)
from bench.pages import page_latencies
from bench.report import report

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/dh_bench"
PAGE_REQUESTS = 100  # per page and size, at most
PAGE_BUDGET = 30  # seconds per page, at most (but at least 10 requests)


def run(command: list[str], env: dict) -> str:
    result = subprocess.run(  # noqa: S603 - our own commands
        command, cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def database_create(base_url: str, name: str) -> str:
    """A new, empty database `name` on the server of `base_url` (an old one is dropped)."""
    with psycopg.connect(database_url_for(base_url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return database_url_for(base_url, name)


def database_drop(base_url: str, name: str) -> None:
    with psycopg.connect(database_url_for(base_url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def postgres_version(url: str) -> str:
    with psycopg.connect(url) as conn:
        [version] = conn.execute("SHOW server_version").fetchone() or ("unknown",)
        return version


def database_filled(base_url: str, name: str) -> bool:
    """Whether database `name` exists and holds a generated data set."""
    with psycopg.connect(database_url_for(base_url, "postgres"), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return False
    with psycopg.connect(database_url_for(base_url, name)) as conn:
        try:
            return bool(conn.execute("SELECT 1 FROM hub_hub LIMIT 1").fetchone())
        except psycopg.errors.UndefinedTable:
            return False


def generate(*, size: str, env: dict, logs: Path, reused: bool = False) -> dict:
    """Migrate and fill the size's database (`reused`: filled by an earlier run, only
    migrated); list the pages to time in it."""
    print(f"[{size}] migrating and generating data...", file=sys.stderr)
    run([str(BIN / "python"), "manage.py", "migrate", "--noinput", "-v0"], env)
    started = time.monotonic()
    if reused:
        generated = "reused from an earlier run (--reuse), with that run's dropoffs"
    else:
        generated = run([str(BIN / "python"), "manage.py", "bench_data", "--size", size], env)
    generate_seconds = time.monotonic() - started
    print(f"[{size}] {generated.strip()}", file=sys.stderr)
    (logs / size).mkdir()
    out = logs / f"{size}-pages.json"
    command = [str(BIN / "python"), "-m", "bench.measure", "--pages-only", "--out", str(out)]
    subprocess.run([*command, "--logs", str(logs / size)], cwd=ROOT, env=env, check=True)  # noqa: S603
    return {
        **json.loads(out.read_text()),
        "generated": generated.strip(),
        "generate_seconds": generate_seconds,
    }


def measure(*, size: str, env: dict, logs: Path, args) -> dict:
    """Run bench.measure against the size's database."""
    print(f"[{size}] measuring...", file=sys.stderr)
    out = logs / f"{size}.json"
    command = [str(BIN / "python"), "-m", "bench.measure", "--out", str(out)]
    command += ["--logs", str(logs / size), "--seconds", str(args.seconds)]
    command += ["--clients", str(args.clients)]
    subprocess.run(command, cwd=ROOT, env=env, check=True)  # noqa: S603
    return json.loads(out.read_text())


def page_figures(*, envs: dict, pages: dict, logs: Path) -> dict:
    """The pages of every size, timed with the servers of all sizes up at once."""
    print("[pages] timing every size at once...", file=sys.stderr)
    with contextlib.ExitStack() as running:
        bases = {}
        for size, env in envs.items():
            server, bases[size] = gunicorn_start(
                app="config.wsgi:application", env=env, logs=logs / size, name="web-pages"
            )
            running.callback(server.stop)
        return page_latencies(bases=bases, pages=pages, requests=PAGE_REQUESTS, budget=PAGE_BUDGET)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="server and base name: <name>_small and <name>_large are made (and dropped)",
    )
    parser.add_argument("--sizes", default="small,large")
    parser.add_argument("--seconds", type=float, default=20, help="per throughput run")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients")
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="use (and keep) a size's database left by --keep instead of generating it again",
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    stop_on_sigterm()
    wrk_check()

    base_name = args.database_url.rsplit("/", 1)[1] or "dh_bench"
    logs = Path(tempfile.mkdtemp(prefix="dh-bench-"))
    figures = {
        "machine": {
            **machine(),
            "postgres": postgres_version(database_url_for(args.database_url, "postgres")),
            "platform": platform.platform(),
            "load_before": os.getloadavg(),
        },
        "settings": {"seconds": args.seconds, "clients": args.clients, "web_workers": 2},
        "sizes": {},
    }
    print(f"Logs in {logs}", file=sys.stderr)
    static_root = logs / "static"
    collect_env = app_env(database_url="sqlite://", redis_url="", static_root=static_root)
    run([str(BIN / "python"), "manage.py", "collectstatic", "--noinput"], collect_env)
    redis, redis_url = redis_start(logs)
    made, envs = [], {}
    try:
        for index, size in enumerate(args.sizes.split(",")):
            name = f"{base_name}_{size}"
            reused = args.reuse and database_filled(args.database_url, name)
            if reused:
                url = database_url_for(args.database_url, name)
            else:
                url = database_create(args.database_url, name)
                made.append(name)
            # A Redis database per size: the public page's cache keys are the same in each.
            envs[size] = env = app_env(
                database_url=url, redis_url=f"{redis_url[:-1]}{index}", static_root=static_root
            )
            figures["sizes"][size] = generate(size=size, env=env, logs=logs, reused=reused)
        # Pages first, on the data as generated: the writes of the throughput runs (thousands
        # of dropoffs in the last minutes) would weigh on the pages that read recent stock.
        pages = {size: data["pages"] for size, data in figures["sizes"].items()}
        pages = page_figures(envs=envs, pages=pages, logs=logs)
        for size, env in envs.items():
            figures["sizes"][size].update(measure(size=size, env=env, logs=logs, args=args))
            figures["sizes"][size]["pages"] = pages[size]
    finally:
        redis.stop()
        for name in [] if args.keep or args.reuse else made:
            database_drop(args.database_url, name)
    figures["machine"]["load_after"] = os.getloadavg()
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    print(report(figures))


if __name__ == "__main__":
    main()
