"""Backing up a hub and restoring it: `hub_dump` then `hub_restore` into a new, empty,
migrated database gives back the same rows, and balances that equal their ledger."""

import json
import os
import subprocess
import sys
import uuid
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from django.conf import global_settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from deliveries.models import DestinationKind, DestinationNeed
from deliveries.services import run_create, run_dispatch, stop_add, stop_deliver
from deliveries.transfers import transfer_send
from hub.intake.services import DropoffLineInput, dropoff_log, dropoff_undo
from hub.models import CategoryIntake, IntakeStatus, Outcome
from hub.roles import Role
from inventory.models import AlertDelivery, AlertLevel, CapacityAlert, Webhook
from inventory.services import StockLine, stock_adjust, stock_remove, stock_transfer
from network.models import ClaimHow
from network.services import claim_create, claim_plan, offer_create
from operations.backup import hub_dump
from tests.deployment import ROOT, TEST_SECRET_KEY, production_env
from tests.factories import DestinationFactory, StorageLocationFactory, UserFactory


@pytest.fixture(autouse=True)
def _require_postgres():
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        pytest.skip("needs DATABASE_URL for Postgres, as `make test` sets it")


@pytest.fixture
def busy_hub(hub, other_hub, volunteer, coordinator, admin_user, outsider, water, beans):
    """A hub after some days of work, with records that point at another hub."""
    hall = StorageLocationFactory(hub=hub, name="Hall", capacity_litres=Decimal("100"))
    tent = StorageLocationFactory(hub=hub, name="Tent")
    garage = StorageLocationFactory(hub=other_hub, name="Garage")
    dropoff_log(
        hub=hub,
        user=volunteer,
        lines=[
            DropoffLineInput(water, 40, location=hall),
            DropoffLineInput(
                beans, 12, location=tent, expiry_date=timezone.localdate() + timedelta(days=60)
            ),
            DropoffLineInput(beans, 3, outcome=Outcome.REDIRECTED, redirected_to=other_hub),
        ],
        idempotency_key="backup-1",
        donor_name="Maria",
        donor_contact="555-0100",
        donor_consent=True,
    )
    undone = dropoff_log(
        hub=hub,
        user=volunteer,
        lines=[DropoffLineInput(water, 5, location=tent)],
        idempotency_key="backup-2",
    )
    dropoff_undo(dropoff=undone, user=coordinator)
    stock_remove(lines=[StockLine(beans, tent, 2)], kind="delivered", user=coordinator)
    stock_transfer(item=water, from_location=hall, to_location=garage, quantity=5, user=coordinator)
    stock_adjust(item=water, location=hall, delta=-1, user=coordinator, reason="Leaking")
    CategoryIntake.objects.create(
        hub=hub, category=beans.category, status=IntakeStatus.CLOSED, reason="Full of cans"
    )
    webhook = Webhook.objects.create(hub=hub, name="Chat", url="https://chat.test/hook")
    alert = CapacityAlert.objects.create(
        hub=hub, location=hall, level=AlertLevel.NEARLY_FULL, fill_percent=81, threshold_percent=80
    )
    AlertDelivery.objects.create(alert=alert, channel=f"webhook:{webhook.pk}", attempts=1)
    shelter = DestinationFactory(hub=hub, name="Dorsey Shelter", contact_phone="555-0199")
    DestinationNeed.objects.create(destination=shelter, item=water, quantity=30)
    to_pasadena = DestinationFactory(
        hub=hub, name="Pasadena", kind=DestinationKind.OTHER_HUB, receiving_hub=other_hub
    )
    run = run_create(
        hub=hub,
        driver=volunteer,
        vehicle="Van",
        planned_at=timezone.now(),
        user=coordinator,
    )
    stop = stop_add(run=run, destination=to_pasadena, lines=[(water, 4)], user=coordinator)
    run_dispatch(run=run, user=coordinator)
    [line] = stop.lines.all()
    stop_deliver(stop=stop, user=volunteer, received_by="Pat", note="", returned={line.pk: 1})
    # The network: Pasadena claims part of the hub's surplus, sends it water on a pickup,
    # and carries the hub's claim on its own surplus on one of its runs.
    paz = UserFactory(username="paz", role=Role.COORDINATOR, hubs=[other_hub])
    soon = timezone.localdate() + timedelta(days=3)
    offer = offer_create(hub=hub, user=coordinator, item=water, quantity=10, until=soon)
    claim_create(offer=offer, hub=other_hub, user=paz, quantity=5, how=ClaimHow.RUN)
    transfer_send(
        from_hub=other_hub,
        to_hub=hub,
        lines=[(water, 3)],
        user=paz,
        reason="Water for the hub",
        idempotency_key="backup-transfer",
    )
    theirs = offer_create(hub=other_hub, user=paz, item=water, quantity=2, until=soon)
    ours = claim_create(offer=theirs, hub=hub, user=coordinator, quantity=2, how=ClaimHow.RUN)
    their_run = run_create(
        hub=other_hub, driver=paz, vehicle="Truck", planned_at=timezone.now(), user=paz
    )
    claim_plan(claim=ours, run=their_run, user=paz)
    return hub


def database_url(name: str) -> str:
    return urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}"))


