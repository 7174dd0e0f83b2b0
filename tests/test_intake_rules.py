"""What the hub takes at the table: intake status, the per-line maximum, room on the
shelves, and where to send a donor instead."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, transaction

from hub.intake.selectors import acceptance_map, location_default, redirect_suggestions
from hub.intake.services import DropoffLineInput, IntakeError, dropoff_log
from hub.models import CategoryIntake, Dropoff, IntakeStatus, Outcome
from inventory.locks import locations_lock, stock_pairs_lock
from inventory.selectors import location_fill_list
from inventory.services import StockLine, stock_receive
from tests.factories import HubFactory, ItemFactory, StorageLocationFactory, UserFactory
from tests.ledger import assert_ledger_matches_balances, qty


@pytest.fixture
def hall(hub):
    return StorageLocationFactory(hub=hub, name="Main hall", capacity_litres=Decimal("100"))


@pytest.fixture
def shed(hub):
    return StorageLocationFactory(hub=hub, name="Shed", capacity_litres=Decimal("1000"))


def log(hub, user, *lines, key="form-1"):
    return dropoff_log(hub=hub, user=user, lines=list(lines), idempotency_key=key)


def close_category(hub, category, status=IntakeStatus.CLOSED, reason="Too much clothing"):
    CategoryIntake.objects.create(hub=hub, category=category, status=status, reason=reason)


# --- intake status ----------------------------------------------------------------------------


def test_it_refuses_accepting_anything_when_the_hub_is_closed(hub, volunteer, hall, water):
    hub.intake_status, hub.intake_reason = IntakeStatus.CLOSED, "Storage full"
    hub.save()

    with pytest.raises(IntakeError, match="not taking donations"):
        log(
            hub,
            volunteer,
            DropoffLineInput(water, 1, outcome=Outcome.DECLINED),
            DropoffLineInput(water, 1, location=hall),
        )

    assert Dropoff.objects.count() == 0


def test_it_logs_a_closed_hubs_visit_that_it_declines_or_sends_on(
    hub, other_hub, volunteer, hall, water
):
    hub.intake_status, hub.intake_reason = IntakeStatus.CLOSED, "Storage full"
    hub.save()

    log(
        hub,
        volunteer,
        DropoffLineInput(water, 1, outcome=Outcome.DECLINED),
        DropoffLineInput(water, 6, outcome=Outcome.REDIRECTED, redirected_to=other_hub),
    )

    assert Dropoff.objects.get().lines.count() == 2
    assert qty(water, hall) == 0


def test_it_lets_a_closed_category_only_be_declined_or_sent_on(
    hub, other_hub, volunteer, hall, water
):
    close_category(hub, water.category)

    with pytest.raises(IntakeError, match="not taking") as refused:
        log(hub, volunteer, DropoffLineInput(water, 24, location=hall))
    assert refused.value.line == 0

    log(
        hub,
        volunteer,
        DropoffLineInput(water, 24, outcome=Outcome.DECLINED),
        DropoffLineInput(water, 6, outcome=Outcome.REDIRECTED, redirected_to=other_hub),
    )
    assert qty(water, hall) == 0
    assert Dropoff.objects.get().lines.count() == 2


def test_it_accepts_a_limited_category_when_the_volunteer_judges_it_needed(
    hub, volunteer, hall, water
):
    close_category(hub, water.category, status=IntakeStatus.LIMITED, reason="Only gallons")

    log(hub, volunteer, DropoffLineInput(water, 2, location=hall))

    assert qty(water, hall) == 2


def test_it_takes_only_listed_categories_when_the_hub_is_limited(
    hub, volunteer, hall, water, beans
):
    hub.intake_status = IntakeStatus.LIMITED
    hub.save()
    close_category(hub, beans.category, status=IntakeStatus.OPEN, reason="")

    log(hub, volunteer, DropoffLineInput(beans, 5, location=hall))
    with pytest.raises(IntakeError, match="not taking"):
        log(hub, volunteer, DropoffLineInput(water, 5, location=hall), key="form-2")

    rules = acceptance_map(hubs=[hub])
    assert rules[(hub.pk, beans.category_id)].accepts
    assert not rules[(hub.pk, water.category_id)].accepts


def test_it_refuses_a_quantity_over_the_hubs_maximum(hub, volunteer, shed, water):
    hub.max_line_quantity = 200
    hub.save()

    with pytest.raises(IntakeError, match="more than this hub takes on one line"):
        log(hub, volunteer, DropoffLineInput(water, 201, location=shed))

    log(hub, volunteer, DropoffLineInput(water, 200, location=shed))
    assert qty(water, shed) == 200


# --- room -------------------------------------------------------------------------------------


def test_it_refuses_a_line_that_would_overfill_its_location_and_names_one_with_room(
    hub, volunteer, hall, shed
):
    boxes = ItemFactory(name="Blankets", unit_volume_litres=Decimal("10"))
    log(hub, volunteer, DropoffLineInput(boxes, 9, location=hall))  # 90 of 100 L

    with pytest.raises(IntakeError, match="Main hall has no room") as refused:
        log(hub, volunteer, DropoffLineInput(boxes, 2, location=hall), key="form-2")

    assert "Shed has room for it" in str(refused.value)
    assert qty(boxes, hall) == 9
    log(hub, volunteer, DropoffLineInput(boxes, 1, location=hall), key="form-3")  # exactly full
    assert qty(boxes, hall) == 10


def test_it_counts_every_line_of_the_dropoff_against_the_room(hub, volunteer, hall):
    boxes = ItemFactory(name="Blankets", unit_volume_litres=Decimal("10"))

    with pytest.raises(IntakeError, match="no room") as refused:
        log(
            hub,
            volunteer,
            DropoffLineInput(boxes, 6, location=hall),
            DropoffLineInput(boxes, 5, location=hall),
        )

    assert refused.value.line == 1
    assert "No location here has room" in str(refused.value)
    assert Dropoff.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_it_lets_only_one_of_two_tablets_fill_the_last_room():
    hub = HubFactory()
    hall = StorageLocationFactory(hub=hub, capacity_litres=Decimal("100"))
    boxes = ItemFactory(unit_volume_litres=Decimal("10"))
    tablets = [UserFactory(role="Volunteer", hubs=[hub]) for _ in range(2)]
    stock_receive(lines=[StockLine(boxes, hall, 4)], user=None)
    start, results = threading.Barrier(2), []

    def tablet(user, key):
        try:
            start.wait(timeout=10)
            log(hub, user, DropoffLineInput(boxes, 5, location=hall), key=key)
            results.append("logged")
        except IntakeError as error:
            results.append(str(error))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=tablet, args=(user, f"tablet-{n}"))
        for n, user in enumerate(tablets)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)

    assert sorted(r == "logged" for r in results) == [False, True], results
    assert qty(boxes, hall) == 9
    assert_ledger_matches_balances()


def test_it_defaults_to_the_emptiest_location_with_room(hub, volunteer, hall, shed):
    boxes = ItemFactory(unit_volume_litres=Decimal("10"))
    log(hub, volunteer, DropoffLineInput(boxes, 10, location=hall))  # full
    log(hub, volunteer, DropoffLineInput(boxes, 50, location=shed), key="form-2")  # 50 %
    garage = StorageLocationFactory(hub=hub, name="Garage", capacity_litres=Decimal("100"))
    log(hub, volunteer, DropoffLineInput(boxes, 6, location=garage), key="form-3")  # 60 %

    assert location_default(locations=location_fill_list(hub=hub)) == shed


# --- where to send a donor --------------------------------------------------------------------


def test_it_suggests_the_nearest_hub_that_takes_the_category_and_has_room(hub, water, beans):
    hub.latitude, hub.longitude = Decimal("34.0399"), Decimal("-118.3219")  # West Adams
    hub.save()
    near = HubFactory(
        name="Culver City", latitude=Decimal("34.0211"), longitude=Decimal("-118.3965")
    )
    far = HubFactory(name="Altadena", latitude=Decimal("34.1896"), longitude=Decimal("-118.1315"))
    HubFactory(name="Somewhere", latitude=None, longitude=None)
    StorageLocationFactory(hub=near, capacity_litres=Decimal("100"))
    StorageLocationFactory(hub=far, capacity_litres=Decimal("100"))
    close_category(near, beans.category)

    suggestions = redirect_suggestions(hub=hub)

    assert suggestions[water.category_id] == near
    assert suggestions[beans.category_id] == far


def test_it_never_suggests_a_hub_past_its_nearly_full_threshold(hub, water):
    near = HubFactory(name="Nearly full", latitude=Decimal("34.04"), longitude=Decimal("-118.32"))
    hub.latitude, hub.longitude = Decimal("34.04"), Decimal("-118.33")
    hub.save()
    shelf = StorageLocationFactory(hub=near, capacity_litres=Decimal("100"))
    crates = ItemFactory(unit_volume_litres=Decimal("10"))
    stock_receive(lines=[StockLine(crates, shelf, 8)], user=None)  # 80 %, the default threshold
    other = HubFactory(name="Roomy")

    assert redirect_suggestions(hub=hub)[water.category_id] == other


def test_it_finds_suggestions_in_a_fixed_number_of_queries(hub, django_assert_max_num_queries):
    for n in range(8):
        StorageLocationFactory(hub=HubFactory(name=f"Hub {n}"))
    with django_assert_max_num_queries(5):
        redirect_suggestions(hub=hub)


@pytest.mark.django_db(transaction=True)
def test_it_queues_a_receipt_behind_a_dropoff_that_holds_the_location():
    """A dropoff locks its location to check the room; a receipt into the same location at
    that moment waits for it (every stock write locks its locations first, since their rows
    carry the litres in use) before taking any stock lock, so the dropoff goes on to lock
    the stock without a deadlock, and the receipt goes through after it."""
    hub = HubFactory()
    hall = StorageLocationFactory(hub=hub, capacity_litres=Decimal("1000"))
    boxes = ItemFactory(unit_volume_litres=Decimal("1"))
    received = threading.Event()

    def receipt():
        try:
            stock_receive(lines=[StockLine(boxes, hall, 3)], user=None)
            received.set()
        finally:
            connection.close()

    with transaction.atomic():
        locations_lock(ids=[hall.pk])  # what dropoff_log does first
        worker = threading.Thread(target=receipt)
        worker.start()
        assert not received.wait(timeout=1), "the receipt did not wait for the location"
        stock_pairs_lock(pairs=[(hall.pk, boxes.pk)])  # next in dropoff_log: no deadlock
    worker.join(timeout=10)

    assert received.is_set()
    assert qty(boxes, hall) == 3
