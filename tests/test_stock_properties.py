"""A stateful property test of the stock services on the real database: hypothesis drives
random sequences of receive, remove (first-expired-first-out and by date), transfer (also
between hubs), adjust, count, void, retries, dispatching a delivery run and settling its
stop with what came back, and changes of an item's unit volume, against a model of what
the stock should be. After every step, every balance is non-negative, equals the sum of its
ledger rows, and equals the model; every location's litres in use equal the sum of its
balances x unit volumes, and the model's litres; each call succeeds or is refused exactly
when the model says it should.

The hubs, catalog and people are made once; each example runs in a savepoint of the test's
transaction that is rolled back after it, so examples start from the same empty stock."""

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from deliveries.models import DestinationKind, Stop
from deliveries.services import run_cancel, run_create, run_dispatch, stop_add, stop_deliver
from hub.roles import Role
from inventory.models import MovementKind, StockBalance, StockMovement, StorageLocation
from inventory.selectors import fill_mismatch_list, ledger_mismatch_list
from inventory.services import (
    InsufficientStock,
    StockError,
    StockLine,
    item_unit_volume_change,
    stock_adjust,
    stock_count,
    stock_receive,
    stock_remove,
    stock_transfer,
    stock_void,
)
from tests.factories import (
    DestinationFactory,
    HubFactory,
    ItemFactory,
    StorageLocationFactory,
    UserFactory,
)

ITEMS = ("water", "beans")  # beans track expiry dates; water does not
LOCATIONS = (0, 1, 2)  # 0 and 1 at one hub, 2 at another
EXPIRIES = (date(2026, 1, 31), date(2026, 3, 31), date(2026, 6, 30))

items = st.sampled_from(ITEMS)
locations = st.sampled_from(LOCATIONS)
quantities = st.integers(min_value=1, max_value=40)
expiry_or_none = st.one_of(st.none(), st.sampled_from(EXPIRIES))


@dataclass
class Operation:
    """A call on record, as the model saw it: what it changed, to void it later."""

    first: StockMovement
    changes: list[tuple[str, int, date | None, int]]  # (item, location, expiry, delta)
    is_void: bool = False
    voided: bool = False


@dataclass
class World:
    """What every example shares: two hubs, their storage, the catalog, the people."""

    locations: list
    items: dict
    coordinator: object
    destinations: dict  # "shelter" of hub 0, and "hub" (hub 1, by a run of hub 0)

    @classmethod
    def make(cls) -> "World":
        hubs = [HubFactory(), HubFactory()]
        coordinator = UserFactory(role=Role.COORDINATOR, hubs=hubs)
        return cls(
            locations=[
                StorageLocationFactory(hub=hubs[0], capacity_litres=Decimal("100000")),
                StorageLocationFactory(hub=hubs[0], capacity_litres=Decimal("100000")),
                StorageLocationFactory(hub=hubs[1], capacity_litres=Decimal("100000")),
            ],
            items={
                "water": ItemFactory(unit_volume_litres=Decimal("1.6")),
                "beans": ItemFactory(unit_volume_litres=Decimal("0.5"), tracks_expiry=True),
            },
            coordinator=coordinator,
            destinations={
                "shelter": DestinationFactory(hub=hubs[0]),
                "hub": DestinationFactory(
                    hub=hubs[0], kind=DestinationKind.OTHER_HUB, receiving_hub=hubs[1]
                ),
            },
        )


def fefo_key(expiry: date | None) -> tuple:
    return (expiry is None, expiry or date.min)


