"""Celery tasks of the hub app. The beat schedule (in settings) runs them."""

from celery import shared_task
from django.utils import timezone

from hub.intake import services


@shared_task(name="hub.tasks.intake_reopen_due", ignore_result=True)
def intake_reopen_due() -> dict[str, int]:
    """Every minute: reopen the hubs and categories whose reopen time has come. Idempotent:
    a second run, or two at once, reopen nothing more."""
    counts = services.intake_reopen_due(now=timezone.now())
    return {"hubs": counts.hubs, "categories": counts.categories}
