"""The dropoff table's tiles stay put: coordinators pin tiles and their order per hub; the
rest are ranked once a day from the hub's accepted dropoffs that were not undone, so they
never move during a shift."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from hub.intake.services import DropoffLineInput
from hub.models import Dropoff, PinnedTile
from tests.factories import CategoryFactory, ItemFactory, StorageLocationFactory
from tests.intake import intake_url, logged, login, receipts, tiles


@pytest.fixture
def hall(hub):
    return StorageLocationFactory(hub=hub, name="Main hall", capacity_litres=100000)


@pytest.fixture
def catalog(db):
    food = CategoryFactory(code="food", name="Food", sort_order=1)
    return [ItemFactory(name=f"Item {n:02}", category=food) for n in range(14)]


def shown(client, hub) -> list[int]:
    return list(tiles(client.get(intake_url(hub)).content.decode()))


def test_it_keeps_the_tiles_in_place_through_the_day_whatever_is_logged(
    client, hub, volunteer, hall, catalog
):
    receipts(hub, volunteer, catalog[3], 5, location=hall, age=timedelta(days=1))
    login(client, volunteer)
    morning = shown(client, hub)
    assert morning[0] == catalog[3].pk

    for _n in range(10):
        logged(hub, volunteer, DropoffLineInput(catalog[9], 1, location=hall))

    assert shown(client, hub) == morning
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        # The next day, yesterday's ten dropoffs of item 9 rank it first.
        assert shown(client, hub)[:2] == [catalog[9].pk, catalog[3].pk]


def test_it_ranks_without_undone_dropoffs(client, hub, volunteer, hall, catalog):
    receipts(hub, volunteer, catalog[5], 9, location=hall, age=timedelta(days=1))
    receipts(hub, volunteer, catalog[6], 3, location=hall, age=timedelta(days=1))
    Dropoff.objects.filter(lines__item=catalog[5]).update(undone_at=timezone.now())
    login(client, volunteer)

    assert shown(client, hub)[0] == catalog[6].pk
    assert catalog[5].pk not in shown(client, hub)[:1]


def test_it_shows_pinned_tiles_first_in_their_order(client, hub, volunteer, hall, catalog):
    receipts(hub, volunteer, catalog[3], 5, location=hall, age=timedelta(days=1))
    PinnedTile.objects.create(hub=hub, item=catalog[12], position=1)
    PinnedTile.objects.create(hub=hub, item=catalog[3], position=2)
    PinnedTile.objects.create(hub=hub, item=catalog[7], position=3)
    login(client, volunteer)

    assert shown(client, hub)[:4] == [catalog[12].pk, catalog[3].pk, catalog[7].pk, catalog[0].pk]


def test_it_lets_a_coordinator_pin_move_and_unpin_tiles(
    client, hub, other_hub, coordinator, catalog
):
    url = reverse("intake_tiles", args=[hub.slug])
    login(client, coordinator)
    for item in catalog[:3]:
        assert client.post(url, {"item": item.pk, "action": "pin"}).status_code == 302
    client.post(url, {"item": catalog[2].pk, "action": "up"})
    client.post(url, {"item": catalog[0].pk, "action": "unpin"})
    client.post(url, {"item": catalog[1].pk, "action": "pin"})  # already pinned: no change

    pins = PinnedTile.objects.filter(hub=hub).order_by("position")
    assert [(p.item, p.position) for p in pins] == [(catalog[2], 1), (catalog[1], 2)]
    assert shown(client, hub)[:2] == [catalog[2].pk, catalog[1].pk]
    assert not PinnedTile.objects.filter(hub=other_hub).exists()
    page = client.get(url).content.decode()
    assert page.index(catalog[2].name) < page.index(catalog[1].name)


@pytest.mark.parametrize(
    "data",
    [{}, {"item": "x", "action": "pin"}, {"item": "1", "action": "drop"}, {"action": "pin"}],
)
def test_it_refuses_a_bad_pin_with_a_message_and_stores_nothing(client, hub, coordinator, data):
    response = login(client, coordinator).post(reverse("intake_tiles", args=[hub.slug]), data)
    assert response.status_code == 400
    assert not PinnedTile.objects.exists()


def test_it_refuses_volunteers_on_the_tiles_page(client, hub, volunteer, catalog):
    url = reverse("intake_tiles", args=[hub.slug])
    response = login(client, volunteer).post(url, {"item": catalog[0].pk, "action": "pin"})
    assert response.status_code == 403
    assert not PinnedTile.objects.exists()
