"""The network in a real browser, on a coordinator's laptop: West Adams offers surplus,
Pasadena claims part of it from the suggested match, West Adams's run takes it, Pasadena
receives it into a location with room, and a second claim that would overfill Pasadena
is refused."""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from deliveries.models import DestinationNeed, Transfer, TransferStatus
from inventory.models import StockBalance, StorageLocation
from network.models import Claim, Offer
from tests.browser.pages import log_in, small_targets
from tests.ledger import assert_ledger_matches_balances
from tests.network import neighbours
from tests.runs import make_run

pytestmark = pytest.mark.django_db(transaction=True)

LAPTOP = {"width": 1366, "height": 768}
SHOTS = Path(__file__).resolve().parents[2] / ".cache" / "screenshots"


def test_surplus_goes_from_one_hub_to_another_that_has_room_and_no_further(
    page, live_server, hub, other_hub, coordinator, volunteer, water, csp_violations
):
    # Pasadena's store has 60 L: room for 30 waters (48 L), not for 30 more.
    nb = neighbours(hub, other_hub, water, room=Decimal(60))
    DestinationNeed.objects.filter(destination=nb.shelter).update(quantity=30)
    run = make_run(hub=hub, driver=volunteer, user=coordinator, stops=[])
    page.set_viewport_size(LAPTOP)
    SHOTS.mkdir(parents=True, exist_ok=True)

    # West Adams offers 60 of its 100 waters.
    log_in(page, live_server, "carlos")
    page.goto(live_server.url + reverse("network", args=[hub.slug]))
    page.get_by_label("Item").select_option(label=water.name)
    page.get_by_label("Quantity", exact=True).fill("60")
    page.get_by_label("Offered until").fill((timezone.localdate() + timedelta(days=7)).isoformat())
    page.get_by_label("Note").fill("Pallet by the door")
    page.get_by_role("button", name="Offer it").click()
    expect(page.locator("#messages")).to_contain_text("60 Bottled water 1.5 L offered")
    assert Offer.objects.get().quantity == 60

    # Pasadena sees it matched with its shelter's need, and claims that part.
    log_in(page, live_server, "paz")
    page.goto(live_server.url + reverse("network", args=[other_hub.slug]))
    match = page.locator(".matches li").first
    expect(match).to_contain_text("30 Bottled water 1.5 L from West Adams Hub to Pasadena Hub")
    page.screenshot(path=str(SHOTS / "network-laptop.png"), full_page=True)
    assert small_targets(page) == []
    match.get_by_role("button", name="Claim").click()
    expect(page.locator("#messages")).to_contain_text("Claimed 30 Bottled water 1.5 L")
    claim = Claim.objects.get()
    assert (claim.hub, claim.quantity) == (other_hub, 30)

    # West Adams puts it on its run and dispatches: in transit, in neither hub's stock.
    log_in(page, live_server, "carlos")
    claim_put_on_run_and_dispatch(page, live_server, hub=hub, claim=claim, run=run)
    expect(page.locator(".transfer-status")).to_contain_text("in transit until Pasadena Hub")
    assert StockBalance.objects.get(location=nb.garage).quantity == 70
    assert not StockBalance.objects.filter(location__hub=other_hub).exists()

    # Pasadena receives it at the door, counted, into its store.
    log_in(page, live_server, "paz")
    page.goto(live_server.url + reverse("home"))
    page.get_by_role("link", name="Arriving").first.click()
    transfer = Transfer.objects.get()
    page.get_by_role("link", name=f"Transfer {transfer.pk}").first.click()
    page.get_by_label("Counted").fill("30")
    page.get_by_label("Into").select_option(label="Store")
    page.screenshot(path=str(SHOTS / "transfer-receive-laptop.png"), full_page=True)
    page.get_by_role("button", name="Receive into stock").click()
    expect(page.locator("#messages")).to_contain_text("Received into stock")
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.SETTLED
    store = StorageLocation.objects.get(pk=nb.other_store.pk)
    assert StockBalance.objects.get(location=store).quantity == 30
    assert store.used_litres == Decimal(48) <= store.capacity_litres

    # A second lot would take Pasadena past its room: refused, nothing claimed.
    page.goto(live_server.url + reverse("network", args=[other_hub.slug]))
    offer_row = page.locator(f"#offer-{claim.offer_id}")
    offer_row.get_by_label("Quantity").fill("30")
    offer_row.get_by_role("button", name="Claim").click()
    expect(page.locator("#messages")).to_contain_text("Pasadena Hub has no room for this")
    assert Claim.objects.count() == 1
    assert csp_violations == []
    assert_ledger_matches_balances()


def claim_put_on_run_and_dispatch(page, live_server, *, hub, claim, run) -> None:
    """On the network page, the claim put on the run; then the run dispatched from its page."""
    page.goto(live_server.url + reverse("network", args=[hub.slug]))
    row = page.locator(f"#claim-{claim.pk}")
    row.get_by_label("Run").select_option(str(run.pk))
    row.get_by_role("button", name="Put on the run").click()
    expect(page.locator("#messages")).to_contain_text(f"On run {run.pk}, stop 1")
    page.goto(live_server.url + reverse("run_detail", args=[hub.slug, run.pk]))
    page.get_by_role("link", name="Dispatch (out for delivery)").click()
    page.get_by_role("button", name="Yes, dispatch: the goods leave the stock").click()
    expect(page.locator("#messages")).to_contain_text("is out for delivery")
