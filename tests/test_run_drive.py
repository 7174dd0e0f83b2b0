"""The driver's view on the phone: the stops in order with their manifest, each marked
delivered (with who received it) or partially delivered, what came back returning to stock
through the ledger; a stop at another hub of the network enters that hub's stock."""

import pytest
from django.urls import reverse

from deliveries.models import RunStatus, StopStatus
from deliveries.services import run_dispatch
from inventory.models import MovementKind, StockBalance, StockMovement
from tests.intake import HTMX, login
from tests.runs import make_run, stock


@pytest.fixture
def run(net, coordinator, volunteer, water, beans):
    stock(net.garage, water, 50)
    stock(net.hall, beans, 30)
    run = make_run(
        hub=net.hub,
        driver=volunteer,
        user=coordinator,
        stops=[
            (net.shelter, [(water, 20), (beans, 10)]),
            (net.to_other_hub, [(water, 6)]),
        ],
    )
    run_dispatch(run=run, user=coordinator)
    run.refresh_from_db()
    return run


def url(name, hub, *args):
    return reverse(name, args=[hub.slug, *args])


def stock_of(location, item) -> int:
    return sum(
        StockBalance.objects.filter(location=location, item=item).values_list("quantity", flat=True)
    )


def deliver(client, hub, run, stop, received_by="Maria", note="", back=None, **kw):
    data = {"received_by": received_by, "note": note}
    for line in stop.lines.all():
        data[f"returned-{line.pk}"] = str((back or {}).get(line.item_id, 0))
    return client.post(url("stop_deliver", hub, run.pk, stop.pk), data, **kw)


def test_it_shows_the_stops_in_order_with_their_manifest(client, hub, volunteer, run):
    page = login(client, volunteer).get(url("run_drive", hub, run.pk)).text

    assert page.index("1. Pasadena Convention Center") < page.index("2. Pasadena Hub")
    assert "Canned beans" in page
    assert page.count('name="received_by"') == 2
    assert 'name="returned-' in page


def test_it_marks_a_stop_delivered(client, hub, volunteer, run, net, water):
    stop = run.stops.get(position=1)
    login(client, volunteer)

    response = deliver(client, hub, run, stop, note="Left at the back door")

    assert response["Location"] == url("run_drive", hub, run.pk)
    stop.refresh_from_db()
    assert (stop.status, stop.received_by, stop.note, stop.delivered_by) == (
        StopStatus.DELIVERED,
        "Maria",
        "Left at the back door",
        volunteer,
    )
    assert stock_of(net.garage, water) == 24  # 50 - 20 - 6, nothing back
    assert "Pasadena Convention Center: delivered." in client.get(response["Location"]).text


def test_it_marks_a_stop_partially_delivered_with_htmx(
    client, hub, volunteer, run, net, water, beans
):
    stop = run.stops.get(position=1)
    login(client, volunteer)

    response = deliver(client, hub, run, stop, back={beans.pk: 4}, headers=HTMX)

    text = response.text
    assert text.strip().startswith(f'<li id="stop-{stop.pk}"')
    assert "partly delivered; what came back is in stock again" in text
    assert 'id="run-status" hx-swap-oob="true"' in text
    stop.refresh_from_db()
    assert stop.status == StopStatus.PARTIAL
    assert stop.lines.get(item=beans).returned == 4
    assert stock_of(net.hall, beans) == 24  # 30 - 10 + 4
    returned = StockMovement.objects.get(kind=MovementKind.RETURNED)
    assert (returned.item, returned.location, returned.quantity) == (beans, net.hall, 4)


def test_a_stop_at_another_hub_stays_in_transit_until_received(
    client, hub, volunteer, run, net, water
):
    stop = run.stops.get(position=2)
    login(client, volunteer)

    deliver(client, hub, run, stop, received_by="Pat", back={water.pk: 1})

    assert stock_of(net.other_store, water) == 0
    assert stop.transfer.lines.get().in_transit == 5
    assert stock_of(net.garage, water) == 25  # 50 - 26 + 1


def test_the_run_is_done_when_every_stop_is(client, hub, coordinator, run, beans):
    login(client, coordinator)  # a coordinator may mark stops too
    deliver(client, hub, run, run.stops.get(position=1), back={beans.pk: 1})
    deliver(client, hub, run, run.stops.get(position=2))

    run.refresh_from_db()
    assert run.status == RunStatus.PARTIALLY_DELIVERED
    page = client.get(url("run_drive", hub, run.pk)).text
    assert 'name="received_by"' not in page


@pytest.mark.parametrize(
    ("received_by", "back", "message"),
    [
        ("", {}, "Write the name of who received the goods."),
        ("Maria", {"water": 21}, "21 brought back, but only 20 went out."),
        ("Maria", {"water": "-1"}, "Write how many came back as a whole number (0 if none)."),
        ("Maria", {"water": "some"}, "Write how many came back as a whole number (0 if none)."),
    ],
    ids=["nobody", "too many back", "negative", "text"],
)
def test_it_refuses_bad_input_and_keeps_what_was_typed(
    client, hub, volunteer, run, net, water, received_by, back, message
):
    stop = run.stops.get(position=1)
    login(client, volunteer)
    moved = StockMovement.objects.count()

    response = deliver(
        client,
        hub,
        run,
        stop,
        received_by=received_by,
        note="typed note",
        back={water.pk: back["water"]} if back else None,
    )

    assert response.status_code == 200
    assert message in response.text
    assert "typed note" in response.text
    stop.refresh_from_db()
    assert stop.status == StopStatus.PENDING
    assert StockMovement.objects.count() == moved


def test_it_refuses_marking_a_stop_twice(client, hub, volunteer, run, net, water):
    stop = run.stops.get(position=1)
    login(client, volunteer)
    deliver(client, hub, run, stop)
    moved = StockMovement.objects.count()

    response = deliver(client, hub, run, stop, received_by="Someone else", headers=HTMX)

    assert "This stop was already marked." in response.text
    stop.refresh_from_db()
    assert stop.received_by == "Maria"
    assert StockMovement.objects.count() == moved


def test_a_run_not_yet_out_shows_no_forms(client, hub, net, volunteer, coordinator, water):
    draft = make_run(
        hub=hub, driver=volunteer, user=coordinator, stops=[(net.shelter, [(water, 1)])]
    )

    page = login(client, volunteer).get(url("run_drive", hub, draft.pk)).text

    assert "not out for delivery yet" in page
    assert 'name="received_by"' not in page


def test_it_links_each_address_to_the_maps_app_and_each_phone_to_a_call(
    client, hub, volunteer, run, net
):
    net.shelter.address = "300 E Green St, Pasadena, CA 91101"
    net.shelter.contact_phone = "(626) 555 0100"
    net.shelter.save()

    page = login(client, volunteer).get(url("run_drive", hub, run.pk)).text

    assert (
        'href="https://www.google.com/maps/search/?api=1&amp;query='
        '300%20E%20Green%20St%2C%20Pasadena%2C%20CA%2091101"' in page
    )
    assert 'href="tel:(626)5550100"' in page
