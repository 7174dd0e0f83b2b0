"""`manage.py bench_data --size small|large|xlarge`: a generated network for the benchmarks
(bench/): hubs, storage, a catalog, people, destinations with needs, delivery runs, and a ledger of
dropoffs and deliveries, written by COPY.

It fills an empty database only and refuses one that has a hub already, so generated rows can
never mix with a real hub's ledger (run it twice: the second run stops and changes nothing).
Balances are inserted as the sums of the ledger rows by one INSERT ... SELECT ... GROUP BY,
so every balance equals its ledger by construction; a delivery never takes more than the
dropoff line it follows put in, so no balance is negative at any point of the ledger.
Each location's capacity is then set so that it is half full, under every threshold.

Everyone's password is BENCH_PASSWORD; usernames are bench-volunteer-<n> and
bench-coordinator-<n> for hub n (member of that hub only), and bench-admin (every hub).
"""

import contextlib
import json
import random
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from deliveries.models import (
    Destination,
    DestinationKind,
    DestinationNeed,
    Run,
    RunStatus,
    Stop,
    StopLine,
    StopStatus,
)
from hub.models import Dropoff, Hub, Membership, Outcome
from hub.roles import Role
from inventory.models import (
    Category,
    Item,
    MovementKind,
    StockBalance,
    StorageLocation,
    Unit,
    balances_reorder,
)
from inventory.search import search_text
from inventory.services import stock_key_scoped
from operations.management.commands.seed_demo import CATEGORIES

BENCH_PASSWORD = "bench-password"  # noqa: S105 - generated benchmark data only


@dataclass(frozen=True)
class Size:
    hubs: int
    locations_per_hub: int
    items: int
    movements: int
    runs_per_hub: int


SIZES = {
    "tiny": Size(hubs=2, locations_per_hub=2, items=30, movements=300, runs_per_hub=2),
    "small": Size(hubs=2, locations_per_hub=5, items=100, movements=1_000, runs_per_hub=5),
    "large": Size(hubs=10, locations_per_hub=5, items=2_000, movements=1_000_000, runs_per_hub=50),
    # A network of a whole region after months: pages must read no more here than at large.
    "xlarge": Size(
        hubs=50, locations_per_hub=5, items=2_000, movements=10_000_000, runs_per_hub=50
    ),
}

HISTORY = timedelta(days=60)
DELIVERED_SHARE = 0.2  # of dropoff lines, partly delivered again later
TARGET_FILL = Decimal("0.5")
VOLUMES = ("0.1", "0.2", "0.5", "1", "2", "4.5", "10", "20")
EXPIRING = {"water", "food", "baby", "medical"}
CHUNK = 20_000  # movements held in memory before they are spooled


class Command(BaseCommand):
    help = "Fill an empty database with a generated network for the benchmarks (COPY)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--size", choices=sorted(SIZES), default="small")
        parser.add_argument("--seed", type=int, default=8, help="the same seed, the same data")

    def handle(self, *args, size: str, seed: int, **options) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("bench_data writes with COPY: it needs PostgreSQL.")
        if Hub.objects.exists():
            raise CommandError(
                "This database has hubs already: bench_data only fills an empty database."
            )
        started = time.monotonic()
        generator = Generator(size=SIZES[size], rng=random.Random(seed))  # noqa: S311 - not a secret
        with transaction.atomic():
            counts = generator.run()
        with connection.cursor() as cursor:
            # As autovacuum leaves a database that has run for a while: statistics, and the
            # visibility map without which no index-only scan is priced as one (the
            # dashboard's chart then reads the network's day by the created_at index). VACUUM
            # cannot run inside a transaction, as in a test: there, the statistics only.
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(f"Generated the {size} data set in {elapsed:.1f} s: ")
            + ", ".join(f"{n:,} {what}" for what, n in counts.items())
        )


