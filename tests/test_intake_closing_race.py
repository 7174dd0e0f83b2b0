"""Eight volunteers post at the moment the hub crosses "full": the dropoff that crosses it
is logged and closes intake, and none is logged after that closing commit. The answer to
the dropoff that closed intake shows the hub closed, not a fresh form."""

import copy
import os
import uuid
from decimal import Decimal

import pytest

from hub.intake.services import DropoffLineInput, IntakeError, dropoff_log
from hub.models import Dropoff, Hub, IntakeStatus
from inventory.services import StockLine, stock_receive
from tests.factories import ItemFactory, StorageLocationFactory
from tests.intake import HTMX, dropoff_form, intake_url, line, login
from tests.ledger import assert_ledger_matches_balances, qty
from tests.threads import run_at_once

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _require_postgres():
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        pytest.skip("needs DATABASE_URL for Postgres, as `make test` sets it")


@pytest.fixture
def hall(hub):
    # The hub counts as full at 95 % (the default) and then closes intake by itself.
    assert (hub.full_percent, hub.close_when_full) == (95, True)
    return StorageLocationFactory(hub=hub, name="Main hall", capacity_litres=Decimal("100"))


@pytest.fixture
def blankets(db):
    return ItemFactory(name="Blanket", unit_volume_litres=Decimal("1"))


def test_it_logs_no_dropoff_after_the_one_that_closed_intake(hub, volunteer, hall, blankets):
    stock_receive(lines=[StockLine(blankets, hall, 90)], user=None)
    # Every tablet loaded the page while the hub was open.
    as_loaded = Hub.objects.get(pk=hub.pk)

    def post():
        return dropoff_log(
            hub=copy.copy(as_loaded),
            user=volunteer,
            lines=[DropoffLineInput(item=blankets, quantity=2, location=hall)],
            idempotency_key=uuid.uuid4().hex,
        )

    results = run_at_once([post] * 8)

    logged = [r for r in results if isinstance(r, Dropoff)]
    refused = [r for r in results if isinstance(r, IntakeError)]
    assert len(logged) + len(refused) == 8, results
    # 90 -> 92 -> 94 -> 96: the third crosses 95 % and closes; the other five are refused.
    assert len(logged) == 3, [str(r) for r in refused]
    assert all("is not taking donations now" in str(e) for e in refused)
    assert qty(blankets, hall) == 96
    assert Hub.objects.get(pk=hub.pk).intake_status == IntakeStatus.CLOSED
    assert_ledger_matches_balances()


def test_it_answers_the_dropoff_that_closed_intake_with_the_closed_hub(
    client, hub, volunteer, hall, blankets
):
    stock_receive(lines=[StockLine(blankets, hall, 90)], user=None)
    login(client, volunteer)

    response = client.post(intake_url(hub), dropoff_form(hall, line(blankets, 6)), headers=HTMX)

    assert response.status_code == 200
    assert "Logged dropoff #" in response.text
    assert "West Adams Hub is not taking donations now" in response.text
    assert 'id="location-picker"' not in response.text
