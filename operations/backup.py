"""Backing up one hub, and restoring it into an empty database (`manage.py hub_dump` and
`manage.py hub_restore`).

A hub's data is everything that is about it:
- the hub itself, its storage locations, its intake settings per category, its pinned
  tiles, its webhooks;
- its people: the users who are its members or appear in its records (who logged a
  dropoff, who moved stock, who acknowledged an alert), with their roles and password
  hashes, so that they can log in after a restore;
- its dropoffs and their lines (donor details included: they were kept with consent);
- its stock ledger (the movements at its locations), its balances, capacity states and
  minimum levels;
- its alerts (fill, expiring batches, under a minimum) and their deliveries;
- its destinations, their standing needs and the requests their private links brought
  (a link's token hash comes along: the link still opens after a restore);
- its donors' pledges and their lines (a contact only where the donor agreed);
- its delivery runs, their stops and lines;
- the transfers it sent or received and their lines; the surplus it offered, the claims on
  it, and its own claims with the offers they are on (another hub's run that carries a
  transfer or a claim to it is that hub's: the row comes without that stop);
- the catalog (categories and items) and the places donors are near: they are shared by
  the network, so all of them;
- the other hubs its records point to (a line redirected there, a destination that is
  that hub, a transfer's or a claim's other end), as bare hub rows, so that the references hold.

The file is JSON in Django's serialization format, primary keys kept, users and groups by
name. It holds personal data and password hashes: keep it as safe as the database.

A restore writes the rows as they were, in one transaction: balances included, as the sum
of the ledger they were, not by replaying the ledger (the only writes of stock outside
inventory.services, checked after: balances must equal their ledger). It needs an empty,
migrated database with the same migrations as the one dumped.
"""

import json
from datetime import UTC, datetime

from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Q

from deliveries.models import (
    Destination,
    DestinationNeed,
    NeedRequest,
    Run,
    Stop,
    StopLine,
    Transfer,
    TransferLine,
)
from hub.models import (
    CategoryIntake,
    Dropoff,
    DropoffLine,
    Hub,
    Membership,
    PinnedTile,
    Place,
    Pledge,
    PledgeLine,
)
from inventory.models import (
    AlertDelivery,
    CapacityAlert,
    CapacityState,
    Category,
    Item,
    StockBalance,
    StockMinimum,
    StockMovement,
    StorageLocation,
    Webhook,
)
from inventory.selectors import fill_mismatch_list, ledger_mismatch_list
from network.models import Claim, Offer

FORMAT = "donation-hub-dump"
VERSION = 1


# Rows that may name a stop of another hub's run, which the dump does not hold.
OTHER_HUBS_STOP = {"deliveries.transfer", "network.claim"}


class BackupError(Exception):
    """A dump or restore that cannot be done; the message says why."""


