"""Celery tasks of the stock side: sending capacity alerts, the minute's sweep that sends
whatever could not be queued or sent before, and the nightly ledger check."""

import logging
from datetime import datetime
from typing import cast

from celery import shared_task
from django.utils import timezone

from hub.models import Hub
from inventory.alerts import MAX_ATTEMPTS, alert_send, alerts_undelivered, ledger_mismatch_report
from inventory.selectors import fill_mismatch_list, ledger_mismatch_list
from inventory.stock_alerts import expiry_alerts_raise, minimum_check, minimum_check_all

logger = logging.getLogger(__name__)


@shared_task(bind=True, max_retries=MAX_ATTEMPTS, acks_late=True)
def alert_deliver(self, alert_id: int) -> None:
    """Send the alert's channels; failed ones again when their backoff is over."""
    failed = alert_send(alert_id=alert_id)
    if failed and not self.request.is_eager:
        # Eagerly (the laptop demo, inside a web request) there is no waiting: the next
        # try is left to the sweep rather than holding the request up.
        # A failed send always has its next attempt set.
        wait = min(cast(datetime, d.next_attempt_at) for d in failed) - timezone.now()
        raise self.retry(countdown=max(wait.total_seconds(), 1))


@shared_task
def alerts_sweep() -> int:
    """Every minute (beat): queue the alerts never prepared (the broker was down when they
    were raised) and those with a channel due for another try. Idempotent per channel."""
    return alerts_enqueue(alert_ids=alerts_undelivered())


@shared_task
def stock_alerts_sweep() -> int:
    """Hourly (beat): raise an alert for each batch of every active hub that expires within
    the hub's days and has none yet, and catch up on any minimum whose check after a stock
    change was lost. Idempotent: a second run raises nothing more. Returns how many alerts
    were raised."""
    hubs = list(Hub.objects.filter(is_active=True).order_by("pk"))
    # Each alert row commits as it is made: queued below, after every commit.
    ids = expiry_alerts_raise(hubs=hubs) + minimum_check_all(hubs=hubs)
    alerts_enqueue(alert_ids=ids)
    return len(ids)


def minimums_after_commit(*, pairs: set[tuple[int, int]]) -> None:
    """Run by a stock change once it has committed: trip or clear the minimums of the
    (hub id, item id) pairs it changed, and queue the alerts raised."""
    alerts_enqueue(alert_ids=minimum_check(pairs=pairs))


@shared_task
def stock_ledger_check() -> int:
    """Nightly (beat): compare every balance with its ledger, and every location's litres in
    use with its balances, and alert the hubs' admins on any difference. Changes nothing,
    so running it twice only checks twice. Returns the number of differences."""
    mismatches, fills = ledger_mismatch_list(), fill_mismatch_list()
    ledger_mismatch_report(mismatches=mismatches, fills=fills)
    return len(mismatches) + len(fills)


def alerts_enqueue(*, alert_ids: list[int]) -> int:
    """Hand alerts to the workers; returns how many were queued. Never lets a dead or hung
    broker fail the request, nor hold it up more than once (about a second, the broker
    timeouts): after the first failure the rest is left to the minute's sweep too."""
    for queued, alert_id in enumerate(alert_ids):
        try:
            alert_deliver.apply_async(args=(alert_id,), retry=False)
        except Exception:
            logger.warning(
                "Alerts %s not queued now; the sweep will send them.",
                alert_ids[queued:],
                exc_info=True,
            )
            return queued
    return len(alert_ids)
