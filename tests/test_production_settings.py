"""The settings production runs with (.env.example's values, as a container gets them):
secure and script-proof cookies, a CSP without inline scripts, login throttling per
username and address. (`check --deploy`: tests/test_deployment_files.py.)"""

import json
import subprocess
import sys

import pytest
from django.urls import reverse

from tests.deployment import ROOT, TEST_SECRET_KEY, production_env
from tests.factories import PASSWORD

SHOWN = [
    "DEBUG",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "LANGUAGE_COOKIE_SECURE",
    "LANGUAGE_COOKIE_HTTPONLY",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_PROXY_SSL_HEADER",
    "AXES_FAILURE_LIMIT",
    "AXES_COOLOFF_TIME",
    "AXES_LOCKOUT_PARAMETERS",
]


@pytest.fixture(scope="module")
def production():
    """The values settings.py computes from the production environment."""
    script = (
        "import json; from django.conf import settings as s; "
        f"print(json.dumps({{n: getattr(s, n) for n in {SHOWN!r}}}))"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", script],
        cwd=ROOT,
        env=production_env(SECRET_KEY=TEST_SECRET_KEY),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_it_sets_every_cookie_secure_and_out_of_scripts_reach(production):
    assert production["DEBUG"] is False
    for cookie in ("SESSION", "CSRF", "LANGUAGE"):
        assert production[f"{cookie}_COOKIE_SECURE"] is True, cookie
        assert production[f"{cookie}_COOKIE_HTTPONLY"] is True, cookie
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SECURE_HSTS_SECONDS"] > 0
    assert production["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_it_throttles_logins_per_username_and_address_with_a_cool_off(production):
    assert production["AXES_LOCKOUT_PARAMETERS"] == [["username", "ip_address"]]
    assert production["AXES_FAILURE_LIMIT"] == 5
    assert production["AXES_COOLOFF_TIME"] == 0.25  # hours


def test_it_sends_the_session_csrf_and_language_cookies_secure_and_http_only(
    client, volunteer, production, settings
):
    for name in ("SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "LANGUAGE_COOKIE_SECURE"):
        setattr(settings, name, production[name])

    login_page = client.get(reverse("login"))
    logged_in = client.post(reverse("login"), {"username": "vera", "password": PASSWORD})
    spanish = client.post(reverse("set_language"), {"language": "es", "next": "/"})

    cookies = {
        "csrftoken": login_page.cookies["csrftoken"],
        "sessionid": logged_in.cookies["sessionid"],
        "django_language": spanish.cookies["django_language"],
    }
    for name, cookie in cookies.items():
        assert cookie["secure"] is True, name
        assert cookie["httponly"] is True, name
        assert cookie["samesite"] == "Lax", name


def test_it_sends_a_csp_without_inline_scripts_or_styles_on_a_page_with_forms(
    client, volunteer, hub
):
    client.force_login(volunteer)
    response = client.get(reverse("intake", args=[hub.slug]))
    directives = dict(
        part.strip().split(" ", 1)
        for part in response["Content-Security-Policy"].split(";")
        if part.strip()
    )
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert "unsafe" not in response["Content-Security-Policy"]
    assert "<script>" not in response.text and " onclick=" not in response.text
