"""The shared layout in a real browser: big targets, htmx running under the CSP, languages."""

import pytest
from django.urls import reverse

from tests.browser.pages import small_targets
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page, live_server, username: str) -> None:
    page.goto(live_server.url + reverse("login"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button.primary")


def test_it_logs_in_on_a_tablet_with_big_targets(page, live_server, volunteer, csp_violations):
    page.goto(live_server.url + reverse("login"))
    assert small_targets(page) == []

    log_in(page, live_server, "vera")

    page.wait_for_url(f"**{reverse('intake', args=['west-adams'])}")
    assert page.locator("h1").inner_text() == "Log a dropoff"
    assert page.locator(".topbar").get_by_text("West Adams Hub").is_visible()
    assert small_targets(page) == []
    assert page.evaluate("typeof htmx !== 'undefined' && htmx.version.startsWith('2.')")
    assert csp_violations == []


def test_it_switches_the_language_in_one_tap(page, live_server, db, csp_violations):
    page.goto(live_server.url + reverse("login"))
    page.click("button[name=language][value=es]")
    assert page.locator("h1").inner_text() == "Iniciar sesión"
    assert page.locator("html").get_attribute("lang") == "es"
    assert csp_violations == []
