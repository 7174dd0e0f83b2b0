"""Free text typed anywhere (a donor's name and contact, intake reasons, names in the
catalog and storage, a search, a webhook's error, a correction's reason, destinations, runs
and who received a stop) comes back escaped on every page that
shows it, never as markup; the JSON feeds are served as JSON, never as a page."""

import html
import json
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from deliveries.models import DestinationNeed
from deliveries.services import run_create, run_dispatch, stop_add, stop_deliver
from hub.models import Dropoff
from inventory.models import AlertDelivery, AlertLevel, CapacityAlert, Category, Webhook
from inventory.services import stock_adjust
from tests.factories import DestinationFactory, ItemFactory, StorageLocationFactory
from tests.intake import dropoff_form, line

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
PAYLOADS = (SCRIPT, ATTRIBUTE)
# What must never reach a page unescaped: the tags the payloads would open.
MARKUP = ("<script>alert", "<img src=x")


@pytest.fixture
def hostile(hub, admin_user, coordinator, settings):
    """Every free-text field of the hub filled with a payload, through the forms where
    people type them and directly where the admin site does."""
    category = Category.objects.create(code="xss", name=f"Kit {ATTRIBUTE}")
    item = ItemFactory(name=f"Water {SCRIPT}", category=category, unit_volume_litres=Decimal("1"))
    shelf = StorageLocationFactory(
        hub=hub, name=f"Shelf {ATTRIBUTE}", capacity_litres=Decimal("100")
    )
    webhook = Webhook.objects.create(hub=hub, name=f"Chat {SCRIPT}", url="https://chat.test/")
    shelter = DestinationFactory(
        hub=hub,
        name=f"Shelter {SCRIPT}",
        notes=ATTRIBUTE,
        address=SCRIPT,
        contact_name=ATTRIBUTE,
    )
    DestinationNeed.objects.create(destination=shelter, item=item, quantity=50, notes=SCRIPT)

    admin = Client()
    admin.force_login(admin_user)
    logged = admin.post(
        reverse("intake", args=[hub.slug]),
        dropoff_form(
            shelf,
            line(item, 3),
            donor_name=SCRIPT,
            donor_contact=ATTRIBUTE,
            donor_consent="on",
        ),
    )
    assert logged.status_code == 302
    control = reverse("intake_control", args=[hub.slug])
    limited = admin.post(control, {"action": "intake", "status": "limited", "reason": SCRIPT})
    closed = admin.post(
        control,
        {
            "action": "intake",
            f"category-{category.pk}-status": "closed",
            f"category-{category.pk}-reason": ATTRIBUTE,
        },
    )
    assert (limited.status_code, closed.status_code) == (302, 302)

    alert = CapacityAlert.objects.create(
        hub=hub, location=shelf, level=AlertLevel.NEARLY_FULL, fill_percent=81, threshold_percent=80
    )
    AlertDelivery.objects.create(
        alert=alert, channel=f"webhook:{webhook.pk}", attempts=1, last_error=f"HTTP {SCRIPT}"
    )
    dropoff = Dropoff.objects.get()
    assert (dropoff.donor_name, dropoff.donor_contact) == (SCRIPT, ATTRIBUTE)  # kept as typed

    stock_adjust(item=item, location=shelf, delta=1, user=coordinator, reason=SCRIPT)
    run = run_create(
        hub=hub,
        driver=admin_user,
        vehicle=SCRIPT,
        planned_at=timezone.now(),
        notes=ATTRIBUTE,
        user=coordinator,
    )
    stop = stop_add(run=run, destination=shelter, lines=[(item, 2)], user=coordinator)
    run_dispatch(run=run, user=coordinator)
    stop_deliver(stop=stop, user=admin_user, received_by=SCRIPT, note=ATTRIBUTE, returned={})
    return {"dropoff": dropoff, "item": item, "admin": admin, "run": run, "shelter": shelter}