class StockMachine(RuleBasedStateMachine):
    world: World  # set by the test

    def __init__(self):
        super().__init__()
        # A savepoint per example, rolled back in teardown: the next starts from nothing.
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.locations, self.items = self.world.locations, self.world.items
        self.stock: dict[tuple[str, int, date | None], int] = {}
        self.operations: list[Operation] = []
        self.last_call = None
        self.out: list[tuple[Stop, str, int]] = []  # stops out for delivery: item, quantity

    def teardown(self):
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)
        for item in self.items.values():  # a volume changed in the example is rolled back
            item.refresh_from_db()

    # --- the model ------------------------------------------------------------------------

    def expiry(self, item: str, drawn: date | None) -> date | None:
        return drawn if item == "beans" else None

    def fefo(self, item: str, location: int, quantity: int):
        """The model's picking: soonest expiry first, undated last; None if short."""
        buckets = sorted(
            (k for k, q in self.stock.items() if k[0] == item and k[1] == location and q),
            key=lambda k: (k[2] is None, k[2] or date.min),
        )
        taken, wanted = [], quantity
        for key in buckets:
            take = min(wanted, self.stock[key])
            taken.append((key[2], take))
            wanted -= take
            if not wanted:
                return taken
        return None

    def picks(self, item: str, location: int, quantity: int, expiry: date | None):
        if item == "beans" and expiry is None:
            return self.fefo(item, location, quantity)
        if self.stock.get((item, location, expiry), 0) < quantity:
            return None
        return [(expiry, quantity)]

    def apply(self, changes) -> None:
        for item, location, expiry, delta in changes:
            key = (item, location, expiry)
            self.stock[key] = self.stock.get(key, 0) + delta
            assert self.stock[key] >= 0

    def record(self, movements, changes, **kwargs) -> None:
        self.apply(changes)
        self.operations.append(Operation(movements[0], changes, **kwargs))

    def call(self, service, expect_ok: bool, changes, **kwargs) -> None:
        """Call the service with a fresh key; it must fail exactly when the model says."""
        key = uuid.uuid4().hex
        if not expect_ok:
            with pytest.raises(StockError):
                service(idempotency_key=key, user=None, **kwargs)
            return
        movements = service(idempotency_key=key, user=None, **kwargs)
        self.record(movements, changes)
        self.last_call = (service, key, kwargs, [m.pk for m in movements])

    def line(self, item, location, quantity, expiry) -> StockLine:
        return StockLine(self.items[item], self.locations[location], quantity, expiry)

    # --- rules ----------------------------------------------------------------------------

    @rule(item=items, location=locations, quantity=quantities, drawn=expiry_or_none)
    def receive(self, item, location, quantity, drawn):
        expiry = self.expiry(item, drawn)
        self.call(
            stock_receive,
            True,
            [(item, location, expiry, quantity)],
            lines=[self.line(item, location, quantity, expiry)],
        )

    @rule(
        item=items,
        location=locations,
        quantity=quantities,
        drawn=expiry_or_none,
        kind=st.sampled_from([MovementKind.DELIVERED, MovementKind.DISCARDED]),
    )
    def remove(self, item, location, quantity, drawn, kind):
        """By date when one is drawn, first-expired-first-out when not."""
        expiry = self.expiry(item, drawn)
        taken = self.picks(item, location, quantity, expiry)
        self.call(
            stock_remove,
            taken is not None,
            [(item, location, e, -q) for e, q in taken or []],
            lines=[self.line(item, location, quantity, expiry)],
            kind=kind,
        )

    @rule(item=items, source=locations, to=locations, quantity=quantities, drawn=expiry_or_none)
    def transfer(self, item, source, to, quantity, drawn):
        expiry = self.expiry(item, drawn)
        taken = self.picks(item, source, quantity, expiry)
        changes = []
        for e, q in taken or []:
            changes += [(item, source, e, -q), (item, to, e, q)]
        self.call(
            stock_transfer,
            taken is not None and source != to,
            changes,
            item=self.items[item],
            from_location=self.locations[source],
            to_location=self.locations[to],
            quantity=quantity,
            expiry_date=expiry,
        )

    @rule(
        item=items,
        location=locations,
        delta=st.integers(min_value=-40, max_value=40).filter(bool),
        drawn=expiry_or_none,
    )
    def adjust(self, item, location, delta, drawn):
        expiry = self.expiry(item, drawn)
        self.call(
            stock_adjust,
            self.stock.get((item, location, expiry), 0) + delta >= 0,
            [(item, location, expiry, delta)],
            item=self.items[item],
            location=self.locations[location],
            delta=delta,
            reason="property test",
            expiry_date=expiry,
        )

    @rule(
        item=items,
        location=locations,
        counted=st.integers(min_value=0, max_value=60),
        drawn=expiry_or_none,
    )
    def count(self, item, location, counted, drawn):
        expiry = self.expiry(item, drawn)
        delta = counted - self.stock.get((item, location, expiry), 0)
        self.call(
            stock_count,
            True,
            [(item, location, expiry, delta)],
            item=self.items[item],
            location=self.locations[location],
            counted_quantity=counted,
            expiry_date=expiry,
        )

    @precondition(lambda self: self.operations)
    @rule(pick=st.integers(min_value=0))
    def void(self, pick):
        """Void an earlier operation: refused for a void, a second void, an operation that
        changed nothing, or one whose goods have left since."""
        operation = self.operations[pick % len(self.operations)]
        reversal = [(i, loc, e, -d) for i, loc, e, d in operation.changes if d]
        running = dict(self.stock)
        fits = True
        for item, location, expiry, delta in reversal:
            running[(item, location, expiry)] = running.get((item, location, expiry), 0) + delta
            fits = fits and running[(item, location, expiry)] >= 0
        expect_ok = fits and reversal and not operation.is_void and not operation.voided
        key = uuid.uuid4().hex
        if not expect_ok:
            with pytest.raises(StockError) as refused:
                stock_void(
                    movement=operation.first, user=None, reason="property", idempotency_key=key
                )
            assert isinstance(refused.value, InsufficientStock) == (
                not fits and bool(reversal) and not operation.is_void and not operation.voided
            )
            return
        movements = stock_void(
            movement=operation.first, user=None, reason="property", idempotency_key=key
        )
        operation.voided = True
        self.record(movements, reversal, is_void=True)

    @precondition(lambda self: self.last_call)
    @rule()
    def retry(self):
        """The last successful call again with its key (a double tap): the first result,
        nothing more stored, whatever the stock is now."""
        service, key, kwargs, pks = self.last_call
        before = StockMovement.objects.count()
        again = service(idempotency_key=key, user=None, **kwargs)
        assert [m.pk for m in again] == pks
        assert StockMovement.objects.count() == before

    # --- delivery runs --------------------------------------------------------------------

    def changes_of(self, key: str) -> list[tuple[str, int, date | None, int]]:
        """What the operation recorded under `key` (stored after its hubs) did, in the
        model's terms."""
        first = StockMovement.objects.filter(idempotency_key__endswith=f":{key}").first()
        if first is None:
            return []
        names = {item.pk: name for name, item in self.items.items()}
        places = {location.pk: n for n, location in enumerate(self.locations)}
        return [
            (names[m.item_id], places[m.location_id], m.expiry_date, m.quantity)
            for m in StockMovement.objects.filter(operation=first.operation)
        ]

    @rule(item=items, quantity=quantities, to=st.sampled_from(["shelter", "hub"]))
    def dispatch(self, item, quantity, to):
        """A run of hub 0 with one stop: out for delivery takes it from any of the hub's
        locations, soonest expiry first, or nothing when the hub is short."""
        world = self.world
        run = run_create(
            hub=self.locations[0].hub,
            driver=world.coordinator,
            vehicle="Van",
            planned_at=timezone.make_aware(datetime(2026, 1, 10, 9)),
            user=world.coordinator,
        )
        stop = stop_add(
            run=run,
            destination=world.destinations[to],
            lines=[(self.items[item], quantity)],
            user=world.coordinator,
        )
        at_hub = {k: q for k, q in self.stock.items() if k[0] == item and k[1] in (0, 1) and q}
        if sum(at_hub.values()) < quantity:
            with pytest.raises(StockError):
                run_dispatch(run=run, user=world.coordinator)
            # Left as a draft it would hold the stock for later runs; the coordinator drops it.
            run_cancel(run=run, user=world.coordinator)
            return
        run_dispatch(run=run, user=world.coordinator)
        changes = self.changes_of(f"run-{run.pk}-dispatch")
        assert all(delta < 0 and location in (0, 1) for _i, location, _e, delta in changes)
        assert -sum(delta for *_key, delta in changes) == quantity
        self.apply(changes)
        left = [k[2] for k, q in self.stock.items() if k[0] == item and k[1] in (0, 1) and q]
        if left:  # first-expired-first-out across the hub's locations
            assert max(fefo_key(e) for _i, _l, e, _d in changes) <= min(map(fefo_key, left))
        self.out.append((stop, to, quantity))

    @precondition(lambda self: self.out)
    @rule(pick=st.integers(min_value=0), share=st.fractions(min_value=0, max_value=1))
    def deliver(self, pick, share):
        """The stop is marked with part of its goods brought back: they go back into stock;
        at another hub, the rest stays in transit (received there by hand, not here)."""
        stop, _to, quantity = self.out.pop(pick % len(self.out))
        back = int(quantity * share)
        [line] = stop.lines.all()
        stop_deliver(
            stop=stop,
            user=self.world.coordinator,
            received_by="Pat" if back < quantity else "",
            note="",
            returned={line.pk: back},
        )
        changes = self.changes_of(f"stop-{stop.pk}-settle")
        returned = sum(d for _i, location, _e, d in changes if location in (0, 1))
        arrived = sum(d for _i, location, _e, d in changes if location == 2)
        assert all(delta > 0 for *_key, delta in changes)
        assert (returned, arrived) == (back, 0)
        self.apply(changes)

    @rule(item=items, volume=st.sampled_from(["0.25", "0.5", "1.6", "2", "12.125"]))
    def change_volume(self, item, volume):
        """The catalog corrects how big a unit is: the locations holding it are refilled."""
        item_unit_volume_change(item=self.items[item], unit_volume_litres=Decimal(volume))

    # --- after every step -----------------------------------------------------------------

    @invariant()
    def balances_equal_their_ledger_and_the_model(self):
        assert ledger_mismatch_list() == []
        stored = {
            (b.item_id, b.location_id, b.expiry_date): b.quantity
            for b in StockBalance.objects.filter(quantity__gt=0)
        }
        assert all(b.quantity >= 0 for b in StockBalance.objects.all())
        expected = {
            (self.items[i].pk, self.locations[loc].pk, e): q
            for (i, loc, e), q in self.stock.items()
            if q
        }
        assert stored == expected

    @invariant()
    def locations_hold_the_litres_of_their_stock(self):
        assert fill_mismatch_list() == []
        litres = [Decimal(0)] * len(self.locations)
        for (item, location, _expiry), quantity in self.stock.items():
            litres[location] += quantity * self.items[item].unit_volume_litres
        assert [
            StorageLocation.objects.get(pk=loc.pk).used_litres for loc in self.locations
        ] == litres


@pytest.mark.django_db
def test_it_keeps_every_balance_non_negative_and_equal_to_its_ledger():
    StockMachine.world = World.make()
    run_state_machine_as_test(
        StockMachine,
        settings=hypothesis_settings(
            max_examples=30,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
