"""The public status pages and JSON feeds: no login, no personal data, cached briefly, in
English and Spanish."""

import re
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from deliveries.models import DestinationNeed, NeedPriority
from hub.intake.selectors import acceptance_map
from hub.models import CategoryIntake, Dropoff, IntakeStatus
from inventory.models import Category, Webhook
from inventory.services import StockLine, stock_receive
from tests.factories import (
    CategoryFactory,
    DestinationFactory,
    HubFactory,
    ItemFactory,
    StorageLocationFactory,
    UserFactory,
)

LA = ZoneInfo("America/Los_Angeles")


@pytest.fixture
def catalog(db):
    """Three categories, one item each."""
    return {
        code: ItemFactory(
            name=name, category=CategoryFactory(code=code, name=code.title(), sort_order=n)
        )
        for n, (code, name) in enumerate(
            [("water", "Bottled water"), ("clothing", "Warm jacket"), ("bedding", "Blanket")]
        )
    }


def urls(hub) -> list[str]:
    return [
        reverse("public_status"),
        reverse("public_feed"),
        reverse("public_hub_status", args=[hub.slug]),
        reverse("public_hub_feed", args=[hub.slug]),
    ]


def hub_feed(client, hub, **headers) -> dict:
    response = client.get(reverse("public_hub_feed", args=[hub.slug]), headers=headers)
    assert response.status_code == 200
    return response.json()["hub"]


def section(html: str, heading_id: str) -> str:
    """The text of the page's <section> labelled by `heading_id`."""
    match = re.search(rf'<section[^>]*aria-labelledby="{heading_id}".*?</section>', html, re.S)
    assert match, heading_id
    return match.group(0)


def test_it_serves_every_page_and_feed_without_login(client, hub, catalog):
    for url in urls(hub):
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get(reverse("public_hub_status", args=[hub.slug]))
    assert page["Content-Type"].startswith("text/html")
    assert "West Adams Hub" in page.content.decode()
    for url in (reverse("public_feed"), reverse("public_hub_feed", args=[hub.slug])):
        response = client.get(url)
        assert response["Content-Type"] == "application/json"
    network = client.get(reverse("public_feed")).json()
    assert [h["slug"] for h in network["hubs"]] == ["west-adams"]


def test_it_shows_the_intake_status_reason_and_reopen_time(client, hub, catalog):
    hub.intake_status = IntakeStatus.CLOSED
    hub.intake_reason = "Storage is full, thank you!"
    hub.intake_reopens_at = datetime(2025, 1, 20, 9, 0, tzinfo=LA)
    hub.intake_changed_at = datetime(2025, 1, 18, 17, 30, tzinfo=LA)
    hub.save()

    html = client.get(reverse("public_hub_status", args=[hub.slug])).content.decode()
    assert "Not taking donations now" in html
    assert "Storage is full, thank you!" in html
    assert 'datetime="2025-01-20T09:00:00-08:00"' in html
    assert "Jan. 20, 2025" in html
    assert 'datetime="2025-01-18T17:30:00-08:00"' in html  # last updated
    assert hub.address in html and hub.opening_hours in html

    data = hub_feed(client, hub)
    assert data["intake"] == {
        "status": "closed",
        "status_label": "closed",
        "headline": "Not taking donations now",
        "reason": "Storage is full, thank you!",
        "reopens_at": "2025-01-20T09:00:00-08:00",
    }
    assert data["last_updated"] == "2025-01-18T17:30:00-08:00"
    assert data["address"] == hub.address
    assert data["opening_hours"] == hub.opening_hours

    network = client.get(reverse("public_status")).content.decode()
    assert "Storage is full, thank you!" in network


def test_it_shows_an_open_hub_as_taking_donations(client, hub, catalog):
    html = client.get(reverse("public_hub_status", args=[hub.slug])).content.decode()
    assert "Taking donations" in html
    assert "Every kind of donation is accepted." in html
    assert hub_feed(client, hub)["intake"]["reopens_at"] is None


def accepted_names(html: str) -> tuple[list[str], list[str], list[str]]:
    """(accepted, of which only if needed, not accepted) category names on the hub page."""
    names = ["Water", "Clothing", "Bedding"]

    def listed(part):
        return [n for n in names if re.search(rf"<li>\s*{n}\b", part)]

    accepted = section(html, "accepted-heading")
    limited = [
        n for n in names if re.search(rf"<li>\s*{n}\s*<strong[^>]*>Only if needed", accepted)
    ]
    return listed(accepted), limited, listed(section(html, "not-accepted-heading"))


def expected(hub) -> dict[str, str]:
    """category code -> status, by the intake rules of hub.intake.selectors."""
    accepts = acceptance_map(hubs=[hub])
    return {
        category.code: str(accepts[hub.pk, category.pk].status)
        for category in Category.objects.all()
    }


