"""The run pages a coordinator uses: the list, a new run, its page with stops and lines,
adding a stop from suggestions, editing, moving and removing stops, and the run's state
changes (picking, dispatch, cancel) with what they refuse."""

import datetime

import pytest
from django.urls import reverse

from deliveries.models import DestinationNeed, Run, RunStatus, Stop, StopLine
from deliveries.services import run_dispatch
from inventory.models import StockBalance, StockMovement
from tests.factories import DestinationFactory, RunFactory, UserFactory
from tests.intake import HTMX, login
from tests.runs import make_run, stock


@pytest.fixture
def run(net, coordinator, volunteer, water, beans):
    stock(net.garage, water, 50)
    stock(net.hall, beans, 30, datetime.date(2030, 1, 1))
    return make_run(
        hub=net.hub,
        driver=volunteer,
        user=coordinator,
        stops=[(net.shelter, [(water, 20), (beans, 10)])],
    )


def url(name, hub, *args):
    return reverse(name, args=[hub.slug, *args])


def balances() -> dict:
    return {(b.item.name, b.location.name): b.quantity for b in StockBalance.objects.all()}


def test_it_lists_the_runs_and_filters_them_by_status(client, hub, coordinator, run):
    cancelled = RunFactory(hub=hub, status=RunStatus.CANCELLED, vehicle="Red van")
    RunFactory(vehicle="Another hub's truck")
    login(client, coordinator)

    page = client.get(url("run_list", hub)).text
    assert "Blue pickup" in page and "Red van" in page
    assert "Another hub" not in page
    assert url("delivery_report", hub) in page

    page = client.get(url("run_list", hub), {"status": "cancelled"}).text
    assert url("run_detail", hub, cancelled.pk) in page
    assert url("run_detail", hub, run.pk) not in page


def test_it_plans_a_run(client, hub, coordinator, volunteer):
    login(client, coordinator)
    page = client.get(url("run_create", hub)).text
    assert f'<option value="{volunteer.pk}">vera</option>' in page

    response = client.post(
        url("run_create", hub),
        {"driver": volunteer.pk, "vehicle": "Blue pickup", "planned_at": "2025-01-10T09:30"},
    )

    run = Run.objects.get()
    assert response["Location"] == url("run_detail", hub, run.pk)
    assert (run.hub, run.driver, run.status, run.created_by) == (
        hub,
        volunteer,
        RunStatus.DRAFT,
        coordinator,
    )
    assert run.planned_at == datetime.datetime(2025, 1, 10, 17, 30, tzinfo=datetime.UTC)


def test_it_refuses_a_driver_from_another_hub(client, hub, coordinator, outsider):
    response = login(client, coordinator).post(
        url("run_create", hub), {"driver": outsider.pk, "planned_at": "2025-01-10T09:30"}
    )

    assert "Choose the driver among the hub&#x27;s members." in response.text
    assert not Run.objects.exists()


def test_it_refuses_a_run_without_a_time(client, hub, coordinator, volunteer):
    response = login(client, coordinator).post(
        url("run_create", hub), {"driver": volunteer.pk, "planned_at": "tomorrow"}
    )

    assert "Enter a date and a time" in response.text
    assert not Run.objects.exists()


def test_it_edits_a_run(client, hub, coordinator, run):
    response = login(client, coordinator).post(
        url("run_edit", hub, run.pk),
        {"driver": coordinator.pk, "vehicle": "Red van", "planned_at": "2025-01-11T08:00"},
    )

    assert response["Location"] == url("run_detail", hub, run.pk)
    run.refresh_from_db()
    assert (run.driver, run.vehicle) == (coordinator, "Red van")


def test_it_shows_a_run_with_its_stops_and_lines(client, hub, coordinator, run, net, water):
    page = login(client, coordinator).get(url("run_detail", hub, run.pk)).text

    assert "Pasadena Convention Center" in page
    assert "Bottled water 1.5 L" in page and "Canned beans" in page
    for action in ("run_picking_start", "run_dispatch", "run_cancel", "run_pick_list"):
        assert url(action, hub, run.pk) in page
    # The destinations a new stop may go to: not the one already on the run.
    assert f'<option value="{net.to_other_hub.pk}">' in page
    assert f'<option value="{net.shelter.pk}">' not in page


def test_it_warns_of_a_shortfall_before_dispatch(client, hub, coordinator, run, beans):
    StopLine.objects.filter(item=beans).update(quantity=45)

    page = login(client, coordinator).get(url("run_detail", hub, run.pk)).text

    assert "Canned beans: short by 15 (45 needed, 30 in stock)" in page


