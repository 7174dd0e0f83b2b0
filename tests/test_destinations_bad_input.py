"""Bad input on the destination pages gets a clear message beside its field and stores
nothing; the services refuse the same input whichever way it comes."""

import pytest

from deliveries.models import Destination, DestinationNeed
from deliveries.services import (
    DestinationError,
    destination_create,
    destination_need_save,
    destination_update,
)
from tests.destinations import destination_form, need_form, url
from tests.factories import CategoryFactory, DestinationFactory, HubFactory
from tests.intake import HTMX, login


@pytest.fixture
def shelter(hub):
    return DestinationFactory(hub=hub, name="Pasadena Convention Center")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "  "}, "Name the destination"),
        ({"kind": "hotel"}, "Choose a shelter, church, camp, fire station or another hub."),
        ({"kind": "other_hub"}, "Choose the hub of the network that receives the goods."),
        ({"name": "x" * 121}, "at most 120 characters"),
    ],
    ids=["no name", "unknown kind", "hub without receiving hub", "long name"],
)
def test_it_refuses_a_bad_destination(client, hub, coordinator, fields, message):
    response = login(client, coordinator).post(
        url("destination_create", hub), destination_form(**fields)
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Destination.objects.exists()


def test_it_refuses_this_hub_as_its_own_receiving_hub(hub, coordinator):
    with pytest.raises(DestinationError, match="not this one") as caught:
        destination_create(
            hub=hub, user=coordinator, name="Us", kind="other_hub", receiving_hub=hub
        )
    assert caught.value.field == "receiving_hub"
    assert not Destination.objects.exists()


def test_it_refuses_an_inactive_receiving_hub(hub, coordinator):
    closed = HubFactory(is_active=False)
    with pytest.raises(DestinationError, match="another active hub"):
        destination_create(
            hub=hub, user=coordinator, name="Them", kind="other_hub", receiving_hub=closed
        )
    assert not Destination.objects.exists()


def test_it_refuses_a_receiving_hub_for_a_shelter(hub, other_hub, coordinator):
    with pytest.raises(DestinationError, match="Only another hub"):
        destination_create(
            hub=hub, user=coordinator, name="Shelter", kind="shelter", receiving_hub=other_hub
        )
    assert not Destination.objects.exists()


def test_it_refuses_a_name_the_hub_already_has(client, hub, coordinator, shelter):
    response = login(client, coordinator).post(
        url("destination_create", hub), destination_form(name="pasadena convention center")
    )

    assert "pasadena convention center is already a destination of this hub." in (
        response.content.decode()
    )
    assert Destination.objects.count() == 1


def test_another_hub_may_use_the_same_name(hub, other_hub, shelter, outsider):
    destination_create(hub=other_hub, user=outsider, name=shelter.name, kind="shelter")
    assert Destination.objects.count() == 2


def test_it_refuses_renaming_to_a_name_taken(client, hub, coordinator, shelter):
    church = DestinationFactory(hub=hub, name="St. Mark's")

    response = login(client, coordinator).post(
        url("destination_edit", hub, church.pk), destination_form(name=shelter.name)
    )

    assert "is already a destination of this hub" in response.content.decode()
    church.refresh_from_db()
    assert church.name == "St. Mark's"


def test_it_keeps_its_own_name_on_edit(hub, coordinator, shelter):
    destination_update(
        destination=shelter, user=coordinator, name=shelter.name, kind="church", address="here"
    )
    shelter.refresh_from_db()
    assert (shelter.kind, shelter.address) == ("church", "here")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"quantity": "0"}, "Enter a whole number of at least 1."),
        ({"quantity": "-3"}, "Enter a whole number of at least 1."),
        ({"quantity": "lots"}, "Enter a whole number of at least 1."),
        ({"quantity": "2000000"}, "Enter at most 1000000."),
        ({"priority": "9"}, "Choose high, normal or low."),
        ({"item": ""}, "Choose an item or a category: one of the two, not both."),
        ({"category": "food"}, "Choose an item or a category: one of the two, not both."),
        ({"item": "999999"}, "This item is not in the catalog any more."),
    ],
    ids=["zero", "negative", "text", "huge", "priority", "neither", "both", "unknown item"],
)
def test_it_refuses_a_bad_need(client, hub, coordinator, shelter, water, fields, message):
    food = CategoryFactory(code="food", name="Food")
    data = {**need_form(water), **fields}
    if data["category"] == "food":
        data["category"] = str(food.pk)

    response = login(client, coordinator).post(
        url("destination_need_add", hub, shelter.pk), data, headers=HTMX
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not DestinationNeed.objects.exists()


def test_it_refuses_an_item_listed_twice(client, hub, coordinator, shelter, water):
    DestinationNeed.objects.create(destination=shelter, item=water, quantity=5)

    response = login(client, coordinator).post(
        url("destination_need_add", hub, shelter.pk), need_form(water, quantity=9)
    )

    assert (
        "This destination already lists Bottled water 1.5 L: change that need instead."
        in response.content.decode()
    )
    assert list(DestinationNeed.objects.values_list("quantity", flat=True)) == [5]


def test_it_refuses_a_category_listed_twice(client, hub, coordinator, shelter):
    food = CategoryFactory(code="food", name="Food")
    DestinationNeed.objects.create(destination=shelter, category=food, quantity=5)

    response = login(client, coordinator).post(
        url("destination_need_add", hub, shelter.pk), need_form(category=food)
    )

    assert "already lists Food" in response.content.decode()
    assert DestinationNeed.objects.count() == 1


def test_it_refuses_changing_a_need_into_one_listed(
    client, hub, coordinator, shelter, water, beans
):
    DestinationNeed.objects.create(destination=shelter, item=water, quantity=5)
    other = DestinationNeed.objects.create(destination=shelter, item=beans, quantity=7)

    response = login(client, coordinator).post(
        url("destination_need_edit", hub, shelter.pk, other.pk), need_form(water)
    )

    assert "already lists Bottled water" in response.content.decode()
    other.refresh_from_db()
    assert other.item == beans


def test_it_refuses_a_new_need_for_an_item_out_of_the_catalog(hub, coordinator, shelter, water):
    water.is_active = False
    water.save()
    with pytest.raises(DestinationError, match="not in the catalog"):
        destination_need_save(
            destination=shelter, user=coordinator, item=water, category=None, quantity=3
        )
    assert not DestinationNeed.objects.exists()


def test_it_refuses_a_need_of_another_destination(hub, coordinator, shelter, water):
    church = DestinationFactory(hub=hub, name="Church")
    need = DestinationNeed.objects.create(destination=church, item=water, quantity=5)
    with pytest.raises(DestinationError, match="another destination"):
        destination_need_save(
            destination=shelter, user=coordinator, item=water, category=None, quantity=3, need=need
        )
    need.refresh_from_db()
    assert (need.destination, need.quantity) == (church, 5)
