"""The intake control page an admin uses to open, limit or close intake for the hub and per
category, and to set the fill thresholds; and what the dropoff table makes of it.

Reopening by itself at the reopen time is in test_intake_control_reopen.py; the services'
own rules and who may call them in test_intake_control_services.py."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hub.models import CategoryIntake, Hub, IntakeStatus
from hub.roles import Role
from operations.management.commands.seed_demo import CATEGORIES  # the brief's ten
from tests.factories import CategoryFactory, ItemFactory, StorageLocationFactory, UserFactory
from tests.intake import (
    HTMX,
    assert_nothing_stored,
    dropoff_form,
    intake_url,
    line,
    login,
    tiles,
)

# January: Los Angeles is UTC-8.
NOW = datetime(2025, 1, 9, 18, 0, tzinfo=UTC)  # 10:00 in Los Angeles


@pytest.fixture
def categories(db):
    return {
        code: CategoryFactory(code=code, name=name, sort_order=order)
        for code, name, order in CATEGORIES
    }


@pytest.fixture
def shelf(hub):
    return StorageLocationFactory(hub=hub, name="Main hall")


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def control_url(hub) -> str:
    return reverse("intake_control", args=[hub.slug])


def hub_form(status="closed", reason="Storage full", reopens_at="") -> dict:
    """The intake form with the hub's part filled in (its category rows not sent)."""
    return {"action": "intake", "status": status, "reason": reason, "reopens_at": reopens_at}


def category_form(category, status="closed", reason="Too much clothing", reopens_at="") -> dict:
    """The intake form with one category's row filled in (the hub's part not sent)."""
    row = f"category-{getattr(category, 'pk', category)}"
    return {
        "action": "intake",
        f"{row}-status": status,
        f"{row}-reason": reason,
        f"{row}-reopens_at": reopens_at,
    }


def thresholds_form(nearly="70", full="90", close_when_full=True) -> dict:
    data = {"action": "thresholds", "nearly_full_percent": nearly, "full_percent": full}
    if close_when_full:
        data["close_when_full"] = "on"
    return data


def intake_of(hub) -> tuple:
    hub = Hub.objects.get(pk=hub.pk)
    return (
        hub.intake_status,
        hub.intake_reason,
        hub.intake_reopens_at,
        hub.intake_changed_at,
        hub.nearly_full_percent,
        hub.full_percent,
        hub.close_when_full,
    )


def category_rows(hub) -> list[tuple]:
    return list(
        CategoryIntake.objects.filter(hub=hub)
        .order_by("category__sort_order")
        .values_list("category__code", "status", "reason", "reopens_at")
    )


def error_beside(html: str, field_id: str) -> list[str]:
    """The error messages shown right after the field (before the next field or label)."""
    after = html.split(f'id="{field_id}"', 1)[1]
    after = re.split(r"<label|<input|<select|</td>|<button", after.split(">", 1)[1], maxsplit=1)[0]
    return re.findall(r'<p class="error" role="alert">(.*?)</p>', after, re.S)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- who may see and use it -------------------------------------------------------------------


def test_it_shows_an_admin_the_hub_every_category_and_the_thresholds(
    client, hub, admin_user, categories
):
    response = login(client, admin_user).get(control_url(hub))

    assert response.status_code == 200
    html = response.content.decode()
    assert re.findall(r'<tr id="category-\d+"', html) == [
        f'<tr id="category-{c.pk}"' for c in categories.values()
    ]
    assert 'name="status" value="closed"' in html
    assert 'value="80"' in html and 'value="95"' in html
    assert 'name="close_when_full" id="id_close_when_full" checked' in html
    # The hub and every category are one form, with one Save, posting to this page.
    water = categories["water"].pk
    intake_form = html.split('<input type="hidden" name="action" value="intake">', 1)[1]
    intake_form = intake_form.split("</form>", 1)[0]
    assert f'name="category-{water}-status"' in intake_form
    assert 'name="status"' in intake_form
    assert intake_form.count('type="submit"') == 1


