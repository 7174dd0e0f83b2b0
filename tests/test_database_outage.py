"""While the database is unreachable every request, logged in or not, answers 503 "nothing
was saved" with Retry-After (JSON for the feeds), wherever in the request the database was
first needed; the same pages work again as soon as it is back, without a restart."""

import json
import os
import socket
from contextlib import contextmanager

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.intake import HTMX, dropoff_form, intake_url, line

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _require_postgres():
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        pytest.skip("needs DATABASE_URL for Postgres, as `make test` sets it")


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens once the probe is closed


@contextmanager
def database_unreachable():
    """The database server stops answering: connections are refused from now on."""
    settings_dict = connection.settings_dict
    saved = settings_dict["HOST"], settings_dict["PORT"]
    connection.close()
    settings_dict["HOST"], settings_dict["PORT"] = "127.0.0.1", closed_port()
    try:
        yield
    finally:
        connection.close()
        settings_dict["HOST"], settings_dict["PORT"] = saved


def browser() -> Client:
    # As a server does: the exception is answered, not re-raised into the test.
    return Client(raise_request_exception=False)


def assert_not_saved_page(response):
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Content-Type"].startswith("text/html")
    assert "Nothing of this request was saved." in response.text


def test_it_answers_503_to_anonymous_pages_and_the_login_form_and_recovers(hub):
    client = browser()
    with database_unreachable():
        assert_not_saved_page(client.get(reverse("public_status")))
        assert_not_saved_page(client.get(reverse("public_hub_status", args=[hub.slug])))
        assert_not_saved_page(
            client.post(reverse("login"), {"username": "vera", "password": "whatever"})
        )
    assert client.get(reverse("public_status")).status_code == 200


def test_it_answers_503_to_a_logged_in_person_whose_session_cannot_be_read(hub, volunteer):
    client = browser()
    client.force_login(volunteer)
    with database_unreachable():
        assert_not_saved_page(client.get(intake_url(hub)))
        assert_not_saved_page(client.get(reverse("home")))
    assert client.get(intake_url(hub)).status_code == 200


def test_it_answers_503_to_an_htmx_submit_so_the_page_shows_not_saved(hub, volunteer):
    client = browser()
    client.force_login(volunteer)
    with database_unreachable():
        response = client.post(intake_url(hub), dropoff_form(None, line(1, 2)), headers=HTMX)
    assert_not_saved_page(response)
    assert client.get(intake_url(hub), headers=HTMX).status_code == 200


@pytest.mark.parametrize("feed", ["network", "hub"])
def test_it_answers_a_json_503_to_the_feeds(feed, hub):
    url = (
        reverse("public_feed") if feed == "network" else reverse("public_hub_feed", args=[hub.slug])
    )
    client = browser()
    with database_unreachable():
        response = client.get(url)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content)["error"] == "database_unavailable"
    assert client.get(url).status_code == 200
