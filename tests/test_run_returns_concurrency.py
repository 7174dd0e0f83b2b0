"""A driver's returns and a dropoff racing for a location's last room on real Postgres: one
of them gets it, the other is refused, and the location never passes 100 %."""

from decimal import Decimal

import pytest

from deliveries.services import run_dispatch, stop_deliver
from hub.errors import UserError
from hub.intake.services import DropoffLineInput, dropoff_log
from inventory.models import StorageLocation
from tests.factories import DestinationFactory, StorageLocationFactory
from tests.ledger import assert_ledger_matches_balances, qty
from tests.runs import make_run, stock
from tests.threads import run_at_once

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_gives_the_last_room_to_a_return_or_a_dropoff_never_both(
    hub, coordinator, volunteer, water
):
    hub.close_when_full = False
    hub.save()
    # 32 L: 20 waters. The run takes 10 of them; 10 more fit, once.
    hall = StorageLocationFactory(hub=hub, name="Hall", capacity_litres=Decimal(32))
    stock(hall, water, 20)
    run = make_run(
        hub=hub,
        driver=volunteer,
        user=coordinator,
        stops=[(DestinationFactory(hub=hub), [(water, 10)])],
    )
    run_dispatch(run=run, user=coordinator)
    stop = run.stops.get()
    [line] = stop.lines.all()

    results = run_at_once(
        [
            lambda: stop_deliver(
                stop=stop, user=volunteer, received_by="", note="Closed", returned={line.pk: 10}
            ),
            lambda: dropoff_log(
                hub=hub,
                user=volunteer,
                lines=[DropoffLineInput(water, 10, location=hall)],
                idempotency_key="race",
            ),
        ]
    )

    refused = [r for r in results if isinstance(r, UserError)]
    assert len(refused) == 1 and not [
        r for r in results if isinstance(r, Exception) and not isinstance(r, UserError)
    ], results
    assert "has no room" in str(refused[0]) or "no location with room" in str(refused[0])
    hall = StorageLocation.objects.get(pk=hall.pk)
    assert (qty(water, hall), hall.used_litres) == (20, hall.capacity_litres)
    assert_ledger_matches_balances()
