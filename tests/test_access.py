"""Every URL the hub answers, for every kind of visitor, against the documented table in
docs/access.md; every POST refused without a CSRF token; no free text coming back as
markup. A URL pattern added without a row in the table fails here."""

import copy
import fnmatch
import functools
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from deliveries import services as deliveries
from deliveries.transfers import transfer_send
from hub.intake.services import DropoffLineInput, dropoff_log
from hub.models import Hub
from hub.roles import Role
from inventory.models import AlertLevel, CapacityAlert
from inventory.services import StockLine, stock_receive
from network.services import claim_create, offer_create
from tests.factories import (
    DestinationFactory,
    HubFactory,
    ItemFactory,
    StorageLocationFactory,
    UserFactory,
)

TABLE = Path(__file__).resolve().parent.parent / "docs" / "access.md"
VISITORS = ("anonymous", "volunteer", "coordinator", "admin", "other hub")


@dataclass(frozen=True)
class Row:
    name: str
    method: str
    arguments: str
    expected: dict[str, str]

    @property
    def id(self) -> str:
        return f"{self.name} {self.method}"


def table_rows() -> list[Row]:
    lines = [line.strip() for line in TABLE.read_text().splitlines()]
    header = next(n for n, line in enumerate(lines) if line.startswith("| URL name |"))
    rows = []
    for line in lines[header + 2 :]:
        if not line.startswith("|"):
            break
        name, method, arguments, *answers = [cell.strip() for cell in line.strip("|").split("|")]
        assert len(answers) == len(VISITORS), line
        rows.append(Row(name, method, arguments, dict(zip(VISITORS, answers, strict=True))))
    return rows


