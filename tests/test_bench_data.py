"""The benchmarks' data generator (`manage.py bench_data`), at its tiny size."""

from dataclasses import replace
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from deliveries.models import Run, StopLine
from hub.models import Dropoff, DropoffLine, Hub, Membership
from hub.roles import Role, user_role
from inventory.models import StockBalance, StockMovement, balances_reorder
from inventory.selectors import location_fill_list
from operations.management.commands.bench_data import BENCH_PASSWORD, SIZES
from tests.ledger import assert_ledger_matches_balances

TINY = SIZES["tiny"]


def generate() -> str:
    out = StringIO()
    call_command("bench_data", size="tiny", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_it_builds_the_network_and_a_ledger_whose_sums_are_the_balances() -> None:
    output = generate()

    assert Hub.objects.count() == TINY.hubs
    assert TINY.movements <= StockMovement.objects.count() < TINY.movements + 10
    assert StockBalance.objects.exists()
    assert_ledger_matches_balances()
    # Each balance in its hub and its place in the stock page's order, as the app keeps them.
    assert not StockBalance.objects.filter(sort_key="").exists()
    assert balances_reorder(balances=StockBalance.objects.all()) == 0
    assert Run.objects.count() == TINY.hubs * TINY.runs_per_hub
    assert StopLine.objects.exists()
    assert "Generated the tiny data set" in output


@pytest.mark.django_db
def test_it_writes_a_received_movement_for_each_accepted_line() -> None:
    generate()

    accepted = DropoffLine.objects.filter(outcome="accepted")
    received = StockMovement.objects.filter(kind="received")
    assert received.count() == accepted.count()
    dropoff = Dropoff.objects.filter(lines__outcome="accepted").first()
    assert dropoff is not None
    movements = received.filter(source_id=dropoff.pk)
    assert sorted(movements.values_list("item_id", "quantity")) == sorted(
        dropoff.lines.filter(outcome="accepted").values_list("item_id", "quantity")
    )
    # The first movement of the dropoff's operation carries its key, as dropoff_log writes it.
    key = f"hub:{dropoff.hub_id}:dropoff:{dropoff.idempotency_key}"
    assert movements.filter(idempotency_key=key).count() == 1


@pytest.mark.django_db
def test_it_leaves_every_location_half_full() -> None:
    generate()

    for hub in Hub.objects.all():
        for fill in location_fill_list(hub=hub):
            assert fill.percent <= 50, fill


@pytest.mark.django_db
def test_its_people_log_in_with_the_bench_password_in_their_own_hub() -> None:
    generate()

    def login(username: str):
        request = RequestFactory().post("/accounts/login/")
        return authenticate(request, username=username, password=BENCH_PASSWORD)

    volunteer = login("bench-volunteer-1")
    coordinator = login("bench-coordinator-2")
    admin = login("bench-admin")

    assert user_role(volunteer) == Role.VOLUNTEER
    assert user_role(coordinator) == Role.COORDINATOR
    assert user_role(admin) == Role.ADMIN
    assert list(Membership.objects.filter(user=volunteer).values_list("hub__slug", flat=True)) == [
        "bench-01"
    ]
    assert Membership.objects.filter(user=admin).count() == TINY.hubs


@pytest.mark.django_db
def test_it_refuses_a_database_that_has_hubs() -> None:
    generate()
    before = StockMovement.objects.count()

    with pytest.raises(CommandError, match="only fills an empty database"):
        generate()

    assert StockMovement.objects.count() == before
    assert Hub.objects.count() == TINY.hubs


@pytest.mark.django_db
def test_it_builds_the_fifty_hubs_of_the_xlarge_network_at_a_scaled_down_ledger(
    monkeypatch,
) -> None:
    xlarge = SIZES["xlarge"]
    assert (xlarge.hubs, xlarge.movements) == (50, 10_000_000)
    scaled = replace(xlarge, locations_per_hub=1, items=40, movements=2_000, runs_per_hub=1)
    monkeypatch.setitem(SIZES, "xlarge", scaled)

    call_command("bench_data", size="xlarge", stdout=StringIO())

    assert Hub.objects.count() == 50
    assert scaled.movements <= StockMovement.objects.count() < scaled.movements + 10
    assert Run.objects.count() == 50
    assert_ledger_matches_balances()
    for hub in Hub.objects.all():
        assert all(f.percent <= 50 for f in location_fill_list(hub=hub))