def test_it_suggests_a_stops_lines_from_the_needs(client, hub, coordinator, run, net, water):
    DestinationNeed.objects.create(destination=net.to_other_hub, item=water, quantity=40)

    page = (
        login(client, coordinator)
        .get(url("stop_create", hub, run.pk), {"destination": net.to_other_hub.pk})
        .text
    )

    # 50 in stock, 20 already on the run: 30 free for a need of 40.
    assert f'<input type="hidden" name="item" value="{water.pk}">' in page
    assert 'name="quantity" min="0" inputmode="numeric" value="30"' in page


def test_it_adds_a_stop_dropping_lines_set_to_zero(
    client, hub, coordinator, run, net, water, beans
):
    response = login(client, coordinator).post(
        url("stop_create", hub, run.pk),
        {
            "destination": net.to_other_hub.pk,
            "item": [water.pk, beans.pk, ""],
            "quantity": ["12", "0", ""],
            "action": "save",
        },
    )

    assert response["Location"] == url("run_detail", hub, run.pk)
    stop = Stop.objects.get(destination=net.to_other_hub)
    assert stop.position == 2
    assert [(line.item, line.quantity) for line in stop.lines.all()] == [(water, 12)]


def test_it_gives_another_line_row_without_javascript(client, hub, coordinator, run, net, water):
    response = login(client, coordinator).post(
        url("stop_create", hub, run.pk),
        {
            "destination": net.to_other_hub.pk,
            "item": [water.pk],
            "quantity": ["5"],
            "action": "more",
        },
    )

    assert response.status_code == 200
    assert response.text.count('<select name="item"') == 1
    assert 'value="5"' in response.text
    assert Stop.objects.count() == 1


def test_it_gives_another_line_row_with_htmx(client, hub, coordinator, run, water):
    response = login(client, coordinator).get(url("stop_line_row", hub, run.pk), headers=HTMX)

    assert response.text.strip().startswith("<tr>")
    assert f'<option value="{water.pk}">Bottled water 1.5 L</option>' in response.text


@pytest.mark.parametrize(
    ("item", "quantity", "message"),
    [
        ("water", "-1", "Enter a whole number; 0 drops the line."),
        ("water", "many", "Enter a whole number; 0 drops the line."),
        ("", "4", "Choose an item, or set the quantity to 0."),
        ("999999", "4", "This item is not in the catalog any more."),
        ("water", "0", "Add at least one line with a quantity."),
    ],
    ids=["negative", "text", "no item", "unknown item", "nothing"],
)
def test_it_refuses_bad_lines(client, hub, coordinator, run, net, water, item, quantity, message):
    response = login(client, coordinator).post(
        url("stop_create", hub, run.pk),
        {
            "destination": net.to_other_hub.pk,
            "item": [str(water.pk) if item == "water" else item],
            "quantity": [quantity],
        },
    )

    assert response.status_code == 200
    assert message in response.text
    assert Stop.objects.count() == 1


def test_it_refuses_a_destination_twice(client, hub, coordinator, run, net, water):
    response = login(client, coordinator).post(
        url("stop_create", hub, run.pk),
        {"destination": net.shelter.pk, "item": [water.pk], "quantity": ["1"]},
    )

    assert "is already a stop of this run" in response.text
    assert Stop.objects.count() == 1


def test_it_answers_404_for_another_hubs_destination(client, hub, other_hub, coordinator, run):
    theirs = DestinationFactory(hub=other_hub)

    response = login(client, coordinator).get(
        url("stop_create", hub, run.pk), {"destination": theirs.pk}
    )

    assert response.status_code == 404


def test_it_edits_a_stops_lines(client, hub, coordinator, run, water, beans):
    stop = run.stops.get()
    login(client, coordinator)
    assert 'value="20"' in client.get(url("stop_edit", hub, run.pk, stop.pk)).text

    response = client.post(
        url("stop_edit", hub, run.pk, stop.pk),
        {"item": [water.pk, beans.pk], "quantity": ["25", "0"]},
    )

    assert response["Location"] == url("run_detail", hub, run.pk)
    assert [(line.item, line.quantity) for line in stop.lines.all()] == [(water, 25)]