@functools.cache
def url_patterns() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(name with its namespace, path parameters) for every named URL pattern of the site.
    Once: tests/test_hostile_input.py asks for it thousands of times."""
    return tuple(_url_patterns(get_resolver().url_patterns))


def _url_patterns(patterns, namespace="", params=()) -> list[tuple[str, tuple[str, ...]]]:
    found = []
    for pattern in patterns:
        own = (*params, *pattern.pattern.regex.groupindex)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            found += _url_patterns(pattern.url_patterns, inner, own)
        elif pattern.name:
            found.append((namespace + pattern.name, own))
    return found


ROWS = table_rows()
NAMES = sorted({name for name, _pattern in url_patterns()})


def row_names(row: Row) -> list[str]:
    """The URL names a row covers: its own, or for a wildcard those without their own row."""
    if not row.name.endswith("*"):
        return [row.name]
    explicit = {r.name for r in ROWS}
    return [n for n in NAMES if fnmatch.fnmatchcase(n, row.name) and n not in explicit]


def test_it_has_a_row_in_docs_access_md_for_every_url_and_a_url_for_every_row():
    covered = {name for row in ROWS for name in row_names(row)}
    assert sorted(set(NAMES) - covered) == [], "URLs without a row in docs/access.md"
    assert sorted({r.name for r in ROWS if not r.name.endswith("*")} - set(NAMES)) == [], (
        "rows of docs/access.md without a URL"
    )
    assert all(row.method in ("GET", "POST") for row in ROWS)
    assert len({row.id for row in ROWS}) == len(ROWS), "a URL and method with two rows"


# --- the world the requests are made in ----------------------------------------------------


@pytest.fixture(scope="module")
def module_world(module_db, django_db_blocker):
    """The world, made once for the module (each test's requests are rolled back)."""
    with django_db_blocker.unblock():
        hub = HubFactory(name="West Adams Hub", slug="west-adams")
        other_hub = HubFactory(name="Pasadena Hub", slug="pasadena")
        volunteer = UserFactory(username="vera", role=Role.VOLUNTEER, hubs=[hub])
        coordinator = UserFactory(username="carlos", role=Role.COORDINATOR, hubs=[hub])
        admin_user = UserFactory(username="ada", role=Role.ADMIN, hubs=[hub])
        outsider = UserFactory(username="otto", role=Role.COORDINATOR, hubs=[other_hub])
        return world_make(hub, other_hub, volunteer, coordinator, admin_user, outsider)


@pytest.fixture
def world(db, module_world):
    # A request can log its visitor out or change their cookies: each test gets new clients,
    # logged in with the module's sessions (whose rows every rollback keeps).
    clients = {}
    for visitor, cookies in module_world["cookies"].items():
        clients[visitor] = Client()
        clients[visitor].cookies = copy.deepcopy(cookies)
    return {**module_world, "clients": clients}


def world_make(hub, other_hub, volunteer, coordinator, admin_user, outsider) -> dict:
    """The hub's objects that URLs name, and one client per visitor."""
    shelf = StorageLocationFactory(hub=hub, name="Shelf A", capacity_litres=Decimal("100"))
    item = ItemFactory(name="Bottled water", unit_volume_litres=Decimal("1"))
    dropoff = dropoff_log(
        hub=hub,
        user=volunteer,
        lines=[DropoffLineInput(item, 5, location=shelf)],
        idempotency_key="access-test",
    )
    alert = CapacityAlert.objects.create(
        hub=hub, location=shelf, level=AlertLevel.NEARLY_FULL, fill_percent=81, threshold_percent=80
    )
    # The runs carry their own item, so that dispatching one leaves the dropoff undoable.
    blankets = ItemFactory(name="Blankets", unit_volume_litres=Decimal("1"))
    stock_receive(
        lines=[StockLine(blankets, shelf, 10)], user=coordinator, idempotency_key="access-runs"
    )
    destination = DestinationFactory(hub=hub, name="Eastside Shelter")
    need = deliveries.destination_need_save(
        destination=destination, user=coordinator, item=blankets, category=None, quantity=20
    )

    def run_with_a_stop():
        """A run the volunteer drives, with one stop of one line."""
        run = deliveries.run_create(
            hub=hub,
            driver=volunteer,
            vehicle="Blue pickup",
            planned_at=timezone.now(),
            user=coordinator,
        )
        lines = [(blankets, 2)]
        return run, deliveries.stop_add(
            run=run, destination=destination, lines=lines, user=coordinator
        )

    run, stop = run_with_a_stop()
    out_run, out_stop = run_with_a_stop()
    deliveries.run_dispatch(run=out_run, user=coordinator)
    # The network: goods on their way here from the other hub, its surplus on offer, and
    # this hub's own offer with the other hub's claim on it.
    their_shelf = StorageLocationFactory(hub=other_hub, name="Their garage")
    stock_receive(
        lines=[StockLine(blankets, their_shelf, 10)], user=outsider, idempotency_key="theirs"
    )
    transfer = transfer_send(
        from_hub=other_hub,
        to_hub=hub,
        lines=[(blankets, 2)],
        user=outsider,
        reason="Picked up",
        idempotency_key="access-transfer",
    )
    until = timezone.localdate()
    offer = offer_create(hub=other_hub, user=outsider, item=blankets, quantity=3, until=until)
    own_offer = offer_create(hub=hub, user=coordinator, item=blankets, quantity=2, until=until)
    claim = claim_create(offer=own_offer, hub=other_hub, user=outsider, quantity=1, how="run")
    clients = {"anonymous": Client()}
    for visitor, user in (
        ("volunteer", volunteer),
        ("coordinator", coordinator),
        ("admin", admin_user),
        ("other hub", outsider),
    ):
        clients[visitor] = Client()
        clients[visitor].force_login(user)
    return {
        "hub": hub,
        "other_hub": other_hub,
        "users": {"volunteer": volunteer, "coordinator": coordinator, "admin": admin_user},
        "outsider": outsider,
        "dropoff": dropoff,
        "alert": alert,
        "item": item,
        "location": shelf,
        "destination": destination,
        "need": need,
        "run": run,
        "stop": stop,
        "out_run": out_run,
        "out_stop": out_stop,
        "transfer": transfer,
        "offer": offer,
        "own_offer": own_offer,
        "claim": claim,
        "cookies": {visitor: client.cookies for visitor, client in clients.items()},
    }


def admin_object_id(name: str) -> str:
    """An existing object of the model an admin URL name is about (admin:<app>_<model>_...)."""
    for model in apps.get_models():
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        if name.startswith(prefix) and (first := model._default_manager.order_by("pk").first()):
            return str(first.pk)
    return "1"


def url_for(name: str, row: Row, world: dict) -> str:
    params = dict(url_patterns())[name]
    kwargs = {}
    extra = dict(
        part.split("=", 1) for part in row.arguments.split() if "=" in part and "?" not in part
    )
    for param in params:
        if param == "hub_slug":
            kwargs[param] = world["hub"].slug
        elif param in extra:
            value = extra[param]
            is_object = value.startswith("{") and value.endswith("}")
            kwargs[param] = str(world[value.strip("{}")].pk) if is_object else value
        elif param in ("object_id", "id"):
            kwargs[param] = admin_object_id(name)
        elif param == "app_label":
            kwargs[param] = "hub"
        elif param == "content_type_id":
            kwargs[param] = ContentType.objects.get_for_model(Hub).pk
            kwargs["object_id"] = world["hub"].pk
        elif param not in kwargs:
            pytest.fail(f"{name}: say in docs/access.md how to fill <{param}>")
    url = reverse(name, kwargs=kwargs)
    query = next((part for part in row.arguments.split() if part.startswith("?")), "")
    return url + re.sub(r"\{(\w+)\}", lambda m: str(world[m[1]].pk), query)


def answer_matches(response, expected: str, url: str) -> bool:
    location = response.get("Location", "")
    if expected == "login":
        return response.status_code == 302 and any(
            location.startswith(f"{login}?next=")
            for login in (reverse("login"), reverse("admin:login"))
        )
    if expected == "admin-login":
        return response.status_code == 302 and location.startswith(reverse("admin:login"))
    if expected == "any":
        return response.status_code < 500
    return response.status_code == int(expected)


def csp_allows_inline_script(response) -> bool:
    policy = response.get("Content-Security-Policy", "")
    script = re.search(r"script-src ([^;]*)", policy)
    return script is None or "unsafe-inline" in script[1] or "unsafe-eval" in script[1]


@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
def test_it_answers_every_visitor_as_docs_access_md_says(row, world):
    wrong = []
    for name in row_names(row):
        url = url_for(name, row, world)
        for visitor in VISITORS:
            client = world["clients"][visitor]
            # Every visitor meets the same world: what one request stores (a stop removed,
            # a run dispatched) is undone before the next visitor's.
            with transaction.atomic():
                response = client.get(url) if row.method == "GET" else client.post(url)
                transaction.set_rollback(True)
            if not answer_matches(response, row.expected[visitor], url):
                wrong.append(
                    f"{row.method} {url} as {visitor}: {response.status_code} "
                    f"{response.get('Location', '')}, documented {row.expected[visitor]}"
                )
            if response.get("Content-Type", "").startswith("text/html") and (
                csp_allows_inline_script(response)
            ):
                wrong.append(f"{row.method} {url} as {visitor}: CSP allows inline scripts")
    assert wrong == [], "\n".join(wrong)


# --- CSRF -----------------------------------------------------------------------------------


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


POST_ROWS = [row for row in ROWS if row.method == "POST"]


@pytest.mark.parametrize("row", POST_ROWS, ids=[row.id for row in POST_ROWS])
def test_it_refuses_every_post_without_a_csrf_token_and_stores_nothing(row, world):
    # Logged in with every right, so nothing but the missing token stands in the way.
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["users"]["admin"])
    before = row_counts()
    for name in row_names(row):
        url = url_for(name, row, world)
        response = client.post(url, {"alert_emails": "on", "language": "es", "action": "hub"})
        assert response.status_code == 403, url
        assert "CSRF" in response.text, url
    assert row_counts() == before


def test_it_refuses_a_post_to_any_admin_page_without_a_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["users"]["admin"])
    before = row_counts()
    admin_rows = [row for row in ROWS if row.name.startswith("admin:")]
    posted = 0
    for row in admin_rows:
        for name in row_names(row):
            assert client.post(url_for(name, row, world), {"name": "x"}).status_code == 403, name
            posted += 1
    assert posted > 50
    assert row_counts() == before