def manage(name: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=production_env(SECRET_KEY=TEST_SECRET_KEY, DATABASE_URL=database_url(name)),
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def empty_database():
    """A new database of this test alone, migrated, dropped afterwards."""
    name = f"dh_restore_{uuid.uuid4().hex[:10]}"
    server = database_url("postgres")
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        migrated = manage(name, "migrate", "--noinput")
        assert migrated.returncode == 0, migrated.stderr
        yield name
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def rows(dump: dict) -> dict:
    return {(o["model"], o["pk"]): o["fields"] for o in dump["objects"]}


@pytest.fixture
def production_passwords(settings):
    """Passwords hashed as production hashes them (not the suite's fast MD5): the restored
    people log in through manage.py, which runs with production's hashers. Ask for it before
    the fixtures that make the people."""
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS


def test_it_restores_a_dumped_hub_into_an_empty_database_row_for_row(
    production_passwords, busy_hub, empty_database, tmp_path
):
    dump_file = tmp_path / "west-adams.json"
    call_command("hub_dump", busy_hub.slug, str(dump_file))
    dumped = json.loads(dump_file.read_text())
    models = {model for model, _pk in rows(dumped)}
    assert {
        "auth.user",
        "hub.hub",
        "hub.dropoff",
        "hub.dropoffline",
        "hub.membership",
        "hub.categoryintake",
        "inventory.item",
        "inventory.stockmovement",
        "inventory.stockbalance",
        "inventory.capacityalert",
        "inventory.alertdelivery",
        "inventory.webhook",
        "deliveries.destination",
        "deliveries.destinationneed",
        "deliveries.run",
        "deliveries.stop",
        "deliveries.stopline",
        "deliveries.transfer",
        "deliveries.transferline",
        "network.offer",
        "network.claim",
    } <= models
    # Another hub's own records stay out: only its hub row, which this hub's records name.
    garage = [f for (m, _pk), f in rows(dumped).items() if m == "inventory.storagelocation"]
    assert sorted(f["name"] for f in garage) == ["Hall", "Tent"]
    assert "otto" not in [f["username"] for (m, _pk), f in rows(dumped).items() if m == "auth.user"]

    restored = manage(empty_database, "hub_restore", str(dump_file))
    assert restored.returncode == 0, restored.stderr

    again = manage(empty_database, "hub_dump", busy_hub.slug, "-")
    assert again.returncode == 0, again.stderr
    assert rows(json.loads(again.stdout)) == rows(dumped)
    checked = manage(empty_database, "stock_check")
    assert checked.returncode == 0, checked.stdout + checked.stderr

    # The restored database takes new rows after the restored ones, and people log in.
    login = manage(
        empty_database,
        "shell",
        "--no-imports",
        "-c",
        "from django.contrib.auth.models import User; from hub.models import Hub;"
        "Hub.objects.create(name='New', slug='new');"
        "print(User.objects.get(username='vera').check_password('correct-horse-battery'))",
    )
    assert login.returncode == 0, login.stderr
    assert login.stdout.strip().endswith("True")

    # A second restore into a database that is no longer empty is refused, changing nothing.
    twice = manage(empty_database, "hub_restore", str(dump_file))
    assert twice.returncode == 1
    assert "not empty" in twice.stderr


def test_it_refuses_an_unknown_hub_or_file(db, tmp_path):
    with pytest.raises(CommandError, match="No hub 'nowhere'"):
        call_command("hub_dump", "nowhere", str(tmp_path / "x.json"))
    (tmp_path / "other.json").write_text('{"format": "something else"}')
    with pytest.raises(CommandError, match="not a Donation Hub dump"):
        call_command("hub_restore", str(tmp_path / "other.json"))


def test_it_dumps_what_the_hub_has_and_nothing_of_the_other_hubs_stock(busy_hub, other_hub):
    dumped = rows(hub_dump(hub=busy_hub))
    hubs = sorted(f["slug"] for (m, _pk), f in dumped.items() if m == "hub.hub")
    assert hubs == ["pasadena", "west-adams"]
    movements = [f for (m, _pk), f in dumped.items() if m == "inventory.stockmovement"]
    # The transfer's half that left for Pasadena's garage is Pasadena's.
    assert all(f["location"] != other_hub.locations.get().pk for f in movements)


def test_it_dumps_the_hubs_transfers_offers_and_claims_without_other_hubs_runs(busy_hub, other_hub):
    dumped = rows(hub_dump(hub=busy_hub))
    transfers = [f for (m, _pk), f in dumped.items() if m == "deliveries.transfer"]
    assert sorted((f["from_hub"], f["to_hub"]) for f in transfers) == sorted(
        [(busy_hub.pk, other_hub.pk), (other_hub.pk, busy_hub.pk)]
    )
    offers = [f for (m, _pk), f in dumped.items() if m == "network.offer"]
    assert sorted(f["hub"] for f in offers) == sorted([busy_hub.pk, other_hub.pk])
    claims = {f["hub"]: f for (m, _pk), f in dumped.items() if m == "network.claim"}
    assert set(claims) == {busy_hub.pk, other_hub.pk}
    # The hub's claim rides on Pasadena's run, which is Pasadena's: no stop in the dump.
    assert claims[busy_hub.pk]["stop"] is None
    users = {f["username"] for (m, _pk), f in dumped.items() if m == "auth.user"}
    assert "paz" in users
