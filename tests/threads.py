"""Running service calls at once on real Postgres connections, one thread each.

Every worker opens its connection before the start line (a barrier), so the calls really
collide, and closes it at the end.
"""

import threading
import time

from django.db import connection


def run_at_once(calls, *, held=None):
    """Run each call in its own thread, all released together. With `held`, a context
    manager taken in this thread before the workers start (say, an open transaction holding
    a lock), it is left only once every worker is waiting on a lock.

    Returns each call's result or the exception it raised, in order."""
    ready = threading.Barrier(len(calls) + 1)
    results = [None] * len(calls)
    pids = [None] * len(calls)

    def work(n, call):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pids[n] = cursor.fetchone()[0]
            ready.wait(timeout=10)
            results[n] = call()
        except Exception as exc:
            results[n] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(n, call)) for n, call in enumerate(calls)]
    if held is None:
        for thread in threads:
            thread.start()
        ready.wait(timeout=10)
    else:
        with held:
            for thread in threads:
                thread.start()
            ready.wait(timeout=10)
            _wait_until_blocked(pids)
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a worker hung"
    return results


def _wait_until_blocked(pids, timeout=5.0):
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(DISTINCT pid) FROM pg_locks WHERE NOT granted AND pid = ANY(%s)",
                [pids],
            )
            if cursor.fetchone()[0] == len(pids):
                return
            time.sleep(0.01)
    raise AssertionError("the workers never queued behind the held lock")
