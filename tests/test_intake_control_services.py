"""The intake control services on their own: who may call them, and the rules they keep
whichever way they are called (the page, the shell, a future API)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from hub.intake.services import (
    FOLLOW_HUB,
    IntakeControlDenied,
    IntakeControlError,
    category_intake_set,
    hub_intake_set,
    hub_thresholds_set,
)
from hub.models import CategoryIntake, Hub, IntakeStatus
from hub.roles import Role
from tests.factories import CategoryFactory, UserFactory

NOW = datetime(2025, 1, 9, 18, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def clothing(db):
    return CategoryFactory(code="clothing", name="Clothing")


def stored(hub):
    return Hub.objects.filter(pk=hub.pk).values().get()


@pytest.fixture
def not_admins(hub, other_hub):
    return {
        "volunteer": UserFactory(role=Role.VOLUNTEER, hubs=[hub]),
        "coordinator": UserFactory(role=Role.COORDINATOR, hubs=[hub]),
        "admin of another hub": UserFactory(role=Role.ADMIN, hubs=[other_hub]),
        "admin of no hub": UserFactory(role=Role.ADMIN),
        "member without a role": UserFactory(hubs=[hub]),
    }


CHANGES = {
    "hub intake": lambda hub, user, category: hub_intake_set(
        hub=hub, user=user, status="closed", reason="Full", reopens_at=None
    ),
    "category intake": lambda hub, user, category: category_intake_set(
        hub=hub, user=user, category=category, status="closed", reason="Full", reopens_at=None
    ),
    "thresholds": lambda hub, user, category: hub_thresholds_set(
        hub=hub, user=user, nearly_full_percent=50, full_percent=60, close_when_full=False
    ),
}


@pytest.mark.parametrize("change", CHANGES)
def test_it_lets_only_an_admin_of_the_hub_change_it(hub, not_admins, clothing, change):
    before = stored(hub)
    for who, user in not_admins.items():
        with pytest.raises(IntakeControlDenied, match="Only an admin of West Adams Hub"):
            CHANGES[change](hub, user, clothing)
        assert stored(hub) == before, who
    assert CategoryIntake.objects.count() == 0


@pytest.mark.parametrize("change", CHANGES)
def test_it_lets_an_admin_of_the_hub_change_it(hub, admin_user, clothing, change):
    CHANGES[change](hub, admin_user, clothing)


def test_it_sets_the_hubs_intake_and_updates_the_instance(hub, admin_user):
    Hub.objects.filter(pk=hub.pk).update(intake_closed_automatically=True)
    reopens = NOW + timedelta(hours=3)

    returned = hub_intake_set(
        hub=hub, user=admin_user, status="limited", reason="  Only water  ", reopens_at=reopens
    )

    assert returned is hub
    assert (hub.intake_status, hub.intake_reason, hub.intake_reopens_at) == (
        "limited",
        "Only water",
        reopens,
    )
    row = stored(hub)
    assert (row["intake_status"], row["intake_reason"], row["intake_reopens_at"]) == (
        "limited",
        "Only water",
        reopens,
    )
    assert row["intake_closed_automatically"] is False
    assert row["intake_changed_at"] == NOW


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"status": "closed", "reason": ""}, "reason"),
        ({"status": "limited", "reason": " "}, "reason"),
        ({"status": "closed", "reason": "x" * 256}, "reason"),
        ({"status": "closed", "reason": "Full", "reopens_at": NOW}, "reopens_at"),
        ({"status": "closed", "reason": "Full", "reopens_at": NOW - timedelta(1)}, "reopens_at"),
        ({"status": "paused", "reason": "Full"}, "status"),
        ({"status": FOLLOW_HUB, "reason": "Full"}, "status"),  # only for a category
    ],
)
def test_it_refuses_a_bad_hub_intake(hub, admin_user, kwargs, field):
    before = stored(hub)

    with pytest.raises(IntakeControlError) as refused:
        hub_intake_set(hub=hub, user=admin_user, **kwargs)

    assert refused.value.field == field
    assert stored(hub) == before


def test_it_refuses_a_reopen_time_without_a_zone(hub, admin_user):
    with pytest.raises(ValueError, match="aware"):
        hub_intake_set(
            hub=hub,
            user=admin_user,
            status="closed",
            reason="Full",
            reopens_at=datetime(2025, 2, 1, 9, 0),
        )


def test_it_upserts_and_removes_a_category_row(hub, admin_user, clothing):
    reopens = NOW + timedelta(days=1)
    first = category_intake_set(
        hub=hub, user=admin_user, category=clothing, status="closed", reason="Full"
    )
    second = category_intake_set(
        hub=hub,
        user=admin_user,
        category=clothing,
        status="limited",
        reason="Only coats",
        reopens_at=reopens,
    )

    assert first.pk == second.pk
    assert list(CategoryIntake.objects.values_list("status", "reason", "reopens_at")) == [
        ("limited", "Only coats", reopens)
    ]

    assert (
        category_intake_set(
            hub=hub, user=admin_user, category=clothing, status=FOLLOW_HUB, reason="ignored"
        )
        is None
    )
    assert CategoryIntake.objects.count() == 0
    assert stored(hub)["intake_changed_at"] == NOW


def test_it_lets_an_open_category_say_why_but_never_reopen(hub, admin_user, clothing):
    row = category_intake_set(
        hub=hub,
        user=admin_user,
        category=clothing,
        status=IntakeStatus.OPEN,
        reason="Most needed: coats",
        reopens_at=NOW - timedelta(days=1),
    )
    assert (row.status, row.reason, row.reopens_at) == ("open", "Most needed: coats", None)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"status": "closed", "reason": ""}, "reason"),
        ({"status": "closed", "reason": "Full", "reopens_at": NOW}, "reopens_at"),
        ({"status": "gone", "reason": "Full"}, "status"),
    ],
)
def test_it_refuses_a_bad_category_intake(hub, admin_user, clothing, kwargs, field):
    CategoryIntake.objects.create(hub=hub, category=clothing, status="limited", reason="Coats")
    before = stored(hub)

    with pytest.raises(IntakeControlError) as refused:
        category_intake_set(hub=hub, user=admin_user, category=clothing, **kwargs)

    assert refused.value.field == field
    assert stored(hub) == before
    assert list(CategoryIntake.objects.values_list("status", "reason")) == [("limited", "Coats")]


@pytest.mark.parametrize(
    ("nearly", "full", "field"),
    [
        (95, 95, "nearly_full_percent"),
        (96, 95, "nearly_full_percent"),
        (0, 95, "nearly_full_percent"),
        (80, 101, "full_percent"),
        (80, True, "full_percent"),
        ("80", 95, "nearly_full_percent"),
    ],
)
def test_it_refuses_bad_thresholds(hub, admin_user, nearly, full, field):
    before = stored(hub)

    with pytest.raises(IntakeControlError) as refused:
        hub_thresholds_set(
            hub=hub,
            user=admin_user,
            nearly_full_percent=nearly,
            full_percent=full,
            close_when_full=False,
        )

    assert refused.value.field == field
    assert stored(hub) == before


def test_it_takes_the_widest_thresholds(hub, admin_user):
    hub_thresholds_set(
        hub=hub, user=admin_user, nearly_full_percent=1, full_percent=100, close_when_full=True
    )
    row = stored(hub)
    assert (row["nearly_full_percent"], row["full_percent"], row["close_when_full"]) == (
        1,
        100,
        True,
    )
