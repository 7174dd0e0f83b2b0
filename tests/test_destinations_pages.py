"""The destination pages a coordinator keeps: the list, a new destination, its page with
its standing needs, editing it, and adding, changing and removing needs (with and without
htmx)."""

import pytest

from deliveries.models import Destination, DestinationNeed
from tests.destinations import destination_form, need_form, url
from tests.factories import CategoryFactory, DestinationFactory, HubFactory
from tests.intake import HTMX, login


@pytest.fixture
def shelter(hub):
    return DestinationFactory(hub=hub, name="Pasadena Convention Center", address="300 E Green")


def test_it_lists_the_hub_destinations(client, hub, other_hub, coordinator, shelter):
    DestinationFactory(hub=other_hub, name="Somebody else's church")
    DestinationFactory(hub=hub, name="Old camp", is_active=False)

    page = login(client, coordinator).get(url("destination_list", hub)).content.decode()

    assert "Pasadena Convention Center" in page
    assert "Old camp" in page
    assert "Somebody else" not in page
    assert url("destination_create", hub) in page
    assert page.index("Pasadena Convention Center") < page.index("Old camp")  # active first


def test_it_shows_the_nav_link_to_coordinators_only(client, hub, coordinator, volunteer):
    link = url("destination_list", hub)
    assert link in login(client, coordinator).get(url("hub_detail", hub)).content.decode()
    assert link not in login(client, volunteer).get(url("hub_detail", hub)).content.decode()


def test_it_creates_a_shelter(client, hub, coordinator):
    response = login(client, coordinator).post(url("destination_create", hub), destination_form())

    destination = Destination.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("destination_detail", hub, destination.pk)
    assert (destination.hub, destination.kind, destination.contact_name) == (
        hub,
        "shelter",
        "Maria",
    )
    assert destination.is_active


def test_it_creates_another_hub_as_a_destination(client, hub, other_hub, coordinator):
    login(client, coordinator).post(
        url("destination_create", hub),
        destination_form(name="Pasadena Hub", kind="other_hub", receiving_hub=other_hub.pk),
    )

    assert Destination.objects.get().receiving_hub == other_hub


def test_it_drops_a_hub_left_chosen_for_a_shelter(client, hub, other_hub, coordinator):
    login(client, coordinator).post(
        url("destination_create", hub), destination_form(receiving_hub=other_hub.pk)
    )

    assert Destination.objects.get().receiving_hub is None


def test_it_offers_only_the_other_hubs_as_receiving_hub(client, hub, other_hub, coordinator):
    closed = HubFactory(name="Closed Hub", is_active=False)

    page = login(client, coordinator).get(url("destination_create", hub)).content.decode()

    assert f'<option value="{other_hub.pk}">Pasadena Hub</option>' in page
    assert f'<option value="{hub.pk}">' not in page
    assert f'<option value="{closed.pk}">' not in page


def test_it_edits_a_destination(client, hub, coordinator, shelter):
    edit = url("destination_edit", hub, shelter.pk)
    assert "300 E Green" in login(client, coordinator).get(edit).content.decode()

    response = client.post(edit, destination_form(name="PCC shelter", is_active=""))

    shelter.refresh_from_db()
    assert response["Location"] == url("destination_detail", hub, shelter.pk)
    assert shelter.name == "PCC shelter"
    assert not shelter.is_active


def test_it_shows_a_destination_with_its_needs(client, hub, coordinator, shelter, water):
    food = CategoryFactory(code="food", name="Food")
    DestinationNeed.objects.create(destination=shelter, item=water, quantity=40, priority=1)
    DestinationNeed.objects.create(destination=shelter, category=food, quantity=25, priority=3)

    page = login(client, coordinator).get(url("destination_detail", hub, shelter.pk))

    text = page.content.decode()
    assert "Bottled water 1.5 L" in text
    assert "Any Food" in text
    assert text.index("Bottled water") < text.index("Any Food")  # high priority first
    assert "Unload" not in text  # the factory's shelter has no notes


def test_it_adds_a_need(client, hub, coordinator, shelter, water):
    response = login(client, coordinator).post(
        url("destination_need_add", hub, shelter.pk), need_form(water, quantity=40, priority=1)
    )

    assert response["Location"] == url("destination_detail", hub, shelter.pk)
    need = DestinationNeed.objects.get()
    assert (need.destination, need.item, need.quantity, need.priority) == (shelter, water, 40, 1)
    assert (
        "Need added: 40 x Bottled water 1.5 L." in client.get(response["Location"]).content.decode()
    )


def test_it_adds_a_category_need_with_htmx(client, hub, coordinator, shelter):
    food = CategoryFactory(code="food", name="Food")

    response = login(client, coordinator).post(
        url("destination_need_add", hub, shelter.pk), need_form(category=food), headers=HTMX
    )

    assert response.status_code == 200
    text = response.content.decode()
    assert text.strip().startswith('<section id="needs"')
    assert "Any Food" in text
    assert 'hx-swap-oob="true"' in text and "Need added: 10 x Food." in text
    assert DestinationNeed.objects.get().category == food


def test_it_edits_a_need(client, hub, coordinator, shelter, water):
    need = DestinationNeed.objects.create(destination=shelter, item=water, quantity=40)
    edit = url("destination_need_edit", hub, shelter.pk, need.pk)
    assert 'value="40"' in login(client, coordinator).get(edit).content.decode()

    response = client.post(edit, need_form(water, quantity=60, priority=3, notes="weekly"))

    assert response["Location"] == url("destination_detail", hub, shelter.pk)
    need.refresh_from_db()
    assert (need.quantity, need.priority, need.notes) == (60, 3, "weekly")


def test_it_keeps_an_item_taken_out_of_the_catalog_in_its_need(
    client, hub, coordinator, shelter, water
):
    need = DestinationNeed.objects.create(destination=shelter, item=water, quantity=40)
    water.is_active = False
    water.save()

    response = login(client, coordinator).post(
        url("destination_need_edit", hub, shelter.pk, need.pk), need_form(water, quantity=30)
    )

    assert response.status_code == 302
    need.refresh_from_db()
    assert need.quantity == 30


def test_it_removes_a_need(client, hub, coordinator, shelter, water, beans):
    gone = DestinationNeed.objects.create(destination=shelter, item=water, quantity=40)
    kept = DestinationNeed.objects.create(destination=shelter, item=beans, quantity=10)

    response = login(client, coordinator).post(
        url("destination_need_delete", hub, shelter.pk, gone.pk), headers=HTMX
    )

    assert "Need removed: 40 x Bottled water 1.5 L." in response.content.decode()
    assert "Canned beans" in response.content.decode()
    assert list(DestinationNeed.objects.all()) == [kept]


def test_it_removes_a_need_without_javascript(client, hub, coordinator, shelter, water):
    need = DestinationNeed.objects.create(destination=shelter, item=water, quantity=40)

    response = login(client, coordinator).post(
        url("destination_need_delete", hub, shelter.pk, need.pk)
    )

    assert response["Location"] == url("destination_detail", hub, shelter.pk)
    assert not DestinationNeed.objects.exists()


def test_it_speaks_spanish(client, hub, coordinator, shelter):
    login(client, coordinator)
    page = client.get(
        url("destination_detail", hub, shelter.pk), headers={"Accept-Language": "es"}
    ).content.decode()

    assert "Necesidades permanentes" in page