@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.COORDINATOR])
def test_it_forbids_volunteers_and_coordinators(client, hub, categories, role):
    user = UserFactory(role=role, hubs=[hub])
    before = intake_of(hub)

    assert login(client, user).get(control_url(hub)).status_code == 403
    assert client.post(control_url(hub), hub_form()).status_code == 403
    assert client.post(control_url(hub), category_form(categories["water"])).status_code == 403
    assert client.post(control_url(hub), thresholds_form()).status_code == 403

    assert intake_of(hub) == before
    assert category_rows(hub) == []


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.ADMIN])
def test_it_hides_a_hub_from_people_of_other_hubs(client, hub, other_hub, categories, role):
    stranger = UserFactory(role=role, hubs=[other_hub])
    before = intake_of(hub)

    assert login(client, stranger).get(control_url(hub)).status_code == 404
    assert client.post(control_url(hub), hub_form()).status_code == 404
    assert client.post(control_url(hub), category_form(categories["water"])).status_code == 404
    assert client.post(control_url(hub), thresholds_form()).status_code == 404

    assert intake_of(hub) == before
    assert category_rows(hub) == []


def test_it_sends_anonymous_visitors_to_login(client, hub):
    url = control_url(hub)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"
    assert client.post(url, hub_form()).status_code == 302
    assert Hub.objects.get(pk=hub.pk).intake_status == IntakeStatus.OPEN


def test_it_changes_only_the_hub_in_the_address(client, hub, other_hub, admin_user):
    # An admin of both hubs closes one of them.
    admin_user.memberships.create(hub=other_hub)

    login(client, admin_user).post(control_url(other_hub), hub_form())

    assert Hub.objects.get(pk=other_hub.pk).intake_status == IntakeStatus.CLOSED
    assert Hub.objects.get(pk=hub.pk).intake_status == IntakeStatus.OPEN


def test_it_refuses_an_unknown_change(client, hub, admin_user):
    response = login(client, admin_user).post(control_url(hub), {"action": "delete-hub"})
    assert response.status_code == 400


# --- the whole hub ----------------------------------------------------------------------------


def test_it_closes_the_hub_and_the_table_refuses_dropoffs(
    client, hub, admin_user, volunteer, shelf, water, clock
):
    hub.intake_closed_automatically = True
    hub.save()

    response = login(client, admin_user).post(
        control_url(hub), hub_form(reason="Storage full until Friday"), follow=True
    )

    assert response.redirect_chain == [(control_url(hub), 302)]
    assert messages_of(response) == [
        "West Adams Hub is closed to donations: Storage full until Friday"
    ]
    hub.refresh_from_db()
    assert (hub.intake_status, hub.intake_reason) == ("closed", "Storage full until Friday")
    assert hub.intake_changed_at == NOW
    assert hub.intake_closed_automatically is False

    page = login(client, volunteer).get(intake_url(hub)).content.decode()
    assert "West Adams Hub is not taking donations now" in page
    assert "Storage full until Friday" in page
    assert 'id="location-picker"' not in page  # it still sends donors on, takes nothing in

    refused = client.post(intake_url(hub), dropoff_form(shelf, line(water, 6)))
    assert "not taking donations now" in refused.content.decode()
    assert_nothing_stored()


def test_it_limits_the_hub_to_listed_categories(client, hub, admin_user, volunteer, categories):
    water = ItemFactory(name="Water jug", category=categories["water"])
    socks = ItemFactory(name="Socks", category=categories["clothing"])
    login(client, admin_user)

    client.post(control_url(hub), hub_form("limited", "Only water today"))
    client.post(control_url(hub), category_form(categories["water"], "open", ""))

    shown = tiles(login(client, volunteer).get(intake_url(hub)).content.decode())
    assert "Not accepted" not in shown[water.pk]
    assert "Not accepted" in shown[socks.pk]


def test_it_reads_the_reopen_time_in_the_hubs_time_zone(client, hub, admin_user, clock):
    response = login(client, admin_user).post(
        control_url(hub), hub_form(reopens_at="2025-01-10T09:00"), follow=True
    )

    hub.refresh_from_db()
    assert hub.intake_reopens_at == datetime(2025, 1, 10, 17, 0, tzinfo=UTC)
    assert messages_of(response) == [
        "West Adams Hub is closed to donations until Jan. 10, 2025, 9 a.m.: Storage full"
    ]
    html = response.content.decode()
    assert 'name="reopens_at" value="2025-01-10T09:00" id="id_reopens_at"' in html
    assert "Reopens Jan. 10, 2025, 9 a.m." in html


def test_it_reopens_the_hub_by_hand_and_forgets_the_reason(client, hub, admin_user, clock):
    hub.intake_status, hub.intake_reason = IntakeStatus.CLOSED, "Storage full"
    hub.intake_reopens_at = NOW + timedelta(days=1)
    hub.save()

    response = login(client, admin_user).post(
        control_url(hub), hub_form("open", "Storage full", "2025-01-10T09:00"), follow=True
    )

    hub.refresh_from_db()
    assert (hub.intake_status, hub.intake_reason, hub.intake_reopens_at) == ("open", "", None)
    assert messages_of(response) == ["West Adams Hub is open for donations."]


