"""Shared helpers of the deployment tests: reading Dockerfile, docker-compose.yml and
.env.example, and running compose's commands outside Docker."""

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SETTINGS_FILE = ROOT / "config" / "settings.py"
COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
# The venv that runs pytest also provides python, gunicorn and celery for the commands.
VENV_BIN = Path(sys.executable).parent

APP_SERVICES = ("web", "worker", "beat")
# A strong key for commands that need one; .env.example leaves SECRET_KEY empty on purpose.
TEST_SECRET_KEY = "deployment-test-" + "k3y-" * 12


# --- docker-compose.yml --------------------------------------------------------------------


class _ComposeLoader(yaml.SafeLoader):
    """safe_load, except that a duplicate key raises: compose refuses such a file, while
    PyYAML would silently keep the last value and the tests would read another file."""

    def construct_mapping(self, node, deep=False):
        keys = [self.construct_object(key, deep=deep) for key, _ in node.value]
        for key in keys:
            if keys.count(key) > 1:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", node.start_mark
                )
        return super().construct_mapping(node, deep=deep)


def compose() -> dict:
    return yaml.load(COMPOSE_FILE.read_text(), Loader=_ComposeLoader)  # noqa: S506


# Compose interpolation: $$ is a literal $, ${VAR}, ${VAR:-default}, ${VAR-default},
# ${VAR:?error}, ${VAR?error} and $VAR. Any other use of $ is rejected.
_INTERPOLATION = re.compile(
    r"\$(?:(?P<escaped>\$)"
    r"|\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}"
    r"|(?P<bare>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<invalid>))"
)


def interpolate(text: str, values: dict[str, str]) -> str:
    """What compose makes of a value, given the variables of .env."""

    def replace(match: re.Match) -> str:
        if match["escaped"]:
            return "$"
        if match["invalid"] is not None:
            raise ValueError(f"unsupported interpolation in {text!r}")
        name = match["braced"] or match["bare"]
        value, op = values.get(name), match["op"] or ""
        missing = value is None or (op.startswith(":") and value == "")
        if op and missing:
            if op.endswith("?"):
                raise ValueError(f"compose stops: {name} {match['arg']}")
            return match["arg"]
        return value or ""

    return _INTERPOLATION.sub(replace, text)


def interpolated_names(text: str) -> set[str]:
    return {
        match["braced"] or match["bare"]
        for match in _INTERPOLATION.finditer(text)
        if match["braced"] or match["bare"]
    }


def service_command(service: str) -> list[str]:
    """The service's command as compose runs it, interpolated with .env.example's values."""
    return [
        interpolate(part, example_values()) for part in compose()["services"][service]["command"]
    ]


def healthcheck_command(service: str) -> list[str]:
    test = [
        interpolate(part, example_values())
        for part in compose()["services"][service]["healthcheck"]["test"]
    ]
    if test[0] == "CMD":
        return test[1:]
    assert test[0] == "CMD-SHELL", test
    return ["sh", "-c", test[1]]


# --- .env.example --------------------------------------------------------------------------

_ASSIGNMENT = re.compile(r"^(?P<disabled>#\s*)?(?P<name>[A-Z][A-Z0-9_]*)=(?P<value>.*)$")


def env_example_lines() -> list[str]:
    return ENV_EXAMPLE.read_text().splitlines()


def example_values() -> dict[str, str]:
    """The variables .env.example sets (not the commented-out ones), as compose reads them."""
    values = {}
    for line in env_example_lines():
        match = _ASSIGNMENT.match(line)
        if match and not match["disabled"]:
            values[match["name"]] = match["value"]
    return values


def documented_variables() -> set[str]:
    """Variables assigned in .env.example (or shown commented out) right under a comment."""
    documented = set()
    previous = ""
    for line in env_example_lines():
        match = _ASSIGNMENT.match(line)
        is_comment = previous.startswith("#") and not _ASSIGNMENT.match(previous)
        if match and is_comment and previous.lstrip("# ").strip():
            documented.add(match["name"])
        previous = line
    return documented


# --- Dockerfile ----------------------------------------------------------------------------


def dockerfile_instructions() -> list[tuple[str, str]]:
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    instructions = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, arguments = line.partition(" ")
            instructions.append((keyword.upper(), " ".join(arguments.split())))
    return instructions


# --- Running the commands ------------------------------------------------------------------


def production_env(**overrides: str) -> dict[str, str]:
    """The environment a container gets: .env.example's values, not the developer's shell.

    Starting from an empty environment keeps the test command's SECURE_COOKIES=false and the
    like out of the check. Every variable settings.py reads is set here (see the test of
    .env.example), so a local .env file, which settings.py also reads, cannot change anything.
    """
    env = {k: os.environ[k] for k in ("HOME", "LANG", "LC_ALL", "TMPDIR") if k in os.environ}
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}"
    env.update(example_values())
    env.update(overrides)
    return env


def replace_once(parts: list[str], old: str, new: str) -> list[str]:
    # Exactly one occurrence, so a changed compose file cannot silently test something else.
    assert sum(part.count(old) for part in parts) == 1, (old, parts)
    return [part.replace(old, new) for part in parts]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    # Its own process group, so that stopping it also stops gunicorn's and celery's children.
    with log.open("wb") as out:
        return subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def stop(process: subprocess.Popen) -> None:
    # SIGTERM first, as `docker compose stop` does, so gunicorn and celery shut down cleanly
    # and close their database connections before pytest-django drops the test database.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=15)
    # Then the whole group, so that no child outlives a hung or already-exited parent.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=5)


def wait_for(condition, *, timeout: float, process: subprocess.Popen, log: Path, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        if process.poll() is not None:
            pytest.fail(f"exited ({process.returncode}) before {what}:\n{log.read_text()}")
        time.sleep(0.25)
    pytest.fail(f"no {what} within {timeout:.0f} s:\n{log.read_text()}")
