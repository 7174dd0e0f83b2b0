"""Delivery runs that tests share: a hub with two shelves, a shelter, and another hub of the
network to deliver to."""

from dataclasses import dataclass

from django.utils import timezone

from deliveries.models import Destination, DestinationKind, Run
from deliveries.services import run_create, stop_add
from hub.models import Hub
from inventory.models import StorageLocation
from inventory.services import StockLine, stock_receive
from tests.factories import DestinationFactory, StorageLocationFactory


@dataclass
class Network:
    hub: Hub
    garage: StorageLocation
    hall: StorageLocation
    shelter: Destination
    other_hub: Hub
    other_store: StorageLocation
    to_other_hub: Destination


def network(hub: Hub, other_hub: Hub) -> Network:
    return Network(
        hub=hub,
        garage=StorageLocationFactory(hub=hub, name="Garage"),
        hall=StorageLocationFactory(hub=hub, name="Hall"),
        shelter=DestinationFactory(hub=hub, name="Pasadena Convention Center"),
        other_hub=other_hub,
        other_store=StorageLocationFactory(hub=other_hub, name="Other store"),
        to_other_hub=DestinationFactory(
            hub=hub, name=other_hub.name, kind=DestinationKind.OTHER_HUB, receiving_hub=other_hub
        ),
    )


def stock(location, item, quantity, expiry=None):
    stock_receive(lines=[StockLine(item, location, quantity, expiry)], user=None)


def make_run(*, hub, driver, user, stops) -> Run:
    """A run with `stops`: [(destination, [(item, quantity), ...]), ...]."""
    run = run_create(
        hub=hub, driver=driver, vehicle="Blue pickup", planned_at=timezone.now(), user=user
    )
    for destination, lines in stops:
        stop_add(run=run, destination=destination, lines=lines, user=user)
    return run
