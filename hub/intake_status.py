"""The hub's intake status as storage fills: closed by itself when storage passes "full",
reopened by itself once back under "nearly full". Inventory's threshold check
(inventory.capacity) calls these inside the stock change's transaction; the hub owns the
fields, so only this module writes them that way. Admins' own changes are in
hub.intake.services."""

from decimal import Decimal

from django.conf import settings
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from hub.models import Hub, IntakeStatus


def intake_close_when_full(*, hub: Hub, percent: Decimal) -> bool:
    """Close intake because storage is `percent` full, if the hub is set to close by itself,
    keeping what the admin had set for the reopening. Whether it applied: an intake already
    closed, or a hub not set to close by itself, stays as it is."""
    if not hub.close_when_full or hub.intake_status == IntakeStatus.CLOSED:
        return False
    # Stored in the site's language, and in each other one beside it (hub.translated); the
    # admin's own reason and its translations come back when intake reopens by itself.
    worded = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            worded[code] = _("automatic: storage %(percent)s %% full") % {
                "percent": percent.quantize(Decimal(1))
            }
    texts = dict(hub.translations or {})
    texts["intake_reason_before_auto"] = texts.pop("intake_reason", {})
    texts["intake_reason"] = {c: t for c, t in worded.items() if c != settings.LANGUAGE_CODE}
    changed = (
        Hub.objects.filter(pk=hub.pk)
        .exclude(intake_status=IntakeStatus.CLOSED)
        .update(
            intake_status=IntakeStatus.CLOSED,
            intake_reason=worded[settings.LANGUAGE_CODE],
            translations=texts,
            intake_status_before_auto=F("intake_status"),
            intake_reason_before_auto=F("intake_reason"),
            intake_reopens_at=None,
            intake_closed_automatically=True,
            intake_changed_at=timezone.now(),
        )
    )
    _keep_in_step(hub=hub, changed=changed)
    return True


def intake_reopen_under_nearly_full(*, hub: Hub) -> None:
    """Put back what an automatic closure replaced. A closure by hand stays as it is."""
    if not hub.intake_closed_automatically:
        return
    texts = dict(hub.translations or {})
    texts["intake_reason"] = texts.pop("intake_reason_before_auto", {})
    changed = Hub.objects.filter(
        pk=hub.pk, intake_closed_automatically=True, intake_status=IntakeStatus.CLOSED
    ).update(
        translations=texts,
        intake_status=F("intake_status_before_auto"),
        intake_reason=F("intake_reason_before_auto"),
        intake_closed_automatically=False,
        intake_changed_at=timezone.now(),
    )
    _keep_in_step(hub=hub, changed=changed)


# The fields these changes write, read back into the caller's hub object.
STATE_FIELDS = [
    "intake_status",
    "intake_reason",
    "intake_reopens_at",
    "intake_status_before_auto",
    "intake_reason_before_auto",
    "intake_closed_automatically",
    "intake_changed_at",
    "translations",
]


def _keep_in_step(*, hub: Hub, changed: int) -> None:
    """The caller's hub object says what the row now says (a dropoff's answer shows its
    intake from it): read again only when the row changed, which is seldom."""
    if changed:
        hub.refresh_from_db(fields=STATE_FIELDS)
