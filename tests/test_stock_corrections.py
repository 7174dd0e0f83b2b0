"""Counting a location, adjusting, discarding and moving stock between a hub's locations:
each through inventory.services, with a reason on record; bad input stores nothing."""

import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from inventory.models import MovementKind, StockMovement
from tests.coordinator import query_count, receive
from tests.factories import ItemFactory, StorageLocationFactory
from tests.ledger import assert_ledger_matches_balances, qty

EXPIRY = date(2030, 1, 31)


@pytest.fixture
def hall(hub):
    return StorageLocationFactory(hub=hub, name="Hall", capacity_litres=Decimal("1000"))


@pytest.fixture
def closet(hub):
    return StorageLocationFactory(hub=hub, name="Closet", capacity_litres=Decimal("10"))


@pytest.fixture
def stocked(hall, water, beans):
    receive(hall, water, 10)
    receive(hall, beans, 6, expiry=EXPIRY)


def count_url(hub, location):
    return reverse("location_count", args=[hub.slug, location.pk])


def change_url(hub, item, action):
    return reverse("item_change", args=[hub.slug, item.pk, action])


def balance_field(location, item, expiry=None):
    balance = location.balances.get(item=item, expiry_date=expiry)
    return f"counted_{balance.pk}"


def count_form(hall, water, beans, *, water_count="", beans_count="", **extra):
    return {
        "idempotency_key": uuid.uuid4().hex,
        "reason": "Monday count",
        balance_field(hall, water): water_count,
        balance_field(hall, beans, EXPIRY): beans_count,
        **extra,
    }


# --- counts ---------------------------------------------------------------------------------


def test_it_turns_a_count_into_corrections_with_the_reason(
    client, coordinator, hub, hall, water, beans, stocked
):
    client.force_login(coordinator)

    response = client.post(
        count_url(hub, hall), count_form(hall, water, beans, water_count="8", beans_count="6")
    )

    assert response.status_code == 302
    assert qty(water, hall) == 8 and qty(beans, hall, EXPIRY) == 6
    counted = StockMovement.objects.filter(kind=MovementKind.COUNTED).order_by("item__name")
    assert [(m.item, m.quantity, m.reason, m.created_by) for m in counted] == [
        (water, -2, "Monday count", coordinator),
        (beans, 0, "Monday count", coordinator),  # agreeing counts are on record too
    ]
    follow = client.get(response["Location"]).text
    assert "Count of Hall saved: 1 balance corrected." in follow
    assert_ledger_matches_balances()


def test_it_leaves_boxes_left_empty_alone(client, coordinator, hub, hall, water, beans, stocked):
    client.force_login(coordinator)
    client.post(count_url(hub, hall), count_form(hall, water, beans, water_count="12"))
    assert qty(water, hall) == 12 and qty(beans, hall, EXPIRY) == 6
    assert StockMovement.objects.filter(kind=MovementKind.COUNTED).count() == 1


def test_it_counts_once_however_often_the_form_is_sent(
    client, coordinator, hub, hall, water, beans, stocked
):
    client.force_login(coordinator)
    data = count_form(hall, water, beans, water_count="3")
    client.post(count_url(hub, hall), data)
    receive(hall, water, 5)
    client.post(count_url(hub, hall), data)
    assert qty(water, hall) == 8


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"water_count": "-1"}, "Ensure this value is greater than or equal to 0."),
        ({"water_count": "many"}, "Enter a whole number."),
        ({}, "Enter at least one counted quantity."),
        ({"water_count": "1", "reason": " "}, "This field is required."),
        ({"water_count": "1", "idempotency_key": ""}, "This form was out of date."),
    ],
    ids=["negative", "not-a-number", "nothing-counted", "no-reason", "no-key"],
)
def test_it_refuses_a_bad_count_storing_nothing(
    client, coordinator, hub, hall, water, beans, stocked, fields, message
):
    before = StockMovement.objects.count()
    client.force_login(coordinator)
    data = count_form(hall, water, beans, water_count=fields.pop("water_count", ""))
    data |= fields

    response = client.post(count_url(hub, hall), data)

    assert response.status_code == 200
    assert message in response.text
    assert StockMovement.objects.count() == before


def test_it_counts_only_locations_of_the_hub(
    client, coordinator, outsider, volunteer, hub, other_hub, hall
):
    theirs = StorageLocationFactory(hub=other_hub)
    client.force_login(coordinator)
    assert client.get(count_url(hub, theirs)).status_code == 404
    assert client.get(count_url(other_hub, theirs)).status_code == 404
    client.force_login(volunteer)
    assert client.get(count_url(hub, hall)).status_code == 403
    client.force_login(outsider)
    assert client.post(count_url(hub, hall), {}).status_code == 404


@pytest.mark.parametrize("method", ["get", "post"])
def test_it_counts_in_a_fixed_number_of_queries(
    client, coordinator, hub, hall, django_assert_num_queries, method
):
    def items(count):
        made = [ItemFactory() for _n in range(count)]
        for item in made:
            receive(hall, item, 2)
        return made

    def form(made):
        data = {"idempotency_key": uuid.uuid4().hex, "reason": "count"}
        return data | {balance_field(hall, item): "1" for item in made}

    def request(data):
        return getattr(client, method)(count_url(hub, hall), data if method == "post" else None)

    client.force_login(coordinator)
    request(form(items(2)))  # warm caches outside the measurement
    few = form(items(2))
    small, _response = query_count(lambda: request(few))
    large = items(60)
    many = form(large)

    with django_assert_num_queries(small):
        request(many)
    if method == "post":
        assert all(qty(item, hall) == 1 for item in large)


