"""Undo at the table: within 10 minutes, by who logged the dropoff or a coordinator; it voids
the stock with reversing movements and deletes nothing."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from hub.models import Dropoff
from inventory.models import MovementKind, StockMovement
from inventory.services import StockLine, stock_remove
from tests.factories import StorageLocationFactory, UserFactory
from tests.intake import HTMX, dropoff_form, intake_url, line, login, movements_of
from tests.ledger import assert_ledger_matches_balances, qty

LA = ZoneInfo("America/Los_Angeles")


@pytest.fixture
def hall(hub):
    return StorageLocationFactory(hub=hub, name="Main hall", capacity_litres=Decimal("1000"))


NOON = datetime(2025, 1, 10, 12, 0, tzinfo=LA)


def logged_at_noon(client, hub, user, *lines, location):
    with time_machine.travel(NOON, tick=False):
        login(client, user).post(intake_url(hub), dropoff_form(location, *lines))
    return Dropoff.objects.latest("pk")


def undo(client, hub, user, dropoff, *, at, headers=None):
    with time_machine.travel(at, tick=False):
        return login(client, user).post(
            reverse("dropoff_undo", args=[hub.slug, dropoff.pk]), headers=headers or {}
        )


@pytest.mark.parametrize("who", ["logger", "coordinator"])
def test_it_lets_the_logger_or_a_coordinator_undo_within_10_minutes(
    client, hub, volunteer, coordinator, hall, water, beans, who
):
    dropoff = logged_at_noon(client, hub, volunteer, line(water, 24), line(beans, 6), location=hall)
    user = volunteer if who == "logger" else coordinator

    response = undo(client, hub, user, dropoff, at=NOON + timedelta(minutes=10), headers=HTMX)

    dropoff.refresh_from_db()
    assert dropoff.undone_at == NOON + timedelta(minutes=10)
    assert dropoff.undone_by == user
    assert dropoff.lines.count() == 2  # nothing deleted
    assert (qty(water, hall), qty(beans, hall)) == (0, 0)
    voids = StockMovement.objects.filter(kind=MovementKind.VOIDED)
    assert sorted(m.quantity for m in voids) == [-24, -6]
    assert movements_of(dropoff).count() == 2  # the received rows are kept
    assert_ledger_matches_balances()
    assert f"Dropoff #{dropoff.pk} undone." in response.content.decode()


def test_it_marks_an_undone_dropoff_on_its_detail_page_and_in_the_list(
    client, hub, volunteer, hall, water
):
    dropoff = logged_at_noon(client, hub, volunteer, line(water, 24), location=hall)
    undo(client, hub, volunteer, dropoff, at=NOON + timedelta(minutes=1))

    with time_machine.travel(NOON + timedelta(minutes=2), tick=False):
        detail = client.get(reverse("dropoff_detail", args=[hub.slug, dropoff.pk]))
        recent = client.get(reverse("intake_recent", args=[hub.slug]))

    assert "Undone" in detail.content.decode()
    assert "Undo this dropoff" not in detail.content.decode()
    assert '<li class="undone">' in recent.content.decode()


def test_it_refuses_an_undo_by_another_volunteer(client, hub, volunteer, hall, water):
    dropoff = logged_at_noon(client, hub, volunteer, line(water, 24), location=hall)
    someone = UserFactory(username="vic", role="Volunteer", hubs=[hub])

    with time_machine.travel(NOON + timedelta(minutes=1), tick=False):
        detail = login(client, someone).get(reverse("dropoff_detail", args=[hub.slug, dropoff.pk]))
    response = undo(client, hub, someone, dropoff, at=NOON + timedelta(minutes=1), headers=HTMX)

    assert "Undo this dropoff" not in detail.content.decode()
    assert "Only who logged this dropoff, or a coordinator, can undo it." in (
        response.content.decode()
    )
    dropoff.refresh_from_db()
    assert dropoff.undone_at is None
    assert qty(water, hall) == 24


def test_it_refuses_an_undo_after_10_minutes(client, hub, volunteer, coordinator, hall, water):
    dropoff = logged_at_noon(client, hub, volunteer, line(water, 24), location=hall)
    late = NOON + timedelta(minutes=10, seconds=1)

    with time_machine.travel(late, tick=False):
        detail = login(client, volunteer).get(
            reverse("dropoff_detail", args=[hub.slug, dropoff.pk])
        )
    by_logger = undo(client, hub, volunteer, dropoff, at=late)
    by_coordinator = undo(client, hub, coordinator, dropoff, at=late, headers=HTMX)

    assert "Undo this dropoff" not in detail.content.decode()
    assert by_logger.status_code == 302
    assert "only be undone within 10 minutes" in by_coordinator.content.decode()
    dropoff.refresh_from_db()
    assert dropoff.undone_at is None
    assert qty(water, hall) == 24


def test_it_undoes_a_dropoff_only_once(client, hub, volunteer, hall, water):
    dropoff = logged_at_noon(client, hub, volunteer, line(water, 24), location=hall)

    undo(client, hub, volunteer, dropoff, at=NOON + timedelta(minutes=1))
    again = undo(client, hub, volunteer, dropoff, at=NOON + timedelta(minutes=2), headers=HTMX)

    assert "already undone" in again.content.decode()
    assert StockMovement.objects.filter(kind=MovementKind.VOIDED).count() == 1
    assert_ledger_matches_balances()


def test_it_offers_undo_right_after_logging(client, hub, volunteer, hall, water):
    html = (
        login(client, volunteer)
        .post(intake_url(hub), dropoff_form(hall, line(water, 1)), headers=HTMX)
        .content.decode()
    )

    dropoff = Dropoff.objects.get()
    assert f'hx-post="{reverse("dropoff_undo", args=[hub.slug, dropoff.pk])}"' in html
    assert "Undo this dropoff" in html


def test_it_refuses_an_undo_once_the_goods_have_left(client, hub, volunteer, hall, water):
    dropoff = logged_at_noon(client, hub, volunteer, line(water, 24), location=hall)
    with time_machine.travel(NOON + timedelta(minutes=2), tick=False):
        stock_remove(
            lines=[StockLine(water, hall, 20)],
            kind=MovementKind.DELIVERED,
            user=None,
            reason="Run to the shelter",
        )

    response = undo(client, hub, volunteer, dropoff, at=NOON + timedelta(minutes=3), headers=HTMX)

    assert 'class="message message-error"' in response.content.decode()
    dropoff.refresh_from_db()
    assert dropoff.undone_at is None
    assert qty(water, hall) == 4
    assert_ledger_matches_balances()
