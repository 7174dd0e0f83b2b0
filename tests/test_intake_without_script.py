"""The dropoff table without JavaScript: tiles, search and remove buttons post the form,
which comes back changed but not logged; the submit button logs it."""

from decimal import Decimal

import pytest
from django.urls import reverse

from hub.models import Dropoff
from tests.factories import ItemFactory, StorageLocationFactory
from tests.intake import HTMX, dropoff_form, intake_url, line, line_rows, login
from tests.ledger import qty


@pytest.fixture
def hall(hub):
    return StorageLocationFactory(hub=hub, name="Main hall", capacity_litres=Decimal("1000"))


def test_it_adds_a_line_when_a_tile_posts_the_form(client, hub, volunteer, hall, water, beans):
    login(client, volunteer)
    data = dropoff_form(hall, line(water, 3), add_item=str(beans.pk))

    page = client.post(intake_url(hub), data).content.decode()

    rows = line_rows(page)
    assert [("Bottled water" in r, "Canned beans" in r) for r in rows] == [
        (True, False),
        (False, True),
    ]
    assert 'value="3"' in rows[0]
    assert Dropoff.objects.count() == 0


def test_it_adds_one_to_the_line_when_its_tile_posts_again(client, hub, volunteer, hall, water):
    login(client, volunteer)
    data = dropoff_form(hall, line(water, 3), add_item=str(water.pk))

    rows = line_rows(client.post(intake_url(hub), data).content.decode())

    assert len(rows) == 1
    assert 'value="4"' in rows[0]


def test_it_removes_a_line_and_keeps_the_rest_without_messages(
    client, hub, volunteer, hall, water, beans
):
    login(client, volunteer)
    data = dropoff_form(hall, line(water, 0), line(beans, 2), remove_line="1")

    page = client.post(intake_url(hub), data).content.decode()

    rows = line_rows(page)
    assert len(rows) == 1 and "Bottled water" in rows[0]
    assert "more than zero" not in page  # still being edited: no error yet


def test_it_searches_when_the_search_button_posts_the_form(client, hub, volunteer, hall, water):
    ItemFactory(name="Wool blanket")
    login(client, volunteer)
    data = dropoff_form(hall, line(water, 2), search="1", q="wool")

    page = client.post(intake_url(hub), data).content.decode()

    results = page.split('id="search-results"', 1)[1].split("</div>", 1)[0]
    assert "Wool blanket" in results and "Bottled water" not in results
    assert len(line_rows(page)) == 1  # the lines so far are kept


def test_it_logs_what_was_built_without_script(client, hub, volunteer, hall, water):
    login(client, volunteer)
    response = client.post(intake_url(hub), dropoff_form(hall, line(water, 5)))

    assert response.status_code == 302
    assert qty(water, hall) == 5


def test_it_logs_a_dropoff_that_stocks_nothing_without_a_location(client, hub, volunteer, water):
    login(client, volunteer)  # the hub has no storage at all
    data = dropoff_form(None, line(water, 5, outcome="declined"))

    response = client.post(intake_url(hub), data)

    assert response.status_code == 302
    assert Dropoff.objects.get().lines.get().outcome == "declined"


def test_it_sends_an_expired_session_back_to_login_as_a_whole_page(client, hub, db):
    page = "http://testserver/hubs/west-adams/intake/"  # htmx sends the full address
    response = client.get(
        reverse("intake_recent", args=[hub.slug]), headers={**HTMX, "HX-Current-URL": page}
    )

    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{reverse('login')}?next=%2Fhubs%2Fwest-adams%2Fintake%2F"
