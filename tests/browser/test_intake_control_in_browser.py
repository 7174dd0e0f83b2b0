"""The intake control page in a real browser, on a tablet: big targets, htmx under the CSP,
the hub and every category in one compact form saved with one button."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from hub.models import CategoryIntake, Hub, IntakeStatus
from tests.browser.pages import log_in, small_targets
from tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def categories(db):
    return [
        CategoryFactory(code=code, name=name, sort_order=n)
        for n, (code, name) in enumerate(
            [
                ("water", "Water"),
                ("food", "Food"),
                ("clothing", "Clothing"),
                ("pet", "Pet"),
                *((f"extra-{n}", f"Extra {n}") for n in range(6)),
            ]
        )
    ]


def open_control(page, live_server, hub) -> None:
    log_in(page, live_server, "ada")
    page.goto(live_server.url + reverse("intake_control", args=[hub.slug]))


@pytest.mark.parametrize("width", [1280, 800], ids=["landscape", "portrait"])
def test_it_has_big_targets_on_a_tablet(
    page, live_server, hub, admin_user, categories, csp_violations, width
):
    page.set_viewport_size({"width": width, "height": 1280 if width == 800 else 800})
    open_control(page, live_server, hub)

    assert small_targets(page) == []
    assert csp_violations == []


def test_it_fits_the_hub_and_every_category_on_one_screen_with_one_save(
    page, live_server, hub, admin_user, categories
):
    page.set_viewport_size({"width": 1280, "height": 800})
    open_control(page, live_server, hub)

    intake_form = page.locator("form.intake-form")
    assert intake_form.locator("button[type=submit]").count() == 1
    # Ten categories and the hub: about a laptop screen and a half, not 4,000 px of forms.
    assert intake_form.bounding_box()["height"] < 1200


def test_it_saves_the_hub_and_categories_together_or_not_at_all(
    page, live_server, hub, admin_user, categories, csp_violations
):
    water, clothing = categories[0], categories[2]
    open_control(page, live_server, hub)
    page.locator(f"#category-{water.pk} select").select_option("open")
    page.locator(f"#category-{clothing.pk} select").select_option("closed")
    page.get_by_role("button", name="Save intake").click()

    clothing_row = page.locator(f"#category-{clothing.pk}")
    expect(clothing_row.locator(".error")).to_contain_text("Say why")
    assert not CategoryIntake.objects.exists()
    # What was chosen in the other rows is still there, to save with the correction.
    expect(page.locator(f"#category-{water.pk} select")).to_have_value("open")

    clothing_row.locator(f"#id_category-{clothing.pk}-reason").fill("Too much clothing")
    page.get_by_role("button", name="Save intake").click()

    expect(page.locator("#messages")).to_contain_text("Clothing: closed: Too much clothing")
    expect(clothing_row.locator(".badge-closed")).to_have_text("Not accepted")
    assert sorted(CategoryIntake.objects.values_list("category", "status", "reason")) == [
        (water.pk, "open", ""),
        (clothing.pk, "closed", "Too much clothing"),
    ]
    assert csp_violations == []


def test_it_closes_the_hub_with_htmx(page, live_server, hub, admin_user, categories):
    open_control(page, live_server, hub)

    page.get_by_label("Closed: take no donations").check()
    page.locator("#id_reason").fill("Storage full")
    page.get_by_role("button", name="Save intake").click()

    expect(page.locator("#hub-intake-now")).to_contain_text("Now: closed, taking no donations")
    expect(page.locator("#messages")).to_contain_text("is closed to donations: Storage full")
    expect(page.locator(f"#category-{categories[0].pk} .badge-closed")).to_be_visible()
    assert Hub.objects.get(pk=hub.pk).intake_status == IntakeStatus.CLOSED
