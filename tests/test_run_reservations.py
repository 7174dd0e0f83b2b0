"""Stock on runs that have not left yet (draft or picking) is held for them: a new stop, the
stock page, the item page and the public "most needed" count what is free; a run leaves
what runs created before it hold; a run that stock no longer covers is flagged."""

import re

import pytest
from django.urls import reverse

from deliveries.models import DestinationNeed, RunStatus
from deliveries.reservations import run_uncovered_map
from deliveries.selectors import most_needed_list, stop_line_suggestions
from deliveries.services import run_cancel, run_dispatch, stop_add
from inventory.models import MovementKind
from inventory.services import Shortfall, StockLine, stock_remove
from tests.factories import DestinationFactory, ItemFactory
from tests.intake import login
from tests.runs import make_run, stock


@pytest.fixture
def masks(db):
    return ItemFactory(name="N95 masks, box of 20")


@pytest.fixture
def first_run(net, coordinator, volunteer, masks):
    """The demo's Run 1: 150 boxes of masks planned for the shelter, all the hub has."""
    stock(net.garage, masks, 150)
    return make_run(
        hub=net.hub, driver=volunteer, user=coordinator, stops=[(net.shelter, [(masks, 150)])]
    )


def text(html: str) -> str:
    """The page's words, as a reader sees them: no tags, single spaces."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def url(name, hub, *args):
    return reverse(name, args=[hub.slug, *args])


def test_it_offers_a_new_stop_only_what_no_open_run_holds(
    net, coordinator, volunteer, masks, first_run
):
    camp = DestinationFactory(hub=net.hub, name="Camp")
    DestinationNeed.objects.create(destination=camp, item=masks, quantity=40)
    second = make_run(hub=net.hub, driver=volunteer, user=coordinator, stops=[])

    [suggestion] = stop_line_suggestions(run=second, destination=camp)

    assert (suggestion.quantity, suggestion.in_stock) == (0, 0)
    run_cancel(run=first_run, user=coordinator)  # a cancelled run holds nothing
    [suggestion] = stop_line_suggestions(run=second, destination=camp)
    assert (suggestion.quantity, suggestion.in_stock) == (40, 150)


def test_it_keeps_a_later_run_from_taking_what_an_earlier_one_holds(
    net, coordinator, volunteer, masks, first_run
):
    second = make_run(
        hub=net.hub,
        driver=volunteer,
        user=coordinator,
        stops=[(DestinationFactory(hub=net.hub), [(masks, 150)])],
    )

    with pytest.raises(Shortfall) as refused:
        run_dispatch(run=second, user=coordinator)

    assert "N95 masks, box of 20 short by 150 (150 needed, 0 free: 150 more are held" in str(
        refused.value
    )
    second.refresh_from_db()
    assert second.status == RunStatus.DRAFT
    # The run planned first still leaves with everything it holds.
    assert run_dispatch(run=first_run, user=coordinator).status == RunStatus.OUT_FOR_DELIVERY


def test_it_flags_a_run_that_a_discard_left_short_on_its_page_and_the_list(
    client, net, coordinator, masks, first_run
):
    assert run_uncovered_map(hub=net.hub) == {}
    stock_remove(
        lines=[StockLine(masks, net.garage, 30)],
        kind=MovementKind.DISCARDED,
        reason="Wet",
        user=coordinator,
    )

    [missing] = run_uncovered_map(hub=net.hub)[first_run.pk]
    assert (missing.item, missing.shortfall) == (masks, 30)
    login(client, coordinator)
    page = client.get(url("run_detail", net.hub, first_run.pk)).text
    assert "N95 masks, box of 20: short by 30 (150 needed, 120 in stock)" in page
    listing = client.get(url("run_list", net.hub)).text
    assert "Short of stock: N95 masks, box of 20" in listing


def test_it_reads_the_flags_in_the_same_queries_however_many_runs(
    net, coordinator, volunteer, masks, first_run, django_assert_num_queries
):
    stock_remove(
        lines=[StockLine(masks, net.garage, 1)], kind=MovementKind.DISCARDED, reason="x", user=None
    )
    with django_assert_num_queries(3):
        small = run_uncovered_map(hub=net.hub)
    for _ in range(5):
        item = ItemFactory()
        stock(net.hall, item, 1)
        make_run(
            hub=net.hub,
            driver=volunteer,
            user=coordinator,
            stops=[(DestinationFactory(hub=net.hub), [(item, 2), (masks, 1)])],
        )
    with django_assert_num_queries(3):
        large = run_uncovered_map(hub=net.hub)
    assert len(small) == 1 and len(large) == 6


def test_it_shows_free_stock_on_the_stock_and_item_pages(
    client, net, coordinator, masks, first_run
):
    stock(net.hall, masks, 1250)
    login(client, coordinator)

    listing = client.get(url("stock_list", net.hub)).text
    assert "each 1,250 (150 held for runs)" in text(listing)

    item_page = client.get(url("item_detail", net.hub, masks.pk)).text
    assert "1,250 each free: 150 are held for delivery runs not yet dispatched." in item_page


def test_it_counts_only_free_stock_against_the_public_needs(net, masks, first_run):
    DestinationNeed.objects.create(destination=net.shelter, item=masks, quantity=200)

    [need] = most_needed_list(hub=net.hub)

    assert (need.needed, need.in_stock, need.shortfall) == (200, 0, 200)


def test_it_confirms_dispatch_with_the_runs_totals_first(
    client, net, coordinator, masks, water, first_run
):
    stock(net.hall, water, 2000)
    camp = DestinationFactory(hub=net.hub, name="Camp")
    stop_add(run=first_run, destination=camp, lines=[(water, 1200), (masks, 0)], user=coordinator)
    login(client, coordinator)

    confirm = client.get(url("run_dispatch", net.hub, first_run.pk))

    assert "1,350 units, about 2,070 litres, for 2 stops" in confirm.text
    assert f'action="{url("run_dispatch", net.hub, first_run.pk)}"' in confirm.text
    first_run.refresh_from_db()
    assert first_run.status == RunStatus.DRAFT  # looking at the totals moves nothing

    response = client.post(url("run_dispatch", net.hub, first_run.pk))
    assert response["Location"] == url("run_detail", net.hub, first_run.pk)
    first_run.refresh_from_db()
    assert first_run.status == RunStatus.OUT_FOR_DELIVERY
    again = client.get(url("run_dispatch", net.hub, first_run.pk))
    assert again["Location"] == url("run_detail", net.hub, first_run.pk)
