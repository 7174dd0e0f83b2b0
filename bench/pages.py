"""p50/p95 of each page at every size, timed against the servers of all sizes at once: the
requests alternate between them, one at a time, so that whatever else the machine is doing
weighs on every size alike and the large/small ratios compare like with like."""

import time

from bench.common import Session, percentile

WARM_UP = 3


def page_latencies(*, bases: dict, pages: dict, requests: int, budget: float) -> dict:
    """bases: size -> server URL; pages: size -> label -> {url, username, password} or None (not
    built). Returns size -> label -> {requests, p50_ms, p95_ms} or None."""
    sizes = list(bases)
    labels = list(next(iter(pages.values())))
    figures: dict = {size: {} for size in sizes}
    for label in labels:
        wanted = {size: pages[size][label] for size in sizes}
        if None in wanted.values():
            for size in sizes:
                figures[size][label] = None
            continue
        sessions = {}
        for size in sizes:
            session = Session(bases[size])
            if wanted[size]["username"]:
                session.login(wanted[size]["username"], wanted[size]["password"])
            for _ in range(WARM_UP):
                session.get(wanted[size]["url"])
            sessions[size] = session
        times: dict = {size: [] for size in sizes}
        deadline = time.monotonic() + budget
        n = 0
        while n < requests and (n < 10 or time.monotonic() < deadline):
            # Each size goes first in turn, so none always follows the other.
            for size in sizes[n % len(sizes) :] + sizes[: n % len(sizes)]:
                response = sessions[size].get(wanted[size]["url"])
                if response.status != 200:
                    raise RuntimeError(f"{size} {wanted[size]['url']}: {response.status}")
                times[size].append(response.seconds)
            n += 1
        for size in sizes:
            figures[size][label] = {
                "requests": len(times[size]),
                "p50_ms": percentile(times[size], 50) * 1000,
                "p95_ms": percentile(times[size], 95) * 1000,
            }
    return figures