class Generator:
    def __init__(self, *, size: Size, rng: random.Random):
        self.size, self.rng = size, rng
        self.now = datetime.now(tz=UTC).replace(microsecond=0)

    def run(self) -> dict[str, int]:
        self.hubs = self._hubs()
        self.locations = self._locations()
        self.items = self._items()
        self.volunteers, self.coordinators = self._users()
        destinations = self._destinations()
        runs = self._runs(destinations=destinations)
        dropoffs, lines, movements = self._ledger()
        balances = self._balances()
        self._capacities()
        return {
            "hubs": len(self.hubs),
            "locations": sum(len(locs) for locs in self.locations.values()),
            "items": len(self.items),
            "dropoffs": dropoffs,
            "dropoff lines": lines,
            "ledger rows": movements,
            "balances": balances,
            "delivery runs": runs,
        }

    # --- the network ---------------------------------------------------------------------

    def _hubs(self) -> list[Hub]:
        return Hub.objects.bulk_create(
            Hub(
                name=f"Bench Hub {n:02d}",
                slug=f"bench-{n:02d}",
                address=f"{100 + n} Bench Street, Los Angeles, CA",
                opening_hours="Daily 8:00-20:00",
                # Spread over the Los Angeles basin, for "nearest hub" suggestions.
                latitude=Decimal("34.0000") + Decimal(n) / 50,
                longitude=Decimal("-118.4000") + Decimal(n) / 40,
            )
            for n in range(1, self.size.hubs + 1)
        )

    def _locations(self) -> dict[int, list[StorageLocation]]:
        created = StorageLocation.objects.bulk_create(
            StorageLocation(hub=hub, name=f"Storage {chr(ord('A') + n)}", capacity_litres=5000)
            for hub in self.hubs
            for n in range(self.size.locations_per_hub)
        )
        by_hub: dict[int, list[StorageLocation]] = {hub.pk: [] for hub in self.hubs}
        for location in created:
            by_hub[location.hub_id].append(location)
        return by_hub

    def _items(self) -> list[Item]:
        Category.objects.bulk_create(
            [Category(code=code, name=name, sort_order=order) for code, name, order in CATEGORIES],
            ignore_conflicts=True,
        )
        categories = list(Category.objects.filter(code__in=[c for c, _n, _o in CATEGORIES]))
        units = list(Unit.values)
        return Item.objects.bulk_create(
            Item(
                name=f"Bench {category.name} {n:04d}",
                category=category,
                unit=units[n % len(units)],
                unit_volume_litres=Decimal(VOLUMES[n % len(VOLUMES)]),
                tracks_expiry=category.code in EXPIRING,
                search_text=search_text(f"Bench {category.name} {n:04d}", category.name),
            )
            for n in range(self.size.items)
            for category in [categories[n % len(categories)]]
        )

    def _users(self) -> tuple[dict[int, User], dict[int, User]]:
        password = make_password(BENCH_PASSWORD)  # hashed once: hashing is slow on purpose
        people = []
        for n, hub in enumerate(self.hubs, start=1):
            people += [
                (User(username=f"bench-volunteer-{n}", password=password), Role.VOLUNTEER, [hub]),
                (
                    User(username=f"bench-coordinator-{n}", password=password),
                    Role.COORDINATOR,
                    [hub],
                ),
            ]
        people.append((User(username="bench-admin", password=password), Role.ADMIN, self.hubs))
        User.objects.bulk_create(user for user, _role, _hubs in people)
        groups = {group.name: group for group in Group.objects.all()}
        User.groups.through.objects.bulk_create(
            User.groups.through(user_id=user.pk, group_id=groups[role.value].pk)
            for user, role, _hubs in people
        )
        Membership.objects.bulk_create(
            Membership(user=user, hub=hub) for user, _role, hubs in people for hub in hubs
        )
        volunteers = {hub.pk: user for (user, _r, [hub]) in people[:-1:2]}
        coordinators = {hub.pk: user for (user, _r, [hub]) in people[1::2]}
        return volunteers, coordinators

    def _destinations(self) -> dict[int, list[Destination]]:
        kinds = [DestinationKind.SHELTER, DestinationKind.CHURCH, DestinationKind.CAMP]
        rows = Destination.objects.bulk_create(
            Destination(
                hub=hub,
                name=f"{kinds[n % len(kinds)].label.title()} {n + 1}",
                kind=kinds[n % len(kinds)],
                address=f"{n + 1} Shelter Road",
                contact_name="Site lead",
            )
            for hub in self.hubs
            for n in range(5)
        )
        DestinationNeed.objects.bulk_create(
            DestinationNeed(destination=destination, item=item, quantity=self.rng.randint(10, 200))
            for destination in rows
            for item in self.rng.sample(self.items, 3)
        )
        by_hub: dict[int, list[Destination]] = {hub.pk: [] for hub in self.hubs}
        for destination in rows:
            by_hub[destination.hub_id].append(destination)
        return by_hub

    def _runs(self, *, destinations: dict[int, list[Destination]]) -> int:
        """Past runs, delivered, and the newest of each hub still a draft. Runs only read
        here: the stock they carried is not in the ledger."""
        runs = []
        for hub in self.hubs:
            for n in range(self.size.runs_per_hub):
                planned = self.now - HISTORY + HISTORY * (n + 1) / (self.size.runs_per_hub + 1)
                draft = n == self.size.runs_per_hub - 1
                runs.append(
                    Run(
                        hub=hub,
                        driver=self.volunteers[hub.pk],
                        vehicle="Van",
                        planned_at=planned,
                        status=RunStatus.DRAFT if draft else RunStatus.DELIVERED,
                        created_by=self.coordinators[hub.pk],
                        dispatched_at=None if draft else planned,
                        dispatched_by=None if draft else self.coordinators[hub.pk],
                        finished_at=None if draft else planned + timedelta(hours=3),
                    )
                )
        runs = Run.objects.bulk_create(runs)
        stops = Stop.objects.bulk_create(
            Stop(
                run=run,
                destination=destination,
                position=position,
                status=StopStatus.PENDING
                if run.status == RunStatus.DRAFT
                else StopStatus.DELIVERED,
                received_by="" if run.status == RunStatus.DRAFT else "Site lead",
                delivered_at=None if run.status == RunStatus.DRAFT else run.finished_at,
                delivered_by=None if run.status == RunStatus.DRAFT else run.driver,
            )
            for run in runs
            for position, destination in enumerate(
                self.rng.sample(destinations[run.hub_id], 3), start=1
            )
        )
        StopLine.objects.bulk_create(
            StopLine(stop=stop, item=item, quantity=self.rng.randint(5, 50))
            for stop in stops
            for item in self.rng.sample(self.items, 4)
        )
        return len(runs)

    # --- the ledger ----------------------------------------------------------------------

    def _ledger(self) -> tuple[int, int, int]:
        """Dropoffs in time order, their lines, a `received` movement per accepted line, and
        for some lines a later `delivered` movement of part of it."""
        rng, size = self.rng, self.size
        dropoff_type = ContentType.objects.get_for_model(Dropoff).pk
        # Some items are given far more often than others (water, not folding cots).
        weights, total = [], 0.0
        for rank in range(len(self.items)):
            total += 1 / (rank + 5)
            weights.append(total)
        expiries = [(self.now + timedelta(days=30 * n)).date().isoformat() for n in (2, 4, 8, 12)]
        start = self.now - HISTORY

        dropoff_id = _next_id("hub_dropoff")
        line_id = _next_id("hub_dropoffline")
        movement_id = _next_id("inventory_stockmovement")
        first = dropoff_id, line_id, movement_id
        dropoffs: list[tuple[Any, ...]] = []
        lines: list[tuple[Any, ...]] = []
        movements: list[tuple[Any, ...]] = []
        spools = (
            Spool("hub_dropoff", DROPOFF_COLUMNS),
            Spool("hub_dropoffline", LINE_COLUMNS),
            Spool("inventory_stockmovement", MOVEMENT_COLUMNS),
        )
        n = 0
        while movement_id - first[2] < size.movements:
            hub = self.hubs[n % len(self.hubs)]
            locations = self.locations[hub.pk]
            volunteer = self.volunteers[hub.pk].pk
            # Time runs with the ledger's length, so the history spans HISTORY evenly.
            at = start + HISTORY * ((movement_id - first[2]) / size.movements)
            key = uuid.uuid4().hex
            operation = uuid.uuid4()
            dropoffs.append((dropoff_id, hub.pk, volunteer, at.isoformat(), key, "", "", False))
            first_movement = True
            chosen = {
                rng.choices(range(len(self.items)), cum_weights=weights)[0]
                for _ in range(rng.randint(1, 5))
            }
            for index in chosen:
                item = self.items[index]
                quantity = rng.randint(1, 24)
                expiry = rng.choice(expiries) if item.tracks_expiry else None
                roll = rng.random()
                if roll < 0.03:
                    outcome, location, redirected = Outcome.DECLINED, None, None
                elif roll < 0.05 and len(self.hubs) > 1:
                    other = self.hubs[(n + 1) % len(self.hubs)]
                    outcome, location, redirected = Outcome.REDIRECTED, None, other.pk
                else:
                    # Each item has its place in a hub, sometimes a second one.
                    place = (index + (rng.random() < 0.2)) % len(locations)
                    outcome, location, redirected = Outcome.ACCEPTED, locations[place], None
                lines.append(
                    (
                        line_id,
                        dropoff_id,
                        item.pk,
                        quantity,
                        expiry,
                        outcome,
                        location.pk if location else None,
                        redirected,
                        False,
                    )
                )
                line_id += 1
                if location is None:
                    continue
                movements.append(
                    (
                        movement_id,
                        MovementKind.RECEIVED,
                        item.pk,
                        location.pk,
                        quantity,
                        expiry,
                        volunteer,
                        at.isoformat(),
                        f"Dropoff #{dropoff_id}",
                        "dropoff",
                        json.dumps({"number": dropoff_id}),
                        operation,
                        (
                            stock_key_scoped(key=f"dropoff:{key}", hub_ids=[location.hub_id])
                            if first_movement
                            else None
                        ),
                        dropoff_type,
                        dropoff_id,
                    )
                )
                movement_id += 1
                first_movement = False
                if rng.random() < DELIVERED_SHARE:
                    later = min(at + timedelta(hours=rng.randint(1, 72)), self.now)
                    movements.append(
                        (
                            movement_id,
                            MovementKind.DELIVERED,
                            item.pk,
                            location.pk,
                            -rng.randint(1, quantity),
                            expiry,
                            self.coordinators[hub.pk].pk,
                            later.isoformat(),
                            "Delivered to a shelter",
                            "",
                            "{}",
                            uuid.uuid4(),
                            None,
                            None,
                            None,
                        )
                    )
                    movement_id += 1
            dropoff_id += 1
            n += 1
            if len(movements) >= CHUNK:
                for spool, rows in zip(spools, (dropoffs, lines, movements), strict=True):
                    spool.write(rows)
        with connection.cursor() as cursor, _bulk_load(cursor, [s.table for s in spools]):
            for spool, rows in zip(spools, (dropoffs, lines, movements), strict=True):
                spool.write(rows)
                spool.load(cursor)
            for table, last in (
                ("hub_dropoff", dropoff_id - 1),
                ("hub_dropoffline", line_id - 1),
                ("inventory_stockmovement", movement_id - 1),
            ):
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, max(last, 1)]
                )
        return dropoff_id - first[0], line_id - first[1], movement_id - first[2]

    def _balances(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO inventory_stockbalance"
                " (item_id, location_id, expiry_date, quantity, hub_id, sort_key)"
                " SELECT m.item_id, m.location_id, m.expiry_date, SUM(m.quantity), l.hub_id, ''"
                " FROM inventory_stockmovement m"
                " JOIN inventory_storagelocation l ON l.id = m.location_id"
                " GROUP BY m.item_id, m.location_id, m.expiry_date, l.hub_id"
            )
            created = cursor.rowcount
        # Their place in the stock page's order, as the catalog's saves write it.
        balances_reorder(balances=StockBalance.objects.all())
        return created

    def _capacities(self) -> None:
        """Each location's litres in use, and its capacity set so that it is half full:
        generated stock never trips a threshold by itself."""
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE inventory_storagelocation AS l"
                " SET capacity_litres = GREATEST(CEIL(u.used / %s), 1000), used_litres = u.used"
                " FROM (SELECT b.location_id, SUM(b.quantity * i.unit_volume_litres) AS used"
                "       FROM inventory_stockbalance b"
                "       JOIN inventory_item i ON i.id = b.item_id"
                "       GROUP BY b.location_id) AS u"
                " WHERE l.id = u.location_id",
                [TARGET_FILL],
            )


