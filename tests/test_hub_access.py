"""Every page needs a login, a membership of the hub in its URL, and a role high enough."""

import pytest
from django.urls import reverse

from inventory.services import StockLine, stock_receive
from tests.factories import ItemFactory, StorageLocationFactory, UserFactory


@pytest.fixture
def stocked(hub, other_hub):
    """One item in stock at each hub, with names that give away which hub they are from."""
    mine = StorageLocationFactory(hub=hub, name="West hall")
    theirs = StorageLocationFactory(hub=other_hub, name="Pasadena garage")
    stock_receive(
        lines=[
            StockLine(ItemFactory(name="West blankets"), mine, 5),
            StockLine(ItemFactory(name="Pasadena diapers"), theirs, 7),
        ],
        user=None,
    )


@pytest.mark.parametrize("url_name", ["hub_detail", "stock_list"])
def test_it_sends_anonymous_visitors_to_login(client, hub, url_name):
    url = reverse(url_name, args=[hub.slug])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


def test_it_sends_anonymous_visitors_to_login_from_home(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_takes_a_volunteer_of_one_hub_straight_to_its_dropoff_table(client, volunteer, hub):
    client.force_login(volunteer)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("intake", args=[hub.slug])


def test_it_takes_a_coordinator_of_one_hub_to_the_hub_at_a_glance(client, coordinator, hub):
    client.force_login(coordinator)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("hub_detail", args=[hub.slug])


def test_it_lists_the_hubs_of_a_member_of_several(client, hub, other_hub):
    both = UserFactory(role="Admin", hubs=[hub, other_hub])
    client.force_login(both)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "West Adams Hub" in response.text and "Pasadena Hub" in response.text


def test_it_shows_a_volunteer_their_hub_with_its_fill(client, volunteer, hub, stocked):
    client.force_login(volunteer)
    response = client.get(reverse("hub_detail", args=[hub.slug]))
    assert response.status_code == 200
    assert "West hall" in response.text
    assert "Pasadena garage" not in response.text


def test_it_hides_another_hub_from_a_volunteer(client, volunteer, other_hub):
    client.force_login(volunteer)
    response = client.get(reverse("hub_detail", args=[other_hub.slug]))
    assert response.status_code == 404


def test_it_refuses_the_stock_page_to_a_volunteer(client, volunteer, hub):
    client.force_login(volunteer)
    response = client.get(reverse("stock_list", args=[hub.slug]))
    assert response.status_code == 403
    assert "Your role does not include this page" in response.text


def test_it_shows_a_coordinator_only_their_hubs_stock(client, coordinator, hub, stocked):
    client.force_login(coordinator)
    response = client.get(reverse("stock_list", args=[hub.slug]))
    assert response.status_code == 200
    assert "West blankets" in response.text
    assert "Pasadena diapers" not in response.text


def test_it_hides_this_hubs_stock_from_a_coordinator_of_another_hub(client, outsider, hub):
    client.force_login(outsider)
    assert client.get(reverse("stock_list", args=[hub.slug])).status_code == 404
    assert client.get(reverse("hub_detail", args=[hub.slug])).status_code == 404


def test_it_refuses_a_member_without_a_role(client, hub):
    nobody = UserFactory(hubs=[hub])
    client.force_login(nobody)
    assert client.get(reverse("hub_detail", args=[hub.slug])).status_code == 403


def test_it_refuses_a_deactivated_user(client, volunteer, hub):
    client.force_login(volunteer)
    volunteer.is_active = False
    volunteer.save()
    response = client.get(reverse("hub_detail", args=[hub.slug]))
    assert response.status_code == 302


def test_it_refuses_writes_to_read_only_pages(client, coordinator, hub):
    client.force_login(coordinator)
    assert client.post(reverse("stock_list", args=[hub.slug])).status_code == 405
