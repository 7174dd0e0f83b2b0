"""An item past its expiry date at the table: discarded, or accepted anyway only for items
coordinators marked safe after their date, and only by an explicit choice on its line."""

from datetime import timedelta

import pytest
from django.utils import timezone

from hub.intake.services import DropoffLineInput, IntakeError
from hub.models import Dropoff, DropoffLine, Outcome
from inventory.models import StockBalance
from tests.factories import ItemFactory, StorageLocationFactory
from tests.intake import HTMX, dropoff_form, intake_url, line, logged, login


@pytest.fixture
def shelf(hub):
    return StorageLocationFactory(hub=hub, name="Shelf A")


@pytest.fixture
def soup(db):
    """Canned: safe past its best-before date."""
    return ItemFactory(name="Canned soup", tracks_expiry=True, safe_after_expiry=True)


@pytest.fixture
def formula(db):
    """Baby formula: never accepted past its date."""
    return ItemFactory(name="Baby formula", tracks_expiry=True)


def yesterday() -> str:
    return (timezone.localdate() - timedelta(days=1)).isoformat()


def expired_line(item, choice, **kw):
    return {**line(item, 3, expiry=yesterday(), **kw), "expired": choice}


def form_with(shelf, *rows):
    data = dropoff_form(shelf, *rows)
    data["expired"] = [row.get("expired", "") for row in rows]
    return data


def test_it_refuses_an_expired_line_without_a_choice_and_stores_nothing(
    client, hub, volunteer, shelf, soup
):
    login(client, volunteer)
    response = client.post(intake_url(hub), form_with(shelf, expired_line(soup, "")), headers=HTMX)
    assert response.status_code == 200
    assert "discard it, or accept it anyway" in response.content.decode()
    assert 'name="expired"' in response.content.decode()
    assert not Dropoff.objects.exists()
    assert not StockBalance.objects.exists()


def test_it_logs_a_discarded_line_without_stocking_it(client, hub, volunteer, shelf, soup, water):
    login(client, volunteer)
    client.post(
        intake_url(hub),
        form_with(shelf, expired_line(soup, "discard"), {**line(water, 2), "expired": ""}),
        headers=HTMX,
    )
    lines = {row.item_id: row for row in DropoffLine.objects.all()}
    assert lines[soup.pk].outcome == Outcome.DISCARDED
    assert lines[soup.pk].location is None
    assert lines[water.pk].outcome == Outcome.ACCEPTED
    assert list(StockBalance.objects.values_list("item_id", "quantity")) == [(water.pk, 2)]


def test_it_accepts_anyway_an_item_safe_after_its_date(client, hub, volunteer, shelf, soup):
    login(client, volunteer)
    client.post(intake_url(hub), form_with(shelf, expired_line(soup, "accept")), headers=HTMX)
    row = DropoffLine.objects.get()
    assert (row.outcome, row.expired_accepted) == (Outcome.ACCEPTED, True)
    assert StockBalance.objects.get().quantity == 3


def test_it_never_accepts_an_item_not_safe_after_its_date(client, hub, volunteer, shelf, formula):
    login(client, volunteer)
    response = client.post(
        intake_url(hub), form_with(shelf, expired_line(formula, "accept")), headers=HTMX
    )
    assert "not safe after its date: discard it" in response.content.decode()
    assert not Dropoff.objects.exists()


def test_it_offers_accept_anyway_only_for_safe_items(client, hub, volunteer, shelf, soup, formula):
    login(client, volunteer)
    page = client.post(
        intake_url(hub),
        form_with(shelf, expired_line(soup, ""), expired_line(formula, "")),
        headers=HTMX,
    ).content.decode()
    assert page.count('value="discard"') == 2
    assert page.count('value="accept"') == 1


def test_it_asks_nothing_of_a_line_still_in_date(client, hub, volunteer, shelf, formula):
    login(client, volunteer)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    client.post(
        intake_url(hub),
        form_with(shelf, {**line(formula, 1, expiry=tomorrow), "expired": "discard"}),
        headers=HTMX,
    )
    assert DropoffLine.objects.get().outcome == Outcome.ACCEPTED


def test_it_takes_an_old_page_without_the_choice_column(client, hub, volunteer, shelf, water):
    login(client, volunteer)
    client.post(intake_url(hub), dropoff_form(shelf, line(water, 2)), headers=HTMX)
    assert DropoffLine.objects.get().outcome == Outcome.ACCEPTED


@pytest.mark.parametrize("choice", ["maybe", "accept\x00", "x" * 500])
def test_it_refuses_a_tampered_choice(client, hub, volunteer, shelf, soup, choice):
    login(client, volunteer)
    response = client.post(
        intake_url(hub), form_with(shelf, expired_line(soup, choice)), headers=HTMX
    )
    assert response.status_code in (200, 400)
    assert not Dropoff.objects.exists()


def test_it_enforces_the_choice_in_the_service(hub, volunteer, shelf, formula):
    expired = timezone.localdate() - timedelta(days=1)
    with pytest.raises(IntakeError) as refused:
        logged(
            hub,
            volunteer,
            DropoffLineInput(
                formula, 1, location=shelf, expiry_date=expired, expired_accepted=True
            ),
        )
    assert refused.value.line == 0
    dropoff = logged(
        hub,
        volunteer,
        DropoffLineInput(formula, 1, outcome=Outcome.DISCARDED, expiry_date=expired),
    )
    assert dropoff.lines.get().outcome == Outcome.DISCARDED
    assert not StockBalance.objects.exists()
