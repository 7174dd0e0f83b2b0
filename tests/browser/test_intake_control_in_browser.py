"""The intake control page in a real browser, on a tablet: big targets, htmx under the CSP,
and each category row saving on its own although its inputs sit in several table cells."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from hub.models import CategoryIntake, Hub, IntakeStatus
from tests.browser.pages import small_targets
from tests.factories import PASSWORD, CategoryFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def categories(db):
    return [
        CategoryFactory(code=code, name=name, sort_order=n)
        for n, (code, name) in enumerate(
            [("water", "Water"), ("food", "Food"), ("clothing", "Clothing"), ("pet", "Pet")]
        )
    ]


def open_control(page, live_server, hub) -> None:
    page.goto(live_server.url + reverse("login"))
    page.fill("#id_username", "ada")
    page.fill("#id_password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(re.compile(r".*/hubs/.*"))
    page.goto(live_server.url + reverse("intake_control", args=[hub.slug]))


@pytest.mark.parametrize("width", [1280, 800], ids=["landscape", "portrait"])
def test_it_has_big_targets_on_a_tablet(
    page, live_server, hub, admin_user, categories, csp_violations, width
):
    page.set_viewport_size({"width": width, "height": 1280 if width == 800 else 800})
    open_control(page, live_server, hub)

    assert small_targets(page) == []
    assert csp_violations == []


def test_it_saves_one_category_row_with_htmx(
    page, live_server, hub, admin_user, categories, csp_violations
):
    clothing = categories[2]
    open_control(page, live_server, hub)
    # Something typed in another row is not sent with this one, and stays on the page.
    page.fill(f"#id_category_{categories[3].pk}_reason", "half typed")
    row = page.locator(f"#category-{clothing.pk}")

    row.locator("select").select_option("closed")
    row.get_by_role("button", name="Save Clothing").click()
    expect(row.locator(".error")).to_contain_text("Say why")
    assert not CategoryIntake.objects.exists()

    row.locator(f"#id_category_{clothing.pk}_reason").fill("Too much clothing")
    row.get_by_role("button", name="Save Clothing").click()

    expect(page.locator("#messages")).to_contain_text("Clothing: closed: Too much clothing")
    expect(row.locator(".badge-closed")).to_have_text("Not accepted")
    assert list(CategoryIntake.objects.values_list("category", "status", "reason")) == [
        (clothing.pk, "closed", "Too much clothing")
    ]
    assert page.input_value(f"#id_category_{categories[3].pk}_reason") == "half typed"
    assert csp_violations == []


def test_it_closes_the_hub_with_htmx(page, live_server, hub, admin_user, categories):
    open_control(page, live_server, hub)

    page.get_by_label("Closed: take no donations").check()
    page.get_by_label("Why (needed when limited or closed)").fill("Storage full")
    page.get_by_role("button", name="Save the hub's intake").click()

    expect(page.locator("#hub-intake-now")).to_contain_text("Now: closed, taking no donations")
    expect(page.locator("#messages")).to_contain_text("is closed to donations: Storage full")
    expect(page.locator(f"#category-{categories[0].pk} .badge-closed")).to_be_visible()
    assert Hub.objects.get(pk=hub.pk).intake_status == IntakeStatus.CLOSED
