"""The dropoff table as the volunteer sees it: the page, its tiles and search, a line row,
the last 20 dropoffs, a dropoff's detail page, and who may see any of it.

Submitting is in test_intake_submit.py, bad input in test_intake_bad_input.py, undo in
test_intake_undo.py and query counts in test_intake_queries.py; the form and HTML helpers
they share are in tests/intake.py."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from hub.intake.services import DropoffLineInput
from hub.models import CategoryIntake, Dropoff, DropoffLine, IntakeStatus, Outcome
from inventory.models import Unit
from tests.factories import (
    CategoryFactory,
    HubFactory,
    ItemFactory,
    StorageLocationFactory,
    UserFactory,
)
from tests.intake import (
    HTMX,
    dropoff_form,
    fill_to,
    intake_url,
    line,
    location_options,
    logged,
    login,
    receipts,
    tiles,
)


@pytest.fixture
def hall(hub):
    return StorageLocationFactory(hub=hub, name="Main hall", capacity_litres=Decimal("1000"))


# --- the page ---------------------------------------------------------------------------------


def test_it_defaults_to_the_emptiest_location_with_room(client, hub, volunteer):
    shelf = StorageLocationFactory(hub=hub, name="A shelf", capacity_litres=Decimal("100"))
    pallet = StorageLocationFactory(hub=hub, name="B pallet", capacity_litres=Decimal("1000"))
    box = StorageLocationFactory(hub=hub, name="C box", capacity_litres=Decimal("10"))
    fill_to(shelf, 50)  # 50 %
    fill_to(pallet, 100)  # 10 %
    fill_to(box, 10)  # 100 %: full

    html = login(client, volunteer).get(intake_url(hub)).content.decode()

    assert location_options(html) == [(shelf.pk, False), (pallet.pk, True), (box.pk, False)]
    assert "C box (100.0 % full)" in html


def test_it_never_defaults_to_a_full_location_even_when_it_is_the_emptiest(client, hub, volunteer):
    hub.close_when_full = False  # the table stays open, to show which location it offers
    hub.save()
    full = StorageLocationFactory(hub=hub, name="A full shelf", capacity_litres=Decimal("10"))
    nearly = StorageLocationFactory(hub=hub, name="B nearly", capacity_litres=Decimal("100"))
    fill_to(full, 10)
    fill_to(nearly, 99)

    html = login(client, volunteer).get(intake_url(hub)).content.decode()

    assert location_options(html) == [(full.pk, False), (nearly.pk, True)]


def test_it_does_not_preselect_a_full_location_when_every_location_is_full(client, hub, volunteer):
    hub.close_when_full = False  # the table stays open, to show which location it offers
    hub.save()
    full = StorageLocationFactory(hub=hub, name="Only shelf", capacity_litres=Decimal("10"))
    fill_to(full, 10)

    html = login(client, volunteer).get(intake_url(hub)).content.decode()

    # A select with no selected option shows (and submits) its first option: it must be the
    # blank "every location is full" choice, not the full shelf.
    options = location_options(html)
    assert options == [(None, False), (full.pk, False)]
    assert "Every location is full" in html


def test_it_shows_as_tiles_the_12_items_most_received_here_in_the_week_before_today(
    client, hub, other_hub, volunteer, hall
):
    other_hall = StorageLocationFactory(hub=other_hub, name="Other hall")
    food = CategoryFactory(code="food", name="Food", sort_order=1)
    catalog = [ItemFactory(name=f"Item {n:02}", category=food) for n in range(20)]
    popular = catalog[5:19]  # 14 items received this week, the most received first
    yesterday = timedelta(days=1)
    for times, item in zip(range(20, 6, -1), popular, strict=True):
        receipts(hub, volunteer, item, times, location=hall, age=yesterday)
    gone = ItemFactory(name="Item gone", category=food, is_active=False)
    receipts(hub, volunteer, gone, 30, location=hall, age=yesterday)
    receipts(hub, volunteer, catalog[0], 30, location=hall, age=timedelta(days=8))
    receipts(other_hub, volunteer, catalog[1], 30, location=other_hall, age=yesterday)
    receipts(hub, volunteer, catalog[2], 30, outcome=Outcome.DECLINED, age=yesterday)

    html = login(client, volunteer).get(intake_url(hub)).content.decode()

    assert list(tiles(html)) == [item.pk for item in popular[:12]]


def test_it_tops_the_tiles_up_from_the_catalog(client, hub, volunteer, hall):
    first = CategoryFactory(code="water", name="Water", sort_order=1)
    second = CategoryFactory(code="food", name="Food", sort_order=2)
    later = [ItemFactory(name=f"Food {n:02}", category=second) for n in range(10)]
    earlier = [ItemFactory(name=f"Water {n:02}", category=first) for n in range(3)]
    ItemFactory(name="Water old", category=first, is_active=False)
    received = later[9]
    receipts(hub, volunteer, received, 1, location=hall, age=timedelta(days=1))

    html = login(client, volunteer).get(intake_url(hub)).content.decode()

    expected = [received, *earlier, *later[:8]]
    assert list(tiles(html)) == [item.pk for item in expected]


def test_it_marks_tiles_of_closed_and_limited_categories(client, hub, volunteer):
    clothing = ItemFactory(name="T-shirts", category=CategoryFactory(code="clothing"))
    masks = ItemFactory(name="N95 masks", category=CategoryFactory(code="ppe"))
    water = ItemFactory(name="Water case", category=CategoryFactory(code="water"))
    CategoryIntake.objects.create(
        hub=hub, category=clothing.category, status=IntakeStatus.CLOSED, reason="Full of it"
    )
    CategoryIntake.objects.create(hub=hub, category=masks.category, status=IntakeStatus.LIMITED)

    html = login(client, volunteer).get(intake_url(hub)).content.decode()

    shown = tiles(html)
    assert "Not accepted" in shown[clothing.pk]
    assert "Only if needed" in shown[masks.pk]
    assert "Not accepted" not in shown[water.pk]
    assert "Only if needed" not in shown[water.pk]


def test_it_shows_unlisted_categories_as_not_accepted_when_the_hub_is_limited(
    client, hub, volunteer
):
    listed = ItemFactory(name="Diapers", category=CategoryFactory(code="baby"))
    unlisted = ItemFactory(name="Sweaters", category=CategoryFactory(code="clothing"))
    hub.intake_status, hub.intake_reason = IntakeStatus.LIMITED, "Baby things only"
    hub.save()
    CategoryIntake.objects.create(hub=hub, category=listed.category, status=IntakeStatus.OPEN)

    html = login(client, volunteer).get(intake_url(hub)).content.decode()

    assert "Baby things only" in html
    assert "Not accepted" not in tiles(html)[listed.pk]
    assert "Not accepted" in tiles(html)[unlisted.pk]


def test_it_asks_for_an_expiry_date_only_for_items_that_track_it(
    client, hub, volunteer, water, beans
):
    login(client, volunteer)
    url = reverse("intake_line", args=[hub.slug])

    beans_row = client.get(url, {"item": beans.pk}, headers=HTMX).content.decode()
    water_row = client.get(url, {"item": water.pk}, headers=HTMX).content.decode()

    assert 'type="date" name="expiry_date"' in beans_row
    assert 'type="date"' not in water_row
    assert 'type="hidden" name="expiry_date"' in water_row  # keeps the lists in step


def test_it_shows_the_unit_on_tiles_and_line_rows(client, hub, volunteer):
    cases = ItemFactory(name="Water 24-pack", unit=Unit.CASE)
    login(client, volunteer)

    page = client.get(intake_url(hub)).content.decode()
    row = client.get(reverse("intake_line", args=[hub.slug]), {"item": cases.pk}).content.decode()

    assert "<small>case</small>" in tiles(page)[cases.pk]
    assert '<span class="unit">case</span>' in row
    assert 'name="quantity"' in row and 'data-step="1"' in row and 'data-step="-1"' in row


def test_it_offers_only_decline_or_redirect_for_an_item_not_accepted(client, hub, volunteer):
    shirts = ItemFactory(name="T-shirts", category=CategoryFactory(code="clothing"))
    CategoryIntake.objects.create(
        hub=hub, category=shirts.category, status=IntakeStatus.CLOSED, reason="Full of it"
    )

    row = (
        login(client, volunteer)
        .get(reverse("intake_line", args=[hub.slug]), {"item": shirts.pk})
        .content.decode()
    )

    assert "Not accepted" in row and "Full of it" in row
    assert 'value="accepted"' not in row
    assert '<option value="declined" selected>' in row


def test_it_preselects_the_nearest_other_hub_with_room_for_a_redirect(client, hub, volunteer):
    def hub_at(name, latitude):  # due north of the hub, farther the higher the latitude
        return HubFactory(name=name, latitude=Decimal(latitude), longitude=Decimal("-118.33"))

    hub.latitude, hub.longitude = Decimal("34.03"), Decimal("-118.33")
    hub.save()
    water = ItemFactory(name="Water case", category=CategoryFactory(code="water"))
    near_closed = hub_at("Near closed", "34.04")
    CategoryIntake.objects.create(
        hub=near_closed, category=water.category, status=IntakeStatus.CLOSED
    )
    near_full = hub_at("Near full", "34.05")
    fill_to(StorageLocationFactory(hub=near_full, capacity_litres=Decimal("100")), 85)
    farther = hub_at("Farther", "34.20")
    hub_at("Farthest", "35.00")

    row = (
        login(client, volunteer)
        .get(reverse("intake_line", args=[hub.slug]), {"item": water.pk})
        .content.decode()
    )

    suggested = re.findall(r'<option value="(\d+)" selected>\s*([^<]*)', row)
    assert [(int(pk), text.strip()) for pk, text in suggested] == [
        (farther.pk, "Farther · nearest with room")
    ]


def test_it_debounces_the_item_search(client, hub, volunteer):
    html = login(client, volunteer).get(intake_url(hub)).content.decode()

    search = re.search(r'<input id="item-search"[^>]*>', html).group(0)
    trigger = re.search(r'hx-trigger="([^"]*)"', search).group(1)
    assert "delay:" in trigger
    assert "hx-sync=" in search
    assert f'hx-get="{reverse("intake_item_search", args=[hub.slug])}"' in search


def test_it_finds_active_items_by_name_as_you_type(client, hub, volunteer):
    bottled = ItemFactory(name="Bottled water 1.5 L")
    gallon = ItemFactory(name="Water gallon")
    ItemFactory(name="Water pouch (recalled)", is_active=False)
    ItemFactory(name="Canned beans")
    login(client, volunteer)
    url = reverse("intake_item_search", args=[hub.slug])

    found = client.get(url, {"q": "wAtEr"}, headers=HTMX).content.decode()
    nothing = client.get(url, {"q": "recalled"}, headers=HTMX).content.decode()
    empty = client.get(url, {"q": "  "}, headers=HTMX).content.decode()

    assert re.findall(r'data-add-item="(\d+)"', found) == [str(bottled.pk), str(gallon.pk)]
    assert "recalled" not in found and "beans" not in found
    assert "data-add-item" not in nothing and "No item matches." in nothing
    assert "data-add-item" not in empty


def test_it_refuses_a_line_row_for_an_inactive_or_unknown_item(client, hub, volunteer):
    inactive = ItemFactory(is_active=False)
    login(client, volunteer)
    url = reverse("intake_line", args=[hub.slug])

    assert client.get(url, {"item": inactive.pk}).status_code == 404
    assert client.get(url, {"item": "999999"}).status_code == 404
    assert client.get(url, {"item": "x"}).status_code == 404


# --- the last 20 dropoffs ---------------------------------------------------------------------


def test_it_lists_the_last_20_dropoffs_here_newest_first(
    client, hub, other_hub, volunteer, outsider, hall, water
):
    ours = [
        logged(hub, volunteer, DropoffLineInput(water, n + 1, location=hall)) for n in range(22)
    ]
    now = timezone.now()
    for age, dropoff in enumerate(reversed(ours)):
        Dropoff.objects.filter(pk=dropoff.pk).update(logged_at=now - timedelta(minutes=age))
    theirs = logged(other_hub, outsider, DropoffLineInput(water, 1, outcome=Outcome.DECLINED))
    login(client, volunteer)

    fragment = client.get(reverse("intake_recent", args=[hub.slug]), headers=HTMX)
    page = client.get(intake_url(hub))

    newest_first = [d.pk for d in reversed(ours)][:20]
    for html in (fragment.content.decode(), page.content.decode()):
        listed = [int(pk) for pk in re.findall(r'/dropoffs/(\d+)/"', html)]
        assert listed == newest_first
        assert theirs.pk not in listed
    assert 'hx-trigger="every' in fragment.content.decode()  # refreshed without a reload


# --- a dropoff's detail page ------------------------------------------------------------------


def test_it_shows_a_dropoffs_lines_on_its_detail_page(
    client, hub, other_hub, volunteer, hall, water, beans
):
    dropoff = logged(
        hub,
        volunteer,
        DropoffLineInput(water, 24, location=hall),
        DropoffLineInput(beans, 3, outcome=Outcome.REDIRECTED, redirected_to=other_hub),
    )

    response = login(client, volunteer).get(reverse("dropoff_detail", args=[hub.slug, dropoff.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert f"Dropoff #{dropoff.pk}" in html
    assert "Bottled water 1.5 L" in html and "24 each" in html and "Main hall" in html
    assert "Canned beans" in html and "Pasadena Hub" in html


def test_it_hides_another_hubs_dropoff_from_the_detail_page(
    client, hub, other_hub, volunteer, outsider, water
):
    theirs = logged(other_hub, outsider, DropoffLineInput(water, 1, outcome=Outcome.DECLINED))
    login(client, volunteer)

    assert client.get(reverse("dropoff_detail", args=[hub.slug, theirs.pk])).status_code == 404
    undo = client.post(reverse("dropoff_undo", args=[hub.slug, theirs.pk]))
    assert undo.status_code == 404
    assert not Dropoff.objects.get(pk=theirs.pk).undone_at


def test_it_shows_donor_details_to_a_coordinator_only(
    client, hub, volunteer, coordinator, hall, water
):
    dropoff = logged(
        hub,
        volunteer,
        DropoffLineInput(water, 2, location=hall),
        donor_name="Maria Lopez",
        donor_contact="555-0100",
        donor_consent=True,
    )
    url = reverse("dropoff_detail", args=[hub.slug, dropoff.pk])

    as_volunteer = login(client, volunteer).get(url).content.decode()
    as_coordinator = login(client, coordinator).get(url).content.decode()
    table = login(client, volunteer).get(intake_url(hub)).content.decode()

    assert "Maria Lopez" not in as_volunteer and "555-0100" not in as_volunteer
    assert "Maria Lopez" in as_coordinator and "555-0100" in as_coordinator
    assert "Maria Lopez" not in table and "555-0100" not in table


# --- who may see it ---------------------------------------------------------------------------


def intake_urls(hub, dropoff) -> list[tuple[str, str]]:
    return [
        ("get", intake_url(hub)),
        ("post", intake_url(hub)),
        ("get", reverse("intake_line", args=[hub.slug]) + f"?item={dropoff.lines.first().item_id}"),
        ("get", reverse("intake_item_search", args=[hub.slug]) + "?q=water"),
        ("get", reverse("intake_recent", args=[hub.slug])),
        ("get", reverse("dropoff_detail", args=[hub.slug, dropoff.pk])),
        ("post", reverse("dropoff_undo", args=[hub.slug, dropoff.pk])),
    ]


def test_it_sends_an_anonymous_visitor_to_log_in(client, hub, volunteer, hall, water):
    dropoff = logged(hub, volunteer, DropoffLineInput(water, 1, location=hall))

    for method, url in intake_urls(hub, dropoff):
        response = getattr(client, method)(url, dropoff_form(hall, line(water, 5)))
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url

    assert Dropoff.objects.count() == 1
    assert not Dropoff.objects.get().undone_at


def test_it_hides_every_intake_url_from_a_member_of_another_hub(
    client, hub, volunteer, outsider, hall, water
):
    dropoff = logged(hub, volunteer, DropoffLineInput(water, 1, location=hall))
    login(client, outsider)

    for method, url in intake_urls(hub, dropoff):
        for headers in ({}, HTMX):
            data = dropoff_form(hall, line(water, 5)) if method == "post" else None
            response = getattr(client, method)(url, data, headers=headers)
            assert response.status_code == 404, (method, url, headers)

    assert Dropoff.objects.count() == 1
    assert DropoffLine.objects.count() == 1
    assert not Dropoff.objects.get().undone_at


def test_it_refuses_a_member_without_a_role(client, hub, volunteer, hall, water):
    dropoff = logged(hub, volunteer, DropoffLineInput(water, 1, location=hall))
    nobody = UserFactory(username="newbie", hubs=[hub])
    login(client, nobody)

    for method, url in intake_urls(hub, dropoff):
        data = dropoff_form(hall, line(water, 5)) if method == "post" else None
        assert getattr(client, method)(url, data).status_code == 403, (method, url)

    assert Dropoff.objects.count() == 1
