"""Join by code in a real browser: a coordinator shows the hub's code, a newcomer opens its
link on a phone (390 x 844), joins without an account made for them and logs a dropoff,
under the CSP, every target big enough for a thumb."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from hub.models import Dropoff
from tests.browser.pages import axe_violations, small_targets
from tests.factories import PASSWORD, StorageLocationFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_newcomer_joins_from_the_code_on_a_phone_and_logs_a_dropoff(
    page, browser, live_server, hub, coordinator, water, csp_violations, axe_source
):
    StorageLocationFactory(hub=hub, name="Main hall", capacity_litres=Decimal("10000"))
    page.goto(live_server.url + reverse("login"))
    page.fill("#id_username", "carlos")
    page.fill("#id_password", PASSWORD)
    page.click("button.primary")
    page.goto(live_server.url + reverse("join_code", args=[hub.slug]))
    page.get_by_label("For this shift (8 hours)").check()
    page.get_by_role("button", name="Make a join code").click()
    expect(page.locator("img.qr")).to_be_visible()
    link = page.locator(".join-link a").inner_text()
    assert axe_violations(page, axe_source) == []

    phone = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
    newcomer = phone.new_page()
    newcomer.goto(link)
    assert small_targets(newcomer) == []
    assert axe_violations(newcomer, axe_source) == []
    newcomer.get_by_label("Your name").fill("Dana")
    newcomer.get_by_label("Choose a password").fill("sunflower-ladder-42")
    newcomer.get_by_role("combobox", name="Language").select_option("en")
    newcomer.get_by_role("button", name="Join").click()
    newcomer.wait_for_url(re.compile(rf".*/hubs/{hub.slug}/intake/$"))
    expect(newcomer.locator("#messages")).to_contain_text("log in as dana")

    newcomer.locator(f'[data-add-item="{water.pk}"]').first.click()
    expect(newcomer.locator("#lines .line")).to_have_count(1)
    newcomer.locator("#intake-form button.submit").click()
    expect(newcomer.locator(".confirmation h2")).to_have_text(re.compile(r"Logged dropoff #\d+"))

    dropoff = Dropoff.objects.get()
    assert (dropoff.logged_by.username, dropoff.logged_by.first_name) == ("dana", "Dana")
    assert [(line.item, line.quantity) for line in dropoff.lines.all()] == [(water, 1)]
    assert csp_violations == []
    phone.close()