def hub_dump(*, hub: Hub) -> dict:
    """Everything about the hub (see the module's docstring), as one JSON-ready dict."""
    dropoffs = Dropoff.objects.filter(hub=hub)
    lines = DropoffLine.objects.filter(dropoff__hub=hub)
    movements = StockMovement.objects.filter(location__hub=hub)
    alerts = CapacityAlert.objects.filter(hub=hub)
    destinations = Destination.objects.filter(hub=hub)
    runs, stops = Run.objects.filter(hub=hub), Stop.objects.filter(run__hub=hub)
    requests = NeedRequest.objects.filter(destination__hub=hub)
    transfers = Transfer.objects.filter(Q(from_hub=hub) | Q(to_hub=hub))
    claims = Claim.objects.filter(Q(hub=hub) | Q(offer__hub=hub))
    offers = Offer.objects.filter(Q(hub=hub) | Q(pk__in=claims.values("offer")))
    User = get_user_model()
    people = User.objects.filter(
        Q(memberships__hub=hub)
        | Q(pk__in=dropoffs.values("logged_by"))
        | Q(pk__in=dropoffs.values("undone_by"))
        | Q(pk__in=movements.values("created_by"))
        | Q(pk__in=alerts.values("acknowledged_by"))
        | Q(pk__in=runs.values("driver"))
        | Q(pk__in=runs.values("created_by"))
        | Q(pk__in=runs.values("dispatched_by"))
        | Q(pk__in=stops.values("delivered_by"))
        | Q(pk__in=requests.values("decided_by"))
        | Q(pk__in=transfers.values("created_by"))
        | Q(pk__in=offers.values("created_by"))
        | Q(pk__in=claims.values("created_by"))
    ).distinct()
    hubs = Hub.objects.filter(
        Q(pk=hub.pk)
        | Q(pk__in=lines.values("redirected_to"))
        | Q(pk__in=destinations.values("receiving_hub"))
        | Q(pk__in=Item.objects.values("created_at_hub"))
        | Q(pk__in=transfers.values("from_hub"))
        | Q(pk__in=transfers.values("to_hub"))
        | Q(pk__in=offers.values("hub"))
        | Q(pk__in=claims.values("hub"))
    )
    # In the order a restore must insert them: what is referred to before what refers.
    querysets = [
        people,
        hubs,
        Category.objects.all(),
        Item.objects.all(),
        Place.objects.all(),
        StorageLocation.objects.filter(hub=hub),
        Membership.objects.filter(hub=hub),
        CategoryIntake.objects.filter(hub=hub),
        PinnedTile.objects.filter(hub=hub),
        Webhook.objects.filter(hub=hub),
        dropoffs,
        lines,
        Pledge.objects.filter(hub=hub),
        PledgeLine.objects.filter(pledge__hub=hub),
        movements,
        StockBalance.objects.filter(location__hub=hub),
        CapacityState.objects.filter(hub=hub),
        StockMinimum.objects.filter(hub=hub),
        alerts,
        AlertDelivery.objects.filter(alert__hub=hub),
        destinations,
        DestinationNeed.objects.filter(destination__hub=hub),
        requests,
        runs,
        stops,
        StopLine.objects.filter(stop__run__hub=hub),
        transfers,
        TransferLine.objects.filter(transfer__in=transfers),
        offers,
        claims,
    ]
    objects = []
    for queryset in querysets:
        objects += json.loads(
            serializers.serialize(
                "json", queryset.order_by("pk").iterator(), use_natural_foreign_keys=True
            )
        )
    own_stops = set(stops.values_list("pk", flat=True))
    for row in objects:
        if row["model"] in OTHER_HUBS_STOP and row["fields"]["stop"] not in own_stops:
            row["fields"]["stop"] = None
    return {
        "format": FORMAT,
        "version": VERSION,
        "hub": hub.slug,
        "dumped_at": datetime.now(UTC).isoformat(),
        "migrations": _migrations(),
        "objects": objects,
    }


def hub_restore(*, data: dict) -> Hub:
    """Write a dump into this (empty, migrated) database, all or nothing. Returns the hub."""
    if data.get("format") != FORMAT or data.get("version") != VERSION:
        raise BackupError("This is not a Donation Hub dump (or one of another version).")
    if data["migrations"] != _migrations():
        raise BackupError(
            "The database's migrations differ from the dump's: "
            "migrate this database to the same release first."
        )
    if Hub.objects.exists() or get_user_model().objects.exists() or Category.objects.exists():
        raise BackupError("This database is not empty: restore into a new, migrated database.")
    with transaction.atomic():
        models = []
        for restored in serializers.deserialize("json", json.dumps(data["objects"])):
            restored.save()
            if type(restored.object) not in models:
                models.append(type(restored.object))
        # Primary keys were kept: new rows must be numbered after them.
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)
        hub = Hub.objects.get(slug=data["hub"])
        if mismatches := ledger_mismatch_list(hub=hub):
            raise BackupError(f"{len(mismatches)} balance(s) differ from their ledger.")
        if fills := fill_mismatch_list(hub=hub):
            raise BackupError(f"{len(fills)} location(s) differ from their balances.")
    return hub


def _migrations() -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connection).applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied
