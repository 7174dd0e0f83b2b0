"""The table `make bench` prints, from the figures bench.run gathered (Markdown, so that a run
can be pasted into docs/performance.md as it is)."""

import math

INTAKE_FLOOR_SHARE = 0.25  # intake throughput at least 25 % of the floor's (issue 19)
SUBMIT_QUERIES = 15  # queries of one 5-line dropoff submit, at most
LARGE_SMALL_RATIO = 1.5  # a page at most 1.5 times slower on a larger data set than on small
ALERT_MEDIAN_MS = 2000
NOT_BUILT = "n/a (not built)"


def _ms(value) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:,.1f}"


def _verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("met" if ok else "**MISSED**")


def report(figures: dict) -> str:
    sizes = figures["sizes"]
    settings = figures["settings"]
    machine = figures["machine"]
    missed: list[str] = []
    out = [
        "# Donation Hub benchmark",
        "",
        f"Machine: {machine['cpu']}, {machine['cores']} cores, {machine['memory']}; "
        f"Python {machine['python']}, PostgreSQL {machine['postgres']}; {machine['platform']}.",
        "Load average (1, 5, 15 min) before: "
        + ", ".join(f"{v:.2f}" for v in machine["load_before"])
        + "; after: "
        + ", ".join(f"{v:.2f}" for v in machine.get("load_after", ()))
        + ".",
        f"gunicorn with {settings['web_workers']} sync workers, DEBUG off, Redis cache, a "
        f"Celery worker; {settings['clients']} concurrent clients for "
        f"{settings['seconds']:.0f} s per throughput run, on this same machine.",
        "",
    ]
    for size, data in sizes.items():
        out.append(f"- {size}: {data['generated']}")
    out += [
        "",
        "## a. Intake submit (5-line dropoff, logged-in volunteer, CSRF and session, htmx)",
        "",
        "Driven by wrk (bench/dropoff.lua), one connection per client. The floor's bare GET, "
        "in the same run with the same client, shows what the client and gunicorn pass at "
        "the least: far above both, so the client is not the limit.",
        "",
        "| data set | floor GET /s | floor /s | floor p50 ms | floor p99 ms | intake /s "
        "| intake p50 ms | intake p99 ms | intake / floor | target >= 25 % |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for size, data in sizes.items():
        floor, intake = data["floor"], data["intake"]
        share = intake["per_second"] / floor["per_second"] if floor["per_second"] else 0.0
        ok = share >= INTAKE_FLOOR_SHARE
        if not ok:
            missed.append(f"intake throughput ({size})")
        failures = {**floor["failures"], **intake["failures"]}
        get = floor.get("get", {}).get("per_second")
        out.append(
            f"| {size} | {'-' if get is None else f'{get:,.0f}'} | {floor['per_second']:.1f} "
            f"| {_ms(floor['p50_ms'])} | {_ms(floor['p99_ms'])} | {intake['per_second']:.1f} "
            f"| {_ms(intake['p50_ms'])} | {_ms(intake['p99_ms'])} | {share:.0%} | {_verdict(ok)}"
            + (f" (failures: {failures})" if failures else "")
            + " |"
        )
    out += _pages(sizes, missed)
    out += _alerts(sizes, missed)
    out += _queries(sizes, missed)
    out += [
        "",
        "Targets missed: " + ", ".join(missed) + " (docs/performance.md says why)."
        if missed
        else "Every target met.",
    ]
    return "\n".join(out)


def _pages(sizes: dict, missed: list[str]) -> list[str]:
    """p50 and p95 of each page at every size, and each larger size's against small's."""
    names = list(sizes)
    base = sizes.get("small")
    larger = [name for name in names if name != "small"] if base else []
    out = [
        "",
        "## b. Pages (ms), one request at a time, alternating between the sizes' servers",
        "",
        "| page | "
        + " | ".join(f"{name} p50 | {name} p95" for name in names)
        + "".join(f" | {name}/small p50 | {name}/small p95" for name in larger)
        + f" | target <= {LARGE_SMALL_RATIO} |",
        "|---|" + "---:|" * (2 * len(names) + 2 * len(larger)) + "---|",
    ]
    labels = next(iter(sizes.values()))["pages"].keys()
    for label in labels:
        timed = {name: sizes[name]["pages"][label] for name in names}
        if None in timed.values():
            out.append(f"| {label} | {NOT_BUILT} |" + " |" * (2 * len(names) + 2 * len(larger)))
            continue
        cells = [_ms(timed[name][p]) for name in names for p in ("p50_ms", "p95_ms")]
        worst = None
        for name in larger:
            ratios = [timed[name][p] / timed["small"][p] for p in ("p50_ms", "p95_ms")]
            cells += [f"{r:.2f}" for r in ratios]
            worst = max(ratios + ([worst] if worst is not None else []))
            if max(ratios) > LARGE_SMALL_RATIO:
                missed.append(f"{label} {name}/small")
        ok = None if worst is None else worst <= LARGE_SMALL_RATIO
        out.append(f"| {label} | " + " | ".join(cells) + f" | {_verdict(ok)} |")
    return out


def _alerts(sizes: dict, missed: list[str]) -> list[str]:
    out = [
        "",
        "## c. Alert latency: the crossing dropoff to the webhook receiving its alert",
        "",
        "From sending the dropoff (its own time included); and from its response arriving "
        "(negative: the webhook came first).",
        "",
        "| data set | crossings | received | median ms | p95 ms | after response: median ms "
        "| p95 ms | target median <= 2 s |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for size, data in sizes.items():
        alerts = data["alerts"]
        ok = alerts["received"] == alerts["rounds"] and alerts["median_ms"] <= ALERT_MEDIAN_MS
        if not ok:
            missed.append(f"alert latency ({size})")
        out.append(
            f"| {size} | {alerts['rounds']} | {alerts['received']} | {_ms(alerts['median_ms'])} "
            f"| {_ms(alerts['p95_ms'])} | {_ms(alerts['after_response_median_ms'])} "
            f"| {_ms(alerts['after_response_p95_ms'])} | {_verdict(ok)} |"
        )
    return out


def _queries(sizes: dict, missed: list[str]) -> list[str]:
    names = list(sizes)
    out = [
        "",
        "## d. Queries per page",
        "",
        "| page | " + " | ".join(names) + " | target: the same at every size "
        f"(a submit: at most {SUBMIT_QUERIES}) |",
        "|---|" + "---:|" * len(names) + "---|",
    ]
    for label in next(iter(sizes.values()))["queries"]:
        counts = [sizes[name]["queries"][label] for name in names]
        if None in counts:
            out.append(f"| {label} | " + " | ".join([NOT_BUILT] * len(names)) + " | n/a |")
            continue
        ok = len(set(counts)) == 1 and (label != "intake submit" or counts[0] <= SUBMIT_QUERIES)
        if not ok:
            missed.append(f"{label} queries")
        out.append(f"| {label} | " + " | ".join(map(str, counts)) + f" | {_verdict(ok)} |")
    return out
