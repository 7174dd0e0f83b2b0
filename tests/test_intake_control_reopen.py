"""Intake an admin closed or limited until a time reopens by itself at that time: the
`intake_reopen_due` service, and the beat task that runs it every minute."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from hub.intake import tasks
from hub.intake.services import ReopenCounts, intake_reopen_due
from hub.models import CategoryIntake, Hub, IntakeStatus
from tests.factories import CategoryFactory, HubFactory, ItemFactory
from tests.intake import intake_url, login, tiles

START = datetime(2025, 1, 9, 18, 0, tzinfo=UTC)
AT = START + timedelta(hours=1)  # the reopen time of what is due


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def closed_hub(name, reopens_at, status=IntakeStatus.CLOSED):
    return HubFactory(
        name=name,
        intake_status=status,
        intake_reason="Storage full",
        intake_reopens_at=reopens_at,
        intake_changed_at=START - timedelta(days=1),
    )


def state(hub):
    hub = Hub.objects.get(pk=hub.pk)
    return hub.intake_status, hub.intake_reason, hub.intake_reopens_at


@pytest.fixture
def network(db, clock):
    """Hubs and category rows, some due at AT, some later, some with no reopen time."""
    clothing, pet, baby = (CategoryFactory(code=c) for c in ("clothing", "pet", "baby"))
    due = closed_hub("Due", AT)
    limited_due = closed_hub("Limited due", AT, status=IntakeStatus.LIMITED)
    later = closed_hub("Later", AT + timedelta(hours=1))
    by_hand = closed_hub("By hand", None)
    rows = {
        "due": CategoryIntake.objects.create(
            hub=by_hand, category=clothing, status="closed", reason="Too much", reopens_at=AT
        ),
        "later": CategoryIntake.objects.create(
            hub=by_hand,
            category=pet,
            status="limited",
            reason="Only cat food",
            reopens_at=AT + timedelta(minutes=1),
        ),
        "by_hand": CategoryIntake.objects.create(
            hub=by_hand, category=baby, status="closed", reason="Full"
        ),
        "open_hub": CategoryIntake.objects.create(
            hub=later, category=clothing, status="limited", reason="Coats", reopens_at=AT
        ),
    }
    return {"due": due, "limited_due": limited_due, "later": later, "by_hand": by_hand}, rows


def test_it_reopens_nothing_before_the_time(network, clock):
    hubs, rows = network
    clock.move_to(AT - timedelta(seconds=1))

    assert intake_reopen_due(now=AT - timedelta(seconds=1)) == ReopenCounts(hubs=0, categories=0)

    assert all(state(hub)[0] != IntakeStatus.OPEN for hub in hubs.values())
    assert CategoryIntake.objects.count() == len(rows)


def test_it_reopens_exactly_what_is_due_at_its_time(network, clock):
    hubs, rows = network
    clock.move_to(AT)

    assert intake_reopen_due(now=AT) == ReopenCounts(hubs=2, categories=2)

    assert state(hubs["due"]) == (IntakeStatus.OPEN, "", None)
    assert state(hubs["limited_due"]) == (IntakeStatus.OPEN, "", None)
    assert state(hubs["later"]) == (IntakeStatus.CLOSED, "Storage full", AT + timedelta(hours=1))
    assert state(hubs["by_hand"]) == (IntakeStatus.CLOSED, "Storage full", None)
    left = set(CategoryIntake.objects.values_list("pk", flat=True))
    assert left == {rows["later"].pk, rows["by_hand"].pk}
    # Every hub that changed says when; the others keep their time.
    changed = dict(Hub.objects.values_list("name", "intake_changed_at"))
    assert changed == {
        "Due": AT,
        "Limited due": AT,
        "Later": AT,  # its clothing row went
        "By hand": AT,  # its clothing row went
    }


def test_it_reopens_each_thing_once(network, clock):
    clock.move_to(AT + timedelta(minutes=1))

    first = intake_reopen_due(now=AT + timedelta(minutes=1))
    again = intake_reopen_due(now=AT + timedelta(minutes=1))

    assert first == ReopenCounts(hubs=2, categories=3)
    assert again == ReopenCounts(hubs=0, categories=0)
    assert CategoryIntake.objects.count() == 1


def test_it_clears_an_automatic_closure_when_reopening(db, clock):
    hub = closed_hub("Auto", AT)
    Hub.objects.filter(pk=hub.pk).update(intake_closed_automatically=True)

    intake_reopen_due(now=AT)

    assert Hub.objects.get(pk=hub.pk).intake_closed_automatically is False


def test_it_names_the_task_for_the_beat_schedule():
    assert tasks.intake_reopen_due.name == "hub.tasks.intake_reopen_due"


def test_it_runs_the_service_from_the_task_at_the_current_time(network, clock):
    hubs, _rows = network
    clock.move_to(AT - timedelta(minutes=1))
    assert tasks.intake_reopen_due.run() == {"hubs": 0, "categories": 0}

    clock.move_to(AT + timedelta(seconds=30))
    assert tasks.intake_reopen_due.run() == {"hubs": 2, "categories": 2}
    assert tasks.intake_reopen_due.run() == {"hubs": 0, "categories": 0}
    assert state(hubs["due"]) == (IntakeStatus.OPEN, "", None)


def test_it_reopens_what_an_admin_closed_on_the_page(client, hub, admin_user, volunteer, clock):
    socks = ItemFactory(name="Socks", category=CategoryFactory(code="clothing", name="Clothing"))
    control = reverse("intake_control", args=[hub.slug])
    login(client, admin_user)
    # 10:00 in Los Angeles now; both reopen at 11:00 there.
    client.post(
        control,
        {
            "action": "intake",
            "status": "closed",
            "reason": "Sorting",
            "reopens_at": "2025-01-09T11:00",
            f"category-{socks.category_id}-status": "closed",
            f"category-{socks.category_id}-reason": "Too much clothing",
            f"category-{socks.category_id}-reopens_at": "2025-01-09T11:00",
        },
    )
    assert "is not taking donations now" in login(client, volunteer).get(intake_url(hub)).text

    clock.move_to(datetime(2025, 1, 9, 18, 59, 59, tzinfo=UTC))
    tasks.intake_reopen_due.run()
    assert "is not taking donations now" in client.get(intake_url(hub)).text

    clock.move_to(datetime(2025, 1, 9, 19, 0, tzinfo=UTC))
    tasks.intake_reopen_due.run()
    page = client.get(intake_url(hub)).text
    assert "is not taking donations now" not in page
    assert "Not accepted" not in tiles(page)[socks.pk]
    assert CategoryIntake.objects.count() == 0
