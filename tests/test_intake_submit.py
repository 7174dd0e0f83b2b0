"""Submitting the intake form over HTTP, plain and with htmx: what is logged and stocked,
what the volunteer sees afterwards, never twice, what the hub refuses, and room."""

import re
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from hub.models import CategoryIntake, Dropoff, DropoffLine, IntakeStatus, Outcome
from inventory.models import MovementKind, StockMovement
from tests.factories import CategoryFactory, ItemFactory, StorageLocationFactory
from tests.intake import (
    HTMX,
    assert_nothing_stored,
    dropoff_form,
    idempotency_key,
    intake_url,
    line,
    line_rows,
    login,
    movements_of,
)
from tests.ledger import assert_ledger_matches_balances, qty

LA = ZoneInfo("America/Los_Angeles")
MAR = "2027-03-31"


@pytest.fixture
def hall(hub):
    return StorageLocationFactory(hub=hub, name="Main hall", capacity_litres=Decimal("1000"))


@pytest.fixture
def shelf(hub):
    return StorageLocationFactory(hub=hub, name="Small shelf", capacity_litres=Decimal("10"))


@pytest.fixture
def shirts(hub):
    """An item of a category the hub has closed."""
    item = ItemFactory(name="T-shirts", category=CategoryFactory(code="clothing"))
    CategoryIntake.objects.create(
        hub=hub, category=item.category, status=IntakeStatus.CLOSED, reason="Full of clothes"
    )
    return item


# --- submitting -------------------------------------------------------------------------------


def test_it_logs_a_plain_post_and_shows_it_after_the_redirect(
    client, hub, other_hub, volunteer, hall, water, beans
):
    data = dropoff_form(
        hall,
        line(water, 24),
        line(beans, 6, expiry=MAR),
        line(water, 5, outcome="declined"),
        line(beans, 3, outcome="redirected", to=other_hub),
    )

    response = login(client, volunteer).post(intake_url(hub), data)

    dropoff = Dropoff.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{intake_url(hub)}?logged={dropoff.pk}"
    assert (dropoff.hub, dropoff.logged_by, dropoff.idempotency_key) == (
        hub,
        volunteer,
        data["idempotency_key"],
    )
    assert sorted(
        (ln.item.name, ln.quantity, ln.outcome, ln.location, ln.redirected_to)
        for ln in dropoff.lines.all()
    ) == [
        ("Bottled water 1.5 L", 5, "declined", None, None),
        ("Bottled water 1.5 L", 24, "accepted", hall, None),
        ("Canned beans", 3, "redirected", None, other_hub),
        ("Canned beans", 6, "accepted", hall, None),
    ]
    assert sorted(m.quantity for m in movements_of(dropoff)) == [6, 24]
    assert {m.kind for m in movements_of(dropoff)} == {MovementKind.RECEIVED}
    assert qty(water, hall) == 24
    assert qty(beans, hall, datetime.strptime(MAR, "%Y-%m-%d").date()) == 6
    assert_ledger_matches_balances()

    html = client.get(response["Location"]).content.decode()
    assert f"Logged dropoff #{dropoff.pk}" in html
    assert "Main hall is now 4.1 % full." in html  # 24 x 1.6 L + 6 x 0.5 L of 1000 L
    assert idempotency_key(html) != data["idempotency_key"]


def test_it_answers_an_htmx_post_with_the_result_a_new_form_and_the_new_recent_row(
    client, hub, volunteer, hall, water, beans
):
    data = dropoff_form(hall, line(water, 24), line(beans, 6), line(water, 1))

    response = login(client, volunteer).post(intake_url(hub), data, headers=HTMX)

    html = response.content.decode()
    dropoff = Dropoff.objects.get()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="intake"')  # the #intake partial only
    assert "<html" not in html
    assert f"Logged dropoff #{dropoff.pk}" in html
    assert "Main hall is now 4.3 % full." in html  # 25 x 1.6 L + 6 x 0.5 L of 1000 L
    assert "Main hall (4.3 % full)" in html  # the location select shows the new fill
    new_key = idempotency_key(html)
    assert new_key and new_key != data["idempotency_key"]
    assert line_rows(html) == []  # reset for the next donor
    # Only what changed: the new row goes on top of the recent list, which is not re-sent.
    assert '<section id="recent"' not in html
    added = re.search(r'<ol hx-swap-oob="afterbegin:#recent .recent-list">(.*?)</ol>', html, re.S)
    assert f'/dropoffs/{dropoff.pk}/"' in added.group(1)
    assert "24 Bottled water 1.5 L" in added.group(1)
    assert movements_of(dropoff).count() == 3


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_it_logs_a_double_tap_or_a_back_button_resubmit_once(
    client, hub, volunteer, hall, water, headers
):
    data = dropoff_form(hall, line(water, 24))
    login(client, volunteer)

    first = client.post(intake_url(hub), data, headers=headers)
    again = client.post(intake_url(hub), data, headers=headers)
    changed = client.post(
        intake_url(hub),
        {**data, "quantity": ["30"]},  # back button, number changed, same rendered form
        headers=headers,
    )

    dropoff = Dropoff.objects.get()
    assert DropoffLine.objects.count() == 1
    assert qty(water, hall) == 24
    assert StockMovement.objects.count() == 1
    for response in (first, again, changed):
        if headers:
            assert f"Logged dropoff #{dropoff.pk}" in response.content.decode()
        else:
            assert response["Location"] == f"{intake_url(hub)}?logged={dropoff.pk}"


def test_it_renders_every_form_with_its_own_key(client, hub, volunteer, hall):
    login(client, volunteer)

    keys = {idempotency_key(client.get(intake_url(hub)).content.decode()) for _n in range(3)}

    assert len(keys) == 3


