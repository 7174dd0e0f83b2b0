"""Times stored before the forms bounded them (hub/fields.py), or by hand: a year 9999 in
the hub's zone is past year 9999 in UTC, which the database holds but Python cannot read
back, so every page that loads the row would fail. They are brought into range once, by a
migration; nothing can store them again."""

from datetime import datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from hub.fields import EARLIEST_DATE, LATEST_DATE


def _bounds() -> tuple[datetime, datetime]:
    tz = timezone.get_default_timezone()
    return (
        datetime.combine(EARLIEST_DATE, time.min, tzinfo=tz),
        datetime.combine(LATEST_DATE + timedelta(days=1), time.min, tzinfo=tz),
    )


def far_off_times_clamp(*, apps) -> int:
    """Reopen times out of range are dropped (intake stays as it is until someone reopens
    it); a run planned out of range is moved to the nearest end of the range. `apps` is the
    migration's (or the project's) registry. Answers how many rows changed."""
    earliest, after_latest = _bounds()
    latest = after_latest - timedelta(minutes=1)
    Hub = apps.get_model("hub", "Hub")
    CategoryIntake = apps.get_model("hub", "CategoryIntake")
    Run = apps.get_model("deliveries", "Run")
    changed = 0
    for model, field in ((Hub, "intake_reopens_at"), (CategoryIntake, "reopens_at")):
        out_of_range = Q(**{f"{field}__lt": earliest}) | Q(**{f"{field}__gte": after_latest})
        changed += model.objects.filter(out_of_range).update(**{field: None})
    changed += Run.objects.filter(planned_at__lt=earliest).update(planned_at=earliest)
    changed += Run.objects.filter(planned_at__gte=after_latest).update(planned_at=latest)
    return changed
