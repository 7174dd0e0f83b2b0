"""Celery tasks of the stock side: sending capacity alerts, and the minute's sweep that
sends whatever could not be queued or sent before."""

from celery import shared_task

from inventory.alerts import MAX_ATTEMPTS, alert_send, alerts_undelivered
from inventory.capacity import alerts_enqueue


@shared_task(bind=True, max_retries=MAX_ATTEMPTS, acks_late=True)
def alert_deliver(self, alert_id: int) -> None:
    """Send the alert's channels; failed ones again with backoff (10 s, 20 s, 40 s...)."""
    if alert_send(alert_id=alert_id):
        raise self.retry(countdown=min(10 * 2**self.request.retries, 600))


@shared_task
def alerts_sweep() -> int:
    """Every minute (beat): queue the alerts with a channel still unsent, such as those
    raised while the broker was down. Sending is idempotent per channel."""
    return alerts_enqueue(alert_ids=alerts_undelivered())
