"""The dashboard's lists of batches expiring soon and items under their minimum, and what a
coordinator does from them: put a batch on a draft run, or discard it."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from deliveries.models import Run, RunStatus, StopLine
from deliveries.reservations import item_free_map
from deliveries.services import run_dispatch
from inventory.models import MovementKind, StockBalance, StockMovement
from inventory.stock_alerts import item_stock_rules_set
from tests.coordinator import query_count
from tests.factories import DestinationFactory, ItemFactory
from tests.runs import make_run, stock


@pytest.fixture
def soon():
    return timezone.localdate() + timedelta(days=3)


@pytest.fixture
def batch(net, beans, soon):
    stock(net.garage, beans, 12, soon)
    return StockBalance.objects.get(item=beans, location=net.garage)


def dashboard(client, user, hub):
    client.force_login(user)
    return client.get(reverse("dashboard", args=[hub.slug]))


def to_run(client, hub, shown, **fields):
    data = {
        "batch": shown.pk,
        "quantity": shown.quantity,
        "run": "new",
        **fields,
    }
    return client.post(reverse("batch_to_run", args=[hub.slug]), data)


def discard(client, hub, shown, **fields):
    data = {
        "batch": shown.pk,
        "quantity": shown.quantity,
        "idempotency_key": uuid.uuid4().hex,
        **fields,
    }
    return client.post(reverse("batch_discard", args=[hub.slug]), data)


def test_it_lists_batches_expiring_within_the_hubs_days(client, coordinator, net, batch, beans):
    stock(net.hall, beans, 5, timezone.localdate() + timedelta(days=40))
    html = dashboard(client, coordinator, net.hub).text
    assert "Expiring within 14 days" in html
    assert html.count('class="expiring-row"') == 1
    assert "Canned beans" in html and "Garage" in html
    assert "Discard all 12" in html


def test_it_lists_items_under_their_minimum(client, coordinator, net, water):
    stock(net.garage, water, 3)
    item_stock_rules_set(
        hub=net.hub, item=water, user=coordinator, safe_after_expiry=False, minimum=10
    )
    html = dashboard(client, coordinator, net.hub).text
    section = html[html.index('id="under-minimum"') :]
    assert water.name in section
    assert ">3<" in section and ">10 each<" in section


def test_it_puts_a_batch_on_a_new_draft_run(client, coordinator, net, batch, beans):
    client.force_login(coordinator)
    response = to_run(client, net.hub, batch, destination=net.shelter.pk)
    assert response.status_code == 302
    run = Run.objects.get()
    assert (run.status, run.driver, run.created_by) == (RunStatus.DRAFT, coordinator, coordinator)
    line = StopLine.objects.get()
    assert (line.stop.destination, line.item, line.quantity) == (net.shelter, beans, 12)
    assert item_free_map(hub=net.hub, item_ids=[beans.pk])[beans.pk].free == 0
    page = client.get(response.url).text
    assert "12 Canned beans put on run #" in page


def test_it_adds_to_an_existing_draft_runs_stop(
    client, coordinator, volunteer, net, batch, beans, water
):
    stock(net.garage, water, 5)
    run = make_run(
        hub=net.hub, driver=volunteer, user=coordinator, stops=[(net.shelter, [(water, 2)])]
    )
    client.force_login(coordinator)
    to_run(client, net.hub, batch, run=run.pk, destination=net.shelter.pk, quantity=4)
    to_run(client, net.hub, batch, run=run.pk, destination=net.shelter.pk, quantity=3)
    assert Run.objects.count() == 1
    assert dict(run.stops.get().lines.values_list("item__name", "quantity")) == {
        water.name: 2,
        beans.name: 7,
    }


def test_it_puts_on_a_run_only_what_no_run_holds(client, coordinator, volunteer, net, batch, beans):
    make_run(
        hub=net.hub, driver=volunteer, user=coordinator, stops=[(net.to_other_hub, [(beans, 10)])]
    )
    client.force_login(coordinator)
    response = to_run(client, net.hub, batch, destination=net.shelter.pk)
    assert "2 Canned beans put on run" in client.get(response.url).text
    to_run(client, net.hub, batch, destination=net.shelter.pk)
    page = client.get(reverse("dashboard", args=[net.hub.slug])).text
    assert "All of Canned beans here is already held for runs." in page
    assert StopLine.objects.filter(item=beans).count() == 2


def test_it_refuses_a_run_that_has_left(client, coordinator, volunteer, net, batch, beans):
    run = make_run(
        hub=net.hub, driver=volunteer, user=coordinator, stops=[(net.shelter, [(beans, 1)])]
    )
    run_dispatch(run=run, user=coordinator)
    client.force_login(coordinator)
    to_run(client, net.hub, batch, run=run.pk, destination=net.shelter.pk)
    assert StopLine.objects.get().quantity == 1  # a dispatched run is not offered: refused


def test_it_discards_a_batch_with_its_date_as_the_reason(client, coordinator, net, batch, soon):
    client.force_login(coordinator)
    response = discard(client, net.hub, batch)
    assert response.status_code == 302
    movement = StockMovement.objects.get(kind=MovementKind.DISCARDED)
    assert (movement.quantity, movement.created_by) == (-12, coordinator)
    assert movement.reason.startswith("Expires on")
    batch.refresh_from_db()
    assert batch.quantity == 0
    # The same form again (a double tap) discards nothing more.
    assert StockMovement.objects.filter(kind=MovementKind.DISCARDED).count() == 1


def test_it_discards_only_what_was_shown(client, coordinator, net, batch, beans, soon):
    client.force_login(coordinator)
    discard(client, net.hub, batch, quantity=20)
    assert "Not enough Canned beans" in client.get(reverse("dashboard", args=[net.hub.slug])).text
    assert not StockMovement.objects.filter(kind=MovementKind.DISCARDED).exists()


@pytest.mark.parametrize(
    "fields",
    [
        {"quantity": "0"},
        {"quantity": "abc"},
        {"quantity": "99999999999999"},
        {"batch": "99999999"},
        {"batch": ""},
        {"run": "12345", "destination": "1"},
        {"destination": "99999"},
    ],
)
def test_it_refuses_bad_input_and_stores_nothing(client, coordinator, net, batch, fields):
    client.force_login(coordinator)
    defaults = {"destination": net.shelter.pk}
    assert to_run(client, net.hub, batch, **{**defaults, **fields}).status_code in (302, 404)
    if set(fields) <= {"batch", "quantity"}:
        assert discard(client, net.hub, batch, **fields).status_code in (302, 404)
    assert not Run.objects.exists()
    assert not StockMovement.objects.filter(kind=MovementKind.DISCARDED).exists()


def test_it_lets_only_the_hubs_coordinators_act(client, volunteer, outsider, net, batch):
    for user, status in ((volunteer, 403), (outsider, 404)):
        client.force_login(user)
        assert to_run(client, net.hub, batch, destination=net.shelter.pk).status_code == status
        assert discard(client, net.hub, batch).status_code == status
        assert (
            client.post(reverse("expiry_days_set", args=[net.hub.slug]), {"days": 3}).status_code
            == status
        )
    assert not Run.objects.exists()
    assert batch.quantity == StockBalance.objects.get(pk=batch.pk).quantity


def test_it_refuses_another_hubs_batch_and_destination(client, coordinator, net, beans, soon):
    stock(net.other_store, beans, 5, soon)
    theirs = StockBalance.objects.get(location=net.other_store)
    elsewhere = DestinationFactory(hub=net.other_hub)
    client.force_login(coordinator)
    assert discard(client, net.hub, theirs).status_code == 404
    assert to_run(client, net.hub, theirs, destination=net.shelter.pk).status_code == 404
    stock(net.garage, beans, 5, soon)
    ours = StockBalance.objects.get(location=net.garage)
    to_run(client, net.hub, ours, destination=elsewhere.pk)
    assert not Run.objects.exists()


def test_it_sets_the_hubs_days_from_the_dashboard(client, coordinator, net, beans):
    stock(net.garage, beans, 5, timezone.localdate() + timedelta(days=20))
    client.force_login(coordinator)
    client.post(reverse("expiry_days_set", args=[net.hub.slug]), {"days": "30"})
    net.hub.refresh_from_db()
    assert net.hub.expiry_alert_days == 30
    assert "Expiring within 30 days" in dashboard(client, coordinator, net.hub).text
    client.post(reverse("expiry_days_set", args=[net.hub.slug]), {"days": "0"})
    net.hub.refresh_from_db()
    assert net.hub.expiry_alert_days == 30


def test_it_sets_an_items_rules_on_its_page(client, coordinator, net, beans):
    client.force_login(coordinator)
    url = reverse("item_rules_set", args=[net.hub.slug, beans.pk])
    client.post(url, {"safe_after_expiry": "on", "minimum": "25"})
    beans.refresh_from_db()
    assert beans.safe_after_expiry
    page = client.get(reverse("item_detail", args=[net.hub.slug, beans.pk])).text
    assert 'value="25"' in page
    client.post(url, {"minimum": "-3"})
    assert 'value="25"' in client.get(reverse("item_detail", args=[net.hub.slug, beans.pk])).text


def test_it_reads_the_lists_in_a_fixed_number_of_queries(client, coordinator, volunteer, net, soon):
    client.force_login(coordinator)
    url = reverse("dashboard", args=[net.hub.slug])

    def more(n):
        for _ in range(n):
            item = ItemFactory(tracks_expiry=True)
            stock(net.garage, item, 4, soon)
            item_stock_rules_set(
                hub=net.hub, item=item, user=coordinator, safe_after_expiry=False, minimum=9
            )

    more(1)
    make_run(hub=net.hub, driver=volunteer, user=coordinator, stops=[])
    client.get(url)
    small, _ = query_count(lambda: client.get(url))
    more(15)
    for _ in range(5):
        DestinationFactory(hub=net.hub)
        make_run(hub=net.hub, driver=volunteer, user=coordinator, stops=[])
    large, response = query_count(lambda: client.get(url))
    assert response.text.count('class="expiring-row"') == 16
    assert large == small
