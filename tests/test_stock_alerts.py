"""Alerts about the stock: one per batch about to expire (the hourly sweep), one per fall of
an item under its hub's minimum (after the stock change commits), through the channels of
the fill alerts."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hub.errors import Denied, UserError
from inventory import tasks
from inventory.alerts import alert_emails_set, alert_payload, alert_send, alert_text
from inventory.models import AlertLevel, CapacityAlert, MovementKind, StockMinimum
from inventory.selectors import under_minimum_list
from inventory.services import StockLine, stock_receive, stock_remove
from inventory.stock_alerts import (
    expiry_alerts_raise,
    hub_expiry_days_set,
    item_stock_rules_set,
    minimum_check,
)
from tests.factories import ItemFactory, StorageLocationFactory


@pytest.fixture
def shelf(hub):
    return StorageLocationFactory(hub=hub, name="Shelf A", capacity_litres=Decimal("10000"))


@pytest.fixture
def queued(monkeypatch):
    """The alert ids handed to the workers."""
    ids: list[int] = []
    monkeypatch.setattr(tasks.alert_deliver, "apply_async", lambda args, **kw: ids.append(args[0]))
    return ids


def put(item, location, quantity, expiry=None):
    stock_receive(lines=[StockLine(item, location, quantity, expiry)], user=None)


def take(item, location, quantity):
    stock_remove(
        lines=[StockLine(item, location, quantity)], kind=MovementKind.DELIVERED, user=None
    )


def expiring():
    return CapacityAlert.objects.filter(level=AlertLevel.EXPIRING)


def low():
    return CapacityAlert.objects.filter(level=AlertLevel.LOW_STOCK)


# --- expiring batches ----------------------------------------------------------------------


def test_it_raises_one_alert_per_batch_expiring_within_the_hubs_days(hub, shelf, beans, queued):
    today = timezone.localdate()
    put(beans, shelf, 10, today + timedelta(days=3))
    put(beans, shelf, 5, today + timedelta(days=30))  # later than the hub's 14 days
    assert tasks.stock_alerts_sweep() == 1
    alert = expiring().get()
    assert (alert.item, alert.location, alert.quantity) == (beans, shelf, 10)
    assert alert.expiry_date == today + timedelta(days=3)
    assert queued == [alert.pk]
    # The next hour's sweep, and the next day's: nothing new.
    assert tasks.stock_alerts_sweep() == 0
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        assert tasks.stock_alerts_sweep() == 0
    assert queued == [alert.pk]


def test_it_alerts_a_later_batch_once_its_date_comes_within_the_days(hub, shelf, beans, queued):
    later = timezone.localdate() + timedelta(days=20)
    put(beans, shelf, 5, later)
    assert tasks.stock_alerts_sweep() == 0
    with time_machine.travel(timezone.now() + timedelta(days=7)):
        assert tasks.stock_alerts_sweep() == 1
        assert tasks.stock_alerts_sweep() == 0
    assert expiring().get().expiry_date == later


def test_it_follows_the_days_the_hub_sets(hub, shelf, beans, coordinator, queued):
    put(beans, shelf, 5, timezone.localdate() + timedelta(days=20))
    hub_expiry_days_set(hub=hub, user=coordinator, days=30)
    assert expiry_alerts_raise(hubs=[hub]) != []


def test_it_alerts_an_expired_batch_once_and_an_empty_batch_never(hub, shelf, beans, queued):
    today = timezone.localdate()
    put(beans, shelf, 2, today - timedelta(days=1))
    put(beans, shelf, 4, today + timedelta(days=1))
    stock_remove(
        lines=[StockLine(beans, shelf, 4, today + timedelta(days=1))],
        kind=MovementKind.DISCARDED,
        user=None,
    )
    tasks.stock_alerts_sweep()
    alert = expiring().get()
    assert "expired on" in alert_text(alert=alert)


def test_it_sends_a_batch_alert_by_the_same_channels(hub, shelf, beans, coordinator, queued):
    coordinator.email = "carlos@example.org"
    coordinator.save()
    alert_emails_set(hub=hub, user=coordinator, wanted=True)
    put(beans, shelf, 12, timezone.localdate() + timedelta(days=2))
    tasks.stock_alerts_sweep()
    alert = expiring().get()
    assert alert_send(alert_id=alert.pk) == []
    assert alert_send(alert_id=alert.pk) == []  # sent once, however often it runs
    assert len(mail.outbox) == 1
    assert "12 units of Canned beans at Shelf A expire on" in mail.outbox[0].subject
    payload = alert_payload(alert=alert)
    assert (payload["level"], payload["item"], payload["quantity"]) == ("expiring", beans.name, 12)


# --- minimums ------------------------------------------------------------------------------


@pytest.fixture
def minimum(hub, water, coordinator):
    return item_stock_rules_set(
        hub=hub, item=water, user=coordinator, safe_after_expiry=False, minimum=10
    )


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Stock changes each followed by what runs after its commit."""

    def change(step, item, location, quantity):
        with django_capture_on_commit_callbacks(execute=True):
            step(item, location, quantity)

    return change


