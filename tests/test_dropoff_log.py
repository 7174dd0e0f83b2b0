"""Logging a dropoff: one transaction of dropoff, lines and movements; never twice."""

from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone

from hub.intake.services import (
    DropoffLineInput,
    IntakeDenied,
    IntakeError,
    dropoff_log,
    dropoff_undo,
)
from hub.models import Dropoff, DropoffLine, Outcome
from inventory.models import StockMovement
from tests.factories import StorageLocationFactory, UserFactory
from tests.ledger import assert_ledger_matches_balances, qty

MAR = date(2027, 3, 31)


@pytest.fixture
def hall(hub):
    return StorageLocationFactory(hub=hub, name="Main hall")


def log(hub, user, lines, key="form-1", **donor):
    return dropoff_log(hub=hub, user=user, lines=lines, idempotency_key=key, **donor)


def test_it_logs_the_lines_and_stocks_what_was_accepted(
    hub, other_hub, volunteer, hall, water, beans
):
    dropoff = log(
        hub,
        volunteer,
        [
            DropoffLineInput(water, 24, location=hall),
            DropoffLineInput(beans, 6, location=hall, expiry_date=MAR),
            DropoffLineInput(water, 5, outcome=Outcome.DECLINED),
            DropoffLineInput(beans, 3, outcome=Outcome.REDIRECTED, redirected_to=other_hub),
        ],
    )

    assert dropoff.lines.count() == 4
    assert qty(water, hall) == 24
    assert qty(beans, hall, MAR) == 6
    movements = StockMovement.objects.filter(source_id=dropoff.pk)
    assert sorted(m.quantity for m in movements) == [6, 24]
    assert all(m.created_by == volunteer for m in movements)
    assert_ledger_matches_balances()


def test_it_logs_a_double_tap_once(hub, volunteer, hall, water):
    first = log(hub, volunteer, [DropoffLineInput(water, 24, location=hall)])
    again = log(hub, volunteer, [DropoffLineInput(water, 24, location=hall)])

    assert again.pk == first.pk
    assert Dropoff.objects.count() == 1
    assert qty(water, hall) == 24


def test_it_keeps_donor_details_only_with_consent(hub, volunteer, hall, water):
    without = log(
        hub,
        volunteer,
        [DropoffLineInput(water, 1, location=hall)],
        key="a",
        donor_name="Maria",
        donor_contact="555-0100",
    )
    with_consent = log(
        hub,
        volunteer,
        [DropoffLineInput(water, 1, location=hall)],
        key="b",
        donor_name="Maria",
        donor_contact="555-0100",
        donor_consent=True,
    )

    assert (without.donor_name, without.donor_contact) == ("", "")
    assert (with_consent.donor_name, with_consent.donor_contact) == ("Maria", "555-0100")


@pytest.mark.parametrize(
    "bad_line, message",
    [
        (lambda w, other: DropoffLineInput(w, 5, location=other), "storage location of this hub"),
        (lambda w, other: DropoffLineInput(w, 5, location=None), "storage location of this hub"),
        (lambda w, other: DropoffLineInput(w, 5, outcome=Outcome.REDIRECTED), "another hub"),
        (lambda w, other: DropoffLineInput(w, -2, location=other), "more than zero"),
        # A quantity that is not an int, as a careless caller might pass.
        (lambda w, other: DropoffLineInput(w, "7", location=other), "whole number"),  # type: ignore[arg-type]
    ],
)
def test_it_refuses_a_bad_line_and_stores_nothing(
    hub, other_hub, volunteer, hall, water, bad_line, message
):
    elsewhere = StorageLocationFactory(hub=other_hub)
    lines = [DropoffLineInput(water, 3, location=hall), bad_line(water, elsewhere)]

    with pytest.raises(IntakeError, match=message):
        log(hub, volunteer, lines)

    assert Dropoff.objects.count() == DropoffLine.objects.count() == 0
    assert StockMovement.objects.count() == 0


def test_it_refuses_a_quantity_the_ledger_refuses_and_stores_nothing(hub, volunteer, hall, water):
    with pytest.raises(IntakeError, match="more than zero"):
        log(hub, volunteer, [DropoffLineInput(water, 0, location=hall)])

    assert Dropoff.objects.count() == 0


def test_it_logs_a_key_of_another_hub_as_its_own_dropoff(
    hub, other_hub, volunteer, outsider, hall, water
):
    first = log(hub, volunteer, [DropoffLineInput(water, 2, location=hall)], key="shared")
    garage = StorageLocationFactory(hub=other_hub, name="Garage")

    second = log(other_hub, outsider, [DropoffLineInput(water, 3, location=garage)], key="shared")

    assert second != first and second.hub == other_hub
    assert (qty(water, hall), qty(water, garage)) == (2, 3)
    assert_ledger_matches_balances()


def test_it_refuses_someone_who_is_not_a_member_of_the_hub(hub, volunteer, outsider, hall, water):
    with pytest.raises(IntakeDenied, match="Only a member of West Adams Hub"):
        log(hub, outsider, [DropoffLineInput(water, 2, location=hall)])
    assert (Dropoff.objects.count(), StockMovement.objects.count()) == (0, 0)

    dropoff = log(hub, volunteer, [DropoffLineInput(water, 2, location=hall)])
    with pytest.raises(IntakeDenied):
        dropoff_undo(dropoff=dropoff, user=outsider)
    dropoff.refresh_from_db()
    assert dropoff.undone_at is None and qty(water, hall) == 2


def test_it_undoes_a_dropoff_by_reversing_its_stock(hub, volunteer, hall, water):
    dropoff = log(hub, volunteer, [DropoffLineInput(water, 24, location=hall)])

    dropoff_undo(dropoff=dropoff, user=volunteer)

    dropoff.refresh_from_db()
    assert dropoff.undone_at is not None and dropoff.undone_by == volunteer
    assert qty(water, hall) == 0
    assert StockMovement.objects.filter(kind="voided").count() == 1
    assert Dropoff.objects.count() == 1  # kept, marked undone
    assert_ledger_matches_balances()
    with pytest.raises(IntakeError, match="already undone"):
        dropoff_undo(dropoff=dropoff, user=volunteer)


def test_it_lets_only_the_logger_or_a_coordinator_undo(hub, volunteer, coordinator, hall, water):
    dropoff = log(hub, volunteer, [DropoffLineInput(water, 24, location=hall)])
    other_volunteer = UserFactory(role="Volunteer", hubs=[hub])

    with pytest.raises(IntakeError, match="Only who logged"):
        dropoff_undo(dropoff=dropoff, user=other_volunteer)
    dropoff_undo(dropoff=dropoff, user=coordinator)
    assert qty(water, hall) == 0


def test_it_refuses_to_undo_after_ten_minutes(hub, volunteer, hall, water):
    dropoff = log(hub, volunteer, [DropoffLineInput(water, 24, location=hall)])

    late = time_machine.travel(timezone.now() + timedelta(minutes=10, seconds=1))
    with late, pytest.raises(IntakeError, match="within 10 minutes"):
        dropoff_undo(dropoff=dropoff, user=volunteer)
    assert qty(water, hall) == 24

    with time_machine.travel(timezone.now() + timedelta(minutes=9)):
        dropoff_undo(dropoff=dropoff, user=volunteer)
    assert qty(water, hall) == 0
