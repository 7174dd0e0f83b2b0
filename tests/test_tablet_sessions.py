"""The table's shared tablet: a coordinator enrols it, volunteers switch in by name and
PIN, each dropoff names who logged it, and a session there reaches the table's pages only
and ends at the end of the shift or after the hub's idle time."""

from datetime import time, timedelta

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hub.models import Dropoff, PeopleAction, PeopleChange
from hub.roles import Role
from hub.tablets import COOKIE_NAME, tablet_session_ends
from tests.factories import PASSWORD, StorageLocationFactory, UserFactory
from tests.intake import dropoff_form, line
from tests.tablets import enrol, switch_in, with_pin

HTMX = {"HX-Request": "true"}


@pytest.fixture
def maria(hub):
    return with_pin(
        UserFactory(username="maria", first_name="María", role=Role.VOLUNTEER, hubs=[hub]), "4321"
    )


@pytest.mark.django_db
def test_it_enrols_the_device_and_lists_the_members_who_set_a_pin(
    client, hub, coordinator, volunteer, maria, outsider
):
    with_pin(volunteer)
    with_pin(outsider)
    tablet = enrol(client, coordinator=coordinator, hub=hub)

    assert SESSION_KEY not in client.session  # the coordinator is logged out of the tablet
    page = client.get(reverse("tablet_switch"))

    assert page.status_code == 200
    assert "vera" in page.text and "María" in page.text
    assert "carlos" not in page.text.split("<main>")[1]  # no PIN
    assert "otto" not in page.text  # another hub's
    change = PeopleChange.objects.get()
    assert (change.action, change.tablet, change.changed_by) == (
        PeopleAction.TABLET_ENROLLED,
        tablet,
        coordinator,
    )


@pytest.mark.django_db
def test_it_records_each_dropoff_in_the_name_of_who_switched_in(
    client, hub, coordinator, volunteer, maria, water
):
    location = StorageLocationFactory(hub=hub)
    with_pin(volunteer)
    enrol(client, coordinator=coordinator, hub=hub)
    intake = reverse("intake", args=[hub.slug])

    assert switch_in(client, volunteer)["Location"] == intake
    page = client.get(intake)
    assert "vera" in page.text.split("</header>")[0] and "Switch person" in page.text
    client.post(intake, dropoff_form(location, line(water, 2)))
    client.post(reverse("tablet_switch"))
    assert SESSION_KEY not in client.session
    assert switch_in(client, maria, "4321")["Location"] == intake
    assert "María" in client.get(intake).text.split("</header>")[0]
    client.post(intake, dropoff_form(location, line(water, 3)))

    logged = Dropoff.objects.order_by("pk").values_list("logged_by__username", flat=True)
    assert list(logged) == ["vera", "maria"]


@pytest.mark.django_db
def test_it_keeps_a_tablet_session_to_the_table_pages_of_its_hub(
    client, hub, other_hub, coordinator, admin_user
):
    # An admin of both hubs, who may open every page elsewhere.
    other_hub.memberships.create(user=admin_user)
    with_pin(admin_user)
    enrol(client, coordinator=coordinator, hub=hub)
    switch_in(client, admin_user)
    intake = reverse("intake", args=[hub.slug])

    assert client.get(intake).status_code == 200
    assert client.get(reverse("intake_item_search", args=[hub.slug]), {"q": "w"}).status_code == 200
    for refused in (
        reverse("stock_list", args=[hub.slug]),
        reverse("people", args=[hub.slug]),
        reverse("intake_tiles", args=[hub.slug]),
        reverse("hub_detail", args=[hub.slug]),
        reverse("account_pin"),
        reverse("intake", args=[other_hub.slug]),
        "/admin/",
        "/admin/hub/hub/",
    ):
        response = client.get(refused, follow=True)
        assert response.redirect_chain[0] == (intake, 302), refused
        assert "opens the dropoff pages only" in response.text
    htmx = client.get(reverse("dashboard", args=[hub.slug]), headers=HTMX)
    assert htmx["HX-Redirect"] == intake
    page = client.get(intake).text.split("</header>")[0]
    assert "Dashboard" not in page and "Log out" not in page


@pytest.mark.django_db
def test_it_sends_whoever_is_not_switched_in_to_the_names(client, hub, coordinator):
    enrol(client, coordinator=coordinator, hub=hub)

    response = client.get(reverse("intake", args=[hub.slug]))

    assert response["Location"] == reverse("tablet_switch")
    assert client.get(reverse("login")).status_code == 200


