"""Each storage location carries its litres in use, changed with its balances by the stock
services, recomputed when an item's unit volume changes, and checked against its balances
by `stock_check`. The fills shown everywhere are read from it."""

import importlib
from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.urls import reverse

from hub.intake.selectors import redirect_suggestions
from inventory.models import Item, MovementKind, StorageLocation
from inventory.selectors import FillMismatch, fill_mismatch_list, ledger_mismatch_list
from inventory.services import (
    PickLine,
    StockError,
    StockLine,
    item_unit_volume_change,
    stock_pick,
    stock_receive,
    stock_transfer,
    stock_void,
)
from tests.factories import StorageLocationFactory
from tests.ledger import assert_ledger_matches_balances

MAR = date(2026, 3, 31)


@pytest.fixture
def shelves(hub, other_hub):
    return (
        StorageLocationFactory(hub=hub, name="Shelf A", capacity_litres=Decimal("1000")),
        StorageLocationFactory(hub=hub, name="Shelf B", capacity_litres=Decimal("1000")),
        StorageLocationFactory(hub=other_hub, name="Garage", capacity_litres=Decimal("1000")),
    )


def used(location: StorageLocation) -> Decimal:
    location.refresh_from_db(fields=["used_litres"])
    return location.used_litres


def test_it_keeps_the_litres_of_every_kind_of_change_on_the_location(hub, shelves, water, beans):
    a, b, garage = shelves
    received = stock_receive(
        lines=[StockLine(water, a, 10), StockLine(beans, a, 4, MAR), StockLine(beans, b, 2)],
        user=None,
    )
    assert (used(a), used(b)) == (Decimal("18.000"), Decimal("1.000"))  # 10 x 1.6 + 4 x 0.5

    stock_transfer(item=water, from_location=a, to_location=garage, quantity=3, user=None)
    assert (used(a), used(garage)) == (Decimal("13.200"), Decimal("4.800"))

    # First expired first out: the 4 dated beans of shelf A, then 1 of shelf B.
    stock_pick(hub=hub, lines=[PickLine(beans, 5, MovementKind.DELIVERED)], user=None)
    assert (used(a), used(b)) == (Decimal("11.200"), Decimal("0.500"))

    stock_receive(lines=[StockLine(water, b, 1)], user=None)
    with pytest.raises(StockError):  # the beans have left since: nothing changes
        stock_void(movement=received[0], user=None, reason="typo")
    assert (used(a), used(b)) == (Decimal("11.200"), Decimal("2.100"))
    assert_ledger_matches_balances()


def test_it_reads_another_hubs_fill_from_its_location_rows(
    django_assert_num_queries, hub, other_hub, shelves, water
):
    *_, garage = shelves
    stock_receive(lines=[StockLine(water, garage, 500)], user=None)  # 800 L of 1,000: 80 %
    assert redirect_suggestions(hub=hub) == {}  # at nearly full: not suggested

    StorageLocation.objects.filter(pk=garage.pk).update(used_litres=Decimal("100"))
    # Other hubs, their fill (one row per hub, summed over its locations' rows), the
    # categories and what the hubs accept: the same however much stock they hold.
    with django_assert_num_queries(4):
        suggestions = redirect_suggestions(hub=hub)
    assert set(suggestions.values()) == {other_hub}


def test_it_recomputes_the_locations_holding_an_item_whose_volume_changes(shelves, water, beans):
    a, b, garage = shelves
    stock_receive(
        lines=[StockLine(water, a, 10), StockLine(beans, a, 4, MAR), StockLine(water, garage, 5)],
        user=None,
    )
    stale = Item.objects.get(pk=water.pk)  # a form loaded before the catalog changed

    item_unit_volume_change(item=water, unit_volume_litres=Decimal("2"))

    assert (used(a), used(b), used(garage)) == (Decimal("22.000"), 0, Decimal("10.000"))
    # A write with the item as loaded before counts the volume stored now.
    stock_receive(lines=[StockLine(stale, b, 1)], user=None)
    assert used(b) == Decimal("2.000")
    assert_ledger_matches_balances()
    call_command("stock_check")


def test_it_refuses_a_volume_of_zero_and_changes_nothing(shelves, water):
    a, *_ = shelves
    stock_receive(lines=[StockLine(water, a, 10)], user=None)

    with pytest.raises(StockError, match="more than zero"):
        item_unit_volume_change(item=water, unit_volume_litres=Decimal("0"))

    water.refresh_from_db()
    assert (water.unit_volume_litres, used(a)) == (Decimal("1.6"), Decimal("16.000"))


def test_it_recomputes_the_fill_when_an_admin_corrects_a_volume_in_the_catalog(
    client, admin_user, shelves, water
):
    a, *_ = shelves
    stock_receive(lines=[StockLine(water, a, 10)], user=None)
    admin_user.is_superuser = True  # the catalog is the network's, kept by its superusers
    admin_user.save()
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:inventory_item_change", args=[water.pk]),
        {
            "name": water.name,
            "category": water.category_id,
            "unit": water.unit,
            "unit_volume_litres": "16",  # a slip for 1.6 found out, then fixed back
            "is_active": "on",
        },
    )

    assert response.status_code == 302, response.content
    assert used(a) == Decimal("160.000")
    assert_ledger_matches_balances()


def test_it_keeps_the_litres_when_a_location_loaded_before_a_stock_change_is_saved(
    client, admin_user, shelves, water
):
    a, *_ = shelves
    form = StorageLocation.objects.get(pk=a.pk)  # an admin opens the location
    stock_receive(lines=[StockLine(water, a, 10)], user=None)  # a dropoff meanwhile

    form.name = "Shelf A (by the door)"
    form.save()
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:inventory_storagelocation_change", args=[a.pk]),
        {"hub": a.hub_id, "name": "Shelf A1", "capacity_litres": "900", "is_active": "on"},
    )

    assert response.status_code == 302, response.content
    a.refresh_from_db()
    assert (a.name, a.capacity_litres, a.used_litres) == ("Shelf A1", 900, Decimal("16.000"))
    assert_ledger_matches_balances()


def test_it_reports_a_location_whose_litres_drifted_from_its_balances(shelves, water, capsys):
    a, b, _ = shelves
    stock_receive(lines=[StockLine(water, a, 10), StockLine(water, b, 1)], user=None)
    StorageLocation.objects.filter(pk=a.pk).update(used_litres=Decimal("15.9"))

    assert ledger_mismatch_list() == []  # the balances themselves are right
    assert fill_mismatch_list() == [
        FillMismatch("west-adams", "Shelf A", Decimal("15.900"), Decimal("16.000"))
    ]
    with pytest.raises(CommandError, match=r"0 balance\(s\) differ from their ledger; 1 location"):
        call_command("stock_check")
    out = capsys.readouterr().out
    assert "location='Shelf A' used_litres=15.900 balances_litres=16.000" in out
    call_command("stock_check", "--hub", "pasadena")  # the other hub is fine


def test_it_fills_the_new_column_from_the_balances_when_migrating(shelves, water, beans):
    a, b, garage = shelves
    stock_receive(
        lines=[StockLine(water, a, 10), StockLine(beans, a, 4, MAR), StockLine(beans, garage, 1)],
        user=None,
    )
    StorageLocation.objects.update(used_litres=0)  # as the column is added
    migration = importlib.import_module("inventory.migrations.0008_location_used_litres")

    migration.fill_used_litres(apps, None)

    assert (used(a), used(b), used(garage)) == (Decimal("18.000"), 0, Decimal("0.500"))
