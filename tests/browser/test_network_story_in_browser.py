"""The network's whole story in a real browser, each person at their own device: West Adams
fills at its table and closes by itself; its volunteer (tablet) sends the next donor on to
Pasadena; West Adams's coordinator (laptop) offers its surplus, Pasadena's claims part of it,
West Adams's run takes it, Pasadena receives it into a location with room, a second claim that
would overfill Pasadena is refused, and the public feed shows all of it."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from deliveries.models import Transfer, TransferStatus
from hub.models import DropoffLine, Hub, IntakeStatus, Outcome
from inventory.models import StockBalance, StorageLocation
from network.models import Claim, Offer
from tests.browser.pages import log_in
from tests.browser.test_network_doors_in_browser import TABLET, listen, shot
from tests.browser.test_network_in_browser import LAPTOP, claim_put_on_run_and_dispatch
from tests.factories import PASSWORD
from tests.ledger import assert_ledger_matches_balances
from tests.network import neighbours
from tests.runs import make_run

pytestmark = pytest.mark.django_db(transaction=True)


def test_surplus_of_a_full_hub_reaches_a_hub_with_room_and_the_public_sees_it(
    browser, page, live_server, hub, other_hub, coordinator, volunteer, water, csp_violations
):
    # West Adams: 100 waters (160 L) in a 200 L garage, 80 %; full at 95 %, closing by itself.
    # Pasadena, a few miles away, has room for 30 waters (48 L) in its 60 L store.
    nb = neighbours(hub, other_hub, water, room=Decimal(60))
    StorageLocation.objects.filter(pk=nb.garage.pk).update(capacity_litres=Decimal(200))
    Hub.objects.filter(pk=hub.pk).update(latitude=Decimal("34.03"), longitude=Decimal("-118.33"))
    Hub.objects.filter(pk=other_hub.pk).update(
        latitude=Decimal("34.15"), longitude=Decimal("-118.14")
    )
    run = make_run(hub=hub, driver=volunteer, user=coordinator, stops=[])

    # At West Adams's table: 20 more waters take the garage to 96 %, and intake closes.
    tablet = browser.new_context(viewport=TABLET, has_touch=True)
    table = tablet.new_page()
    listen(table, csp_violations)
    table.goto(live_server.url + reverse("login"))
    table.fill("#id_username", volunteer.username)
    table.fill("#id_password", PASSWORD)
    table.click("button.primary")
    table.goto(live_server.url + reverse("intake", args=[hub.slug]))
    table.locator(f'[data-add-item="{water.pk}"]').first.click()
    table.locator("#lines .line input[name=quantity]").fill("20")
    table.locator("#intake-form button.submit").click()
    expect(table.locator(".confirmation h2")).to_have_text(re.compile(r"Logged dropoff #\d+"))
    hub.refresh_from_db()
    assert (hub.intake_status, hub.intake_closed_automatically) == (IntakeStatus.CLOSED, True)

    # The next donor brings water too: the line defaults to "send to Pasadena".
    table.goto(live_server.url + reverse("intake", args=[hub.slug]))
    expect(table.locator("#nearby-hubs")).to_contain_text("Pasadena Hub")
    table.locator(f'[data-add-item="{water.pk}"]').first.click()
    line = table.locator("#lines .line")
    expect(line.locator("select[name=outcome]")).to_have_value("redirected")
    expect(line.locator("select[name=redirected_to]")).to_have_value(str(other_hub.pk))
    shot(table, "story-closed-table-tablet")
    table.locator("#intake-form button.submit").click()
    expect(table.locator(".confirmation")).to_contain_text("Pasadena Hub")
    sent = DropoffLine.objects.get(outcome=Outcome.REDIRECTED)
    assert sent.redirected_to == other_hub
    tablet.close()

    # West Adams's coordinator offers 60 of its 120 waters.
    page.set_viewport_size(LAPTOP)
    log_in(page, live_server, coordinator.username)
    page.goto(live_server.url + reverse("network", args=[hub.slug]))
    page.get_by_label("Item").select_option(label=water.name)
    page.get_by_label("Quantity", exact=True).fill("60")
    page.get_by_label("Offered until").fill((timezone.localdate() + timedelta(days=7)).isoformat())
    page.get_by_role("button", name="Offer it").click()
    expect(page.locator("#messages")).to_contain_text("60 Bottled water 1.5 L offered")
    offer = Offer.objects.get()

    # Pasadena's coordinator claims half of it.
    log_in(page, live_server, nb.their_coordinator.username)
    page.goto(live_server.url + reverse("network", args=[other_hub.slug]))
    offer_row = page.locator(f"#offer-{offer.pk}")
    offer_row.get_by_label("Quantity").fill("30")
    offer_row.get_by_role("button", name="Claim").click()
    expect(page.locator("#messages")).to_contain_text("Claimed 30 Bottled water 1.5 L")
    claim = Claim.objects.get()

    # West Adams's run takes it: in transit, in neither hub's stock.
    log_in(page, live_server, coordinator.username)
    claim_put_on_run_and_dispatch(page, live_server, hub=hub, claim=claim, run=run)
    expect(page.locator(".transfer-status")).to_contain_text("in transit until Pasadena Hub")
    assert StockBalance.objects.get(location=nb.garage).quantity == 90
    assert not StockBalance.objects.filter(location__hub=other_hub).exists()

    # Pasadena receives it, counted, into its store, which has room.
    log_in(page, live_server, nb.their_coordinator.username)
    transfer = Transfer.objects.get()
    page.goto(live_server.url + reverse("transfer_detail", args=[other_hub.slug, transfer.pk]))
    page.get_by_label("Counted").fill("30")
    page.get_by_label("Into").select_option(label="Store")
    page.get_by_role("button", name="Receive into stock").click()
    expect(page.locator("#messages")).to_contain_text("Received into stock")
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.SETTLED
    store = StorageLocation.objects.get(pk=nb.other_store.pk)
    assert (StockBalance.objects.get(location=store).quantity, store.used_litres) == (30, 48)

    # A second lot of 30 would take Pasadena's store to 160 %: refused, nothing claimed.
    page.goto(live_server.url + reverse("network", args=[other_hub.slug]))
    offer_row.get_by_label("Quantity").fill("30")
    offer_row.get_by_role("button", name="Claim").click()
    expect(page.locator("#messages")).to_contain_text("Pasadena Hub has no room for this")
    assert Claim.objects.count() == 1

    # The public feed: West Adams's fill (90 waters, 144 L of 200), the 30 still offered,
    # and what each hub takes per category.
    feed = page.request.get(live_server.url + reverse("public_feed")).json()
    hubs = {h["slug"]: h for h in feed["hubs"]}
    west_adams, pasadena = hubs[hub.slug], hubs[other_hub.slug]
    assert west_adams["fill_percent"] == 72
    assert [(s["name"], s["quantity"]) for s in west_adams["surplus"]] == [(water.name, 30)]
    assert pasadena["fill_percent"] == 80
    assert pasadena["surplus"] == []
    for h in (west_adams, pasadena):
        takes = {c["code"]: c["accepts"] for c in h["categories"]}
        assert takes[water.category.code] is True, h
        assert water.category.code in h["accepts"]

    # And West Adams's dashboard counts the donor it sent on.
    log_in(page, live_server, coordinator.username)
    page.goto(live_server.url + reverse("dashboard", args=[hub.slug]))
    expect(page.locator("table.sent-on tbody tr")).to_have_count(1)
    expect(page.locator("table.sent-on tbody tr")).to_contain_text("Pasadena Hub")
    expect(page.locator("table.sent-on tbody tr td.num").first).to_have_text("1")
    assert csp_violations == []
    assert_ledger_matches_balances()
