"""What the benchmarks share: starting gunicorn, a Celery worker and a private Redis as
production runs them (tests/deployment.py does the same for the tests), an HTTP client that
logs in and carries the session and CSRF token, and the figures (throughput, percentiles)."""

import contextlib
import http.client
import json
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SECRET_KEY = "bench-only-" + "s3cr3t-" * 8
WEB_WORKERS = 2  # as docker-compose.yml's WEB_CONCURRENCY default


# --- processes -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def app_env(*, database_url: str, redis_url: str, static_root: Path, **extra: str) -> dict:
    """A production environment (DEBUG off, manifest static files, Redis for cache and
    Celery), except plain http on loopback: no secure cookies, no https redirect."""
    env = {k: os.environ[k] for k in ("HOME", "LANG", "LC_ALL", "TMPDIR") if k in os.environ}
    env.update(
        PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        DEBUG="false",
        SECRET_KEY=SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        STATIC_ROOT=str(static_root),
        SECURE_COOKIES="false",
        SECURE_SSL_REDIRECT="false",
        LOG_LEVEL="WARNING",
        CONN_MAX_AGE="60",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        # The alert run's webhook receiver listens on loopback, which webhooks refuse else.
        WEBHOOKS_ALLOW_PRIVATE_NETWORKS="true",
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


@dataclass
class Process:
    popen: subprocess.Popen
    log: Path
    name: str

    def stop(self) -> None:
        # SIGTERM to the group first, so gunicorn and celery close their connections.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=15)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=5)

    def wait_until(self, condition: Callable[[], bool], *, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            if self.popen.poll() is not None:
                raise RuntimeError(f"{self.name} exited before {what}:\n{self.log.read_text()}")
            time.sleep(0.2)
        log = self.log.read_text()
        raise RuntimeError(f"{self.name}: no {what} within {timeout:.0f} s:\n{log}")


def stopped_unless_up(process: Process, condition, *, what: str, timeout: float = 60) -> None:
    """Wait for the process to be up; if it is not, stop it (and its children) and raise."""
    try:
        process.wait_until(condition, timeout=timeout, what=what)
    except BaseException:
        process.stop()
        raise


def stop_on_sigterm() -> None:
    """SIGTERM ends the benchmark like Ctrl-C does: `finally` blocks stop the servers."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


def spawn(name: str, command: list[str], env: dict, logs: Path) -> Process:
    """The command in its own process group (stopping it stops its children too)."""
    log = logs / f"{name}.log"
    with log.open("wb") as out:
        popen = subprocess.Popen(  # noqa: S603 - our own commands
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    return Process(popen=popen, log=log, name=name)


def gunicorn_start(*, app: str, env: dict, logs: Path, name: str) -> tuple[Process, str]:
    """gunicorn as docker-compose.yml runs it (sync workers, access log), on a free port.
    Returns the process and its base URL once it answers."""
    port = free_port()
    command = [
        str(BIN / "gunicorn"),
        app,
        *("--bind", f"127.0.0.1:{port}", "--workers", str(WEB_WORKERS), "--timeout", "60"),
        *("--access-logfile", str(logs / f"{name}-access.log")),
    ]
    process = spawn(name, command, env, logs)
    base = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        with contextlib.suppress(OSError):
            return request("GET", f"{base}/healthz/").status > 0  # any answer: it is up
        return False

    stopped_unless_up(process, answers, what="an answer over http")
    return process, base


def worker_start(*, env: dict, logs: Path) -> Process:
    """A Celery worker as docker-compose.yml runs it (prefork, concurrency 2)."""
    command = [
        str(BIN / "celery"),
        *("-A", "config", "worker", "--loglevel", "INFO", "--concurrency", "2"),
        *("--hostname", "celery@bench", "--without-mingle", "--without-gossip"),
    ]
    process = spawn("worker", command, env, logs)
    ready = lambda: "celery@bench ready." in process.log.read_text()  # noqa: E731
    stopped_unless_up(process, ready, what="worker ready")
    return process


def redis_start(logs: Path) -> tuple[Process, str]:
    """A redis-server of the benchmark alone on a free port: its queue and cache are empty,
    and nothing else on the machine's Redis is touched."""
    executable = shutil.which("redis-server")
    if executable is None:
        raise SystemExit("redis-server is not installed (apt-get install redis-server).")
    port = free_port()
    command = [executable, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
    process = spawn("redis", [*command, "--appendonly", "no", "--dir", str(logs)], {}, logs)

    def answers() -> bool:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
        return False

    stopped_unless_up(process, answers, what="PONG", timeout=10)
    return process, f"redis://127.0.0.1:{port}/0"


def database_url_for(base_url: str, name: str) -> str:
    return urlunsplit(urlsplit(base_url)._replace(path=f"/{name}"))


# --- http ----------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float
    cookies: SimpleCookie = field(default_factory=SimpleCookie)


def request(
    method: str, url: str, *, body: bytes | None = None, headers: dict | None = None
) -> Response:
    """One request on a new connection (gunicorn's sync workers close it after each
    response anyway), timed from connecting to the last byte of the body."""
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    started = time.perf_counter()
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=60)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        data = response.read()
    finally:
        connection.close()
    seconds = time.perf_counter() - started
    cookies = SimpleCookie()
    for value in response.headers.get_all("Set-Cookie") or []:
        cookies.load(value)
    return Response(response.status, dict(response.headers.items()), data, seconds, cookies)


class Session:
    """A browser's worth of state: cookies (session, CSRF) for one site."""

    def __init__(self, base: str):
        self.base = base
        self.cookies: dict[str, str] = {}

    def send(self, method: str, path: str, *, data=None, headers: dict | None = None) -> Response:
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            if "csrftoken" in self.cookies:
                headers["X-CSRFToken"] = self.cookies["csrftoken"]
        response = request(method, self.base + path, body=body, headers=headers)
        for name, morsel in response.cookies.items():
            self.cookies[name] = morsel.value
        return response

    def get(self, path: str, **kwargs) -> Response:
        return self.send("GET", path, **kwargs)

    def post(self, path: str, data, **kwargs) -> Response:
        return self.send("POST", path, data=data, **kwargs)

    def login(self, username: str, password: str) -> "Session":
        page = self.get("/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
        if page.status != 200 or token is None:
            raise RuntimeError(f"login page: {page.status}")
        data = {
            "csrfmiddlewaretoken": token.group(1).decode(),
            "username": username,
            "password": password,
        }
        answer = self.post("/accounts/login/", data)
        if answer.status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"login of {username} failed: {answer.status}")
        return self


# --- wrk: the load generator of the throughput runs ----------------------------------------

WRK_SCRIPT = ROOT / "bench" / "dropoff.lua"
WRK_MISSING = (
    "The throughput runs need wrk, a compiled HTTP load generator that is not itself the "
    "limit: on Debian or Ubuntu, `apt-get install -y wrk` (elsewhere: https://github.com/wg/wrk)."
)


def wrk_check() -> None:
    """Stop with how to get wrk when it is not installed."""
    if shutil.which("wrk") is None:
        raise SystemExit(WRK_MISSING)


def wrk_run(
    *,
    base: str,
    mode: str,
    path: str,
    args: list,
    seconds: float,
    clients: int,
    sessions: str = "",
) -> dict:
    """`clients` wrk connections (one thread each) on `base` for `seconds`, running
    bench/dropoff.lua in `mode` (intake, floor or get): the figures of the answers it
    expected, in the shape of Tally.summary, and (intake) the tablets' sessions, which
    `sessions` gives back to the next run so that it starts logged in."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit(WRK_MISSING)
    command = [wrk, f"-t{clients}", f"-c{clients}", f"-d{max(1, round(seconds))}s"]
    command += ["--timeout", "10s", "-s", str(WRK_SCRIPT), base, "--", mode, path]
    result = subprocess.run(  # noqa: S603 - our own command
        command + [str(arg) for arg in args],
        capture_output=True,
        text=True,
        check=False,
        timeout=seconds + 60,
        env={**os.environ, "DH_WRK_SESSIONS": sessions},
    )
    line = next((x for x in result.stdout.splitlines() if x.startswith("WRK_JSON ")), None)
    if result.returncode or line is None:
        raise RuntimeError(f"wrk {mode} failed:\n{result.stdout}\n{result.stderr}")
    found = json.loads(line.removeprefix("WRK_JSON "))
    failures = {"unexpected answer": found["bad"], "socket error": found["socket_errors"]}
    return {
        "requests": found["ok"],
        "per_second": found["ok"] / found["seconds"] if found["seconds"] else 0.0,
        "p50_ms": found["p50_ms"],
        "p95_ms": found["p95_ms"],
        "p99_ms": found["p99_ms"],
        "failures": {kind: n for kind, n in failures.items() if n},
        "client": "wrk",
        "sessions": " ".join(
            x.removeprefix("WRK_SESSIONS ")
            for x in result.stdout.splitlines()
            if x.startswith("WRK_SESSIONS ")
        ),
    }


# --- figures -------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0-100)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(math.ceil(p / 100 * len(ordered)) - 1, 0)]


@dataclass
class Tally:
    """What concurrent clients saw: latencies of successes, and failures by kind."""

    seconds: list[float] = field(default_factory=list)
    failures: dict[str, int] = field(default_factory=dict)
    elapsed: float = 0.0

    def __post_init__(self):
        self.lock = threading.Lock()

    def ok(self, seconds: float) -> None:
        with self.lock:
            self.seconds.append(seconds)

    def fail(self, what: str) -> None:
        with self.lock:
            self.failures[what] = self.failures.get(what, 0) + 1

    def summary(self) -> dict:
        return {
            "requests": len(self.seconds),
            "per_second": len(self.seconds) / self.elapsed if self.elapsed else 0.0,
            "p50_ms": percentile(self.seconds, 50) * 1000,
            "p95_ms": percentile(self.seconds, 95) * 1000,
            "p99_ms": percentile(self.seconds, 99) * 1000,
            "failures": dict(self.failures),
        }


def drive(*, clients: list, seconds: float, one: Callable) -> Tally:
    """Each client (a Session, say) in its own thread calls one(client, tally) again and
    again for `seconds`; one() records what it saw in the tally."""
    tally = Tally()
    deadline = time.monotonic() + seconds

    def loop(client) -> None:
        while time.monotonic() < deadline:
            try:
                one(client, tally)
            except OSError as error:
                tally.fail(type(error).__name__)

    threads = [threading.Thread(target=loop, args=(client,)) for client in clients]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    tally.elapsed = time.monotonic() - started
    return tally


def machine() -> dict:
    """The machine the figures come from."""
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = ""
    with contextlib.suppress(OSError):
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kib / 1024 / 1024:.1f} GiB"
    python = sys.version.split()[0]
    return {"cpu": model, "cores": os.cpu_count(), "memory": memory, "python": python}
