"""Who may keep destinations: coordinators and admins of the hub. A volunteer gets 403,
a member of another hub 404, and a destination or need of another hub is 404 too."""

import pytest

from deliveries.models import Destination, DestinationNeed
from deliveries.services import DestinationDenied, destination_create, destination_need_delete
from tests.destinations import destination_form, need_form, url
from tests.factories import DestinationFactory
from tests.intake import login


@pytest.fixture
def shelter(hub):
    return DestinationFactory(hub=hub, name="Shelter")


@pytest.fixture
def need(shelter, water):
    return DestinationNeed.objects.create(destination=shelter, item=water, quantity=5)


def pages(hub, shelter, need) -> list[tuple[str, str]]:
    return [
        ("get", url("destination_list", hub)),
        ("get", url("destination_create", hub)),
        ("post", url("destination_create", hub)),
        ("get", url("destination_detail", hub, shelter.pk)),
        ("get", url("destination_edit", hub, shelter.pk)),
        ("post", url("destination_edit", hub, shelter.pk)),
        ("post", url("destination_need_add", hub, shelter.pk)),
        ("get", url("destination_need_edit", hub, shelter.pk, need.pk)),
        ("post", url("destination_need_edit", hub, shelter.pk, need.pk)),
        ("post", url("destination_need_delete", hub, shelter.pk, need.pk)),
    ]


def test_it_refuses_a_volunteer(client, hub, volunteer, shelter, need):
    login(client, volunteer)
    for method, address in pages(hub, shelter, need):
        assert getattr(client, method)(address).status_code == 403, address
    assert DestinationNeed.objects.count() == 1


def test_it_hides_the_hub_from_another_hubs_coordinator(client, hub, outsider, shelter, need):
    login(client, outsider)
    for method, address in pages(hub, shelter, need):
        assert getattr(client, method)(address).status_code == 404, address
    assert DestinationNeed.objects.count() == 1


def test_it_lets_an_admin_in(client, hub, admin_user, shelter, need):
    login(client, admin_user)
    for method, address in pages(hub, shelter, need):
        if method == "get":
            assert client.get(address).status_code == 200, address


def test_it_answers_404_for_another_hubs_destination(client, hub, other_hub, coordinator, water):
    theirs = DestinationFactory(hub=other_hub, name="Their shelter")
    their_need = DestinationNeed.objects.create(destination=theirs, item=water, quantity=5)
    login(client, coordinator)

    assert client.get(url("destination_detail", hub, theirs.pk)).status_code == 404
    assert client.get(url("destination_edit", hub, theirs.pk)).status_code == 404
    response = client.post(url("destination_edit", hub, theirs.pk), destination_form(name="Mine"))
    assert response.status_code == 404
    response = client.post(url("destination_need_add", hub, theirs.pk), need_form(water))
    assert response.status_code == 404
    response = client.post(url("destination_need_delete", hub, theirs.pk, their_need.pk))
    assert response.status_code == 404

    theirs.refresh_from_db()
    assert theirs.name == "Their shelter"
    assert DestinationNeed.objects.count() == 1


def test_it_answers_404_for_a_need_of_another_destination(client, hub, coordinator, need):
    elsewhere = DestinationFactory(hub=hub, name="Church")
    login(client, coordinator)

    response = client.post(url("destination_need_delete", hub, elsewhere.pk, need.pk))

    assert response.status_code == 404
    assert DestinationNeed.objects.count() == 1


def test_the_services_refuse_who_may_not(hub, other_hub, volunteer, outsider, need):
    for user in (volunteer, outsider):
        with pytest.raises(DestinationDenied):
            destination_create(hub=hub, user=user, name="Camp", kind="camp")
        with pytest.raises(DestinationDenied):
            destination_need_delete(need=need, user=user)
    assert Destination.objects.count() == 1
    assert DestinationNeed.objects.count() == 1
