"""The intake control form's one Save: the hub and every category stored together or not at
all, by `intake_control_save`, whichever rows the admin changed."""

import pytest

from hub.intake.services import (
    FOLLOW_HUB,
    IntakeChoice,
    IntakeControlDenied,
    IntakeControlRefused,
    intake_control_save,
)
from hub.models import CategoryIntake, Hub, IntakeStatus
from tests.factories import CategoryFactory


@pytest.fixture
def clothing(db):
    return CategoryFactory(code="clothing", name="Clothing")


@pytest.fixture
def food(db):
    return CategoryFactory(code="food", name="Food")


def test_it_saves_the_hub_and_the_categories_that_changed(hub, admin_user, clothing, food):
    saved = intake_control_save(
        hub=hub,
        user=admin_user,
        hub_choice=IntakeChoice(status=IntakeStatus.LIMITED, reason="Shelves nearly full"),
        category_choices={
            clothing: IntakeChoice(status=IntakeStatus.CLOSED, reason="No room for clothes"),
            food: IntakeChoice(status=FOLLOW_HUB),
        },
    )

    assert saved.hub_changed
    assert [category for category, _row in saved.categories] == [clothing]
    assert Hub.objects.get(pk=hub.pk).intake_status == IntakeStatus.LIMITED
    row = CategoryIntake.objects.get(hub=hub, category=clothing)
    assert (row.status, row.reason) == (IntakeStatus.CLOSED, "No room for clothes")
    assert not CategoryIntake.objects.filter(category=food).exists()


def test_it_changes_nothing_when_nothing_differs(hub, admin_user, clothing):
    saved = intake_control_save(
        hub=hub,
        user=admin_user,
        hub_choice=IntakeChoice(status=hub.intake_status),
        category_choices={clothing: IntakeChoice(status=FOLLOW_HUB)},
    )

    assert saved == type(saved)(hub_changed=False, categories=[])


def test_it_stores_nothing_and_names_every_refused_row(hub, admin_user, clothing, food):
    with pytest.raises(IntakeControlRefused) as refused:
        intake_control_save(
            hub=hub,
            user=admin_user,
            hub_choice=IntakeChoice(status=IntakeStatus.CLOSED, reason="Full"),
            category_choices={
                clothing: IntakeChoice(status=IntakeStatus.CLOSED),  # no reason
                food: IntakeChoice(status=IntakeStatus.LIMITED, reason="Only baby food"),
            },
        )

    assert set(refused.value.errors) == {clothing.pk}
    assert refused.value.errors[clothing.pk].field == "reason"
    assert Hub.objects.get(pk=hub.pk).intake_status == IntakeStatus.OPEN
    assert hub.intake_status == IntakeStatus.OPEN  # the instance too
    assert not CategoryIntake.objects.exists()


def test_it_refuses_a_coordinator(hub, coordinator, clothing):
    with pytest.raises(IntakeControlDenied):
        intake_control_save(
            hub=hub,
            user=coordinator,
            hub_choice=IntakeChoice(status=IntakeStatus.CLOSED, reason="Full"),
            category_choices={},
        )

    assert Hub.objects.get(pk=hub.pk).intake_status == IntakeStatus.OPEN