@pytest.mark.parametrize(
    ("hub_status", "rows", "statuses", "page"),
    [
        pytest.param(
            IntakeStatus.CLOSED,
            {"water": IntakeStatus.OPEN},
            {"water": "closed", "clothing": "closed", "bedding": "closed"},
            ([], [], ["Water", "Clothing", "Bedding"]),
            id="hub closed",
        ),
        pytest.param(
            IntakeStatus.LIMITED,
            {"water": IntakeStatus.OPEN, "bedding": IntakeStatus.LIMITED},
            {"water": "open", "clothing": "closed", "bedding": "limited"},
            (["Water", "Bedding"], ["Bedding"], ["Clothing"]),
            id="hub limited",
        ),
        pytest.param(
            IntakeStatus.OPEN,
            {"clothing": IntakeStatus.CLOSED, "bedding": IntakeStatus.LIMITED},
            {"water": "open", "clothing": "closed", "bedding": "limited"},
            (["Water", "Bedding"], ["Bedding"], ["Clothing"]),
            id="categories closed and limited",
        ),
    ],
)
def test_it_lists_categories_accepted_and_not_by_the_intake_rules(
    client, hub, catalog, hub_status, rows, statuses, page
):
    hub.intake_status = hub_status
    hub.save()
    for code, status in rows.items():
        CategoryIntake.objects.create(
            hub=hub, category=catalog[code].category, status=status, reason=f"{code} says so"
        )
    assert expected(hub) == statuses  # the rules of hub.intake.selectors, which the pages follow

    data = hub_feed(client, hub)
    assert {c["code"]: c["status"] for c in data["categories"]} == statuses
    assert {c["code"]: c["accepts"] for c in data["categories"]} == {
        code: status != "closed" for code, status in statuses.items()
    }
    assert (
        accepted_names(client.get(reverse("public_hub_status", args=[hub.slug])).content.decode())
        == page
    )


def test_it_gives_the_reason_a_category_is_not_accepted(client, hub, catalog):
    CategoryIntake.objects.create(
        hub=hub,
        category=catalog["clothing"].category,
        status=IntakeStatus.CLOSED,
        reason="We have more clothing than we can sort",
    )
    html = client.get(reverse("public_hub_status", args=[hub.slug])).content.decode()
    assert "We have more clothing than we can sort" in section(html, "not-accepted-heading")
    clothing = next(c for c in hub_feed(client, hub)["categories"] if c["code"] == "clothing")
    assert clothing["reason"] == "We have more clothing than we can sort"


@pytest.fixture
def hall(hub):
    return StorageLocationFactory(hub=hub, name="Hall", capacity_litres=Decimal("100000"))


def receive(location, item, quantity):
    stock_receive(lines=[StockLine(item, location, quantity)], user=None, reason="test")


def test_it_lists_the_most_needed_by_priority_then_shortfall(client, hub, hall, catalog):
    shelter, church = DestinationFactory(hub=hub), DestinationFactory(hub=hub)
    water, jacket, blanket = catalog["water"], catalog["clothing"], catalog["bedding"]
    DestinationNeed.objects.create(destination=shelter, item=water, quantity=100)
    DestinationNeed.objects.create(
        destination=church, item=water, quantity=50, priority=NeedPriority.HIGH
    )
    DestinationNeed.objects.create(
        destination=shelter, item=jacket, quantity=10, priority=NeedPriority.HIGH
    )
    DestinationNeed.objects.create(
        destination=church, category=blanket.category, quantity=300, priority=NeedPriority.NORMAL
    )
    receive(hall, water, 40)
    receive(hall, blanket, 100)

    needed = hub_feed(client, hub)["most_needed"]
    assert [(n["name"], n["kind"], n["shortfall"], n["priority"]) for n in needed] == [
        ("Bottled water", "item", 110, "high"),
        ("Warm jacket", "item", 10, "high"),
        ("Bedding", "category", 200, "normal"),
    ]
    html = client.get(reverse("public_hub_status", args=[hub.slug])).content.decode()
    table = section(html, "needed-heading")
    assert table.index("Bottled water") < table.index("Warm jacket") < table.index("Bedding")
    assert re.search(r"<td class=\"num\">110\b", table)
    network = client.get(reverse("public_status")).content.decode()
    assert "Bottled water; Warm jacket; Bedding" in network


def test_it_drops_a_need_once_the_hub_has_the_goods(client, hub, hall, catalog):
    DestinationNeed.objects.create(
        destination=DestinationFactory(hub=hub), item=catalog["water"], quantity=30
    )
    assert [n["name"] for n in hub_feed(client, hub)["most_needed"]] == ["Bottled water"]

    receive(hall, catalog["water"], 30)
    cache.clear()
    assert hub_feed(client, hub)["most_needed"] == []
    html = client.get(reverse("public_hub_status", args=[hub.slug])).content.decode()
    assert "Nothing is short right now." in html