@pytest.mark.django_db
def test_it_ends_the_session_after_the_idle_time(client, hub, coordinator, volunteer):
    with_pin(volunteer)
    enrol(client, coordinator=coordinator, hub=hub)
    intake = reverse("intake", args=[hub.slug])
    with time_machine.travel(timezone.now(), tick=False) as clock:
        switch_in(client, volunteer)
        clock.shift(timedelta(minutes=14))
        assert client.get(intake).status_code == 200  # restarts the idle clock
        clock.shift(timedelta(minutes=14))
        assert client.get(intake).status_code == 200
        clock.shift(timedelta(minutes=16))
        response = client.get(intake, follow=True)

    assert response.redirect_chain[0] == (reverse("tablet_switch"), 302)
    assert "idle for over 15 minutes" in response.text
    assert SESSION_KEY not in client.session


@pytest.mark.django_db
def test_it_ends_the_session_at_the_end_of_the_shift(client, hub, coordinator, volunteer):
    hub.time_zone = "America/Los_Angeles"
    hub.tablet_shift_ends = time(18, 0)
    hub.tablet_idle_minutes = 600
    hub.save()
    with_pin(volunteer)
    enrol(client, coordinator=coordinator, hub=hub)
    intake = reverse("intake", args=[hub.slug])
    # 17:30 in Los Angeles (PST, UTC-8).
    with time_machine.travel("2026-12-03 01:30:00+00:00", tick=False) as clock:
        switch_in(client, volunteer)
        assert client.get(intake).status_code == 200
        clock.shift(timedelta(minutes=29))
        assert client.get(intake).status_code == 200
        clock.shift(timedelta(minutes=2))
        response = client.get(intake, follow=True)

    assert "The shift is over" in response.text
    assert SESSION_KEY not in client.session


@pytest.mark.django_db
def test_it_ends_a_session_eight_hours_on_without_a_shift_end(hub):
    now = timezone.now()
    assert tablet_session_ends(hub=hub, now=now) == now + timedelta(hours=8)
    hub.tablet_shift_ends = time(9, 0)
    hub.time_zone = "UTC"
    at_ten = now.replace(hour=10, minute=0, second=0, microsecond=0)
    assert tablet_session_ends(hub=hub, now=at_ten) == at_ten + timedelta(hours=23)


@pytest.mark.django_db
def test_it_stops_a_revoked_tablet_at_its_next_request(client, hub, coordinator, volunteer):
    with_pin(volunteer)
    tablet = enrol(client, coordinator=coordinator, hub=hub)
    switch_in(client, volunteer)
    phone = Client()
    phone.force_login(coordinator)

    phone.post(reverse("tablet_revoke", args=[hub.slug]), {"tablet": tablet.pk})

    response = client.get(reverse("intake", args=[hub.slug]), follow=True)
    assert "is no longer the table" in response.text
    assert SESSION_KEY not in client.session
    assert client.get(reverse("tablet_switch")).status_code == 403
    assert PeopleChange.objects.filter(action=PeopleAction.TABLET_REVOKED, tablet=tablet).exists()


@pytest.mark.django_db
def test_it_refuses_a_forged_or_copied_cookie_of_another_key(client, hub, coordinator):
    tablet = enrol(client, coordinator=coordinator, hub=hub)
    cookie = client.cookies[COOKIE_NAME].value

    forged = Client()
    forged.cookies[COOKIE_NAME] = cookie[:-2] + "xx"
    assert forged.get(reverse("tablet_switch")).status_code == 403
    tablet.key = "another"
    tablet.save()
    assert client.get(reverse("tablet_switch")).status_code == 403


@pytest.mark.django_db
def test_it_confines_a_password_login_on_the_tablet_too(client, hub, coordinator):
    enrol(client, coordinator=coordinator, hub=hub)

    client.post(reverse("login"), {"username": "carlos", "password": PASSWORD})

    response = client.get(reverse("stock_list", args=[hub.slug]))
    assert response["Location"] == reverse("intake", args=[hub.slug])


@pytest.mark.django_db
def test_it_lets_only_the_hubs_coordinators_enrol_and_revoke(client, hub, volunteer, outsider):
    client.force_login(volunteer)
    assert client.post(reverse("tablet_enrol", args=[hub.slug]), {"name": "T"}).status_code == 403
    client.force_login(outsider)
    assert client.post(reverse("tablet_enrol", args=[hub.slug]), {"name": "T"}).status_code == 404
    assert COOKIE_NAME not in client.cookies
