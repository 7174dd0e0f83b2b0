"""The slowest query of each page, with its plan: `python -m bench.explain` against a
generated data set (DATABASE_URL) requests each page of bench.measure in-process, times
each of its queries, and prints the slowest one's EXPLAIN (ANALYZE, BUFFERS), so that a
plan reading rows in proportion to history shows. docs/performance.md quotes its output.

    DATABASE_URL=postgres://.../dh_bench_large SECRET_KEY=x DEBUG=true \
        ALLOWED_HOSTS=testserver python -m bench.explain

(DEBUG only serves the static files' names unhashed; the queries are timed by a wrapper.)
"""

import os
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from bench.measure import HUB, PAGES, page_url  # noqa: E402
from hub.models import Hub  # noqa: E402

User = get_user_model()


def timed_queries(client: Client, url: str) -> list[tuple[float, str, tuple]]:
    """(seconds, sql, params) of each query the page runs."""
    found: list[tuple[float, str, tuple]] = []

    def timer(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            found.append((time.perf_counter() - started, sql, params))

    with connection.execute_wrapper(timer):
        response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url}: {response.status_code}")
    return found


def main() -> None:
    hub = Hub.objects.get(slug=HUB)
    for page in PAGES:
        url = page_url(page, hub)
        if url is None:
            continue
        client = Client()
        if page.username:
            client.force_login(User.objects.get(username=page.username))
        client.get(url)  # per-process caches
        cache.clear()  # every query counted as built, none answered by the cache
        queries = timed_queries(client, url)
        seconds, sql, params = max(queries, key=lambda q: q[0])
        total = sum(q[0] for q in queries)
        print(f"## {page.label}: {len(queries)} queries, {total * 1000:.1f} ms of SQL\n")
        shown = sql % tuple(map(repr, params or ()))
        print(f"Slowest ({seconds * 1000:.1f} ms):\n\n```sql\n{shown}\n```\n")
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        print(f"```\n{plan}\n```\n")


if __name__ == "__main__":
    main()