def test_it_marks_a_need_the_hub_does_not_take_now(client, hub, catalog):
    CategoryIntake.objects.create(
        hub=hub, category=catalog["clothing"].category, status=IntakeStatus.CLOSED
    )
    DestinationNeed.objects.create(
        destination=DestinationFactory(hub=hub), item=catalog["clothing"], quantity=5
    )
    [need] = hub_feed(client, hub)["most_needed"]
    assert need["accepted_now"] is False
    html = client.get(reverse("public_hub_status", args=[hub.slug])).content.decode()
    assert "Not accepted" in section(html, "needed-heading")


PERSONAL = [
    *("Maria Donor", "maria@example.org", "Pat Contact", "555-0100", "vera", "Ask Pat"),
    *("vera@example.org", "hooks/T0KEN", "Coordinators' chat"),
]


@pytest.fixture
def personal_data(hub, hall, catalog, volunteer):
    """A donor who agreed to be contacted, a destination with a contact, a volunteer with an
    e-mail address, a webhook whose address holds a secret."""
    volunteer.email = "vera@example.org"
    volunteer.save()
    Webhook.objects.create(
        hub=hub, name="Coordinators' chat", url="https://chat.example.org/hooks/T0KEN"
    )
    Dropoff.objects.create(
        hub=hub,
        logged_by=volunteer,
        idempotency_key="k1",
        donor_name="Maria Donor",
        donor_contact="maria@example.org",
        donor_consent=True,
    )
    shelter = DestinationFactory(
        hub=hub,
        name="Dorsey High Shelter",
        address="3537 Farmdale Ave",
        contact_name="Pat Contact",
        contact_phone="555-0100",
        notes="Ask Pat at the side door",
    )
    DestinationNeed.objects.create(
        destination=shelter, item=catalog["water"], quantity=10, notes="Ask Pat for the key"
    )
    return shelter


def test_it_reveals_no_personal_data(client, hub, personal_data):
    for url in urls(hub):
        body = client.get(url).content.decode()
        for secret in [*PERSONAL, personal_data.name, personal_data.address]:
            assert secret not in body, (url, secret)
        assert "Bottled water" in body  # the need itself is shown, summed per item


def test_it_never_serves_a_logged_in_visitor_s_page_to_others(client, hub, personal_data):
    client.force_login(UserFactory(username="vera-coordinator", hubs=[hub]))
    for url in urls(hub):
        client.get(url)
    client.logout()
    for url in urls(hub):
        assert "vera" not in client.get(url).content.decode(), url


def test_it_serves_a_second_visit_within_30_seconds_with_no_query(
    client, hub, catalog, django_assert_num_queries
):
    DestinationNeed.objects.create(
        destination=DestinationFactory(hub=hub), item=catalog["water"], quantity=30
    )
    for url in urls(hub):
        first = client.get(url)
        with django_assert_num_queries(0):
            second = client.get(url)
        assert second.status_code == 200
        if url.endswith(".json"):
            assert second.json() == first.json()
            assert "max-age=30" in second["Cache-Control"]
        else:
            assert "Bottled water" in second.content.decode()


def test_it_shows_a_change_only_after_the_cache_expires(client, hub, catalog):
    url = reverse("public_hub_feed", args=[hub.slug])
    assert client.get(url).json()["hub"]["intake"]["status"] == "open"
    hub.intake_status = IntakeStatus.CLOSED
    hub.save()
    assert client.get(url).json()["hub"]["intake"]["status"] == "open"  # within 30 s
    cache.clear()  # as 30 s later
    assert client.get(url).json()["hub"]["intake"]["status"] == "closed"


def test_it_serves_a_spanish_visitor_in_spanish_after_an_english_one(client, hub, catalog):
    for url in urls(hub):
        english = client.get(url, headers={"accept-language": "en"})
        spanish = client.get(url, headers={"accept-language": "es"})
        assert english.status_code == spanish.status_code == 200
        assert english["Content-Language"] == "en" and spanish["Content-Language"] == "es"
        assert {"accept-language", "cookie"} <= {
            v.strip().lower() for v in spanish["Vary"].split(",")
        }, url
        if url.endswith(".json"):
            assert english.json()["language"] == "en" and spanish.json()["language"] == "es"
        else:
            assert '<html lang="es" dir="ltr">' in spanish.content.decode()
            assert "Centro de Donaciones" in spanish.content.decode()
            assert '<html lang="en" dir="ltr">' in english.content.decode()
            assert "Centro de Donaciones" not in english.content.decode()
    feed = hub_feed(client, hub, **{"accept-language": "es"})
    assert feed["intake"]["status"] == "open"  # machine values stay English
    assert feed["intake"]["status_label"] == "abierta"


