"""Alerts about the stock itself: batches about to expire, items under their minimum.

They are CapacityAlert rows of their own levels, so they go out through the channels and
the sweep of the fill alerts (inventory.alerts), each channel once. The callers queue the
ids these functions return after their commit (inventory.tasks.alerts_enqueue).

- Expiring: each batch (an item at a location with one expiry date) whose date is within
  the hub's `expiry_alert_days` raises one alert, ever: a unique constraint holds that
  however many sweeps look at it at once. Found by the hourly sweep.
- Under minimum: the hub's stock of an item (all locations and dates) falling under the
  minimum a coordinator set raises one alert and sets `below`; only stock back at or above
  the minimum clears it. Checked after each stock change commits, in a transaction of its
  own that locks the item's minimum row: checks of one item queue, and each reads the stock
  as committed, so the last one sees where the stock ended up.
"""

import zoneinfo
from collections.abc import Iterable
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Sum
from django.utils import timezone

from hub.models import Hub
from inventory.models import AlertLevel, CapacityAlert, StockBalance, StockMinimum


def hub_today(*, hub: Hub) -> date:
    return timezone.localdate(timezone=zoneinfo.ZoneInfo(hub.time_zone))


def expiring_by(*, hub: Hub, today: date | None = None) -> date:
    """The last expiry date that counts as expiring soon at the hub (today's included)."""
    return (today or hub_today(hub=hub)) + timedelta(days=hub.expiry_alert_days)


def expiry_alerts_raise(*, hubs: Iterable[Hub]) -> list[int]:
    """One alert for each batch of these hubs that expires soon (or has expired) and has
    none yet. Returns the new alerts' ids, for the caller to queue after its commit.
    Idempotent: a second run, or one at the same time, raises nothing more."""
    raised: list[int] = []
    for hub in hubs:
        batches = (
            StockBalance.objects.filter(
                location__hub=hub,
                quantity__gt=0,
                expiry_date__isnull=False,
                expiry_date__lte=expiring_by(hub=hub),
            )
            .exclude(
                Exists(
                    CapacityAlert.objects.filter(
                        level=AlertLevel.EXPIRING,
                        location=OuterRef("location"),
                        item=OuterRef("item"),
                        expiry_date=OuterRef("expiry_date"),
                    )
                )
            )
            .values_list("location_id", "item_id", "expiry_date", "quantity")
            .order_by("expiry_date", "pk")
        )
        for location_id, item_id, expiry_date, quantity in batches:
            try:
                with transaction.atomic():
                    alert = CapacityAlert.objects.create(
                        hub=hub,
                        location_id=location_id,
                        item_id=item_id,
                        expiry_date=expiry_date,
                        quantity=quantity,
                        level=AlertLevel.EXPIRING,
                    )
            except IntegrityError:
                continue  # another sweep raised it a moment ago
            raised.append(alert.pk)
    return raised


def minimum_check(*, pairs: Iterable[tuple[int, int]]) -> list[int]:
    """Trip or clear the minimums of these (hub id, item id) pairs by the stock committed
    now; one alert per minimum tripped. Returns the new alerts' ids, for the caller to
    queue after commit. Call outside the stock change's transaction (after its commit)."""
    pairs = set(pairs)
    if not pairs:
        return []
    hub_ids = {hub_id for hub_id, _ in pairs}
    item_ids = {item_id for _, item_id in pairs}
    # Cheap and lock-free first: nearly every stock change touches no item with a minimum.
    candidates = list(
        StockMinimum.objects.filter(hub_id__in=hub_ids, item_id__in=item_ids).values_list(
            "pk", "hub_id", "item_id"
        )
    )
    ids = [pk for pk, hub_id, item_id in candidates if (hub_id, item_id) in pairs]
    if not ids:
        return []
    return _minimums_check(ids=ids)


def minimum_check_all(*, hubs: Iterable[Hub]) -> list[int]:
    """The same for every minimum of the hubs: the sweep's catch-up for a check that could
    not run after its change (the database went away right after the commit)."""
    ids = list(StockMinimum.objects.filter(hub__in=list(hubs)).values_list("pk", flat=True))
    return _minimums_check(ids=ids) if ids else []


def _minimums_check(*, ids: list[int]) -> list[int]:
    with transaction.atomic():
        minimums = list(StockMinimum.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
        on_hand = _on_hand(pairs={(m.hub_id, m.item_id) for m in minimums})
        alerts: list[CapacityAlert] = []
        for minimum in minimums:
            quantity = on_hand.get((minimum.hub_id, minimum.item_id), 0)
            below = quantity < minimum.minimum
            if below == minimum.below:
                continue
            StockMinimum.objects.filter(pk=minimum.pk).update(below=below)
            if below:
                alerts.append(
                    CapacityAlert(
                        hub_id=minimum.hub_id,
                        item_id=minimum.item_id,
                        level=AlertLevel.LOW_STOCK,
                        quantity=quantity,
                        minimum=minimum.minimum,
                    )
                )
        CapacityAlert.objects.bulk_create(alerts)
    return [alert.pk for alert in alerts]


def _on_hand(*, pairs: set[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """(hub id, item id) -> units on the hub's shelves (one query)."""
    rows = (
        StockBalance.objects.filter(
            location__hub_id__in={hub_id for hub_id, _ in pairs},
            item_id__in={item_id for _, item_id in pairs},
        )
        .values_list("location__hub_id", "item_id")
        .annotate(total=Sum("quantity"))
        .order_by()
    )
    return {(hub_id, item_id): total for hub_id, item_id, total in rows}
