"""Input nobody types: a NUL or another control character anywhere in a request (its path,
query string, form fields or cookies), an overlong login name. The answer is a clear 400
page, a form error, or for a spoilt cookie as if there were none; never a server error, and
nothing stored."""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from deliveries.models import Destination
from hub.models import Dropoff
from tests.intake import dropoff_form, line

NOT_ALLOWED = "control characters"


@pytest.fixture
def as_coordinator(client, coordinator):
    client.force_login(coordinator)
    return client


def test_it_refuses_a_login_name_longer_than_any_user_has(client, volunteer):
    response = client.post(reverse("login"), {"username": "v" * 300, "password": "x"})

    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.text
    assert not AccessAttempt.objects.exists()


def test_it_refuses_a_nul_byte_in_the_idempotency_key_and_logs_nothing(
    client, hub, volunteer, water
):
    client.force_login(volunteer)
    data = dropoff_form(None, line(water, 2, outcome="declined"), key="key\x00")

    response = client.post(reverse("intake", args=[hub.slug]), data)

    assert response.status_code == 400
    assert NOT_ALLOWED in response.text
    assert not Dropoff.objects.exists()


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("intake_item_search", "q=wa%00ter"),
        ("stock_list", "q=%00"),
        ("reports", "since=2025-01-01%00&until=2025-01-07"),
        ("run_list", "status=%01draft"),
        ("intake_line", "item=1%1b"),
        ("run_list", "page=%7f"),
    ],
)
def test_it_refuses_control_characters_in_a_query_string(as_coordinator, hub, name, query):
    response = as_coordinator.get(f"{reverse(name, args=[hub.slug])}?{query}")

    assert response.status_code == 400
    assert NOT_ALLOWED in response.text


def test_it_refuses_control_characters_in_a_query_parameter_name(as_coordinator, hub):
    response = as_coordinator.get(f"{reverse('stock_list', args=[hub.slug])}?q%00=water")

    assert response.status_code == 400


@pytest.mark.parametrize("path", ["/hubs/west-adams%00/", "/status/west%00adams/", "/%00"])
def test_it_refuses_control_characters_in_the_path(as_coordinator, hub, path):
    response = as_coordinator.get(path)

    assert response.status_code == 400
    assert NOT_ALLOWED in response.text


def test_it_refuses_control_characters_in_a_form_and_stores_nothing(as_coordinator, hub):
    data = {"name": "Eastside\x07Shelter", "kind": "shelter", "notes": ""}

    response = as_coordinator.post(reverse("destination_create", args=[hub.slug]), data)

    assert response.status_code == 400
    assert not Destination.objects.exists()


def test_it_takes_line_breaks_and_tabs_in_a_note(as_coordinator, hub):
    data = {"name": "Eastside Shelter", "kind": "shelter", "notes": "Back door\r\n\tafter 6"}

    response = as_coordinator.post(reverse("destination_create", args=[hub.slug]), data)

    assert response.status_code == 302
    assert Destination.objects.get().notes == "Back door\r\n\tafter 6"


@pytest.mark.parametrize("cookie", ["sessionid", "csrftoken", "django_language"])
def test_it_takes_a_spoilt_cookie_for_no_cookie(client, hub, cookie):
    client.cookies[cookie] = "abcdefgh\x00ijklmnop"

    response = client.get(reverse("hub_detail", args=[hub.slug]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_says_so_in_the_visitors_language(client, hub):
    client.cookies["django_language"] = "es"

    response = client.get(f"{reverse('login')}?next=%00")

    assert response.status_code == 400
    assert "caracteres de control" in response.text