def test_it_keeps_donor_details_only_with_the_consent_tick(client, hub, volunteer, hall, water):
    login(client, volunteer)

    client.post(
        intake_url(hub),
        dropoff_form(
            hall,
            line(water, 1),
            donor_name="Maria Lopez",
            donor_contact="555-0100",
            donor_consent="on",
        ),
    )
    client.post(intake_url(hub), dropoff_form(hall, line(water, 1)))

    kept, anonymous = Dropoff.objects.order_by("pk")
    assert (kept.donor_name, kept.donor_contact, kept.donor_consent) == (
        "Maria Lopez",
        "555-0100",
        True,
    )
    assert (anonymous.donor_name, anonymous.donor_contact) == ("", "")


# --- what the hub takes -----------------------------------------------------------------------


@pytest.fixture
def closed(hub):
    hub.intake_status = IntakeStatus.CLOSED
    hub.intake_reason = "Storage is full until Saturday"
    hub.intake_reopens_at = datetime(2025, 1, 18, 9, 0, tzinfo=LA)
    hub.save()
    return hub


def test_it_says_prominently_that_a_closed_hub_takes_nothing(client, closed, volunteer, hall):
    html = login(client, volunteer).get(intake_url(closed)).content.decode()

    banner = re.search(r'<div class="banner banner-closed" role="alert">(.*?)</div>', html, re.S)
    assert "West Adams Hub is not taking donations now" in banner.group(1)
    assert "Storage is full until Saturday" in banner.group(1)
    assert "Reopens" in banner.group(1) and "2025" in banner.group(1)
    # The table still serves the door: it logs what it declines or sends on, stocks nothing.
    assert 'id="intake-form"' in html
    assert 'id="location-picker"' not in html


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_it_stores_nothing_posted_to_a_closed_hub(client, closed, volunteer, hall, water, headers):
    data = dropoff_form(hall, line(water, 24), line(water, 2, outcome="declined"))

    response = login(client, volunteer).post(intake_url(closed), data, headers=headers)

    assert response.status_code == 200
    assert "not taking donations now" in response.content.decode()
    assert_nothing_stored()


def test_it_refuses_to_accept_an_item_of_a_closed_category_beside_its_line(
    client, hub, volunteer, hall, water, shirts
):
    data = dropoff_form(hall, line(water, 4), line(shirts, 10))

    html = login(client, volunteer).post(intake_url(hub), data, headers=HTMX).content.decode()

    rows = line_rows(html)
    assert "West Adams Hub is not taking Clothing now" in rows[1]
    assert "not taking" not in rows[0]
    assert idempotency_key(html) == data["idempotency_key"]  # the retry is still the same form
    assert_nothing_stored()


def test_it_logs_a_declined_line_of_a_closed_category_without_stocking_it(
    client, hub, volunteer, hall, shirts
):
    data = dropoff_form(hall, line(shirts, 10, outcome="declined"))

    login(client, volunteer).post(intake_url(hub), data, headers=HTMX)

    assert DropoffLine.objects.get().outcome == Outcome.DECLINED
    assert StockMovement.objects.count() == 0


def test_it_counts_a_redirected_line_without_stocking_it(
    client, hub, other_hub, volunteer, hall, shirts
):
    data = dropoff_form(hall, line(shirts, 10, outcome="redirected", to=other_hub))

    html = login(client, volunteer).post(intake_url(hub), data, headers=HTMX).content.decode()

    redirected = DropoffLine.objects.get()
    assert (redirected.outcome, redirected.redirected_to, redirected.location) == (
        Outcome.REDIRECTED,
        other_hub,
        None,
    )
    assert StockMovement.objects.count() == 0
    assert "Pasadena Hub" in html


@pytest.mark.parametrize("to", ["", "own hub", "999999"])
def test_it_needs_another_hub_of_the_network_for_a_redirected_line(
    client, hub, volunteer, hall, water, to
):
    target = str(hub.pk) if to == "own hub" else to
    data = dropoff_form(hall, line(water, 3, outcome="redirected", to=target))

    html = login(client, volunteer).post(intake_url(hub), data, headers=HTMX).content.decode()

    assert re.search(r"Choose (another|a) hub", line_rows(html)[0])
    assert_nothing_stored()


# --- room -------------------------------------------------------------------------------------


def test_it_refuses_a_line_that_would_overfill_its_location_and_names_one_with_room(
    client, hub, volunteer, hall, shelf, water
):
    blankets = ItemFactory(name="Blankets", unit_volume_litres=Decimal("1"))
    data = dropoff_form(shelf, line(water, 1), line(blankets, 8), line(blankets, 1))

    html = login(client, volunteer).post(intake_url(hub), data, headers=HTMX).content.decode()

    rows = line_rows(html)
    # 1.6 + 8 L fit in 10 L; one more litre does not.
    assert "Small shelf has no room for 1 Blankets" in rows[2]
    assert "Main hall has room for it." in rows[2]
    assert 'class="error' not in rows[0] + rows[1]
    assert_nothing_stored()


def test_it_fills_a_location_to_exactly_100_percent(client, hub, volunteer, shelf):
    blankets = ItemFactory(name="Blankets", unit_volume_litres=Decimal("1"))

    login(client, volunteer).post(intake_url(hub), dropoff_form(shelf, line(blankets, 10)))

    assert qty(blankets, shelf) == 10


def test_it_says_when_no_location_has_room(client, hub, volunteer, shelf):
    blankets = ItemFactory(name="Blankets", unit_volume_litres=Decimal("1"))
    data = dropoff_form(shelf, line(blankets, 11))

    html = login(client, volunteer).post(intake_url(hub), data, headers=HTMX).content.decode()

    assert "No location here has room for it" in line_rows(html)[0]
    assert_nothing_stored()
