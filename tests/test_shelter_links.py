"""Sites say what they need themselves: a private link per destination (no account,
revocable, unguessable, kept hashed), where its contact posts and updates needs; the hub's
coordinators see new requests and confirm them into standing needs."""

import re

import pytest
from django.urls import reverse

from deliveries.models import Destination, DestinationNeed, NeedPriority, NeedRequest
from deliveries.shelter_forms import ShelterNeedForm
from deliveries.shelter_selectors import request_token_hash
from deliveries.shelter_services import MOST_BAD_LINKS_PER_ADDRESS, request_link_make
from hub.roles import Role
from tests.factories import CategoryFactory, DestinationFactory, ItemFactory, UserFactory


@pytest.fixture
def shelter(hub):
    return DestinationFactory(hub=hub, name="Dorsey High shelter")


@pytest.fixture
def cots(db):
    return ItemFactory(name="Cot", category=CategoryFactory(code="bedding", name="Bedding"))


@pytest.fixture
def link(shelter, coordinator):
    return reverse("shelter_needs", args=[request_link_make(destination=shelter, user=coordinator)])


def test_it_shows_the_link_once_and_keeps_only_its_hash(client, shelter, coordinator):
    client.force_login(coordinator)

    html = client.post(reverse("destination_link", args=[shelter.hub.slug, shelter.pk])).text

    token = re.search(r"/needs/([A-Za-z0-9_-]+)/", html).group(1)
    assert len(token) >= 32
    shelter.refresh_from_db()
    assert shelter.request_token_hash == request_token_hash(token)
    assert token not in str(Destination.objects.filter(pk=shelter.pk).values().get())
    page = client.get(reverse("destination_detail", args=[shelter.hub.slug, shelter.pk])).text
    assert token not in page and "is in use" in page


def test_it_opens_the_sites_page_without_an_account(client, link, shelter):
    response = client.get(link)

    assert response.status_code == 200
    assert "What Dorsey High shelter needs" in response.text


def test_it_stops_the_old_link_when_a_new_one_is_made_or_it_is_revoked(
    client, link, shelter, coordinator
):
    newer = reverse(
        "shelter_needs", args=[request_link_make(destination=shelter, user=coordinator)]
    )
    assert client.get(link).status_code == 404
    assert client.get(newer).status_code == 200

    client.force_login(coordinator)
    client.post(
        reverse("destination_link", args=[shelter.hub.slug, shelter.pk]), {"action": "revoke"}
    )
    client.logout()
    assert client.get(newer).status_code == 404


def test_it_asks_nothing_about_the_people_a_site_serves(db):
    assert set(ShelterNeedForm().fields) == {
        "item",
        "category",
        "description",
        "quantity",
        "priority",
    }


def test_it_takes_a_request_and_updates_it_when_sent_again(client, link, shelter, cots):
    client.post(link, {"item": cots.pk, "quantity": "40", "priority": "2"})
    response = client.post(link, {"item": cots.pk, "quantity": "60", "priority": "1"}, follow=True)

    request = NeedRequest.objects.get()
    assert (request.item, request.quantity, request.priority) == (cots, 60, NeedPriority.HIGH)
    assert "Sent. The hub" in response.text
    assert "Cot" in response.text.split("Sent, waiting for the hub")[1]


def test_it_takes_a_need_in_the_sites_own_words_under_a_kind(client, link, cots):
    client.post(
        link,
        {
            "category": cots.category.pk,
            "description": "Camping mats",
            "quantity": "12",
            "priority": "2",
        },
    )

    request = NeedRequest.objects.get()
    assert (request.item, request.category, request.description) == (
        None,
        cots.category,
        "Camping mats",
    )


