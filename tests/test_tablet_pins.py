"""Tablet PINs: hashed, set on joining or on one's own page, and wrong ones throttled per
person and per tablet, never locking out the rest of the table."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.hashers import check_password
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hub.join_services import join_code_create
from hub.models import MemberPin, PinFailure
from hub.roles import Role
from tests.factories import UserFactory
from tests.tablets import enrol, switch_in, with_pin


@pytest.fixture
def table(client, hub, coordinator):
    return enrol(client, coordinator=coordinator, hub=hub)


@pytest.mark.django_db
def test_it_keeps_a_pin_hashed_and_lets_the_right_one_in(client, hub, volunteer, table):
    with_pin(volunteer, "0420")

    stored = MemberPin.objects.get(user=volunteer).pin_hash
    assert "0420" not in stored and check_password("0420", stored)
    assert switch_in(client, volunteer, "0420").status_code == 302
    assert client.session[SESSION_KEY] == str(volunteer.pk)


@pytest.mark.django_db
def test_it_makes_a_person_wait_longer_after_each_wrong_pin_past_three(
    client, hub, volunteer, table
):
    with_pin(volunteer, "1234")
    with time_machine.travel(timezone.now(), tick=False) as clock:
        answers = [switch_in(client, volunteer, "0000") for _ in range(3)]
        assert "2 more tries before a wait" in answers[0].text
        assert "Try again in 30 seconds" in answers[2].text
        refused = switch_in(client, volunteer, "1234")  # right, but during the wait
        assert "Try again in" in refused.text and SESSION_KEY not in client.session
        clock.shift(timedelta(seconds=31))
        assert "Try again in 60 seconds" in switch_in(client, volunteer, "0000").text
        clock.shift(timedelta(seconds=61))
        assert switch_in(client, volunteer, "1234").status_code == 302

    assert not PinFailure.objects.filter(member=volunteer).exists()


@pytest.mark.django_db
def test_it_lets_the_rest_of_the_table_in_while_one_person_waits(client, hub, volunteer, table):
    with_pin(volunteer, "1234")
    maria = with_pin(UserFactory(username="maria", role=Role.VOLUNTEER, hubs=[hub]), "4321")
    for _ in range(5):
        switch_in(client, volunteer, "0000")

    assert "Too many wrong PINs for vera" in switch_in(client, volunteer, "1234").text
    assert switch_in(client, maria, "4321").status_code == 302


@pytest.mark.django_db
def test_it_gives_one_free_try_at_a_tablet_where_many_wrong_pins_were_typed(
    client, hub, volunteer, table
):
    people = [with_pin(UserFactory(role=Role.VOLUNTEER, hubs=[hub]), "1111") for _ in range(5)]
    for person in people:
        switch_in(client, person, "0000")
        switch_in(client, person, "0001")
    with_pin(volunteer, "1234")

    assert "Try again in" in switch_in(client, volunteer, "9999").text
    assert switch_in(client, people[0], "1111").status_code == 400  # in their own wait


@pytest.mark.django_db
def test_it_counts_a_persons_wrong_pins_across_tablets(hub, coordinator, volunteer):
    with_pin(volunteer, "1234")
    tablets = [Client() for _ in range(3)]
    for n, device in enumerate(tablets):
        enrol(device, coordinator=coordinator, hub=hub, name=f"Table {n}")
    for device in tablets[:2]:
        for _ in range(3):
            switch_in(device, volunteer, "0000")

    assert "Try again in" in switch_in(tablets[2], volunteer, "1234").text


@pytest.mark.django_db
def test_it_refuses_what_is_not_four_digits_and_reads_any_scripts_digits(
    client, hub, volunteer, table
):
    with_pin(volunteer, "1234")
    for bad in ("123", "12a4", "12345", ""):
        assert switch_in(client, volunteer, bad).status_code == 400
    assert switch_in(client, volunteer, "١٢٣٤").status_code == 302


@pytest.mark.django_db
def test_it_sends_a_name_that_is_not_the_hubs_back_to_the_names(
    client, hub, table, outsider, coordinator
):
    with_pin(outsider)
    response = switch_in(client, outsider, "1234")
    assert response["Location"] == reverse("tablet_switch")
    assert switch_in(client, coordinator, "1234")["Location"] == reverse("tablet_switch")  # no PIN


@pytest.mark.django_db
def test_it_sets_a_pin_on_ones_own_page(client, volunteer):
    client.force_login(volunteer)

    assert client.post(reverse("account_pin"), {"pin": "12"}).status_code == 400
    response = client.post(reverse("account_pin"), {"pin": "5678"}, follow=True)

    assert "Your PIN is set" in response.text
    assert check_password("5678", MemberPin.objects.get(user=volunteer).pin_hash)


@pytest.mark.django_db
def test_it_sets_a_pin_when_joining_by_code(client, hub, coordinator):
    code = join_code_create(
        hub=hub, user=coordinator, expires_at=timezone.now() + timedelta(hours=1)
    )
    form = {"display_name": "Nora", "password": "a-long-password", "language": "en"}

    refused = client.post(reverse("join", args=[code.token]), form | {"pin": "12x4"})
    assert refused.status_code == 400 and "4 digits" in refused.text
    client.post(reverse("join", args=[code.token]), form | {"pin": "2468"})

    assert check_password("2468", MemberPin.objects.get(user__first_name="Nora").pin_hash)
