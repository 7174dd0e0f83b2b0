"""Delivering capacity alerts: by e-mail to the hub's coordinators and admins who opted in,
and as a JSON POST to each webhook the hub configured.

Each channel of an alert is one AlertDelivery row, delivered at least once, and shown once
by a receiver that drops repeats: every try of a channel carries the same Idempotency-Key
header (webhooks) or Message-ID (e-mail, one per recipient).

How a channel is sent: a worker takes the delivery's lock, held by its database session
(inventory.locks.alert_delivery_lock_try), claims the row and commits `sending_since`, sends,
records the outcome (clearing `sending_since`) and lets go of the lock. So:
- while a send is under way, nobody else sends that channel: a second run of the task or a
  second worker finds the lock taken and skips it, however slow the receiver is;
- a send that failed is retried with backoff, by the task's retry or the minute's sweep;
- a worker that dies mid-send (killed, out of memory, its machine gone) takes its database
  session with it, and Postgres drops its lock. `sending_since` is still set but nobody
  holds the lock: the sweep sees that at once and queues the channel, and the next worker
  (the restarted one, or another) sends it again with the same key.

Why not at most once, leaving a send cut off mid-way alone: the worker may have died before
anything left, and then the alert is lost for good; a repeat the receiver can recognise is
the lesser harm. Why not a time window (send again a claim older than N minutes): a slow
send still under way would go out twice, and a dead one would wait N minutes; the lock
tells at once whether the sender lives. A send of a worker whose database connection broke
while it was still alive may go out twice: the key lets the receiver drop it.

Celery agrees: tasks are acked late and a task whose worker process was lost is rejected
back to the queue (settings), so it runs again; it only sends channels not sent yet.
"""

import hashlib
import json
import logging
import urllib.error
import urllib.request
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, get_connection, send_mass_mail
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hub.models import Membership
from hub.roles import Role
from hub.validators import one_line
from inventory.locks import (
    alert_delivery_lock_holders,
    alert_delivery_lock_try,
    alert_delivery_unlock,
)
from inventory.models import AlertDelivery, AlertLevel, CapacityAlert, Webhook
from inventory.selectors import FillMismatch, LedgerMismatch
from inventory.webhooks import webhook_opener, webhook_url_check

logger = logging.getLogger(__name__)

EMAIL = "email"
WEBHOOK_TIMEOUT_SECONDS = 5
# Backoff 10 s, 20 s, 40 s... (settings.ALERT_FIRST_RETRY_SECONDS, doubled each time) up to an
# hour between tries: about a day of tries in all, so a chat service that is down for a while
# still gets the alert when it is back.
MAX_ATTEMPTS = 30
MAX_BACKOFF_SECONDS = 3600
# Where no session locks tell whether a sender lives (SQLite, the single-process demo): a
# send still "in flight" after this long was cut off.
STALE_SENDING = timedelta(minutes=2)


def retry_delay(*, attempts: int) -> timedelta:
    first = settings.ALERT_FIRST_RETRY_SECONDS
    return timedelta(seconds=min(first * 2 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS))


def alert_send(*, alert_id: int) -> list[AlertDelivery]:
    """Send every channel of the alert not sent yet. Returns the deliveries that failed
    this time (the caller retries them with backoff)."""
    alert = CapacityAlert.objects.select_related("hub", "location", "item").get(pk=alert_id)
    failed = []
    for delivery in _deliveries(alert=alert):
        locked = alert_delivery_lock_try(delivery_id=delivery.pk)
        if locked is False:
            continue  # another worker is sending it right now
        try:
            claimed = _claim(delivery=delivery, sender_checked=locked is True)
            if claimed is None:
                continue  # sent meanwhile, or waiting for its backoff
            try:
                _send(alert=alert, channel=claimed.channel)
            except Exception as error:  # any failure of a channel is recorded, not raised
                claimed.last_error = f"{type(error).__name__}: {error}"[:500]
                claimed.next_attempt_at = timezone.now() + retry_delay(attempts=claimed.attempts)
                failed.append(claimed)
            else:
                claimed.sent_at, claimed.last_error = timezone.now(), ""
                claimed.next_attempt_at = None
            claimed.sending_since = None
            claimed.save(
                update_fields=["sent_at", "last_error", "sending_since", "next_attempt_at"]
            )
        finally:
            if locked:
                alert_delivery_unlock(delivery_id=delivery.pk)
    return failed


