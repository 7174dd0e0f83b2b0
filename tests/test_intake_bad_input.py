"""Bad input at the table (a typo, a stale form, a tampered post) gets a clear message beside
the field and stores nothing."""

import re
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse

from hub.models import Dropoff, DropoffLine, Membership
from tests.factories import ItemFactory, StorageLocationFactory
from tests.intake import (
    HTMX,
    assert_nothing_stored,
    dropoff_form,
    idempotency_key,
    intake_url,
    line,
    line_rows,
    login,
)
from tests.ledger import qty


@pytest.fixture
def hall(hub):
    return StorageLocationFactory(hub=hub, name="Main hall", capacity_litres=Decimal("1000"))


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        ("0", "greater than or equal to 1"),
        ("-3", "greater than or equal to 1"),
        ("abc", "Enter a whole number"),
        ("2.5", "Enter a whole number"),
        ("", "This field is required"),
        ("501", "is more than this hub takes on one line (500)"),
        ("99999999999999999999", "is more than this hub takes on one line (500)"),
    ],
)
@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_it_refuses_a_bad_quantity_beside_its_line(
    client, hub, volunteer, hall, water, beans, quantity, message, headers
):
    data = dropoff_form(hall, line(water, 2), line(beans, quantity))

    response = login(client, volunteer).post(intake_url(hub), data, headers=headers)

    rows = line_rows(response.content.decode())
    assert response.status_code == 200
    assert message in rows[1]
    assert 'class="error' not in rows[0]
    assert_nothing_stored()


def test_it_uses_the_hubs_own_maximum_per_line(client, hub, volunteer, hall, water):
    hub.max_line_quantity = 100
    hub.save()
    login(client, volunteer)

    refused = client.post(intake_url(hub), dropoff_form(hall, line(water, 101)), headers=HTMX)
    assert (
        "101 is more than this hub takes on one line (100)"
        in line_rows(refused.content.decode())[0]
    )
    assert_nothing_stored()

    client.post(intake_url(hub), dropoff_form(hall, line(water, 100)), headers=HTMX)
    assert qty(water, hall) == 100


@pytest.mark.parametrize("which", ["unknown", "inactive", "not a number"])
def test_it_refuses_an_item_not_in_the_catalog_beside_its_line(
    client, hub, volunteer, hall, water, which
):
    item = {
        "unknown": "999999",
        "inactive": str(ItemFactory(name="Recalled pouches", is_active=False).pk),
        "not a number": "water",
    }[which]
    data = dropoff_form(hall, line(water, 2), line(item, 3))

    html = login(client, volunteer).post(intake_url(hub), data, headers=HTMX).content.decode()

    rows = line_rows(html)
    assert re.search(r"(not|no longer) in the catalog|Enter a whole number", rows[1])
    assert 'class="error' not in rows[0]
    assert_nothing_stored()


@pytest.mark.parametrize(
    ("item", "to"),
    [("²", ""), ("99999999999999999999", ""), ("water", "²")],
    ids=["superscript item", "huge item", "superscript hub"],
)
def test_it_answers_a_tampered_line_with_a_message_not_a_crash(
    client, hub, volunteer, hall, water, item, to
):
    # str.isdigit() is true for "²", which int() refuses.
    item = water.pk if item == "water" else item
    data = dropoff_form(hall, line(water, 2), line(item, 3, outcome="redirected", to=to))

    response = login(client, volunteer).post(intake_url(hub), data, headers=HTMX)

    assert response.status_code == 200
    assert 'class="error' in line_rows(response.content.decode())[1]
    assert_nothing_stored()


def test_it_answers_a_tampered_line_row_link_with_not_found(client, hub, volunteer):
    line_row = login(client, volunteer).get(reverse("intake_line", args=[hub.slug]), {"item": "²"})

    assert line_row.status_code == 404


def test_it_ignores_a_tampered_logged_number(client, hub, volunteer):
    page = login(client, volunteer).get(intake_url(hub), {"logged": "²"})

    assert page.status_code == 200


def test_it_refuses_a_location_of_another_hub_beside_the_location(
    client, hub, other_hub, volunteer, hall, water
):
    theirs = StorageLocationFactory(hub=other_hub, name="Their garage")
    data = dropoff_form(theirs, line(water, 2))

    html = login(client, volunteer).post(intake_url(hub), data, headers=HTMX).content.decode()

    after_select = html.split('name="location"', 1)[1].split("</select>", 1)[1]
    assert after_select.lstrip().startswith('<p class="error">Select a valid choice.')
    assert_nothing_stored()


def test_it_refuses_an_inactive_location(client, hub, volunteer, hall, water):
    closed_room = StorageLocationFactory(hub=hub, name="Flooded room", is_active=False)

    html = (
        login(client, volunteer)
        .post(intake_url(hub), dropoff_form(closed_room, line(water, 2)), headers=HTMX)
        .content.decode()
    )

    assert "Select a valid choice." in html
    assert_nothing_stored()