def test_it_keeps_the_cached_statuses_apart_per_language(client, hub, catalog):
    """The rules word some reasons themselves: a Spanish visitor gets them in Spanish."""
    hub.intake_status = IntakeStatus.LIMITED
    hub.save()
    page = reverse("public_hub_status", args=[hub.slug])
    english = client.get(page, headers={"accept-language": "en"}).content.decode()
    spanish = client.get(page, headers={"accept-language": "es"}).content.decode()
    assert "This hub takes only the categories it lists." in english
    assert "Este centro solo recibe las categorías que indica." in spanish
    assert "This hub takes only the categories it lists." not in spanish


def test_it_follows_the_language_cookie_past_the_cache(client, hub, catalog):
    page = reverse("public_hub_status", args=[hub.slug])
    assert '<html lang="en" dir="ltr">' in client.get(page).content.decode()
    assert hub_feed(client, hub)["intake"]["status_label"] == "open"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    assert '<html lang="es" dir="ltr">' in client.get(page).content.decode()
    assert hub_feed(client, hub)["intake"]["status_label"] == "abierta"


def test_it_lets_a_visitor_switch_language_on_a_cached_page(hub, catalog):
    """The language form of a page served from the cache still carries a token that is
    valid for this visitor."""
    page = reverse("public_hub_status", args=[hub.slug])
    Client().get(page)  # someone else fills the cache
    visitor = Client(enforce_csrf_checks=True)
    html = visitor.get(page).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    response = visitor.post(
        reverse("set_language"), {"language": "es", "next": page, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert '<html lang="es" dir="ltr">' in visitor.get(page).content.decode()


def test_it_hides_an_inactive_hub(client, hub, other_hub, catalog):
    other_hub.is_active = False
    other_hub.save()
    for url in urls(other_hub)[2:]:
        assert client.get(url).status_code == 404, url
    assert client.get(reverse("public_hub_status", args=["no-such-hub"])).status_code == 404
    assert [h["slug"] for h in client.get(reverse("public_feed")).json()["hubs"]] == [hub.slug]
    assert "Pasadena Hub" not in client.get(reverse("public_status")).content.decode()


def test_it_lists_every_active_hub_on_the_network_page(client, hub, other_hub, catalog):
    html = client.get(reverse("public_status")).content.decode()
    assert reverse("public_hub_status", args=[hub.slug]) in html
    assert reverse("public_hub_status", args=[other_hub.slug]) in html
    feed = client.get(reverse("public_feed")).json()
    assert [h["name"] for h in feed["hubs"]] == ["Pasadena Hub", "West Adams Hub"]
    assert feed["hubs"][0]["url"] == "http://testserver/status/pasadena/"
    assert feed["hubs"][0]["feed_url"] == "http://testserver/status/pasadena/feed.json"


def add_hubs(count: int, catalog) -> None:
    """`count` hubs, each with a storage location, stock, a destination with needs, and a
    category intake row, so that every part of the network status has rows per hub."""
    for _ in range(count):
        hub = HubFactory(intake_status=IntakeStatus.LIMITED)
        location = StorageLocationFactory(hub=hub, capacity_litres=Decimal("100000"))
        receive(location, catalog["water"], 5)
        destination = DestinationFactory(hub=hub)
        DestinationNeed.objects.create(destination=destination, item=catalog["water"], quantity=9)
        DestinationNeed.objects.create(
            destination=destination, category=catalog["bedding"].category, quantity=3
        )
        CategoryIntake.objects.create(
            hub=hub, category=catalog["water"].category, status=IntakeStatus.OPEN
        )


def count_queries(client, url: str) -> CaptureQueriesContext:
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return queries


@pytest.mark.parametrize("name", ["public_status", "public_feed"])
def test_it_runs_as_many_queries_for_8_hubs_as_for_2(client, catalog, name):
    url = reverse(name)
    add_hubs(2, catalog)
    small = count_queries(client, url)
    add_hubs(6, catalog)
    large = count_queries(client, url)
    assert len(client.get(reverse("public_feed")).json()["hubs"]) == 8
    assert len(large) == len(small), [q["sql"][:120] for q in large.captured_queries]


def test_it_serves_the_status_when_the_cache_is_down(client, hub, catalog):
    down = {
        alias: {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
        for alias in ("default", "sessions")  # sessions: those of a signed-in visitor
    }
    with override_settings(CACHES=down):
        for url in urls(hub):
            assert client.get(url).status_code == 200, url
