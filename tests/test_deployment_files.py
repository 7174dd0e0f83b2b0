"""The production deployment files: Dockerfile, docker-compose.yml and .env.example.

Docker does not run in CI, so these tests read the files against config/settings.py and against
each other; test_deployment_commands.py runs the commands compose runs.
"""

import ast
import fnmatch
import re
import subprocess
import sys
from urllib.parse import urlsplit

import environ

from tests.deployment import (
    APP_SERVICES,
    DOCKERIGNORE,
    ROOT,
    SETTINGS_FILE,
    TEST_SECRET_KEY,
    compose,
    dockerfile_instructions,
    documented_variables,
    example_values,
    interpolate,
    interpolated_names,
    production_env,
)


def env_variables_read_by_settings() -> set[str]:
    """Every env("X") / env.kind("X") / os.environ lookup in config/settings.py."""
    names = set()
    for node in ast.walk(ast.parse(SETTINGS_FILE.read_text())):
        if isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ":
            names.add(ast.literal_eval(node.slice))
        if not isinstance(node, ast.Call):
            continue
        function = node.func
        reads_env = (
            (isinstance(function, ast.Name) and function.id == "env")
            or (
                isinstance(function, ast.Attribute)
                and isinstance(function.value, ast.Name)
                and function.value.id == "env"
            )
            or ast.unparse(function) in ("os.getenv", "os.environ.get")
        )
        if reads_env:
            name = node.args[0] if node.args else None
            # A computed name could not be checked against .env.example: refuse it.
            assert isinstance(name, ast.Constant) and isinstance(name.value, str), (
                f"config/settings.py line {node.lineno}: read the environment with a literal name"
            )
            names.add(name.value)
    return names


def strings_in(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


def dockerignored(path: str) -> bool:
    """.dockerignore semantics for the paths checked here: the last matching line wins."""
    ignored = False
    for line in DOCKERIGNORE.read_text().splitlines():
        pattern = line.strip()
        if not pattern or pattern.startswith("#"):
            continue
        negated = pattern.startswith("!")
        pattern = pattern.lstrip("!").lstrip("/")
        parts = path.split("/")
        candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        suffixes = ["/".join(parts[i:]) for i in range(len(parts))]
        if pattern.startswith("**/"):
            matched = any(fnmatch.fnmatchcase(s, pattern[3:]) for s in suffixes)
        else:
            matched = any(fnmatch.fnmatchcase(c, pattern) for c in candidates)
        if matched:
            ignored = not negated
    return ignored


# --- .env.example --------------------------------------------------------------------------


def test_it_documents_every_setting_the_hub_reads_in_env_example():
    read = env_variables_read_by_settings()
    # Guards the AST walk itself: these are certainly read.
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "BEHIND_TLS_PROXY"} <= read

    assert sorted(read - documented_variables()) == []


def test_it_documents_every_variable_compose_interpolates_in_env_example():
    used = set()
    for text in strings_in(compose()):
        used |= interpolated_names(text)
    assert {"POSTGRES_PASSWORD", "WEB_CONCURRENCY", "CELERY_CONCURRENCY"} <= used

    assert sorted(used - documented_variables()) == []


def test_it_gives_production_safe_example_values():
    values = example_values()

    assert values["DEBUG"] == "false"
    assert values["SECURE_COOKIES"] == "true"
    # The redirect loops behind a proxy unless the proxy's https header is trusted.
    assert values["SECURE_SSL_REDIRECT"] != "true" or values["BEHIND_TLS_PROXY"] == "true"
    # Left empty so that nobody runs production on a published example secret.
    assert values["SECRET_KEY"] == ""
    assert values["POSTGRES_PASSWORD"] == ""
    assert values["WEB_CONCURRENCY"] == "2"


def test_it_refuses_to_start_with_the_example_env_until_a_secret_key_is_set():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_it_passes_djangos_deployment_checks_with_the_example_env():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(SECRET_KEY=TEST_SECRET_KEY),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (1 silenced)." in result.stdout


# --- docker-compose.yml and the image ------------------------------------------------------


def test_it_defines_the_five_services_with_healthchecks_and_a_postgres_volume():
    services = compose()["services"]

    assert set(services) == {"postgres", "redis", "web", "worker", "beat"}
    for name, service in services.items():
        assert service["healthcheck"]["test"][0] in ("CMD", "CMD-SHELL"), name
        assert service["restart"] == "unless-stopped", name
    assert services["postgres"]["image"] == "postgres:15"
    assert services["redis"]["image"] == "redis:7"
    assert "pg_isready" in services["postgres"]["healthcheck"]["test"]
    assert services["redis"]["healthcheck"]["test"][1:] == ["redis-cli", "ping"]
    volume, _, mount = services["postgres"]["volumes"][0].partition(":")
    assert mount == "/var/lib/postgresql/data"
    # A named volume (declared below), not a path: the data outlives the container.
    assert volume in compose()["volumes"]


def test_it_feeds_the_app_services_from_env_and_waits_for_healthy_backends():
    services = compose()["services"]
    values = {**example_values(), "POSTGRES_PASSWORD": "s3cretPassw0rd"}

    for name in APP_SERVICES:
        service = services[name]
        assert service["env_file"] == ".env", name
        assert service["depends_on"] == {
            "postgres": {"condition": "service_healthy"},
            "redis": {"condition": "service_healthy"},
        }, name
        database = environ.Env.db_url_config(
            interpolate(service["environment"]["DATABASE_URL"], values)
        )
        assert database["ENGINE"] == "django.db.backends.postgresql", name
        assert (database["HOST"], database["NAME"], database["USER"], database["PASSWORD"]) == (
            "postgres",
            values["POSTGRES_DB"],
            values["POSTGRES_USER"],
            "s3cretPassw0rd",
        ), name
        assert urlsplit(service["environment"]["REDIS_URL"]).hostname == "redis", name
    # No secret is written into the file: every password-like value comes from .env.
    for service in services.values():
        for key, value in (service.get("environment") or {}).items():
            if re.search("PASSWORD|SECRET", key):
                assert re.fullmatch(r"\$\{[A-Z_]+(:?\?[^}]*)?\}", value), key


def test_it_builds_an_image_that_runs_as_non_root_without_a_baked_secret():
    instructions = dockerfile_instructions()
    runs = [arguments for keyword, arguments in instructions if keyword == "RUN"]

    assert instructions[0] == ("FROM", "python:3.11-slim")
    users = [arguments for keyword, arguments in instructions if keyword == "USER"]
    assert users and users[-1] not in ("root", "0"), users
    assert ("EXPOSE", "8000") in instructions
    assert not any(
        keyword in ("ENV", "ARG") and "SECRET_KEY" in arguments
        for keyword, arguments in instructions
    )
    assert any("pip install ." in run for run in runs)
    assert any("pybabel compile --domain django --directory locale --use-fuzzy" in r for r in runs)
    assert any(
        "DEBUG=false" in run and "SECRET_KEY=" in run and "collectstatic --noinput" in run
        for run in runs
    )
    # settings.py reads /app/.env if it exists: the build context must never carry one.
    for path in (".env", ".git/config", ".venv/bin/python", "db.sqlite3", "staticfiles/x.css"):
        assert dockerignored(path), path
    for path in (".env.example", "manage.py", "locale/es/LC_MESSAGES/django.po", "pyproject.toml"):
        assert not dockerignored(path), path
