"""Donors ask before they drive: the public pledge form answers which hubs take what they
have now and have room, nearest first; a confirmed pledge is an expected arrival at that
hub's table, turned into a dropoff in one tap."""

from decimal import Decimal

import pytest
from django.urls import reverse

from hub.intake.pledge_selectors import PledgeLineInput, pledge_options
from hub.intake.pledge_services import MOST_PLEDGES_PER_ADDRESS_PER_HOUR
from hub.models import CategoryIntake, Dropoff, IntakeStatus, Pledge, PledgeStatus
from hub.roles import Role
from inventory.services import StockLine, stock_receive
from tests.factories import (
    CategoryFactory,
    HubFactory,
    ItemFactory,
    PlaceFactory,
    StorageLocationFactory,
    UserFactory,
)
from tests.intake import HTMX, dropoff_form, intake_url, line, login


@pytest.fixture
def place(db):
    return PlaceFactory(name="90016", latitude=Decimal("34.0290"), longitude=Decimal("-118.3530"))


@pytest.fixture
def cots(db):
    return ItemFactory(
        name="Cot",
        category=CategoryFactory(code="bedding", name="Bedding"),
        unit_volume_litres=Decimal("40"),
    )


@pytest.fixture
def water(db):
    return ItemFactory(name="Water case", category=CategoryFactory(code="water", name="Water"))


@pytest.fixture
def hub(db):
    hub = HubFactory(
        name="West Adams Hub",
        slug="west-adams",
        latitude=Decimal("34.0330"),
        longitude=Decimal("-118.3350"),
    )
    StorageLocationFactory(hub=hub, name="Main hall", capacity_litres=Decimal("5000"))
    return hub


@pytest.fixture
def far(db):
    hub = HubFactory(
        name="Pasadena Hub",
        slug="pasadena",
        latitude=Decimal("34.1470"),
        longitude=Decimal("-118.1440"),
    )
    StorageLocationFactory(hub=hub, capacity_litres=Decimal("5000"))
    return hub


def form(*rows, place="90016", **extra):
    data = {"idempotency_key": extra.pop("key", "pledge-key-1"), "place": place}
    data["what"] = [r[0] for r in rows]
    data["quantity"] = [str(r[1]) for r in rows]
    data["category"] = [str(r[2].pk) if len(r) > 2 else "" for r in rows]
    return {**data, **extra}


def test_it_lists_hubs_that_take_it_and_have_room_nearest_first(hub, far, place, cots, water):
    shut = HubFactory(name="Shut Hub", latitude=Decimal("34.03"), longitude=Decimal("-118.35"))
    StorageLocationFactory(hub=shut)
    CategoryIntake.objects.create(hub=shut, category=cots.category, status=IntakeStatus.CLOSED)
    CategoryIntake.objects.create(hub=shut, category=water.category, status=IntakeStatus.CLOSED)

    answer = pledge_options(lines=[PledgeLineInput(cots.category, 40, item=cots)], place="90016")

    assert answer.place == place
    assert [o.near.hub.name for o in answer.options] == ["West Adams Hub", "Pasadena Hub"]
    assert answer.options[0].near.km < 2 < answer.options[1].near.km


def test_it_leaves_out_a_hub_without_room_for_what_is_pledged(hub, far, place, cots):
    stock_receive(lines=[StockLine(cots, hub.locations.get(), 100)], user=None)  # 4000 of 5000 L

    answer = pledge_options(lines=[PledgeLineInput(cots.category, 40, item=cots)], place="90016")

    assert [o.near.hub.name for o in answer.options] == ["Pasadena Hub"]


def test_it_answers_the_form_at_once_with_the_hubs(client, hub, far, place, cots, water):
    response = client.post(reverse("pledge"), form(("cots", 40), ("Water case", 10)))

    assert response.status_code == 200
    answer = response.text.split('id="pledge-answer"')[1]
    assert answer.index("West Adams Hub") < answer.index("Pasadena Hub")
    assert "Takes all of it." in answer
    assert Pledge.objects.count() == 0


def test_it_reads_a_line_in_the_donors_words_under_the_kind_they_chose(client, hub, place, cots):
    response = client.post(reverse("pledge"), form(("Camping mats", 6, cots.category)))

    assert response.status_code == 200
    assert "I will bring it to West Adams Hub" in response.text


def test_it_asks_for_the_kind_of_what_it_cannot_tell(client, hub, place, cots):
    response = client.post(reverse("pledge"), form(("Mystery boxes", 6)))

    assert response.status_code == 400
    assert "Choose what kind of thing it is." in response.text


@pytest.mark.parametrize("quantity", ["0", "-3", "99999999999999999999", "lots"])
def test_it_refuses_a_bad_quantity_clearly_and_stores_nothing(client, hub, place, cots, quantity):
    data = form(("Cot", 1), hub=str(hub.pk))
    data["quantity"] = [quantity]

    response = client.post(reverse("pledge"), data)

    assert response.status_code == 400
    assert 'class="error"' in response.text
    assert Pledge.objects.count() == 0


