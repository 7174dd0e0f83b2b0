"""Reports for a date range: dropoffs, received by category, declined and redirected, in a
fixed number of queries; a bad range gets a clear message."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from hub.intake.services import DropoffLineInput, dropoff_undo
from hub.models import Outcome
from tests.coordinator import query_count
from tests.factories import CategoryFactory, ItemFactory, StorageLocationFactory
from tests.intake import logged


@pytest.fixture
def hall(hub):
    return StorageLocationFactory(hub=hub, capacity_litres=Decimal("100000"))


@pytest.fixture
def week(hub, other_hub, volunteer, coordinator, hall, water, beans):
    """Three dropoffs this week, one undone, and one of 10 days ago."""
    logged(
        hub,
        volunteer,
        DropoffLineInput(water, 10, location=hall),
        DropoffLineInput(beans, 4, outcome=Outcome.DECLINED),
        DropoffLineInput(beans, 3, outcome=Outcome.REDIRECTED, redirected_to=other_hub),
    )
    logged(hub, volunteer, DropoffLineInput(beans, 6, location=hall))
    dropoff_undo(
        dropoff=logged(hub, volunteer, DropoffLineInput(water, 99, location=hall)), user=coordinator
    )
    with time_machine.travel(timezone.now() - timedelta(days=10)):
        logged(hub, volunteer, DropoffLineInput(water, 50, location=hall))


def report(client, hub, **params):
    return client.get(reverse("reports", args=[hub.slug]), params)


def test_it_reports_the_last_week_by_default(client, coordinator, hub, week, water, beans):
    client.force_login(coordinator)
    html = report(client, hub).text
    section = html.split('id="dropoffs-heading"')[1].split("</section>")[0]
    assert 'Dropoffs logged</th><td class="num">2</td>' in section
    assert 'Undone</th><td class="num">1</td>' in section
    assert 'Lines accepted</th><td class="num">2</td><td class="num">16 units' in section
    assert 'Lines declined</th><td class="num">1</td><td class="num">4 units' in section
    assert 'Lines sent to another hub</th><td class="num">1</td><td class="num">3 units' in section
    assert "Pasadena Hub: 1 line, 3 units" in section
    received = html.split('id="received-heading"')[1].split("</section>")[0]
    assert f'{water.category.name}</th><td class="num">10</td><td class="num">16</td>' in received
    assert f'{beans.category.name}</th><td class="num">6</td><td class="num">3</td>' in received


def test_it_reports_a_chosen_range(client, coordinator, hub, week):
    client.force_login(coordinator)
    today = timezone.localdate()
    ten_days_ago = (today - timedelta(days=10)).isoformat()
    html = report(client, hub, since=ten_days_ago, until=ten_days_ago).text
    assert 'Dropoffs logged</th><td class="num">1</td>' in html
    assert f"since={ten_days_ago}&amp;until={ten_days_ago}" in html  # the exports follow


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"since": "2025-02-10", "until": "2025-02-01"}, "The end must be on or after the start."),
        ({"since": "2023-01-01", "until": "2025-01-01"}, "Choose at most 366 days."),
        ({"since": "yesterday", "until": "2025-01-01"}, "Enter a date, e.g. 2025-01-10."),
        ({"since": "2025-01-01"}, "This field is required."),
    ],
    ids=["backwards", "too-long", "not-a-date", "half"],
)
def test_it_explains_a_bad_range(client, coordinator, hub, params, message):
    client.force_login(coordinator)
    response = report(client, hub, **params)
    assert response.status_code == 400
    assert message in response.text
    assert "Received by category" not in response.text


def test_it_keeps_reports_to_coordinators_of_the_hub(client, volunteer, outsider, hub):
    client.force_login(volunteer)
    assert report(client, hub).status_code == 403
    client.force_login(outsider)
    assert report(client, hub).status_code == 404


def test_it_reports_in_a_fixed_number_of_queries(
    client, coordinator, volunteer, hub, other_hub, hall, week, django_assert_num_queries
):
    client.force_login(coordinator)
    report(client, hub)
    small, _response = query_count(lambda: report(client, hub))
    for n in range(15):
        item = ItemFactory(category=CategoryFactory(code=f"more-{n}"))
        logged(
            hub,
            volunteer,
            DropoffLineInput(item, 2, location=hall),
            DropoffLineInput(item, 1, outcome=Outcome.REDIRECTED, redirected_to=other_hub),
        )

    with django_assert_num_queries(small):
        assert report(client, hub).status_code == 200