def test_it_answers_htmx_with_the_control_part_and_a_message(client, hub, admin_user):
    response = login(client, admin_user).post(control_url(hub), hub_form(), headers=HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="control">')
    assert "<html" not in html
    assert "Now: closed, taking no donations" in html
    assert 'id="messages" class="messages" role="status" aria-live="polite" hx-swap-oob="true"' in (
        html
    )
    assert "West Adams Hub is closed to donations: Storage full" in html


# --- per category -----------------------------------------------------------------------------


def test_it_closes_and_limits_categories_and_the_tiles_show_it(
    client, hub, admin_user, volunteer, categories, clock
):
    socks = ItemFactory(name="Socks", category=categories["clothing"])
    jug = ItemFactory(name="Water jug", category=categories["water"])
    soap = ItemFactory(name="Bar soap", category=categories["hygiene"])
    login(client, admin_user)

    closed = client.post(
        control_url(hub),
        category_form(categories["clothing"], reopens_at="2025-01-12T18:30"),
        follow=True,
    )
    limited = client.post(
        control_url(hub),
        category_form(categories["water"], "limited", "Only gallon jugs"),
        follow=True,
    )

    assert messages_of(closed) == [
        "Clothing: closed until Jan. 12, 2025, 6:30 p.m.: Too much clothing"
    ]
    assert messages_of(limited) == ["Water: only if needed: Only gallon jugs"]
    assert category_rows(hub) == [
        ("water", "limited", "Only gallon jugs", None),
        ("clothing", "closed", "Too much clothing", datetime(2025, 1, 13, 2, 30, tzinfo=UTC)),
    ]
    assert Hub.objects.get(pk=hub.pk).intake_changed_at == NOW

    shown = tiles(login(client, volunteer).get(intake_url(hub)).content.decode())
    assert "Not accepted" in shown[socks.pk]
    assert "Only if needed" in shown[jug.pk]
    assert "Not accepted" not in shown[soap.pk] and "Only if needed" not in shown[soap.pk]


def test_it_lets_a_category_follow_the_hub_again(client, hub, admin_user, categories):
    CategoryIntake.objects.create(
        hub=hub, category=categories["clothing"], status="closed", reason="Full"
    )
    CategoryIntake.objects.create(hub=hub, category=categories["pet"], status="closed", reason="x")

    response = login(client, admin_user).post(
        control_url(hub), category_form(categories["clothing"], "follow", "Full"), follow=True
    )

    assert messages_of(response) == ["Clothing now follows the hub."]
    assert category_rows(hub) == [("pet", "closed", "x", None)]


def test_it_saves_the_hub_and_several_categories_with_one_save(
    client, hub, admin_user, categories, clock
):
    data = {
        **hub_form("limited", "Storage nearly full"),
        **category_form(categories["clothing"]),
        **category_form(categories["water"], "open", ""),
        **category_form(categories["pet"], "follow", ""),  # as it was: not changed
    }

    response = login(client, admin_user).post(control_url(hub), data, headers=HTMX)

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="control">')
    assert intake_of(hub)[:2] == ("limited", "Storage nearly full")
    assert category_rows(hub) == [
        ("water", "open", "", None),
        ("clothing", "closed", "Too much clothing", None),
    ]
    assert (
        "West Adams Hub takes only categories marked open or only if needed: Storage nearly "
        "full Water: open. Clothing: closed: Too much clothing"
    ) in html
    clothing_row = html.split(f'<tr id="category-{categories["clothing"].pk}"', 1)[1]
    assert '<span class="badge badge-closed">Not accepted</span>' in clothing_row.split("</tr>")[0]


def test_it_stores_no_row_when_one_row_is_refused(client, hub, admin_user, categories, clock):
    data = {
        **hub_form("limited", "Storage nearly full"),
        **category_form(categories["water"], "open", ""),
        **category_form(categories["clothing"], reason=""),
    }

    response = login(client, admin_user).post(control_url(hub), data)

    html = response.content.decode()
    clothing = categories["clothing"].pk
    assert any("Say why" in t for t in error_beside(html, f"id_category-{clothing}-reason"))
    assert intake_of(hub)[0] == "open"
    assert category_rows(hub) == []
    # What was typed is still there, to correct and save again.
    assert 'name="reason" value="Storage nearly full"' in html


def test_it_shows_what_a_following_category_takes_when_the_hub_is_closed(
    client, hub, admin_user, categories
):
    hub.intake_status, hub.intake_reason = IntakeStatus.CLOSED, "Storage full"
    hub.save()

    html = login(client, admin_user).get(control_url(hub)).content.decode()

    row = html.split(f'<tr id="category-{categories["food"].pk}"', 1)[1].split("</tr>", 1)[0]
    assert "Not accepted" in row
    assert '<option value="follow" selected>Follow the hub</option>' in row


# --- thresholds -------------------------------------------------------------------------------


def test_it_sets_the_thresholds(client, hub, admin_user):
    response = login(client, admin_user).post(
        control_url(hub), thresholds_form("70", "90", close_when_full=False), follow=True
    )

    hub.refresh_from_db()
    assert (hub.nearly_full_percent, hub.full_percent, hub.close_when_full) == (70, 90, False)
    assert messages_of(response) == [
        "Thresholds saved: nearly full at 70 %, full at 90 %. "
        "Intake stays open when storage is full."
    ]


# --- bad input --------------------------------------------------------------------------------

BAD_HUB_INPUT = [
    pytest.param(hub_form(reason=""), "id_reason", "Say why", id="closing-without-reason"),
    pytest.param(hub_form(reason="   "), "id_reason", "Say why", id="reason-only-spaces"),
    pytest.param(hub_form("limited", ""), "id_reason", "Say why", id="limiting-without-reason"),
    pytest.param(hub_form(reason="x" * 256), "id_reason", "at most 255", id="reason-too-long"),
    pytest.param(
        hub_form(reopens_at="2025-01-09T09:59"),
        "id_reopens_at",
        "That time has passed",
        id="reopen-in-the-past",
    ),
    pytest.param(
        hub_form(reopens_at="2025-01-09T10:00"),
        "id_reopens_at",
        "That time has passed",
        id="reopen-now",
    ),
    pytest.param(
        hub_form(reopens_at="next friday"),
        "id_reopens_at",
        "Enter a date and a time",
        id="reopen-not-a-time",
    ),
    pytest.param(
        hub_form(reopens_at="2025-02-30T09:00"),
        "id_reopens_at",
        "Enter a date and a time",
        id="reopen-no-such-day",
    ),
    pytest.param(
        hub_form(status="burn"), "id_status_2", "Choose open, limited or closed", id="tampered"
    ),
    pytest.param(
        {"action": "intake", "status": "", "reason": "x"},
        "id_status_2",
        "Choose open",
        id="status-missing",
    ),
]


@pytest.mark.parametrize(("data", "field_id", "message"), BAD_HUB_INPUT)
def test_it_stores_nothing_on_bad_hub_input(
    client, hub, admin_user, categories, clock, data, field_id, message
):
    before = intake_of(hub)

    response = login(client, admin_user).post(control_url(hub), data)

    assert response.status_code == 200
    html = response.content.decode()
    if field_id == "id_status_2":  # the message follows the radio buttons
        beside = re.findall(
            r'<p class="error" role="alert">(.*?)</p>', html.split("</fieldset>")[0]
        )
    else:
        beside = error_beside(html, field_id)
    assert any(message in text for text in beside), beside
    assert intake_of(hub) == before
    assert category_rows(hub) == []
    assert not messages_of(response)


def test_it_keeps_what_was_typed_when_refusing(client, hub, admin_user, clock):
    html = (
        login(client, admin_user)
        .post(control_url(hub), hub_form(reason="Full", reopens_at="2025-01-01T08:00"))
        .content.decode()
    )
    assert 'value="closed" id="id_status_2" required checked' in html
    assert 'name="reason" value="Full"' in html
    assert 'value="2025-01-01T08:00"' in html


def test_it_answers_htmx_bad_input_with_the_form_and_its_message(client, hub, admin_user):
    response = login(client, admin_user).post(control_url(hub), hub_form(reason=""), headers=HTMX)

    html = response.content.decode()
    assert response.status_code == 200  # htmx swaps only 2xx answers
    assert html.lstrip().startswith('<div id="control">')
    assert any("Say why" in text for text in error_beside(html, "id_reason"))
    assert Hub.objects.get(pk=hub.pk).intake_status == IntakeStatus.OPEN


BAD_CATEGORY_INPUT = [
    pytest.param({"reason": ""}, "reason", "Say why", id="closing-without-reason"),
    pytest.param({"status": "limited", "reason": ""}, "reason", "Say why", id="limited-no-reason"),
    pytest.param(
        {"reopens_at": "2025-01-08T12:00"}, "reopens_at", "That time has passed", id="past"
    ),
    pytest.param({"reopens_at": "soon"}, "reopens_at", "Enter a date and a time", id="not-time"),
    pytest.param(
        {"status": "burn"}, "status", "Choose follow the hub, open, only if", id="tampered"
    ),
]


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
@pytest.mark.parametrize(("change", "field", "message"), BAD_CATEGORY_INPUT)
def test_it_stores_nothing_on_bad_category_input(
    client, hub, admin_user, categories, clock, change, field, message, htmx
):
    CategoryIntake.objects.create(hub=hub, category=categories["pet"], status="closed", reason="x")
    before = intake_of(hub), category_rows(hub)
    clothing = categories["clothing"]

    response = login(client, admin_user).post(
        control_url(hub),
        {
            **category_form(clothing),
            **{f"category-{clothing.pk}-{k}": v for k, v in change.items()},
        },
        headers=HTMX if htmx else {},
    )

    assert response.status_code == 200
    html = response.content.decode()
    beside = error_beside(html, f"id_category-{clothing.pk}-{field}")
    assert any(message in text for text in beside), beside
    assert (intake_of(hub), category_rows(hub)) == before
    if htmx:
        assert html.lstrip().startswith('<div id="control">')


@pytest.mark.parametrize("category", ["999999", "", "abc", "-1", "²"])
def test_it_ignores_rows_of_categories_not_in_the_catalog(
    client, hub, admin_user, categories, category
):
    before = intake_of(hub)

    response = login(client, admin_user).post(
        control_url(hub), category_form(category), follow=True
    )

    assert messages_of(response) == ["Nothing changed."]
    assert intake_of(hub) == before
    assert category_rows(hub) == []


BAD_THRESHOLDS = [
    pytest.param(("80", "80"), "id_nearly_full_percent", "must be lower", id="equal"),
    pytest.param(("96", "95"), "id_nearly_full_percent", "must be lower", id="nearly-above"),
    pytest.param(("0", "95"), "id_nearly_full_percent", "from 1 to 100", id="zero"),
    pytest.param(("80", "101"), "id_full_percent", "from 1 to 100", id="above-100"),
    pytest.param(("-5", "95"), "id_nearly_full_percent", "from 1 to 100", id="negative"),
    pytest.param(("eighty", "95"), "id_nearly_full_percent", "from 1 to 100", id="not-a-number"),
    pytest.param(("80.5", "95"), "id_nearly_full_percent", "from 1 to 100", id="fraction"),
    pytest.param(("80", ""), "id_full_percent", "from 1 to 100", id="missing"),
]


@pytest.mark.parametrize(("values", "field_id", "message"), BAD_THRESHOLDS)
def test_it_stores_nothing_on_bad_thresholds(client, hub, admin_user, values, field_id, message):
    before = intake_of(hub)

    response = login(client, admin_user).post(
        control_url(hub), thresholds_form(*values, close_when_full=False)
    )

    assert response.status_code == 200
    beside = error_beside(response.content.decode(), field_id)
    assert any(message in text for text in beside), beside
    assert intake_of(hub) == before


def test_it_reads_the_page_in_the_same_number_of_queries_for_more_categories(
    client, hub, admin_user, categories
):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(control_url(hub)).status_code == 200
        return len(captured)

    login(client, admin_user)
    ten = queries()
    for n in range(10):
        category = CategoryFactory(code=f"extra-{n}", sort_order=200 + n)
        CategoryIntake.objects.create(hub=hub, category=category, status="closed", reason="x")

    assert queries() == ten


# --- on a tablet ------------------------------------------------------------------------------


def test_it_gives_every_control_a_label_and_a_big_target(client, hub, admin_user, categories):
    html = login(client, admin_user).get(control_url(hub)).content.decode()
    control = html.split('<div id="control">', 1)[1]

    # Radios and the checkbox sit in .check labels (44 px boxes); the rest are inputs,
    # selects and buttons, which the style sheet makes at least 44 px.
    for tag in re.findall(r'<input type="(?:radio|checkbox)"[^>]*>', control):
        assert re.search(rf'<label class="check" for="[^"]+">\s*{re.escape(tag)}', control), tag
    for tag in re.findall(
        r'<(?:select|input type="(?:text|number|datetime-local)")[^>]*>', control
    ):
        field_id = re.search(r'id="([^"]+)"', tag).group(1)
        assert 'aria-label="' in tag or f'<label for="{field_id}"' in control, tag
    assert len(re.findall(r"<select ", control)) == len(categories)