@pytest.mark.parametrize(
    "tamper",
    [
        {"quantity": ["2"]},  # one quantity for two items
        {"outcome": ["accepted", "accepted", "accepted"]},
        {"redirected_to": []},
    ],
)
def test_it_refuses_a_tampered_form_whose_lists_do_not_line_up(
    client, hub, volunteer, hall, water, beans, tamper
):
    data = {**dropoff_form(hall, line(water, 2), line(beans, 3)), **tamper}

    html = login(client, volunteer).post(intake_url(hub), data, headers=HTMX).content.decode()

    assert "The form came in incomplete. Add the items again." in html
    assert_nothing_stored()


def test_it_refuses_an_empty_dropoff(client, hub, volunteer, hall):
    html = (
        login(client, volunteer)
        .post(intake_url(hub), dropoff_form(hall), headers=HTMX)
        .content.decode()
    )

    assert "Add at least one item." in html
    assert_nothing_stored()


def test_it_asks_for_the_consent_tick_beside_it_before_keeping_donor_details(
    client, hub, volunteer, hall, water
):
    data = dropoff_form(hall, line(water, 2), donor_name="Maria Lopez", donor_contact="555-0100")

    html = login(client, volunteer).post(intake_url(hub), data, headers=HTMX).content.decode()

    after_tick = unescape(html.split('name="donor_consent"', 1)[1].split("</label>", 1)[1])
    assert after_tick.lstrip().startswith('<p class="error">Tick this to keep the donor\'s details')
    assert '<details class="donor" open>' in html
    assert 'value="Maria Lopez"' in html  # what was typed is kept for the retry
    assert_nothing_stored()


def test_it_refuses_a_bad_expiry_date_beside_its_line(client, hub, volunteer, hall, water, beans):
    data = dropoff_form(hall, line(water, 2), line(beans, 3, expiry="2027-13-45"))

    html = login(client, volunteer).post(intake_url(hub), data, headers=HTMX).content.decode()

    assert "Enter a valid date." in line_rows(html)[1]
    assert_nothing_stored()


def test_it_ignores_an_expiry_date_posted_for_an_item_that_does_not_track_it(
    client, hub, volunteer, hall, water
):
    data = dropoff_form(hall, line(water, 2, expiry="2027-03-31"))

    login(client, volunteer).post(intake_url(hub), data, headers=HTMX)

    assert DropoffLine.objects.get().expiry_date is None
    assert qty(water, hall) == 2


def test_it_says_so_when_the_form_comes_without_its_key(client, hub, volunteer, hall, water):
    data = dropoff_form(hall, line(water, 2))
    del data["idempotency_key"]

    html = login(client, volunteer).post(intake_url(hub), data, headers=HTMX).content.decode()

    assert_nothing_stored()
    # The volunteer must learn why nothing happened, and a retry of this form must work.
    assert 'class="error' in html, "the form is refused without any message"
    assert idempotency_key(html), "the form comes back without a key, so every retry fails"


def test_it_says_so_beside_the_field_when_a_donor_detail_is_too_long(
    client, hub, volunteer, hall, water
):
    data = dropoff_form(hall, line(water, 2), donor_name="M" * 121, donor_consent="on")

    html = login(client, volunteer).post(intake_url(hub), data, headers=HTMX).content.decode()

    assert_nothing_stored()
    after_name = html.split('id="id_donor_name"', 1)[1].split("<label", 1)[0]
    assert "at most 120 characters" in after_name


def test_it_logs_a_key_already_used_at_another_hub_as_a_new_dropoff_here(
    client, hub, other_hub, volunteer, water
):
    ours = StorageLocationFactory(hub=hub, name="Main hall")
    theirs = StorageLocationFactory(hub=other_hub, name="Their hall")
    Membership.objects.create(user=volunteer, hub=other_hub)
    login(client, volunteer)
    client.post(intake_url(other_hub), dropoff_form(theirs, line(water, 2), key="tablet-form-1"))

    response = client.post(intake_url(hub), dropoff_form(ours, line(water, 5), key="tablet-form-1"))

    assert response.status_code == 302
    assert sorted(Dropoff.objects.values_list("hub__slug", flat=True)) == [
        "pasadena",
        "west-adams",
    ]
    assert (qty(water, ours), qty(water, theirs)) == (5, 2)


def test_it_answers_a_retry_with_the_first_dropoff_even_after_its_item_left_the_catalog(
    client, hub, volunteer, hall, water
):
    data = dropoff_form(hall, line(water, 24))
    login(client, volunteer).post(intake_url(hub), data, headers=HTMX)
    water.is_active = False  # a coordinator retires the item between the tap and the retry
    water.save()

    retry = client.post(intake_url(hub), data, headers=HTMX).content.decode()

    dropoff = Dropoff.objects.get()
    assert f"Logged dropoff #{dropoff.pk}" in retry
    assert qty(water, hall) == 24
