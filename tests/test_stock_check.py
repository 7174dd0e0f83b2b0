"""The consistency check: every balance against the sum of its ledger, by hand
(`manage.py stock_check`) and nightly (beat), which alerts the hubs' admins."""

import logging
import subprocess
import sys
from datetime import date

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from hub.roles import Role
from inventory.models import StockBalance
from inventory.selectors import LedgerMismatch, ledger_mismatch_list
from inventory.services import StockLine, stock_receive, stock_remove
from inventory.tasks import stock_ledger_check
from tests.deployment import ROOT, TEST_SECRET_KEY, production_env
from tests.factories import StorageLocationFactory, UserFactory
from tests.worker import worker_database_url


@pytest.fixture
def shelf(hub):
    return StorageLocationFactory(hub=hub, name="Shelf A")


@pytest.fixture
def garage(other_hub):
    return StorageLocationFactory(hub=other_hub, name="Garage")


@pytest.fixture
def stocked(shelf, garage, water, beans):
    stock_receive(
        lines=[
            StockLine(water, shelf, 10),
            StockLine(beans, shelf, 4, date(2026, 1, 1)),
            StockLine(beans, shelf, 6, date(2026, 3, 1)),
            StockLine(water, garage, 8),
        ],
        user=None,
    )
    stock_remove(lines=[StockLine(beans, shelf, 5)], kind="delivered", user=None)


def corrupt(balance_filter: str, delta: int) -> None:
    """What the app never does: change a balance behind the ledger's back."""
    table = StockBalance._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET quantity = quantity + %s WHERE {balance_filter}",  # noqa: S608
            [delta],
        )


def test_it_finds_no_difference_after_any_mix_of_stock_changes(stocked):
    assert ledger_mismatch_list() == []
    call_command("stock_check")


def test_it_reports_a_corrupted_balance_and_a_balance_missing_its_row(
    stocked, shelf, garage, water, beans, capsys
):
    corrupt(f"item_id = {water.pk} AND location_id = {shelf.pk}", 3)
    StockBalance.objects.filter(item=beans, expiry_date=date(2026, 3, 1)).delete()

    assert ledger_mismatch_list() == [
        LedgerMismatch("west-adams", "Bottled water 1.5 L", "Shelf A", None, 13, 10),
        LedgerMismatch("west-adams", "Canned beans", "Shelf A", date(2026, 3, 1), None, 5),
    ]
    with pytest.raises(CommandError, match="2 balance"):
        call_command("stock_check")
    out = capsys.readouterr().out
    assert "item='Bottled water 1.5 L' location='Shelf A' expiry=- balance=13 ledger=10" in out
    assert "item='Canned beans' location='Shelf A' expiry=2026-03-01 balance=none ledger=5" in out

    # The other hub's stock is untouched, and can be checked on its own.
    call_command("stock_check", "--hub", "pasadena")


def test_it_exits_1_from_the_command_line_on_a_difference(transactional_db, stocked, garage):
    def run():
        return subprocess.run(
            [sys.executable, "manage.py", "stock_check"],
            cwd=ROOT,
            env=production_env(SECRET_KEY=TEST_SECRET_KEY, DATABASE_URL=worker_database_url()),
            capture_output=True,
            text=True,
            timeout=60,
        )

    clean = run()
    assert clean.returncode == 0, clean.stderr
    assert "All balances equal their ledger; all locations' litres in use" in clean.stdout

    corrupt(f"location_id = {garage.pk}", -2)
    broken = run()
    assert broken.returncode == 1
    assert "MISMATCH hub=pasadena item='Bottled water 1.5 L' location='Garage'" in broken.stdout
    assert "balance=6 ledger=8" in broken.stdout
    # 8 bottles of 1.6 L on record in the location's row, 6 in its balance.
    assert "location='Garage' used_litres=12.800 balances_litres=9.600" in broken.stdout
    assert "1 balance(s) differ from their ledger; 1 location(s)" in broken.stderr


def test_it_runs_the_check_nightly_and_e_mails_the_admins_of_the_hub_concerned(
    stocked, hub, other_hub, shelf, water, admin_user, coordinator, mailoutbox, caplog
):
    admin_user.email = "ada@example.org"
    admin_user.save()
    coordinator.email = "carlos@example.org"
    coordinator.save()
    UserFactory(email="pat@example.org", role=Role.ADMIN, hubs=[other_hub])
    [entry] = [
        e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"].endswith("ledger_check")
    ]
    assert entry["task"] == "inventory.tasks.stock_ledger_check"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({3}, {30})

    assert stock_ledger_check() == 0
    assert mailoutbox == []

    corrupt(f"item_id = {water.pk} AND location_id = {shelf.pk}", 3)
    with caplog.at_level(logging.ERROR, logger="inventory.alerts"):
        assert stock_ledger_check() == 2  # the balance, and so its location's litres

    [mail] = mailoutbox
    assert mail.to == ["ada@example.org"]  # the hub's admin: not its coordinator, not Pasadena's
    assert "1 balance(s) differ from the ledger, 1 location(s)" in mail.subject
    assert "west-adams, Shelf A: Bottled water 1.5 L: balance 13, ledger sum 10" in mail.body
    assert "west-adams, Shelf A: litres in use 18.500, sum of its balances 23.300" in mail.body
    assert "differs from its ledger" in caplog.text
    assert caplog.records[0].levelno == logging.ERROR
