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
from contextlib import suppress
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Sum
from django.db.models.signals import post_delete, post_save
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from redis.exceptions import RedisError

from hub.access import hub_role_check
from hub.cache_versions import cache_versions_renew
from hub.errors import Denied, UserError
from hub.models import Hub
from hub.redis_pause import redis_pause, redis_paused
from hub.roles import Role
from inventory.models import AlertLevel, CapacityAlert, Item, StockBalance, StockMinimum
from inventory.signals import catalog_changed

MAX_MINIMUM = 1_000_000
MAX_EXPIRY_DAYS = 365
MINIMUM_ITEMS_SECONDS = 3600


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
    # Cheap and lock-free first: nearly every stock change touches no item with a minimum,
    # which the cache says without a query.
    if not pairs & _minimum_pairs(hub_ids=hub_ids):
        return []
    item_ids = {item_id for _, item_id in pairs}
    candidates = list(
        StockMinimum.objects.filter(hub_id__in=hub_ids, item_id__in=item_ids).values_list(
            "pk", "hub_id", "item_id"
        )
    )
    ids = [pk for pk, hub_id, item_id in candidates if (hub_id, item_id) in pairs]
    if not ids:
        return []
    return _minimums_check(ids=ids)


def _minimum_keys(hub_id: int) -> tuple[str, str]:
    """The cache keys of the hub's minimums' version and of its items with a minimum."""
    return f"stock:minimums:version:{hub_id}", f"stock:minimums:items:{hub_id}"


def _minimum_pairs(*, hub_ids: set[int]) -> set[tuple[int, int]]:
    """The (hub id, item id) pairs of these hubs that have a minimum: from the cache while
    the hubs' minimums have not changed, else from the database. Each hub's items are
    cached with the version of its minimums they were read under; a change sets a new
    version (`_minimums_changed`), so a copy read before it is never taken for a current
    one."""
    if redis_paused():
        return _minimum_pairs_read(hub_ids=hub_ids)
    keys = {hub_id: _minimum_keys(hub_id) for hub_id in hub_ids}
    try:
        cached = cache.get_many([key for pair in keys.values() for key in pair])
    except RedisError:
        redis_pause()
        return _minimum_pairs_read(hub_ids=hub_ids)
    pairs: set[tuple[int, int]] = set()
    stale: dict[int, str] = {}  # hub id -> the version its items are read under
    for hub_id, (version_key, items_key) in keys.items():
        version, stored = cached.get(version_key, ""), cached.get(items_key)
        if stored is not None and stored[0] == version:
            pairs |= {(hub_id, item_id) for item_id in stored[1]}
        else:
            stale[hub_id] = version
    if stale:
        read = _minimum_pairs_read(hub_ids=set(stale))
        pairs |= read
        with suppress(RedisError):
            cache.set_many(
                {
                    keys[hub_id][1]: (version, [item for hub, item in read if hub == hub_id])
                    for hub_id, version in stale.items()
                },
                MINIMUM_ITEMS_SECONDS,
            )
    return pairs


def _minimum_pairs_read(*, hub_ids: set[int]) -> set[tuple[int, int]]:
    return set(StockMinimum.objects.filter(hub_id__in=hub_ids).values_list("hub_id", "item_id"))


def _minimums_changed(instance: StockMinimum, **_kwargs: Any) -> None:
    """A minimum set or cleared: the hub's cached items with a minimum are outdated at once,
    for this transaction, and again once it commits, for what others read meanwhile."""
    cache_versions_renew([_minimum_keys(instance.hub_id)[0]])


def minimum_signals_connect() -> None:
    for signal in (post_save, post_delete):
        signal.connect(_minimums_changed, sender=StockMinimum, dispatch_uid="minimum-items")


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


# --- what coordinators set ------------------------------------------------------------------


class StockRuleError(UserError):
    """A minimum, an expiry setting or a window refused, storing nothing."""


class StockRuleDenied(StockRuleError, Denied):
    """The user is not a coordinator (or admin) of the hub."""


def item_stock_rules_set(
    *, hub: Hub, item: Item, user: User, safe_after_expiry: bool, minimum: int | None
) -> StockMinimum | None:
    """Whether the item may be accepted past its date (for every hub: it is the catalog's),
    and the hub's minimum of it (None: no minimum). A new or changed minimum starts from
    where the stock stands now: an alert is raised only by a fall under it from now on
    (the dashboard lists what is under it already). Returns the minimum row, if any."""
    _coordinator_check(hub=hub, user=user)
    if minimum is not None and (
        isinstance(minimum, bool) or not isinstance(minimum, int) or not 1 <= minimum <= MAX_MINIMUM
    ):
        raise StockRuleError(
            _("Enter a whole number from 1 to %(max)s, or leave it empty.")
            % {"max": formats.number_format(MAX_MINIMUM, force_grouping=True)},
            field="minimum",
        )
    with transaction.atomic():
        if item.safe_after_expiry != bool(safe_after_expiry):
            Item.objects.filter(pk=item.pk).update(safe_after_expiry=bool(safe_after_expiry))
            item.safe_after_expiry = bool(safe_after_expiry)
            # A bulk write sends no post_save: the items cached for the dropoff table too.
            catalog_changed.send(sender=Item)
        if minimum is None:
            StockMinimum.objects.filter(hub=hub, item=item).delete()
            return None
        on_hand = _on_hand(pairs={(hub.pk, item.pk)}).get((hub.pk, item.pk), 0)
        row, _created = StockMinimum.objects.update_or_create(
            hub=hub, item=item, defaults={"minimum": minimum, "below": on_hand < minimum}
        )
        return row


def hub_expiry_days_set(*, hub: Hub, user: User, days: int) -> Hub:
    """How many days ahead of its date a batch raises its alert and is listed as expiring
    soon. Batches already alerted are not alerted again."""
    _coordinator_check(hub=hub, user=user)
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_EXPIRY_DAYS:
        raise StockRuleError(
            _("Enter a whole number of days from 1 to %(max)d.") % {"max": MAX_EXPIRY_DAYS},
            field="days",
        )
    Hub.objects.filter(pk=hub.pk).update(expiry_alert_days=days)
    hub.expiry_alert_days = days
    return hub


def _coordinator_check(*, hub: Hub, user: User) -> None:
    hub_role_check(
        user=user,
        hub=hub,
        role=Role.COORDINATOR,
        message=_("Only a coordinator of %(hub)s can change this.") % {"hub": hub.name},
        denied=StockRuleDenied,
    )
