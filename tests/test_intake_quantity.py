"""A quantity far above what the hub usually receives of an item asks for a confirmation on
its line before anything is logged; the quantity box selects its content on focus and opens
the numeric keypad (the focus itself is in the browser test)."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from hub.intake.selectors import UNUSUAL_WITHOUT_HISTORY
from hub.models import Dropoff, DropoffLine
from inventory.models import StockMovement
from tests.factories import StorageLocationFactory
from tests.intake import HTMX, dropoff_form, intake_url, line, login, receipts


@pytest.fixture
def hall(hub):
    return StorageLocationFactory(hub=hub, name="Main hall", capacity_litres=100000)


def usual_twelve(hub, user, item, hall):
    """The hub's history of `item`: lines of 10, 12 and 14 (usually about 12)."""
    for quantity in (10, 12, 14):
        receipts(hub, user, item, 1, location=hall, age=timedelta(hours=quantity))
    # receipts() logs 1 per line; set the quantities this test is about.
    for line_row, quantity in zip(
        DropoffLine.objects.filter(item=item).order_by("pk"), (10, 12, 14), strict=True
    ):
        line_row.quantity = quantity
        line_row.save()


def test_it_asks_for_a_confirmation_of_a_quantity_far_above_the_usual_line(
    client, hub, volunteer, hall, water
):
    usual_twelve(hub, volunteer, water, hall)
    login(client, volunteer)

    response = client.post(intake_url(hub), dropoff_form(hall, line(water, 112)), headers=HTMX)

    html = response.content.decode()
    assert "far more than this hub usually gets on one line (about 12)" in html
    assert re.search(r'<button type="submit" name="confirm_quantity" value="112"', html)
    assert Dropoff.objects.count() == 3  # the history only
    assert StockMovement.objects.count() == 0


def test_it_logs_the_unusual_quantity_once_it_is_confirmed(client, hub, volunteer, hall, water):
    usual_twelve(hub, volunteer, water, hall)
    login(client, volunteer)
    form = dropoff_form(hall, line(water, 112))

    response = client.post(intake_url(hub), {**form, "confirm_quantity": "112"}, headers=HTMX)

    assert "Logged dropoff" in response.content.decode()
    assert Dropoff.objects.filter(undone_at=None).count() == 4
    assert StockMovement.objects.get().quantity == 112


def test_it_asks_again_when_the_number_changed_after_the_confirmation(
    client, hub, volunteer, hall, water
):
    usual_twelve(hub, volunteer, water, hall)
    login(client, volunteer)
    form = dropoff_form(hall, line(water, 200), confirmed=["112"])

    response = client.post(intake_url(hub), form, headers=HTMX)

    assert "(about 12)" in response.content.decode()
    assert StockMovement.objects.count() == 0


def test_it_takes_up_to_five_times_the_usual_line_without_asking(
    client, hub, volunteer, hall, water
):
    usual_twelve(hub, volunteer, water, hall)
    login(client, volunteer)

    response = client.post(intake_url(hub), dropoff_form(hall, line(water, 60)), headers=HTMX)

    assert "Logged dropoff" in response.content.decode()


def test_it_asks_above_a_fixed_number_for_an_item_without_history(
    client, hub, volunteer, hall, water, beans
):
    login(client, volunteer)
    lines = (line(water, UNUSUAL_WITHOUT_HISTORY + 1), line(beans, UNUSUAL_WITHOUT_HISTORY))

    response = client.post(intake_url(hub), dropoff_form(hall, *lines), headers=HTMX)

    html = response.content.decode()
    assert f"{UNUSUAL_WITHOUT_HISTORY + 1} Bottled water 1.5 L on one line is a lot" in html
    assert "Canned beans on one line" not in html
    assert Dropoff.objects.count() == 0


def test_it_leaves_undone_dropoffs_out_of_the_usual_line(client, hub, volunteer, hall, water):
    usual_twelve(hub, volunteer, water, hall)
    Dropoff.objects.update(undone_at="2026-01-01T00:00:00Z")
    login(client, volunteer)

    # Without that history, 80 is under the fixed limit for an item never received.
    response = client.post(intake_url(hub), dropoff_form(hall, line(water, 80)), headers=HTMX)

    assert "Logged dropoff" in response.content.decode()


def test_it_shows_quantity_boxes_that_open_the_numeric_keypad(client, hub, volunteer, water):
    login(client, volunteer)
    url = reverse("intake_line", args=[hub.slug])
    html = client.get(url, {"item": water.pk}, headers=HTMX).content.decode()
    box = re.search(r'<input[^>]*name="quantity"[^>]*>', html).group(0)
    assert 'inputmode="numeric"' in box
    assert 'pattern="[0-9]*"' in box
