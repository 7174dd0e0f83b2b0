import os
import shutil
import subprocess
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium-headless-shell")
BROWSER_TESTS = Path(__file__).resolve().parent

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# around it (fixtures, assertions) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# The service worker's own requests go through context.route only with this (read when the
# driver starts): the offline tests cut the worker's network too (test_intake_offline.py).
os.environ.setdefault("PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS", "1")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Every test here drives the browser: `make test-fast` leaves them out by this marker.
    for item in items:
        if item.path.is_relative_to(BROWSER_TESTS):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not shutil.which(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: run scripts/ensure-chromium")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        # This machine's network is closed: keep Chromium from phoning home at start.
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # A 10-inch tablet in landscape, the dropoff table's device.
    return {**browser_context_args, "viewport": {"width": 1280, "height": 800}, "has_touch": True}


@pytest.fixture
def csp_violations(page):
    """Console errors about the Content-Security-Policy, collected while the test runs."""
    found = []
    page.on(
        "console",
        lambda msg: (
            found.append(msg.text)
            if msg.type == "error" and "Content Security Policy" in msg.text
            else None
        ),
    )
    return found


AXE_SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "ensure-axe"


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's source, fetched at a pinned version into the untracked cache when missing."""
    done = subprocess.run([AXE_SCRIPT], capture_output=True, text=True, check=False)
    if done.returncode:
        pytest.fail(f"axe-core is not available: {done.stderr.strip()}")
    return Path(done.stdout.strip()).read_text(encoding="utf-8")
