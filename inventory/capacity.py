"""Thresholds: raising capacity alerts and closing intake as storage fills.

`capacity_check` runs inside every stock change's transaction (inventory.services), so an
alert row exists exactly when the change that crossed the threshold does. Each threshold of
each location and of the hub as a whole trips once and re-arms only when fill has dropped
5 points below it, so a shelf that hovers around 80 % raises one alert, not a storm.
"""

from decimal import Decimal

from django.db import transaction

from hub import sql
from hub.intake_status import intake_close_when_full, intake_reopen_under_nearly_full
from hub.models import Hub
from inventory.locks import hub_state_lock
from inventory.models import AlertLevel, CapacityAlert, CapacityState, StorageLocation
from inventory.selectors import (
    Fill,
    LocationFill,
    hours_to_full,
    hub_fill,
    location_fill_list,
)
from inventory.tasks import alerts_enqueue

REARM_POINTS = 5
MAX_PERCENT = Decimal("99999.9")  # what the alert row stores; an overfull shelf says so


def capacity_check(
    *, location_ids: set[int], held_hub: Hub | None = None, seen: list | None = None
) -> list[CapacityAlert]:
    """Trip or re-arm the thresholds of these locations and their hubs; raise an alert per
    threshold tripped now; close or reopen intake by fill. Call inside the transaction.
    `held_hub`: the locations are all of this hub, whose state lock the caller holds.
    `seen`: given, receives the held hub's fill per location as read here, after the change
    (what its caller's answer shows)."""
    alerts: list[CapacityAlert] = []
    if held_hub is not None:
        alerts += _check_hub(hub=held_hub, location_ids=location_ids, state_locked=True, seen=seen)
    else:
        for hub in Hub.objects.filter(locations__pk__in=location_ids).distinct().order_by("pk"):
            alerts += _check_hub(hub=hub, location_ids=location_ids)
    if alerts:
        CapacityAlert.objects.bulk_create(alerts)
        ids = [alert.pk for alert in alerts]
        transaction.on_commit(lambda: alerts_enqueue(alert_ids=ids))
    return alerts


def _check_hub(
    *, hub: Hub, location_ids: set[int], state_locked: bool = False, seen: list | None = None
) -> list[CapacityAlert]:
    # Serialise the checks of one hub before reading its fill: a change that waited here
    # reads the fill with the other's change committed, so two changes that only cross a
    # threshold together are not both missed.
    if not state_locked:
        hub_state_lock(hub=hub)
    fills, states = _fills_and_states(hub=hub)
    if seen is not None:
        seen[:] = fills
    total = hub_fill(hub=hub, locations=fills)
    # The hub's own state first, then its locations in pk order: one lock order for all.
    targets: list[tuple[StorageLocation | None, Fill, list[int]]]
    targets = [(None, total, [f.location.pk for f in fills])] + [
        (f.location, f, [f.location.pk])
        for f in sorted(fills, key=lambda f: f.location.pk)
        if f.location.pk in location_ids
    ]
    alerts: list[CapacityAlert] = []
    hub_tripped: set[AlertLevel] = set()
    for location, fill, within in targets:
        state = states[location.pk if location else None]
        tripped = [
            (level, threshold)
            for level, threshold in (
                (AlertLevel.NEARLY_FULL, hub.nearly_full_percent),
                (AlertLevel.FULL, hub.full_percent),
            )
            if _trips(state=state, level=level, percent=fill.percent, threshold=threshold)
        ]
        if location is None:
            hub_tripped.update(level for level, _threshold in tripped)
            if len(fills) == 1:
                continue  # the hub's one location raises the same alerts already
        if len(tripped) == 2:
            # One change past both: the place is full, and "nearly full, full in about 0.0
            # hours" beside it would say otherwise. Both thresholds are tripped all the same.
            tripped = tripped[1:]
        for level, threshold in tripped:
            forecast = (
                hours_to_full(fill=fill, location_ids=within)
                if level == AlertLevel.NEARLY_FULL
                else None
            )
            alerts.append(
                CapacityAlert(
                    hub=hub,
                    location=location,
                    level=level,
                    fill_percent=min(fill.percent, MAX_PERCENT),
                    threshold_percent=threshold,
                    hours_to_full=forecast,
                )
            )
    _intake_by_fill(hub=hub, total=total, full_tripped_now=AlertLevel.FULL in hub_tripped)
    return alerts