# --- adjust, discard, move ------------------------------------------------------------------


def test_it_adjusts_with_a_reason(client, coordinator, hub, hall, water, stocked):
    client.force_login(coordinator)
    response = client.post(
        change_url(hub, water, "adjust"),
        {
            "adjust-idempotency_key": "k1",
            "adjust-location": hall.pk,
            "adjust-delta": "-3",
            "adjust-reason": "Two cases crushed",
        },
    )
    assert response.status_code == 302
    assert qty(water, hall) == 7
    movement = StockMovement.objects.get(kind=MovementKind.ADJUSTED)
    assert (movement.quantity, movement.reason, movement.created_by) == (
        -3,
        "Two cases crushed",
        coordinator,
    )


@pytest.mark.parametrize(
    ("why", "note", "reason"),
    [
        ("spoiled", "dented cans", "Spoiled or expired: dented cans"),
        ("recycled", "", "Recycled"),
        ("given_away", "to the church", "Given away: to the church"),
    ],
)
def test_it_discards_with_a_reason(
    client, coordinator, hub, hall, beans, stocked, why, note, reason
):
    client.force_login(coordinator)
    response = client.post(
        change_url(hub, beans, "discard"),
        {
            "discard-idempotency_key": "k2",
            "discard-location": hall.pk,
            "discard-quantity": "4",
            "discard-why": why,
            "discard-note": note,
        },
    )
    assert response.status_code == 302
    assert qty(beans, hall, EXPIRY) == 2
    movement = StockMovement.objects.get(kind=MovementKind.DISCARDED)
    assert (movement.quantity, movement.reason) == (-4, reason)


def test_it_moves_stock_between_locations_of_the_hub(
    client, coordinator, hub, hall, closet, water, stocked
):
    client.force_login(coordinator)
    response = client.post(
        change_url(hub, water, "transfer"),
        {
            "transfer-idempotency_key": "k3",
            "transfer-location": hall.pk,
            "transfer-to_location": closet.pk,
            "transfer-quantity": "6",  # 9.6 L into a 10 L closet
        },
    )
    assert response.status_code == 302
    assert (qty(water, hall), qty(water, closet)) == (4, 6)
    assert_ledger_matches_balances()


def test_it_refuses_to_overfill_the_location_moved_to(
    client, coordinator, hub, hall, closet, water, stocked
):
    client.force_login(coordinator)
    response = client.post(
        change_url(hub, water, "transfer"),
        {
            "transfer-idempotency_key": "k4",
            "transfer-location": hall.pk,
            "transfer-to_location": closet.pk,
            "transfer-quantity": "7",  # 11.2 L into 10 L
        },
    )
    assert response.status_code == 200
    assert "Closet has no room for 7 Bottled water 1.5 L (11 L needed)." in response.text
    assert "Hall has room for it." in response.text
    assert (qty(water, hall), qty(water, closet)) == (10, 0)


def bad(action, **fields):
    return action, {f"{action}-{name}": value for name, value in fields.items()}


@pytest.mark.parametrize(
    ("action", "data"),
    [
        bad("adjust", idempotency_key="a", location="{hall}", delta="0", reason="x"),
        bad("adjust", idempotency_key="a", location="{hall}", delta="-2", reason=""),
        bad("adjust", idempotency_key="a", location="{hall}", delta="-11", reason="x"),
        bad("adjust", idempotency_key="a", location="{theirs}", delta="1", reason="x"),
        bad(
            "adjust",
            idempotency_key="a",
            location="{hall}",
            delta="1",
            reason="x",
            expiry_date="2030-01-01",
        ),
        bad("discard", idempotency_key="a", location="{hall}", quantity="11", why="spoiled"),
        bad("discard", idempotency_key="a", location="{hall}", quantity="1", why="eaten"),
        bad("discard", idempotency_key="a", location="{hall}", quantity="", why="spoiled"),
        bad("transfer", idempotency_key="a", location="{hall}", to_location="{hall}", quantity="1"),
        bad(
            "transfer", idempotency_key="a", location="{hall}", to_location="{theirs}", quantity="1"
        ),
        bad(
            "transfer", idempotency_key="", location="{hall}", to_location="{closet}", quantity="1"
        ),
    ],
    ids=[
        "adjust-zero",
        "adjust-no-reason",
        "adjust-below-zero",
        "adjust-other-hub",
        "adjust-expiry-on-undated-item",
        "discard-more-than-there",
        "discard-unknown-reason",
        "discard-no-quantity",
        "transfer-same-place",
        "transfer-other-hub",
        "transfer-no-key",
    ],
)
def test_it_refuses_bad_input_storing_nothing(
    client, coordinator, hub, other_hub, hall, closet, water, stocked, action, data
):
    theirs = StorageLocationFactory(hub=other_hub)
    places = {"hall": hall.pk, "closet": closet.pk, "theirs": theirs.pk}
    data = {name: value.format(**places) for name, value in data.items()}
    before = StockMovement.objects.count()
    client.force_login(coordinator)

    response = client.post(change_url(hub, water, action), data)

    assert response.status_code == 200
    assert 'class="error" role="alert"' in response.text
    assert StockMovement.objects.count() == before