@pytest.mark.parametrize(
    "data",
    [
        {"quantity": "3", "priority": "2"},
        {"item": "99999999999999999999", "quantity": "3", "priority": "2"},
        {"item": "{cots}", "quantity": "-1", "priority": "2"},
        {"item": "{cots}", "quantity": "0", "priority": "2"},  # nothing standing to be met
        {"item": "{cots}", "quantity": "3", "priority": "9"},
        {"item": "{cots}", "quantity": "3", "priority": "2", "description": "x" * 500},
    ],
)
def test_it_refuses_bad_requests_clearly_and_stores_nothing(client, link, cots, data):
    data = {k: v.replace("{cots}", str(cots.pk)) for k, v in data.items()}

    response = client.post(link, data)

    assert response.status_code == 400
    assert 'class="error"' in response.text
    assert NeedRequest.objects.count() == 0


def test_it_lets_the_site_take_back_a_request(client, link, cots):
    client.post(link, {"item": cots.pk, "quantity": "4", "priority": "2"})

    client.post(link, {"withdraw": NeedRequest.objects.get().pk})

    assert NeedRequest.objects.count() == 0


def test_it_shows_coordinators_how_many_requests_are_new(client, link, shelter, cots, coordinator):
    client.post(link, {"item": cots.pk, "quantity": "4", "priority": "2"})
    client.force_login(coordinator)

    dashboard = client.get(reverse("dashboard", args=[shelter.hub.slug])).text
    listing = client.get(reverse("destination_list", args=[shelter.hub.slug])).text

    assert "1 new request to confirm" in dashboard
    assert "1 new</a>" in listing


def decide(client, shelter, request, **data):
    url = reverse("need_request_decide", args=[shelter.hub.slug, shelter.pk, request.pk])
    return client.post(url, data)


def test_it_confirms_a_request_into_a_standing_need(client, link, shelter, cots, coordinator):
    client.post(link, {"item": cots.pk, "quantity": "40", "priority": "1"})
    client.force_login(coordinator)

    response = decide(
        client, shelter, NeedRequest.objects.get(), item=cots.pk, quantity="30", priority="1"
    )

    assert response.status_code == 302
    need = DestinationNeed.objects.get()
    assert (need.item, need.quantity, need.priority) == (cots, 30, NeedPriority.HIGH)
    assert NeedRequest.objects.get().status == "confirmed"


def test_it_changes_or_removes_the_standing_need_a_request_is_about(
    client, link, shelter, cots, coordinator
):
    DestinationNeed.objects.create(destination=shelter, item=cots, quantity=10)
    client.post(link, {"item": cots.pk, "quantity": "0", "priority": "2"})
    client.force_login(coordinator)

    decide(client, shelter, NeedRequest.objects.get(), item=cots.pk, quantity="0", priority="2")

    assert DestinationNeed.objects.count() == 0


def test_it_lets_a_coordinator_dismiss_a_request(client, link, shelter, cots, coordinator):
    client.post(link, {"item": cots.pk, "quantity": "4", "priority": "2"})
    client.force_login(coordinator)

    decide(client, shelter, NeedRequest.objects.get(), action="dismiss")

    assert NeedRequest.objects.get().status == "dismissed"
    assert DestinationNeed.objects.count() == 0


def test_it_lets_only_the_hubs_coordinators_decide(
    client, link, shelter, cots, volunteer, other_hub
):
    client.post(link, {"item": cots.pk, "quantity": "4", "priority": "2"})
    request = NeedRequest.objects.get()

    client.force_login(volunteer)
    assert decide(client, shelter, request, action="dismiss").status_code == 403
    client.force_login(UserFactory(role=Role.COORDINATOR, hubs=[other_hub]))
    assert decide(client, shelter, request, action="dismiss").status_code == 404
    url = reverse("destination_link", args=[shelter.hub.slug, shelter.pk])
    assert client.post(url).status_code == 404
    assert NeedRequest.objects.get().status == "new"


def test_it_slows_down_an_address_guessing_links(client, link):
    for n in range(MOST_BAD_LINKS_PER_ADDRESS):
        assert client.get(reverse("shelter_needs", args=[f"guess-{n}"])).status_code == 404

    assert client.get(link).status_code == 429
