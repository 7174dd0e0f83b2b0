"""A closed hub still serves its door: its table logs what it declines or sends on, shows
the nearest open hubs with room (what they take, hours, a map link), a line of a closed
category starts as "send to the nearest hub with room", and the visits are counted."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from hub.intake.nearby import hubs_with_room_near_hub, sent_here_list, sent_on_list
from hub.models import CategoryIntake, DropoffLine, IntakeStatus
from hub.roles import Role
from inventory.models import StockMovement
from inventory.services import StockLine, stock_receive
from tests.factories import (
    CategoryFactory,
    HubFactory,
    ItemFactory,
    StorageLocationFactory,
    UserFactory,
)
from tests.intake import HTMX, dropoff_form, intake_url, line, login


@pytest.fixture
def closed(hub):
    hub.intake_status, hub.intake_reason = IntakeStatus.CLOSED, "Storage full"
    hub.latitude, hub.longitude = Decimal("34.03"), Decimal("-118.33")
    hub.save()
    StorageLocationFactory(hub=hub, name="Main hall", capacity_litres=Decimal("100"))
    return hub


@pytest.fixture
def near(db):
    """Open, with room, 3 km away."""
    hub = HubFactory(
        name="Mid-City Hub",
        address="4800 W Washington Blvd, Los Angeles",
        opening_hours="Daily 8:00-20:00",
        latitude=Decimal("34.04"),
        longitude=Decimal("-118.36"),
    )
    StorageLocationFactory(hub=hub, capacity_litres=Decimal("1000"))
    return hub


@pytest.fixture
def far(db):
    """Open, with room, 15 km away."""
    hub = HubFactory(name="Pasadena Hub", latitude=Decimal("34.15"), longitude=Decimal("-118.14"))
    StorageLocationFactory(hub=hub, capacity_litres=Decimal("1000"))
    return hub


@pytest.fixture
def water(db):
    return ItemFactory(name="Bottled water", category=CategoryFactory(code="water"))


def test_it_lists_open_hubs_with_room_nearest_first(closed, near, far, water):
    full = HubFactory(name="Full Hub", latitude=Decimal("34.031"), longitude=Decimal("-118.331"))
    shelf = StorageLocationFactory(hub=full, capacity_litres=Decimal("10"))
    stock_receive(lines=[StockLine(water, shelf, 9)], user=None)  # 90 %: past nearly full
    HubFactory(name="Closed Hub", intake_status=IntakeStatus.CLOSED)

    found = hubs_with_room_near_hub(hub=closed)

    assert [n.hub.name for n in found] == ["Mid-City Hub", "Pasadena Hub"]
    assert 2 < found[0].km < 4
    assert water.category in found[0].takes
    assert found[0].map_url.startswith("https://www.openstreetmap.org/?mlat=34.04")


def test_it_finds_hubs_with_room_in_a_fixed_number_of_queries(
    closed, near, far, django_assert_max_num_queries
):
    for n in range(5):
        StorageLocationFactory(hub=HubFactory(name=f"Hub {n}"))
    with django_assert_max_num_queries(5):
        hubs_with_room_near_hub(hub=closed)


def test_it_shows_a_closed_hubs_table_with_the_hubs_to_send_donors_to(
    client, closed, near, far, volunteer, water
):
    html = login(client, volunteer).get(intake_url(closed)).text

    assert 'id="intake-form"' in html
    assert 'id="nearby-hubs"' in html
    panel = html.split('id="nearby-hubs"')[1].split("</section>")[0]
    assert panel.index("Mid-City Hub") < panel.index("Pasadena Hub")
    assert "Daily 8:00-20:00" in panel
    assert "4800 W Washington Blvd, Los Angeles</a>" in panel
    assert "openstreetmap.org" in panel


def test_it_shows_no_such_panel_while_the_hub_takes_everything(client, hub, near, volunteer, water):
    assert 'id="nearby-hubs"' not in login(client, volunteer).get(intake_url(hub)).text


def test_it_starts_a_line_of_a_closed_category_as_sent_to_the_nearest_hub_with_room(
    client, closed, near, far, volunteer, water
):
    url = reverse("intake_line", args=[closed.slug])
    html = login(client, volunteer).get(url, {"item": water.pk}, headers=HTMX).text

    assert '<option value="redirected" selected>' in html
    assert f'<option value="{near.pk}" selected>' in html
    assert '<option value="accepted"' not in html


def test_it_declines_by_default_when_no_hub_has_room(client, closed, volunteer, water):
    url = reverse("intake_line", args=[closed.slug])
    html = login(client, volunteer).get(url, {"item": water.pk}, headers=HTMX).text

    assert '<option value="declined" selected>' in html


def test_it_logs_a_closed_hubs_donor_sent_on_without_stocking_anything(
    client, closed, near, volunteer, water
):
    data = dropoff_form("", line(water, 12, outcome="redirected", to=near))

    response = login(client, volunteer).post(intake_url(closed), data, headers=HTMX)

    assert "Logged dropoff #" in response.text
    assert DropoffLine.objects.get().redirected_to == near
    assert StockMovement.objects.count() == 0


def test_it_refuses_to_accept_at_a_closed_hub_and_stores_nothing(
    client, closed, near, volunteer, water
):
    shelf = closed.locations.get()
    data = dropoff_form(shelf, line(water, 2))

    response = login(client, volunteer).post(intake_url(closed), data, headers=HTMX)

    assert "not taking donations now" in response.text
    assert DropoffLine.objects.count() == 0


def test_it_counts_donors_sent_on_per_receiving_hub_and_category(
    client, closed, near, far, volunteer, water
):
    blankets = ItemFactory(name="Blanket", category=CategoryFactory(code="bedding"))
    login(client, volunteer)
    for lines in (
        [
            line(water, 6, outcome="redirected", to=near),
            line(water, 2, outcome="redirected", to=near),
        ],
        [
            line(water, 4, outcome="redirected", to=near),
            line(blankets, 3, outcome="redirected", to=far),
        ],
        [line(blankets, 1, outcome="declined")],
    ):
        client.post(intake_url(closed), dropoff_form("", *lines), headers=HTMX)
    since, until = timezone.now() - timedelta(hours=1), timezone.now() + timedelta(hours=1)

    rows = {
        (r.hub_name, r.category_name): (r.donors, r.units)
        for r in sent_on_list(hub=closed, since=since, until=until)
    }

    assert rows == {("Mid-City Hub", "Water"): (2, 12), ("Pasadena Hub", "Bedding"): (1, 3)}
    here = sent_here_list(hub=near, since=since, until=until)
    assert [(r.hub_name, r.donors) for r in here] == [("West Adams Hub", 2)]


def test_it_counts_the_donors_sent_here_in_the_period_only(client, closed, near, volunteer, water):
    login(client, volunteer)
    now = timezone.now()
    since = now - timedelta(days=1)
    # Three days before, half an hour before the period (within the margin of the lower
    # bound on dropoff ids), two hours into it, and now.
    for at, units in (
        (now - timedelta(days=3), 1),
        (since - timedelta(minutes=30), 2),
        (now - timedelta(hours=2), 4),
        (now, 8),
    ):
        with time_machine.travel(at, tick=False):
            form = dropoff_form("", line(water, units, outcome="redirected", to=near))
            client.post(intake_url(closed), form, headers=HTMX)

    here = sent_here_list(hub=near, since=since, until=now + timedelta(minutes=1))

    assert DropoffLine.objects.count() == 4
    assert [(r.hub_name, r.category_name, r.donors, r.units) for r in here] == [
        ("West Adams Hub", "Water", 2, 12)
    ]


def test_it_shows_coordinators_how_many_donors_were_sent_where(
    client, closed, near, volunteer, coordinator, water
):
    login(client, volunteer).post(
        intake_url(closed),
        dropoff_form("", line(water, 6, outcome="redirected", to=near)),
        headers=HTMX,
    )
    client.force_login(coordinator)

    dashboard = client.get(reverse("dashboard", args=[closed.slug])).text
    reports = client.get(reverse("reports", args=[closed.slug])).text

    for html in (dashboard, reports):
        table = html.split('class="sent-on"')[1].split("</table>")[0]
        assert "Mid-City Hub" in table and "Water" in table and '<td class="num">1</td>' in table
    near_coordinator = UserFactory(role=Role.COORDINATOR, hubs=[near])
    client.force_login(near_coordinator)
    theirs = client.get(reverse("dashboard", args=[near.slug])).text
    assert "West Adams Hub" in theirs.split('class="sent-here"')[1].split("</table>")[0]


def test_it_lets_a_category_closed_alone_send_donors_on_too(client, hub, near, volunteer, water):
    CategoryIntake.objects.create(hub=hub, category=water.category, status=IntakeStatus.CLOSED)
    StorageLocationFactory(hub=hub)

    html = login(client, volunteer).get(intake_url(hub)).text

    assert 'id="nearby-hubs"' in html and 'id="location-picker"' in html
