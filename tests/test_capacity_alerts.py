"""Thresholds: one alert per crossing, re-armed 5 points under, intake closed when full and
reopened when back under nearly full, and "full in about N hours"."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection, transaction
from django.utils import timezone

from hub.intake.services import hub_intake_set, hub_thresholds_set, intake_reopen_due
from hub.models import IntakeStatus
from inventory.alerts import alert_payload, alert_text
from inventory.models import AlertLevel, CapacityAlert, MovementKind
from inventory.selectors import hours_to_full, location_fill_list
from inventory.services import StockLine, stock_receive, stock_remove
from tests.factories import HubFactory, ItemFactory, StorageLocationFactory


@pytest.fixture
def shelf(hub):
    return StorageLocationFactory(hub=hub, name="Shelf", capacity_litres=Decimal("100"))


@pytest.fixture
def litre(db):
    return ItemFactory(name="One litre", unit_volume_litres=Decimal("1"))


def put(item, location, quantity):
    stock_receive(lines=[StockLine(item, location, quantity)], user=None)


def take(item, location, quantity):
    stock_remove(
        lines=[StockLine(item, location, quantity)], kind=MovementKind.DELIVERED, user=None
    )


def alerts(**filters):
    return list(
        CapacityAlert.objects.filter(**filters)
        .order_by("pk")
        .values_list("location__name", "level", "fill_percent", "threshold_percent")
    )


def test_it_raises_one_alert_per_threshold_as_a_location_fills(hub, shelf, litre):
    hub.close_when_full = False
    hub.save()
    put(litre, shelf, 79)
    assert alerts() == []

    put(litre, shelf, 2)  # 81 %: the shelf and the hub (its only storage) cross 80 %
    put(litre, shelf, 5)  # 86 %: still nearly full, no second alert
    put(litre, shelf, 10)  # 96 %: full

    assert alerts(location__isnull=False) == [
        ("Shelf", AlertLevel.NEARLY_FULL, Decimal("81.0"), 80),
        ("Shelf", AlertLevel.FULL, Decimal("96.0"), 95),
    ]
    # The shelf is all the hub's storage: its alerts say it all, the hub adds none.
    assert alerts(location__isnull=True) == []


def test_it_raises_the_hubs_own_alert_when_all_its_storage_crosses(hub, shelf, litre):
    hub.close_when_full = False
    hub.save()
    garage = StorageLocationFactory(hub=hub, name="Garage", capacity_litres=Decimal("100"))
    put(litre, shelf, 100)  # the shelf is full; the hub at 50 %
    assert alerts(location__isnull=True) == []

    put(litre, garage, 62)  # the hub at 81 %

    assert alerts(location__isnull=True) == [(None, AlertLevel.NEARLY_FULL, Decimal("81.0"), 80)]


def test_it_rearms_a_threshold_only_five_points_under_it(hub, shelf, litre):
    hub.close_when_full = False
    hub.save()
    put(litre, shelf, 81)
    take(litre, shelf, 4)  # 77 %: under 80, but not 5 points under: still tripped
    put(litre, shelf, 4)  # 81 % again: no storm
    assert len(alerts(location=shelf)) == 1

    take(litre, shelf, 7)  # 74 %: re-armed
    put(litre, shelf, 7)  # 81 %: a new crossing, a new alert
    assert len(alerts(location=shelf)) == 2


def test_it_uses_the_thresholds_each_hub_sets(hub, shelf, litre):
    hub.nearly_full_percent, hub.full_percent, hub.close_when_full = 50, 70, False
    hub.save()

    put(litre, shelf, 55)

    assert alerts(location=shelf) == [("Shelf", AlertLevel.NEARLY_FULL, Decimal("55.0"), 50)]


def test_it_closes_intake_when_the_hub_crosses_full_and_says_why(hub, shelf, litre):
    put(litre, shelf, 96)

    hub.refresh_from_db()
    assert hub.intake_status == IntakeStatus.CLOSED
    assert hub.intake_reason == "automatic: storage 96 % full"
    assert hub.intake_closed_automatically


def test_it_reopens_an_automatic_closure_under_nearly_full(hub, shelf, litre):
    put(litre, shelf, 96)
    take(litre, shelf, 10)  # 86 %: still over nearly full
    hub.refresh_from_db()
    assert hub.intake_status == IntakeStatus.CLOSED

    take(litre, shelf, 7)  # 79 %

    hub.refresh_from_db()
    assert (hub.intake_status, hub.intake_reason) == (IntakeStatus.OPEN, "")
    assert not hub.intake_closed_automatically


def test_it_leaves_a_closure_by_hand_alone(hub, shelf, litre):
    put(litre, shelf, 96)
    hub.refresh_from_db()
    hub.intake_closed_automatically, hub.intake_reason = False, "Closed for the night"
    hub.save()

    take(litre, shelf, 50)

    hub.refresh_from_db()
    assert (hub.intake_status, hub.intake_reason) == (IntakeStatus.CLOSED, "Closed for the night")


def test_it_does_not_close_a_hub_that_opted_out(hub, shelf, litre):
    hub.close_when_full = False
    hub.save()

    put(litre, shelf, 99)

    hub.refresh_from_db()
    assert hub.intake_status == IntakeStatus.OPEN


def test_it_forecasts_full_from_the_last_six_hours_of_net_inflow(hub, shelf, litre):
    start = timezone.now()
    with time_machine.travel(start - timedelta(hours=8), tick=False):
        put(litre, shelf, 30)  # too old to count
    with time_machine.travel(start - timedelta(hours=5), tick=False):
        put(litre, shelf, 20)
    with time_machine.travel(start - timedelta(hours=1), tick=False):
        put(litre, shelf, 16)
        take(litre, shelf, 4)  # net 32 L in 6 h: 5.33 L an hour; 38 L free

    with time_machine.travel(start, tick=False):
        [fill] = location_fill_list(hub=hub)
        forecast = hours_to_full(fill=fill, location_ids=[shelf.pk])

    assert forecast == Decimal("7.1")


def test_it_forecasts_nothing_when_nothing_net_comes_in(hub, shelf, litre):
    put(litre, shelf, 50)
    take(litre, shelf, 50)

    [fill] = location_fill_list(hub=hub)
    assert hours_to_full(fill=fill, location_ids=[shelf.pk]) is None


def test_it_puts_the_forecast_in_the_nearly_full_alert(hub, shelf, litre):
    hub.close_when_full = False
    hub.save()
    put(litre, shelf, 60)
    put(litre, shelf, 21)  # 81 L in the last 6 h: 13.5 L an hour; 19 L free

    alert = CapacityAlert.objects.get(location=shelf)
    assert alert.hours_to_full == Decimal("1.4")


def test_it_says_full_not_nearly_full_when_one_change_passes_both(hub, shelf, litre):
    hub.close_when_full = False
    hub.save()
    put(litre, shelf, 70)
    put(litre, shelf, 30)  # 70 -> 100 %: past 80 % and 95 % at once

    [alert] = CapacityAlert.objects.filter(location=shelf)
    assert (alert.level, alert.fill_percent, alert.hours_to_full) == (
        AlertLevel.FULL,
        Decimal("100.0"),
        None,
    )
    text = alert_text(alert=alert, with_link=False)
    assert text == "West Adams Hub: Shelf is 100.0 % full (full at 95 %)."
    assert alert_payload(alert=alert)["hours_to_full"] is None
    take(litre, shelf, 10)  # 90 %: nearly full was tripped too, so it stays quiet
    assert CapacityAlert.objects.count() == 1


def test_it_forecasts_nothing_for_storage_with_no_room_left(hub, shelf, litre):
    put(litre, shelf, 100)

    [fill] = location_fill_list(hub=hub)
    assert hours_to_full(fill=fill, location_ids=[shelf.pk]) is None


def test_it_puts_back_a_limited_intake_after_closing_for_full(hub, shelf, litre):
    hub.intake_status, hub.intake_reason = IntakeStatus.LIMITED, "Only baby items"
    hub.save()

    put(litre, shelf, 96)
    hub.refresh_from_db()
    assert hub.intake_status == IntakeStatus.CLOSED
    take(litre, shelf, 20)

    hub.refresh_from_db()
    assert (hub.intake_status, hub.intake_reason) == (IntakeStatus.LIMITED, "Only baby items")


def test_it_rechecks_the_states_when_an_admin_moves_the_thresholds(hub, shelf, litre, admin_user):
    hub.close_when_full = False
    hub.save()
    put(litre, shelf, 85)  # nearly full tripped at 80
    hub_thresholds_set(
        hub=hub, user=admin_user, nearly_full_percent=90, full_percent=97, close_when_full=False
    )

    put(litre, shelf, 6)  # 91 %: crosses the new nearly-full threshold

    assert [a[3] for a in alerts(location=shelf)] == [80, 90]


def test_it_closes_at_once_when_an_admin_turns_close_when_full_on_past_full(
    hub, shelf, litre, admin_user
):
    hub.close_when_full = False
    hub.save()
    put(litre, shelf, 97)

    hub_thresholds_set(
        hub=hub, user=admin_user, nearly_full_percent=80, full_percent=95, close_when_full=True
    )

    hub.refresh_from_db()
    assert hub.intake_status == IntakeStatus.CLOSED
    assert hub.intake_closed_automatically


def test_it_closes_again_a_hub_reopened_on_time_while_still_full(hub, shelf, litre):
    hub.close_when_full = False
    hub.save()
    put(litre, shelf, 97)
    hub.intake_status, hub.intake_reason = IntakeStatus.CLOSED, "Closed for sorting"
    hub.intake_reopens_at, hub.close_when_full = timezone.now() - timedelta(minutes=1), True
    hub.save()

    intake_reopen_due(now=timezone.now())

    hub.refresh_from_db()
    assert hub.intake_status == IntakeStatus.CLOSED
    assert hub.intake_reason == "automatic: storage 97 % full"


@pytest.mark.django_db(transaction=True)
def test_it_sees_two_changes_that_cross_the_hubs_threshold_only_together():
    """Two tablets at two shelves at once: neither change alone takes the hub past 80 %,
    both together do; the second check waits for the first and sees it."""
    hub = HubFactory(close_when_full=False)
    shelves = [StorageLocationFactory(hub=hub, capacity_litres=Decimal("100")) for _ in range(2)]
    litre = ItemFactory(unit_volume_litres=Decimal("1"))
    for shelf in shelves:
        put(litre, shelf, 75)
    done = threading.Event()

    def second_tablet():
        try:
            put(litre, shelves[1], 5)
        finally:
            done.set()
            connection.close()

    with transaction.atomic():
        put(litre, shelves[0], 5)  # holds the hub's check until this commits
        worker = threading.Thread(target=second_tablet)
        worker.start()
        assert not done.wait(timeout=1), "the second check did not wait for the first"
    worker.join(timeout=10)

    assert alerts(location__isnull=True) == [(None, AlertLevel.NEARLY_FULL, Decimal("80.0"), 80)]


def test_it_keeps_a_hub_open_that_an_admin_opened_by_hand_while_full(hub, shelf, litre, admin_user):
    put(litre, shelf, 97)  # closed automatically
    hub.refresh_from_db()
    assert hub.intake_status == IntakeStatus.CLOSED

    hub_intake_set(hub=hub, user=admin_user, status=IntakeStatus.OPEN, reason="", reopens_at=None)

    hub.refresh_from_db()
    assert (hub.intake_status, hub.intake_closed_automatically) == (IntakeStatus.OPEN, False)
    put(litre, shelf, 1)  # still full, no new crossing: stays open
    hub.refresh_from_db()
    assert hub.intake_status == IntakeStatus.OPEN