def capacity_recheck(*, hub: Hub) -> None:
    """After an admin changed the thresholds: set each threshold's state to where fill
    stands now (no alert: nothing crossed), and close intake if the hub is now past full
    and set to close. Call inside the transaction of the change."""
    hub_state_lock(hub=hub)
    fills = location_fill_list(hub=hub)
    total = hub_fill(hub=hub, locations=fills)
    states = _states(hub=hub, location_ids=[f.location.pk for f in fills])
    rows: list[tuple[int | None, Fill]] = [(None, total)] + [(f.location.pk, f) for f in fills]
    for location_id, fill in rows:
        CapacityState.objects.filter(pk=states[location_id].pk).update(
            nearly_full_tripped=fill.percent >= hub.nearly_full_percent,
            full_tripped=fill.percent >= hub.full_percent,
        )
    _intake_by_fill(hub=hub, total=total, full_tripped_now=total.percent >= hub.full_percent)


def _fills_and_states(*, hub: Hub) -> tuple[list[LocationFill], dict]:
    """The fill of each active location of the hub (as location_fill_list) and the capacity
    states of the hub and of those locations, by location pk (None: the hub's), in one
    query; two more the first time, when some state does not exist yet. Plain SQL: every
    stock change reads it, and the ORM's form of the two joins cost more to build than to
    run."""
    location_fields = StorageLocation._meta.concrete_fields
    state_fields = sql.model_fields(CapacityState, ("id", "nearly_full_tripped", "full_tripped"))
    rows = sql.rows_read(
        # Only column names and placeholders are joined into the text.
        sql=f"SELECT {sql.select_list(location_fields, table='l')},"  # noqa: S608
        f" {sql.select_list(state_fields, table='s')}, {sql.select_list(state_fields, table='h')}"
        f" FROM {StorageLocation._meta.db_table} l"
        f" LEFT JOIN {CapacityState._meta.db_table} s ON s.location_id = l.id"
        f" LEFT JOIN {CapacityState._meta.db_table} h"
        "  ON h.hub_id = l.hub_id AND h.location_id IS NULL"
        " WHERE l.hub_id = %s AND l.is_active ORDER BY l.name",
        params=[hub.pk],
        fields=[*location_fields, *state_fields, *state_fields],
    )
    width = len(location_fields)
    fills, found = [], {}
    for row in rows:
        location = sql.instance(StorageLocation, location_fields, row[:width])
        fills.append(
            LocationFill(
                used_litres=location.used_litres,
                capacity_litres=location.capacity_litres,
                location=location,
            )
        )
        for location_id, offset in ((location.pk, width), (None, width + len(state_fields))):
            pk, nearly, full = row[offset : offset + len(state_fields)]
            found[location_id] = CapacityState(
                pk=pk,
                hub=hub,
                location_id=location_id,
                nearly_full_tripped=bool(nearly),
                full_tripped=bool(full),
            )
    if not rows or any(state.pk is None for state in found.values()):
        return fills, _states(hub=hub, location_ids=[f.location.pk for f in fills])
    return fills, found


def _states(*, hub: Hub, location_ids: list[int]) -> dict:
    states = {state.location_id: state for state in CapacityState.objects.filter(hub=hub)}
    missing = [pk for pk in [None, *location_ids] if pk not in states]
    if missing:
        CapacityState.objects.bulk_create(
            [CapacityState(hub=hub, location_id=pk) for pk in missing], ignore_conflicts=True
        )
        states = {state.location_id: state for state in CapacityState.objects.filter(hub=hub)}
    return states


def _trips(*, state: CapacityState, level: str, percent: Decimal, threshold: int) -> bool:
    """Whether this change trips the threshold now. The conditional UPDATE lets exactly one
    of two concurrent changes crossing it together win (the other sees it tripped); no
    query at all when nothing changes, which is nearly always."""
    flag = f"{level}_tripped"
    tripped = getattr(state, flag)
    if percent >= threshold and not tripped:
        rows = CapacityState.objects.filter(pk=state.pk, **{flag: False})
        return bool(rows.update(**{flag: True}))
    if percent < threshold - REARM_POINTS and tripped:
        CapacityState.objects.filter(pk=state.pk, **{flag: True}).update(**{flag: False})
    return False


def _intake_by_fill(*, hub: Hub, total: Fill, full_tripped_now: bool) -> None:
    """Storage crossing "full" closes intake, back under "nearly full" reopens such a
    closure: both through the hub's own service, which knows what the admin had set."""
    closed = full_tripped_now and intake_close_when_full(hub=hub, percent=total.percent)
    if not closed and total.percent < hub.nearly_full_percent:
        intake_reopen_under_nearly_full(hub=hub)
