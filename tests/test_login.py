import pytest
from django.urls import reverse

from tests.factories import PASSWORD


def login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_it_shows_the_login_page_without_a_login(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert 'name="username"' in response.text


def test_it_logs_a_volunteer_in_and_out(client, volunteer, hub):
    response = login(client, "vera", PASSWORD)
    assert response.status_code == 302
    assert client.get(reverse("hub_detail", args=[hub.slug])).status_code == 200

    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("hub_detail", args=[hub.slug])).status_code == 302


def test_it_says_when_the_password_is_wrong(client, volunteer):
    response = login(client, "vera", "wrong")
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.text


@pytest.mark.django_db
def test_it_locks_out_a_username_but_not_the_other_tablets_on_the_same_ip(
    client, volunteer, coordinator, settings
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "vera", "wrong")

    locked = login(client, "vera", PASSWORD)
    assert locked.status_code == 429
    assert "Too many attempts" in locked.text

    # Same IP address (the shared hub Wi-Fi), another volunteer: still gets in.
    assert login(client, "carlos", PASSWORD).status_code == 302