def assert_escaped(body: str, url: str, *, shows: tuple[str, ...] = ()) -> None:
    for markup in MARKUP:
        assert markup not in body, (url, markup)
    for payload in shows:
        assert html.escape(payload) in body, (url, payload)


def test_it_escapes_free_text_on_every_page_of_the_hub(hub, hostile, coordinator):
    admin = hostile["admin"]
    slug = hub.slug
    pages = {
        reverse("hub_detail", args=[slug]): (ATTRIBUTE,),  # the shelf
        reverse("intake", args=[slug]): (SCRIPT, ATTRIBUTE),  # reason, shelf
        reverse("intake_line", args=[slug]) + f"?item={hostile['item'].pk}": (SCRIPT,),
        reverse("intake_item_search", args=[slug]) + "?q=Water": (SCRIPT,),
        reverse("intake_recent", args=[slug]): (),
        reverse("dropoff_detail", args=[slug, hostile["dropoff"].pk]): PAYLOADS,  # the donor
        reverse("stock_list", args=[slug]): PAYLOADS,  # item, shelf
        reverse("alert_list", args=[slug]): PAYLOADS,  # error, shelf
        reverse("intake_control", args=[slug]): PAYLOADS,  # both reasons
        reverse("dashboard", args=[slug]): PAYLOADS,  # reason, shelf
        reverse("item_detail", args=[slug, hostile["item"].pk]): PAYLOADS,  # reason, shelf
        reverse("reports", args=[slug]): (SCRIPT,),  # the shelter, the item
        reverse("destination_list", args=[slug]): (SCRIPT,),
        reverse("destination_detail", args=[slug, hostile["shelter"].pk]): PAYLOADS,
        reverse("run_list", args=[slug]): (SCRIPT,),  # the vehicle
        reverse("run_detail", args=[slug, hostile["run"].pk]): PAYLOADS,  # vehicle, notes
        reverse("run_pick_list", args=[slug, hostile["run"].pk]): PAYLOADS,  # item, shelf
        reverse("run_drive", args=[slug, hostile["run"].pk]): PAYLOADS,  # who, note
        reverse("delivery_report", args=[slug]): (SCRIPT,),
    }
    for url, shows in pages.items():
        response = admin.get(url)
        assert response.status_code == 200, url
        assert_escaped(response.text, url, shows=shows)


def test_it_escapes_what_was_typed_when_the_form_comes_back_with_an_error(
    client, hub, hostile, volunteer
):
    client.force_login(volunteer)
    # Donor details without consent: refused, and the form comes back filled in.
    response = client.post(
        reverse("intake", args=[hub.slug]),
        dropoff_form(None, line(hostile["item"], 1), donor_name=ATTRIBUTE, donor_contact=SCRIPT),
    )
    assert response.status_code == 200
    assert_escaped(response.text, "intake", shows=PAYLOADS)
    assert re.search(r'name="donor_name"[^>]*value="&quot;&gt;&lt;img', response.text)

    search = client.get(reverse("intake_item_search", args=[hub.slug]), {"q": SCRIPT})
    assert_escaped(search.text, "search")


def test_it_escapes_free_text_on_the_public_pages_and_serves_feeds_as_json(client, hub, hostile):
    for url, shows in {
        reverse("public_status"): (SCRIPT,),  # the hub's reason
        reverse("public_hub_status", args=[hub.slug]): PAYLOADS,  # reasons, item, category
    }.items():
        response = client.get(url)
        assert response.status_code == 200
        assert_escaped(response.text, url, shows=shows)
    for url in (reverse("public_feed"), reverse("public_hub_feed", args=[hub.slug])):
        response = client.get(url)
        assert response["Content-Type"] == "application/json"
        assert response["X-Content-Type-Options"] == "nosniff"
        # Data, not markup: the reason as typed, for the client to escape where it shows it.
        assert SCRIPT in json.dumps(response.json()), url