def _claim(*, delivery: AlertDelivery, sender_checked: bool) -> AlertDelivery | None:
    """Mark the delivery as being sent, committed before the send starts. With the lock
    held (`sender_checked`), a `sending_since` left behind is a dead worker's."""
    with transaction.atomic():
        claimed = (
            AlertDelivery.objects.select_for_update(skip_locked=True)
            .filter(_due(now=timezone.now(), sender_checked=sender_checked), pk=delivery.pk)
            .first()
        )
        if claimed is not None:
            claimed.attempts += 1
            claimed.last_attempt_at = claimed.sending_since = timezone.now()
            claimed.save(update_fields=["attempts", "last_attempt_at", "sending_since"])
    return claimed


def alert_acknowledge(*, alert: CapacityAlert, user) -> bool:
    """Mark the alert seen by a coordinator or admin; False if someone already had."""
    return bool(
        CapacityAlert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=timezone.now(), acknowledged_by=user
        )
    )


def alerts_undelivered(*, now=None) -> list[int]:
    """Alerts never prepared, or with a channel due for another try: what the sweep queues."""
    now = now or timezone.now()
    recent = CapacityAlert.objects.filter(created_at__gte=now - timedelta(days=2))
    never_prepared = recent.filter(prepared_at__isnull=True).values_list("pk", flat=True)
    due = recent.filter(
        pk__in=AlertDelivery.objects.filter(_due(now=now)).values("alert_id")
    ).values_list("pk", flat=True)
    return sorted(set(never_prepared) | set(due))


