"""Join by code: a coordinator shows a code, a newcomer opens its link without a login and
is a Volunteer of the hub at once, able to log a dropoff. Codes expire, can be revoked,
and bad input or abuse stores nothing."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hub import join_services
from hub.languages import user_language_get
from hub.models import Dropoff, JoinCode, Membership
from hub.roles import Role, user_role
from tests.factories import StorageLocationFactory
from tests.intake import dropoff_form, line

User = get_user_model()
GOOD = {"display_name": "María López", "password": "sunflower-ladder-42", "language": "es"}


@pytest.fixture
def code(hub, coordinator):
    return join_services.join_code_create(
        hub=hub, user=coordinator, expires_at=timezone.now() + timedelta(hours=8)
    )


def join_url(code) -> str:
    return reverse("join", args=[code.token])


def people() -> int:
    return User.objects.count()


# --- the coordinator's page -----------------------------------------------------------------


def test_it_shows_a_new_code_as_a_qr_code_and_a_link(client, hub, coordinator):
    client.force_login(coordinator)

    response = client.post(reverse("join_code", args=[hub.slug]), {"validity": "shift"})
    page = client.get(response["Location"]).content.decode()

    code = JoinCode.objects.get(hub=hub)
    assert response.status_code == 302
    assert 'src="data:image/svg+xml' in page
    assert f"http://testserver/join/{code.token}/" in page
    assert timedelta(hours=7, minutes=59) < code.expires_at - timezone.now() <= timedelta(hours=8)
    assert len(code.token) >= 16


def test_it_makes_a_code_valid_for_a_day_or_until_a_set_time_in_the_hubs_zone(
    client, hub, coordinator
):
    hub.time_zone = "Europe/Madrid"
    hub.save()
    client.force_login(coordinator)
    url = reverse("join_code", args=[hub.slug])

    client.post(url, {"validity": "day"})
    day = JoinCode.objects.get(hub=hub)
    until = (
        (timezone.now() + timedelta(days=2))
        .astimezone(hub_zone(hub))
        .replace(second=0, microsecond=0)
    )
    client.post(url, {"validity": "until", "until": until.strftime("%Y-%m-%dT%H:%M")})

    day.refresh_from_db()
    assert timedelta(hours=23, minutes=59) < day.expires_at - day.created_at <= timedelta(hours=24)
    assert day.revoked_at is not None, "a new code stops the last one"
    assert JoinCode.objects.get(revoked_at__isnull=True).expires_at == until


def hub_zone(hub):
    from zoneinfo import ZoneInfo

    return ZoneInfo(hub.time_zone)


@pytest.mark.parametrize(
    "posted",
    [
        {"validity": "until", "until": ""},
        {"validity": "until", "until": "2001-01-01T09:00"},
        {"validity": "until", "until": "2999-01-01T09:00"},
        {"validity": "until", "until": "not a time"},
        {"validity": "forever"},
    ],
)
def test_it_refuses_a_bad_validity_with_a_message_and_stores_nothing(
    client, hub, coordinator, posted
):
    client.force_login(coordinator)

    response = client.post(reverse("join_code", args=[hub.slug]), posted)

    assert response.status_code == 400
    assert 'class="error"' in response.content.decode()
    assert not JoinCode.objects.exists()


def test_it_lets_only_the_hubs_coordinators_show_or_make_codes(
    client, hub, volunteer, outsider, code
):
    client.force_login(volunteer)
    assert client.get(reverse("join_code", args=[hub.slug])).status_code == 403
    assert client.post(reverse("join_code", args=[hub.slug]), {"validity": "day"}).status_code == (
        403
    )
    client.force_login(outsider)
    assert client.get(reverse("join_code", args=[hub.slug])).status_code == 404
    assert client.post(reverse("join_code_revoke", args=[hub.slug])).status_code == 404
    assert JoinCode.objects.get().revoked_at is None


# --- joining -----------------------------------------------------------------------------


def test_it_makes_the_newcomer_a_volunteer_of_the_hub_logged_in_at_the_dropoff_table(
    client, hub, code
):
    form = client.get(join_url(code))
    response = client.post(join_url(code), GOOD)

    newcomer = User.objects.get(first_name="María López")
    assert form.status_code == 200
    assert response.status_code == 302
    assert response["Location"] == reverse("intake", args=[hub.slug])
    assert newcomer.username == "maría-lópez"
    assert user_role(newcomer) == Role.VOLUNTEER
    assert list(Membership.objects.filter(user=newcomer).values_list("hub", flat=True)) == [hub.pk]
    assert user_language_get(user=newcomer) == "es"
    assert newcomer.email == ""
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "maría-lópez" in page.content.decode(), "told the username to log in with next time"
    assert page.headers["Content-Language"] == "es"
    code.refresh_from_db()
    assert code.joined_count == 1


def test_it_lets_the_newcomer_log_a_dropoff_in_their_name(client, hub, code, water):
    hall = StorageLocationFactory(hub=hub, name="Main hall", capacity_litres=Decimal("1000"))
    client.post(join_url(code), GOOD)

    response = client.post(reverse("intake", args=[hub.slug]), dropoff_form(hall, line(water, 12)))

    dropoff = Dropoff.objects.get()
    assert response.status_code == 302
    assert dropoff.logged_by.first_name == "María López"
    assert [(ln.item, ln.quantity) for ln in dropoff.lines.all()] == [(water, 12)]


def test_it_gives_a_second_newcomer_of_the_same_name_a_username_of_their_own(hub, code):
    for _n in range(2):
        Client().post(join_url(code), GOOD)

    assert sorted(
        User.objects.filter(first_name="María López").values_list("username", flat=True)
    ) == [
        "maría-lópez",
        "maría-lópez-2",
    ]


def test_it_offers_the_hubs_default_language_first(client, hub, code):
    hub.default_language = "es"
    hub.save()

    page = client.get(join_url(code)).content.decode()

    assert '<option value="es" selected>' in page


@pytest.mark.parametrize(
    "posted",
    [
        {**GOOD, "display_name": "   "},
        {**GOOD, "display_name": "x" * 61},
        {**GOOD, "password": "1234"},
        {**GOOD, "password": "password"},
        {**GOOD, "password": "maria-lopez", "display_name": "Maria Lopez"},
        {**GOOD, "language": "xx"},
        {"display_name": "María"},
    ],
)
def test_it_refuses_bad_input_with_a_message_and_stores_nothing(client, hub, code, posted):
    before = people()

    response = client.post(join_url(code), posted)

    assert response.status_code == 400
    assert 'class="error"' in response.content.decode()
    assert people() == before
    assert "_auth_user_id" not in client.session
    code.refresh_from_db()
    assert code.joined_count == 0


def test_it_refuses_an_expired_code_and_stores_nothing(client, hub, code):
    before = people()

    with time_machine.travel(timezone.now() + timedelta(hours=8, seconds=1)):
        page = client.get(join_url(code))
        response = client.post(join_url(code), GOOD)

    assert (page.status_code, response.status_code) == (404, 404)
    assert "expired or was revoked" in response.content.decode()
    assert people() == before


def test_it_refuses_a_revoked_code_and_stores_nothing(client, hub, coordinator, code):
    client.force_login(coordinator)
    client.post(reverse("join_code_revoke", args=[hub.slug]))
    client.logout()
    before = people()

    response = client.post(join_url(code), GOOD)

    assert response.status_code == 404
    assert people() == before
    code.refresh_from_db()
    assert code.revoked_by == coordinator


def test_it_refuses_a_code_of_a_hub_that_is_no_longer_active(client, hub, code):
    hub.is_active = False
    hub.save()

    assert client.post(join_url(code), GOOD).status_code == 404
    assert not User.objects.filter(first_name="María López").exists()


def test_it_stops_an_address_that_tries_many_wrong_codes_even_with_a_right_one(client, code):
    for n in range(join_services.MOST_BAD_CODES_PER_ADDRESS):
        assert client.get(reverse("join", args=[f"guess{n}"])).status_code == 404
    before = people()

    response = client.post(join_url(code), GOOD)

    assert response.status_code == 429
    assert "Too many tries" in response.content.decode()
    assert people() == before


def test_it_stops_a_code_used_up_and_an_address_making_too_many_people(client, code, monkeypatch):
    monkeypatch.setattr(join_services, "MOST_JOINS_PER_CODE", 1)
    Client().post(join_url(code), GOOD)

    used_up = Client().post(join_url(code), {**GOOD, "display_name": "Second"})

    assert used_up.status_code == 400
    assert "used up" in used_up.content.decode()
    monkeypatch.setattr(join_services, "MOST_JOINS_PER_CODE", 100)
    monkeypatch.setattr(join_services, "MOST_JOINS_PER_ADDRESS_PER_HOUR", 1)
    assert Client().post(join_url(code), {**GOOD, "display_name": "Third"}).status_code == 429
    assert list(
        User.objects.filter(groups__name="Volunteer").values_list("first_name", flat=True)
    ) == ["María López"]
