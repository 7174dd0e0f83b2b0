"""Goods in transit between two hubs that tests share: a run from the hub to the other hub,
dispatched, and the receiver's hands."""

from deliveries.models import Transfer
from deliveries.services import run_dispatch
from deliveries.transfers import ArrivalLine
from inventory.models import StorageLocation
from tests.runs import Network, make_run


def sent(net: Network, *, user, driver, lines) -> Transfer:
    """Dispatch a run to the other hub carrying `lines` [(item, quantity)]: its transfer."""
    run = make_run(hub=net.hub, driver=driver, user=user, stops=[(net.to_other_hub, lines)])
    run_dispatch(run=run, user=user)
    return Transfer.objects.get(stop__run=run)


def everything_into(transfer: Transfer, location: StorageLocation) -> list[ArrivalLine]:
    """Every line in transit, counted as sent, into one location."""
    return [
        ArrivalLine(line.pk, line.in_transit, line.in_transit, location)
        for line in transfer.lines.order_by("pk")
    ]