def _due(*, now, sender_checked: bool = False) -> Q:
    """Deliveries to try now: not sent, tries left, backoff over, and nobody alive sending
    them (unless the caller holds the delivery's lock, which proves that already)."""
    due = Q(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    return due if sender_checked else due & ~_in_flight(now=now)


def _in_flight(*, now) -> Q:
    """Deliveries a live worker is sending now."""
    if connection.vendor == "postgresql":
        return Q(sending_since__isnull=False, pk__in=alert_delivery_lock_holders())
    return Q(sending_since__gt=now - STALE_SENDING)


def delivery_sending_ids(*, deliveries: list[AlertDelivery]) -> set[int]:
    """Which of these deliveries a live worker is sending now (the others that have
    `sending_since` were cut off and will be sent again)."""
    claimed = [d.pk for d in deliveries if d.sending_since]
    if not claimed:
        return set()
    return set(
        AlertDelivery.objects.filter(_in_flight(now=timezone.now()), pk__in=claimed).values_list(
            "pk", flat=True
        )
    )


def _deliveries(*, alert: CapacityAlert) -> list[AlertDelivery]:
    channels = [f"webhook:{pk}" for pk in _webhooks(alert).values_list("pk", flat=True)]
    if _email_recipients(alert):
        channels.insert(0, EMAIL)
    AlertDelivery.objects.bulk_create(
        [AlertDelivery(alert=alert, channel=channel) for channel in channels],
        ignore_conflicts=True,
    )
    if alert.prepared_at is None:
        CapacityAlert.objects.filter(pk=alert.pk).update(prepared_at=timezone.now())
    # Not filtered on liveness here: each is checked under its lock, which is cheaper.
    return list(alert.deliveries.filter(_due(now=timezone.now(), sender_checked=True)))


def _webhooks(alert: CapacityAlert):
    return Webhook.objects.filter(hub=alert.hub, is_active=True).order_by("pk")


def _email_recipients(alert: CapacityAlert) -> list[str]:
    return sorted(
        Membership.objects.filter(
            hub=alert.hub,
            alert_emails=True,
            user__is_active=True,
            user__groups__name__in=[Role.COORDINATOR.value, Role.ADMIN.value],
        )
        .exclude(user__email="")
        .values_list("user__email", flat=True)
        .distinct()
    )


def _send(*, alert: CapacityAlert, channel: str) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        if channel == EMAIL:
            # One message each: recipients do not see each other's addresses.
            # A header is one line, whatever names were stored before they were checked.
            subject = one_line(alert_text(alert=alert, with_link=False))
            body = alert_text(alert=alert)
            get_connection().send_messages(
                [
                    EmailMessage(
                        subject,
                        body,
                        to=[address],
                        headers={"Message-ID": _message_id(alert=alert, address=address)},
                    )
                    for address in _email_recipients(alert)
                ]
            )
            return
        webhook = Webhook.objects.get(pk=int(channel.split(":", 1)[1]))
        payload = json.dumps(alert_payload(alert=alert)).encode()
        request = urllib.request.Request(  # noqa: S310 - the admin's configured https/http URL
            webhook.url,
            data=payload,
            headers={
                "Content-Type": "application/json",
                # The same on every try: a receiver drops the repeat of a send that arrived
                # but whose worker died before recording it.
                "Idempotency-Key": f"donation-hub-alert-{alert.pk}-{channel}",
            },
            method="POST",
        )
        webhook_url_check(webhook.url)  # again: what the name resolves to may have changed
        with webhook_opener().open(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:
            if response.status >= 300:
                raise urllib.error.HTTPError(
                    webhook.url, response.status, response.reason, response.headers, None
                )


def ledger_mismatch_report(
    *, mismatches: list[LedgerMismatch], fills: list[FillMismatch] | None = None
) -> int:
    """Raise the alarm about balances that differ from their ledger, and locations whose
    litres in use differ from their balances: log at ERROR and e-mail the admins of the
    hubs concerned. Returns how many e-mails were sent."""
    fills = fills or []
    if not mismatches and not fills:
        return 0
    for m in mismatches:
        logger.error("Stock balance differs from its ledger: %s", m)
    for f in fills:
        logger.error("Location's litres in use differ from its balances: %s", f)
    hubs = {m.hub_slug for m in mismatches} | {f.hub_slug for f in fills}
    with translation.override(settings.LANGUAGE_CODE):
        subject = _(
            "Stock check: %(count)d balance(s) differ from the ledger, "
            "%(locations)d location(s) from their balances"
        ) % {"count": len(mismatches), "locations": len(fills)}
        lines = [
            _(
                "%(hub)s, %(location)s: %(item)s%(expiry)s: balance %(balance)s, "
                "ledger sum %(ledger)s"
            )
            % {
                "hub": m.hub_slug,
                "location": m.location,
                "item": m.item,
                "expiry": f" ({m.expiry_date.isoformat()})" if m.expiry_date else "",
                "balance": "-" if m.balance is None else m.balance,
                "ledger": m.ledger,
            }
            for m in mismatches
        ] + [
            _("%(hub)s, %(location)s: litres in use %(used)s, sum of its balances %(sum)s")
            % {
                "hub": f.hub_slug,
                "location": f.location,
                "used": f.used_litres,
                "sum": f.balance_litres,
            }
            for f in fills
        ]
        intro = _("The nightly stock check found stock that is not its ledger's sum:")
        body = "\n".join([intro, "", *lines])
    addresses = sorted(
        Membership.objects.filter(
            hub__slug__in=hubs, user__is_active=True, user__groups__name=Role.ADMIN.value
        )
        .exclude(user__email="")
        .values_list("user__email", flat=True)
        .distinct()
    )
    return send_mass_mail([(subject, body, None, [address]) for address in addresses])


def _message_id(*, alert: CapacityAlert, address: str) -> str:
    """The same on every try of the alert to one address, so a repeat after a worker died
    mid-send is one message to mail systems that drop duplicate Message-IDs."""
    recipient = hashlib.sha256(address.lower().encode()).hexdigest()[:16]
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<donation-hub-alert-{alert.pk}-{recipient}@{domain}>"


def alert_link(*, alert: CapacityAlert) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("alert_list", args=[alert.hub.slug])


def alert_text(*, alert: CapacityAlert, with_link: bool = True) -> str:
    if alert.level == AlertLevel.EXPIRING:
        text = _stock_alert_text(alert)
    elif alert.level == AlertLevel.LOW_STOCK:
        text = _(
            "%(hub)s: %(item)s is under its minimum: %(quantity)s left, minimum %(minimum)s."
        ) % {
            "hub": alert.hub.name,
            "item": alert.item.name if alert.item else "",
            "quantity": formats.number_format(alert.quantity or 0, force_grouping=True),
            "minimum": formats.number_format(alert.minimum or 0, force_grouping=True),
        }
    else:
        where = alert.location.name if alert.location else _("All storage")
        text = _("%(hub)s: %(where)s is %(percent)s %% full (%(level)s at %(threshold)s %%).") % {
            "hub": alert.hub.name,
            "where": where,
            "percent": alert.fill_percent,
            "level": AlertLevel(alert.level).label,
            "threshold": alert.threshold_percent,
        }
    if alert.hours_to_full is not None:
        text += " " + _("Full in about %(hours)s hours.") % {"hours": alert.hours_to_full}
    if with_link:
        text += " " + alert_link(alert=alert)
    return text


def _stock_alert_text(alert: CapacityAlert) -> str:
    values = {
        "hub": alert.hub.name,
        "quantity": formats.number_format(alert.quantity or 0, force_grouping=True),
        "item": alert.item.name if alert.item else "",
        "location": alert.location.name if alert.location else "",
        "date": formats.date_format(alert.expiry_date, "SHORT_DATE_FORMAT")
        if alert.expiry_date
        else "",
    }
    count = alert.quantity or 0
    if alert.expiry_date and alert.expiry_date < alert.created_at.date():
        return (
            ngettext(
                "%(hub)s: %(quantity)s unit of %(item)s at %(location)s expired on %(date)s.",
                "%(hub)s: %(quantity)s units of %(item)s at %(location)s expired on %(date)s.",
                count,
            )
            % values
        )
    return (
        ngettext(
            "%(hub)s: %(quantity)s unit of %(item)s at %(location)s expires on %(date)s.",
            "%(hub)s: %(quantity)s units of %(item)s at %(location)s expire on %(date)s.",
            count,
        )
        % values
    )


def alert_payload(*, alert: CapacityAlert) -> dict:
    """The webhook body: machine fields, plus `text`, which chat tools show as is."""
    return {
        "text": alert_text(alert=alert),
        "hub": alert.hub.name,
        "hub_slug": alert.hub.slug,
        "location": alert.location.name if alert.location else None,
        "level": alert.level,
        "fill_percent": float(alert.fill_percent) if alert.fill_percent is not None else None,
        "threshold_percent": alert.threshold_percent,
        "hours_to_full": float(alert.hours_to_full) if alert.hours_to_full is not None else None,
        "item": alert.item.name if alert.item else None,
        "expiry_date": alert.expiry_date.isoformat() if alert.expiry_date else None,
        "quantity": alert.quantity,
        "minimum": alert.minimum,
        "raised_at": alert.created_at.isoformat(),
        "link": alert_link(alert=alert),
    }


def alert_emails_set(*, hub, user, wanted: bool) -> None:
    """Opt the user in or out of the hub's alert e-mails (for oneself only)."""
    Membership.objects.filter(user=user, hub=hub).update(alert_emails=wanted)
