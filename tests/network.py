"""The network's world that tests share: West Adams with stock to offer, Pasadena with a
shelter that needs it and a coordinator to claim it."""

from dataclasses import dataclass
from decimal import Decimal

from deliveries.models import Destination, DestinationNeed
from hub.models import Hub
from hub.roles import Role
from inventory.models import StorageLocation
from tests.factories import DestinationFactory, StorageLocationFactory, UserFactory
from tests.runs import stock


@dataclass
class Neighbours:
    hub: Hub
    garage: StorageLocation
    other_hub: Hub
    other_store: StorageLocation
    shelter: Destination
    their_coordinator: object


def neighbours(hub: Hub, other_hub: Hub, water, *, room=Decimal(1000)) -> Neighbours:
    """100 waters at the hub's garage; the other hub's shelter needs 60 of them, and its
    one store has `room` litres."""
    garage = StorageLocationFactory(hub=hub, name="Garage")
    stock(garage, water, 100)
    shelter = DestinationFactory(hub=other_hub, name="Pasadena shelter")
    DestinationNeed.objects.create(destination=shelter, item=water, quantity=60)
    return Neighbours(
        hub=hub,
        garage=garage,
        other_hub=other_hub,
        other_store=StorageLocationFactory(hub=other_hub, name="Store", capacity_litres=room),
        shelter=shelter,
        their_coordinator=UserFactory(username="paz", role=Role.COORDINATOR, hubs=[other_hub]),
    )