DROPOFF_COLUMNS = (
    "id",
    "hub_id",
    "logged_by_id",
    "logged_at",
    "idempotency_key",
    "donor_name",
    "donor_contact",
    "donor_consent",
)
LINE_COLUMNS = (
    "id",
    "dropoff_id",
    "item_id",
    "quantity",
    "expiry_date",
    "outcome",
    "location_id",
    "redirected_to_id",
    "expired_accepted",
)
MOVEMENT_COLUMNS = (
    "id",
    "kind",
    "item_id",
    "location_id",
    "quantity",
    "expiry_date",
    "created_by_id",
    "created_at",
    "reason",
    "reason_code",
    "reason_params",
    "operation",
    "idempotency_key",
    "source_type_id",
    "source_id",
)


class Spool:
    """The rows of one table, spooled to a temporary file as COPY text (tab-separated, \\N
    for NULL; generated values hold no tabs, newlines or backslashes), then loaded by one
    COPY: a connection runs one COPY at a time, and the rows of three tables come together."""

    def __init__(self, table: str, columns: tuple[str, ...]):
        self.table, self.columns = table, columns
        self.file = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115

    def write(self, rows: list[tuple]) -> None:
        self.file.write(
            "".join(
                "\t".join("\\N" if value is None else str(value) for value in row) + "\n"
                for row in rows
            )
        )
        rows.clear()

    def load(self, cursor) -> None:
        self.file.seek(0)
        columns = ", ".join(self.columns)
        with cursor.copy(f"COPY {self.table} ({columns}) FROM STDIN") as copy:
            while chunk := self.file.read(1 << 20):
                copy.write(chunk)
        self.file.close()


@contextlib.contextmanager
def _bulk_load(cursor, tables: list[str]):
    """What pg_restore does: load the tables without their secondary indexes and foreign
    keys, then build each index in one pass and check each key by one join, rather than
    updating every index and firing a key check for each of a million rows."""
    restore = []
    # Dropping a key alters the table it points to, which must have no key checks pending.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for table in tables:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = %s::regclass AND contype = 'f'",
            [table],
        )
        for name, definition in cursor.fetchall():
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            restore.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes AS i WHERE tablename = %s"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint AS c WHERE c.conname = i.indexname)",
            [table],
        )
        for name, definition in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')
            restore.insert(0, definition)  # indexes first: the key checks use them
    yield
    for statement in restore:
        cursor.execute(statement)


def _next_id(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")  # noqa: S608
        return cursor.fetchone()[0]
