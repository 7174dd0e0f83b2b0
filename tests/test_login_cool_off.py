"""A locked-out person gets in again once the cool-off has passed, counted from the failure
that locked them out, whatever anyone tried during it."""

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


@pytest.mark.django_db
def test_it_does_not_restart_the_cool_off_for_tries_during_it(client, volunteer, settings):
    cool_off = timedelta(hours=settings.AXES_COOLOFF_TIME)
    locked_at = timezone.now()
    with time_machine.travel(locked_at, tick=False):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            login(client, "vera", "wrong")
    # Someone at the table keeps trying, wrong and right, until just before it ends.
    with time_machine.travel(locked_at + cool_off - timedelta(minutes=1), tick=False):
        assert login(client, "vera", "wrong").status_code == 429
        assert login(client, "vera", PASSWORD).status_code == 429

    with time_machine.travel(locked_at + cool_off + timedelta(minutes=1), tick=False):
        assert login(client, "vera", PASSWORD).status_code == 302