def test_it_raises_one_alert_per_fall_under_the_minimum(
    hub, shelf, water, minimum, queued, committed
):
    committed(put, water, shelf, 12)
    committed(take, water, shelf, 3)  # 9: under 10
    committed(take, water, shelf, 4)  # 5: still under, no second alert
    alert = low().get()
    assert (alert.item, alert.quantity, alert.minimum) == (water, 9, 10)
    assert queued == [alert.pk]
    committed(put, water, shelf, 4)  # 9: still under, not re-armed
    committed(take, water, shelf, 1)
    assert low().count() == 1
    committed(put, water, shelf, 2)  # 10: at the minimum, re-armed
    committed(take, water, shelf, 1)  # 9: a new crossing
    assert low().count() == 2
    assert "under its minimum: 9 left, minimum 10" in alert_text(alert=low().first())


def test_it_counts_every_location_of_the_hub(hub, shelf, water, minimum, queued, committed):
    other_shelf = StorageLocationFactory(hub=hub, name="Shelf B")
    committed(put, water, shelf, 6)
    committed(put, water, other_shelf, 6)
    committed(take, water, shelf, 2)  # 10 in all
    assert not low().exists()


def test_it_raises_nothing_when_a_minimum_is_set_under_water(hub, shelf, water, coordinator):
    put(water, shelf, 3)
    row = item_stock_rules_set(
        hub=hub, item=water, user=coordinator, safe_after_expiry=False, minimum=10
    )
    assert row.below
    assert minimum_check(pairs={(hub.pk, water.pk)}) == []
    assert [(r.item, r.on_hand, r.minimum) for r in under_minimum_list(hub=hub)] == [(water, 3, 10)]


def test_it_catches_up_on_a_lost_check_in_the_sweep(hub, shelf, water, minimum, queued, committed):
    committed(put, water, shelf, 12)
    take(water, shelf, 5)  # no on-commit here: the check after it was lost
    assert tasks.stock_alerts_sweep() == 1
    assert tasks.stock_alerts_sweep() == 0


def test_it_leaves_the_other_hubs_minimum_alone(
    hub, other_hub, shelf, water, minimum, committed, queued
):
    committed(put, water, shelf, 12)
    there = StorageLocationFactory(hub=other_hub)
    committed(put, water, there, 1)
    committed(take, water, there, 1)
    assert not low().exists()
    assert not StockMinimum.objects.get().below


def test_it_checks_a_minimum_set_since_the_last_check(
    hub, shelf, water, coordinator, queued, committed
):
    committed(put, water, shelf, 12)  # checked: water has no minimum here yet
    item_stock_rules_set(hub=hub, item=water, user=coordinator, safe_after_expiry=False, minimum=10)
    committed(take, water, shelf, 3)
    assert low().get().quantity == 9


def test_it_checks_items_without_a_minimum_without_a_query(hub, shelf, water, beans, minimum):
    put(beans, shelf, 5)
    put(water, shelf, 12)
    # Clears water's minimum (12 on hand); reads which items have a minimum here.
    assert minimum_check(pairs={(hub.pk, water.pk)}) == []

    with CaptureQueriesContext(connection) as queries:
        assert minimum_check(pairs={(hub.pk, beans.pk)}) == []
    assert len(queries) == 0
    take(water, shelf, 3)
    assert len(minimum_check(pairs={(hub.pk, beans.pk), (hub.pk, water.pk)})) == 1


# --- who may set them ------------------------------------------------------------------------


def test_it_lets_only_the_hubs_coordinators_set_rules(hub, water, volunteer, outsider):
    for user in (volunteer, outsider):
        with pytest.raises(Denied):
            item_stock_rules_set(hub=hub, item=water, user=user, safe_after_expiry=True, minimum=5)
        with pytest.raises(Denied):
            hub_expiry_days_set(hub=hub, user=user, days=3)


@pytest.mark.parametrize("bad", [0, -1, 10**7, True])
def test_it_refuses_a_minimum_out_of_bounds(hub, water, coordinator, bad):
    with pytest.raises(UserError) as refused:
        item_stock_rules_set(
            hub=hub, item=water, user=coordinator, safe_after_expiry=False, minimum=bad
        )
    assert refused.value.field == "minimum"
    assert not StockMinimum.objects.exists()


@pytest.mark.parametrize("bad", [0, 366, False])
def test_it_refuses_days_out_of_bounds(hub, coordinator, bad):
    with pytest.raises(UserError):
        hub_expiry_days_set(hub=hub, user=coordinator, days=bad)
    hub.refresh_from_db()
    assert hub.expiry_alert_days == 14


def test_it_marks_an_item_safe_after_its_date_and_clears_a_minimum(hub, beans, coordinator):
    item_stock_rules_set(hub=hub, item=beans, user=coordinator, safe_after_expiry=True, minimum=4)
    item_stock_rules_set(
        hub=hub, item=beans, user=coordinator, safe_after_expiry=True, minimum=None
    )
    beans.refresh_from_db()
    assert beans.safe_after_expiry
    assert not StockMinimum.objects.exists()
    unused = ItemFactory()
    assert not unused.safe_after_expiry
