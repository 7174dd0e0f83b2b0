"""Building a run before dispatch: its driver, stops in order and their lines."""

import pytest
from django.utils import timezone

from deliveries.models import RunStatus, StopLine
from deliveries.services import (
    RunError,
    run_cancel,
    run_create,
    run_update,
    stop_add,
    stop_lines_set,
    stop_move,
    stop_remove,
)
from hub.errors import UserError
from hub.roles import Role
from tests.factories import DestinationFactory, ItemFactory, UserFactory
from tests.runs import make_run


@pytest.fixture
def shelters(hub):
    return [DestinationFactory(hub=hub, name=f"Shelter {n}") for n in "ABC"]


def test_it_creates_a_draft_run_driven_by_a_member_of_the_hub(hub, coordinator, volunteer):
    run = run_create(
        hub=hub,
        driver=volunteer,
        vehicle="  Blue pickup ",
        planned_at=timezone.now(),
        notes="",
        user=coordinator,
    )

    assert (run.status, run.driver, run.vehicle, run.created_by) == (
        RunStatus.DRAFT,
        volunteer,
        "Blue pickup",
        coordinator,
    )


def test_it_refuses_a_driver_from_another_hub(hub, coordinator, outsider):
    with pytest.raises(RunError, match="active member of this hub"):
        run_create(
            hub=hub, driver=outsider, vehicle="", planned_at=timezone.now(), user=coordinator
        )


def test_it_adds_stops_in_order_and_merges_repeated_items(
    hub, coordinator, volunteer, shelters, water, beans
):
    run = make_run(hub=hub, driver=volunteer, user=coordinator, stops=[])

    first = stop_add(
        run=run,
        destination=shelters[0],
        lines=[(water, 4), (beans, 0), (water, 2)],
        user=coordinator,
    )
    second = stop_add(run=run, destination=shelters[1], lines=[(beans, 1)], user=coordinator)

    assert (first.position, second.position) == (1, 2)
    assert [(line.item, line.quantity) for line in first.lines.all()] == [(water, 6)]


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([], "at least one line"),
        ([("water", 0)], "at least one line"),
        ([("water", -2)], "more than zero"),
        ([("water", 2.5)], "whole number"),
        ([("water", 1_000_001)], "at most"),
        ([("retired", 1)], "no longer in the catalog"),
    ],
)
def test_it_refuses_bad_lines_and_stores_nothing(
    hub, coordinator, volunteer, shelters, water, lines, message
):
    retired = ItemFactory(name="Old blankets", is_active=False)
    items = {"water": water, "retired": retired}
    run = make_run(hub=hub, driver=volunteer, user=coordinator, stops=[])

    with pytest.raises(UserError, match=message):
        stop_add(
            run=run,
            destination=shelters[0],
            lines=[(items[i], q) for i, q in lines],
            user=coordinator,
        )
    assert not run.stops.exists()


def test_it_refuses_a_destination_twice_or_of_another_hub(
    hub, other_hub, coordinator, volunteer, shelters, water
):
    run = make_run(hub=hub, driver=volunteer, user=coordinator, stops=[(shelters[0], [(water, 1)])])

    with pytest.raises(RunError, match="already a stop"):
        stop_add(run=run, destination=shelters[0], lines=[(water, 1)], user=coordinator)
    elsewhere = DestinationFactory(hub=other_hub)
    with pytest.raises(RunError, match="this hub's active destinations"):
        stop_add(run=run, destination=elsewhere, lines=[(water, 1)], user=coordinator)
    assert run.stops.count() == 1


def test_it_replaces_a_stops_lines(hub, coordinator, volunteer, shelters, water, beans):
    run = make_run(hub=hub, driver=volunteer, user=coordinator, stops=[(shelters[0], [(water, 1)])])
    stop = run.stops.get()

    stop_lines_set(stop=stop, lines=[(water, 0), (beans, 5)], user=coordinator)

    assert list(StopLine.objects.values_list("item__name", "quantity")) == [("Canned beans", 5)]
    with pytest.raises(RunError, match="at least one line"):
        stop_lines_set(stop=stop, lines=[(beans, 0)], user=coordinator)
    assert StopLine.objects.count() == 1


def test_it_reorders_and_removes_stops(hub, coordinator, volunteer, shelters, water):
    run = make_run(
        hub=hub,
        driver=volunteer,
        user=coordinator,
        stops=[(shelter, [(water, 1)]) for shelter in shelters],
    )
    a, b, c = run.stops.order_by("position")

    stop_move(stop=c, offset=-1, user=coordinator)
    stop_move(stop=a, offset=-1, user=coordinator)  # already first: nothing happens
    assert [s.destination.name for s in run.stops.order_by("position")] == [
        "Shelter A",
        "Shelter C",
        "Shelter B",
    ]

    stop_remove(stop=b, user=coordinator)
    assert [s.destination.name for s in run.stops.order_by("position")] == [
        "Shelter A",
        "Shelter C",
    ]


def test_it_freezes_a_cancelled_run(hub, coordinator, volunteer, shelters, water):
    run = make_run(hub=hub, driver=volunteer, user=coordinator, stops=[(shelters[0], [(water, 1)])])
    run_cancel(run=run, user=coordinator)

    with pytest.raises(RunError, match="cancelled"):
        stop_add(run=run, destination=shelters[1], lines=[(water, 1)], user=coordinator)
    with pytest.raises(RunError, match="cancelled"):
        run_update(
            run=run,
            driver=UserFactory(role=Role.VOLUNTEER, hubs=[hub]),
            vehicle="",
            planned_at=timezone.now(),
            user=coordinator,
        )
