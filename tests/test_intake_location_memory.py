"""The storage location is the one last chosen on this device until the volunteer changes
it; when it is full the page says so and asks, rather than switching silently. The fills
shown are the new ones after a dropoff and after its undo."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from hub.intake.views import LOCATION_COOKIE
from hub.models import Dropoff
from tests.factories import StorageLocationFactory
from tests.intake import HTMX, dropoff_form, fill_to, intake_url, line, location_options, login


@pytest.fixture
def shelf(hub):
    return StorageLocationFactory(hub=hub, name="Back shelf", capacity_litres=Decimal("100"))


@pytest.fixture
def hall(hub):
    """The emptiest: the choice for a device that has not chosen yet."""
    return StorageLocationFactory(hub=hub, name="Main hall", capacity_litres=Decimal("10000"))


def selected(html: str) -> list[int | None]:
    return [pk for pk, chosen in location_options(html) if chosen]


def test_it_keeps_the_location_the_last_dropoff_went_to(client, hub, volunteer, shelf, hall, water):
    fill_to(shelf, 10)
    login(client, volunteer)
    assert selected(client.get(intake_url(hub)).content.decode()) == [hall.pk]

    response = client.post(intake_url(hub), dropoff_form(shelf, line(water, 2)), headers=HTMX)

    assert selected(response.content.decode()) == [shelf.pk]  # the form for the next donor
    assert response.cookies[LOCATION_COOKIE].value == str(shelf.pk)
    assert selected(client.get(intake_url(hub)).content.decode()) == [shelf.pk]


def test_it_keeps_the_location_chosen_on_the_device_even_when_another_is_emptier(
    client, hub, volunteer, shelf, hall
):
    client.cookies[LOCATION_COOKIE] = str(shelf.pk)
    fill_to(shelf, 50)  # half full, the hall empty

    html = login(client, volunteer).get(intake_url(hub)).content.decode()

    assert selected(html) == [shelf.pk]


def test_it_asks_when_the_remembered_location_is_full(client, hub, volunteer, shelf, hall):
    client.cookies[LOCATION_COOKIE] = str(shelf.pk)
    fill_to(shelf, 96)  # past the hub's "full" at 95 %

    html = login(client, volunteer).get(intake_url(hub)).content.decode()

    assert location_options(html)[0] == (None, False)
    assert selected(html) == []  # so the blank choice shows, and an accepted line is refused
    assert "Back shelf is full (96.0 %). Choose where to put the goods." in html


@pytest.mark.parametrize("cookie", ["x", "99999999", "1" * 30, "-1"])
def test_it_ignores_a_cookie_that_is_no_location_of_this_hub(
    client, hub, other_hub, volunteer, hall, cookie
):
    elsewhere = StorageLocationFactory(hub=other_hub)
    client.cookies[LOCATION_COOKIE] = str(elsewhere.pk) if cookie == "-1" else cookie

    response = login(client, volunteer).get(intake_url(hub))

    assert response.status_code == 200
    assert selected(response.content.decode()) == [hall.pk]


def test_it_shows_the_new_fill_in_the_location_choice_after_a_dropoff_and_its_undo(
    client, hub, volunteer, shelf, hall, water
):
    login(client, volunteer)
    water.unit_volume_litres = Decimal("10")
    water.save()

    after_log = client.post(
        intake_url(hub), dropoff_form(shelf, line(water, 3)), headers=HTMX
    ).content.decode()
    assert re.search(r"Back shelf \(30(\.0)? % full\)", after_log)
    assert "Back shelf is now 30" in after_log

    dropoff = Dropoff.objects.get()
    url = reverse("dropoff_undo", args=[hub.slug, dropoff.pk])
    after_undo = client.post(url, headers=HTMX).content.decode()

    picker = re.search(
        r'<div id="location-picker"[^>]*hx-swap-oob="true".*?</div>', after_undo, re.S
    )
    assert picker, after_undo
    assert re.search(r"Back shelf \(0(\.0)? % full\)", picker.group(0))
    assert selected(picker.group(0)) == [shelf.pk]  # still the location chosen on this device