def test_it_moves_and_removes_stops(client, hub, coordinator, run, net, water):
    second = Stop.objects.create(run=run, destination=net.to_other_hub, position=2)
    StopLine.objects.create(stop=second, item=water, quantity=3)
    first = run.stops.get(position=1)
    login(client, coordinator)

    response = client.post(
        url("stop_move", hub, run.pk, second.pk), {"direction": "up"}, headers=HTMX
    )

    assert response.text.strip().startswith('<div id="run">')
    assert list(run.stops.order_by("position").values_list("pk", flat=True)) == [
        second.pk,
        first.pk,
    ]

    response = client.post(url("stop_remove", hub, run.pk, second.pk))
    assert response["Location"] == url("run_detail", hub, run.pk)
    assert list(run.stops.values_list("pk", flat=True)) == [first.pk]


def test_it_starts_picking(client, hub, coordinator, run):
    response = login(client, coordinator).post(url("run_picking_start", hub, run.pk))

    assert response["Location"] == url("run_detail", hub, run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.PICKING


def test_it_dispatches_a_run_once(client, hub, coordinator, run):
    login(client, coordinator)
    response = client.post(url("run_dispatch", hub, run.pk), headers=HTMX)

    assert "out for delivery: its goods left the stock" in response.text
    assert 'hx-swap-oob="true"' in response.text
    run.refresh_from_db()
    assert run.status == RunStatus.OUT_FOR_DELIVERY
    assert balances() == {("Bottled water 1.5 L", "Garage"): 30, ("Canned beans", "Hall"): 20}
    moved = StockMovement.objects.count()

    again = client.post(url("run_dispatch", hub, run.pk), follow=True)

    assert "This run was already dispatched." in again.text
    assert StockMovement.objects.count() == moved
    assert balances() == {("Bottled water 1.5 L", "Garage"): 30, ("Canned beans", "Hall"): 20}


def test_it_refuses_dispatch_on_a_shortfall_naming_the_item(client, hub, coordinator, run, beans):
    StopLine.objects.filter(item=beans).update(quantity=45)
    before = balances()

    response = login(client, coordinator).post(url("run_dispatch", hub, run.pk), follow=True)

    assert "Canned beans short by 15 (45 needed, 30 in stock)" in response.text
    run.refresh_from_db()
    assert run.status == RunStatus.DRAFT
    assert balances() == before
    assert StockMovement.objects.filter(kind="delivered").count() == 0


def test_it_cancels_a_run_before_dispatch(client, hub, coordinator, run):
    before = balances()
    login(client, coordinator)

    response = client.post(url("run_cancel", hub, run.pk), follow=True)

    assert "cancelled: no stock moved" in response.text
    run.refresh_from_db()
    assert run.status == RunStatus.CANCELLED
    # A cancelled run offers no more actions, and refuses them.
    assert url("run_dispatch", hub, run.pk) not in response.text
    response = client.post(url("run_dispatch", hub, run.pk), follow=True)
    assert "This run was cancelled." in response.text
    assert balances() == before


def test_it_refuses_to_cancel_a_run_out_for_delivery(client, hub, coordinator, run):
    login(client, coordinator)
    client.post(url("run_dispatch", hub, run.pk))

    response = client.post(url("run_cancel", hub, run.pk), follow=True)

    assert "can no longer be cancelled" in response.text
    run.refresh_from_db()
    assert run.status == RunStatus.OUT_FOR_DELIVERY


def test_it_refuses_changing_stops_once_out(client, hub, coordinator, run, water):
    stop = run.stops.get()
    login(client, coordinator)
    client.post(url("run_dispatch", hub, run.pk))

    response = client.post(
        url("stop_edit", hub, run.pk, stop.pk), {"item": [water.pk], "quantity": ["1"]}
    )

    assert "already out for delivery" in response.text
    assert StopLine.objects.get(item=water).quantity == 20


def test_it_lists_a_volunteers_runs_on_the_hub_page(client, hub, volunteer, coordinator, run):
    other = UserFactory(role="Volunteer", hubs=[hub])
    login(client, volunteer)

    page = client.get(url("hub_detail", hub)).text
    assert "Your runs" in page
    assert url("run_drive", hub, run.pk) in page
    # A run still being planned leaves the volunteer at the dropoff table; once it is on
    # the road, they land on the hub's page with their runs.
    assert client.get(reverse("home"))["Location"] == url("intake", hub)
    run_dispatch(run=run, user=coordinator)
    assert client.get(reverse("home"))["Location"] == url("hub_detail", hub)

    login(client, other)
    assert client.get(reverse("home"))["Location"] == url("intake", hub)
    assert "Your runs" not in client.get(url("hub_detail", hub)).text