def test_it_makes_the_pledge_once_and_keeps_no_contact_without_consent(client, hub, place, cots):
    data = form(("Cot", 40), hub=str(hub.pk), donor_contact="555-0100")

    first = client.post(reverse("pledge"), data)
    again = client.post(reverse("pledge"), data)  # a double tap

    pledge = Pledge.objects.get()
    assert "West Adams Hub expects you" in first.text and f"Pledge #{pledge.pk}" in again.text
    assert (pledge.hub, pledge.place, pledge.donor_contact) == (hub, "90016", "")
    assert [(line.item, line.quantity) for line in pledge.lines.all()] == [(cots, 40)]


def test_it_keeps_the_contact_the_donor_agreed_to_leave(client, hub, place, cots):
    data = form(("Cot", 40), hub=str(hub.pk), donor_contact="555-0100", donor_consent="on")

    client.post(reverse("pledge"), data)

    assert Pledge.objects.get().donor_contact == "555-0100"


def test_it_refuses_a_pledge_to_a_hub_that_closed_meanwhile(client, hub, place, cots):
    hub.intake_status = IntakeStatus.CLOSED
    hub.save()

    response = client.post(reverse("pledge"), form(("Cot", 4), hub=str(hub.pk)))

    assert response.status_code == 400
    assert "cannot take donations now" in response.text
    assert Pledge.objects.count() == 0


def test_it_slows_down_one_address_pledging_again_and_again(client, hub, place, cots):
    for n in range(MOST_PLEDGES_PER_ADDRESS_PER_HOUR):
        client.post(reverse("pledge"), form(("Cot", 1), hub=str(hub.pk), key=f"k{n}"))

    response = client.post(reverse("pledge"), form(("Cot", 1), hub=str(hub.pk), key="one-more"))

    assert response.status_code == 429
    assert Pledge.objects.count() == MOST_PLEDGES_PER_ADDRESS_PER_HOUR


def make_pledge(client, hub, *rows):
    client.post(reverse("pledge"), form(*rows, hub=str(hub.pk)))
    return Pledge.objects.latest("pk")


def test_it_shows_the_pledge_at_the_hubs_table_as_an_expected_arrival(
    client, hub, place, cots, volunteer
):
    pledge = make_pledge(client, hub, ("Cot", 40), ("Camping mats", 6, cots.category))

    html = login(client, volunteer).get(intake_url(hub)).text

    arrivals = html.split('id="expected-arrivals"')[1].split("</section>")[0]
    assert f"#{pledge.pk} arrived" in arrivals
    assert "40 Cot, 6 Camping mats" in arrivals


def test_it_starts_the_dropoff_from_the_pledge_in_one_tap(client, hub, place, cots, volunteer):
    pledge = make_pledge(client, hub, ("Cot", 40), ("Camping mats", 6, cots.category))

    html = login(client, volunteer).get(intake_url(hub), {"pledge": pledge.pk}).text

    form_html = html.split('id="intake-form"')[1]
    assert f'name="pledge" value="{pledge.pk}"' in form_html
    assert f'name="item" value="{cots.pk}"' in form_html and 'value="40"' in form_html
    assert 'name="new_name" value="Camping mats"' in form_html and 'value="6"' in form_html


def test_it_settles_the_pledge_with_the_dropoff_logged_for_it(client, hub, place, cots, volunteer):
    pledge = make_pledge(client, hub, ("Cot", 40))
    data = dropoff_form(hub.locations.get(), line(cots, 38), pledge=str(pledge.pk))

    login(client, volunteer).post(intake_url(hub), data, headers=HTMX)

    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.ARRIVED and pledge.dropoff == Dropoff.objects.get()
    assert 'id="expected-arrivals"' not in client.get(intake_url(hub)).text


def test_it_ignores_another_hubs_pledge_at_the_table(client, hub, far, place, cots, volunteer):
    theirs = make_pledge(client, far, ("Cot", 4))

    html = login(client, volunteer).get(intake_url(hub), {"pledge": theirs.pk}).text
    data = dropoff_form(hub.locations.get(), line(cots, 4), pledge=str(theirs.pk))
    client.post(intake_url(hub), data, headers=HTMX)

    assert 'name="pledge"' not in html
    theirs.refresh_from_db()
    assert theirs.status == PledgeStatus.EXPECTED


def test_it_takes_a_pledge_off_the_list_when_the_donor_does_not_come(
    client, hub, far, place, cots, volunteer
):
    pledge = make_pledge(client, hub, ("Cot", 4))
    login(client, volunteer)

    response = client.post(reverse("pledge_cancel", args=[hub.slug, pledge.pk]))

    assert response.status_code == 302
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.CANCELLED
    client.force_login(UserFactory(role=Role.COORDINATOR, hubs=[far]))
    theirs = make_pledge(client, hub, ("Cot", 2))
    assert client.post(reverse("pledge_cancel", args=[hub.slug, theirs.pk])).status_code == 404
