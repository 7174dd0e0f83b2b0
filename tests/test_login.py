from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD


def login(client, username, password, ip="10.0.0.7"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


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


@pytest.mark.django_db
def test_it_lets_a_locked_out_username_in_again_after_the_cool_off(client, volunteer, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "vera", "wrong")
    assert login(client, "vera", PASSWORD).status_code == 429

    # The same person on their phone, on mobile data: another address, not locked.
    assert login(client, "vera", PASSWORD, ip="172.16.4.20").status_code == 302
    client.logout()

    # Each try during the lockout starts the cool-off again (axes' default), so wait it out.
    cool_off = timedelta(hours=settings.AXES_COOLOFF_TIME)
    with time_machine.travel(timezone.now() + cool_off + timedelta(minutes=1)):
        assert login(client, "vera", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_it_counts_failures_per_username_so_a_few_typos_each_lock_nobody(
    client, volunteer, coordinator, settings
):
    # Ten tablets, one address: every volunteer may mistype up to the limit minus one.
    for username in ("vera", "carlos"):
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            login(client, username, "wrong")
    assert login(client, "vera", PASSWORD).status_code == 302
    client.logout()
    assert login(client, "carlos", PASSWORD).status_code == 302
