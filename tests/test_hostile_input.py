"""No input gives a server error. Every URL pattern of the resolver (the rows of
docs/access.md, as tests/test_access.py builds them) is requested by every kind of visitor,
GET and POST, with hostile values in every path, query and form parameter it reads: dates
of year 9999 and 0001, numbers wider than the database's, NUL and other control
characters, overlong strings, digits of other scripts, wrong types, another hub's ids.

The parameters are not listed by hand: each URL is first requested as the hub's admin (with
an empty body, then with each form the view takes, see VALID_FORMS) while every name the view
reads from the query string or the form is recorded."""

import contextlib
from collections.abc import Iterator
from unittest import mock

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict

from deliveries import services as deliveries
from hub.intake.services import DropoffLineInput, dropoff_log
from inventory.models import AlertLevel, CapacityAlert
from inventory.services import StockLine, stock_receive
from tests.factories import DestinationFactory, ItemFactory, StorageLocationFactory

# The world of tests/test_access.py (fixtures).
from tests.test_access import (  # noqa: F401
    ROWS,
    Row,
    module_world,
    row_names,
    url_for,
    url_patterns,
    world,
)

FAR_FUTURE, FAR_PAST = "9999-12-31T23:59", "0001-01-01"
HOSTILE = {
    "far future": FAR_FUTURE,
    "far future date": "9999-12-31",
    "far past": FAR_PAST,
    "huge": "99999999999999999999",
    "just past int": "2147483648",
    "float": "-1e309",
    "nul": "1\x00",
    "escape": "\x1b[31m",
    "overlong": "x" * 5000,
    "arabic-indic digits": "١٢",
    "fullwidth digits": "\uff11\uff12",
    "superscript digits": "²",
    "wrong type": "[]{}'\"<>",
    "empty": "",
}
# Each request gives each parameter a different hostile value, rotating, so that over
# len(ADMIN_VALUES) requests every parameter meets every value (and each one its neighbours').
ADMIN_VALUES = (
    "far future",
    "far past",
    "huge",
    "just past int",
    "float",
    "nul",
    "escape",
    "overlong",
    "arabic-indic digits",
    "superscript digits",
    "wrong type",
)
# The other visitors are turned away early, or reach the admin's code: one rotation each.
FEW = ("far future date", "huge", "overlong", "fullwidth digits", "wrong type", "empty")
# An id in the path wider than the database's, which must be a 404.
PATH_HOSTILE = {"huge": "99999999999999999999"}

# Forms the views take, whole and valid, so that the recorder sees every branch, and so that a
# hostile value in one field meets valid values in the others. {key} is an object of the world.
VALID_FORMS: dict[str, list[dict]] = {
    "intake": [
        {"idempotency_key": "k1", "item": "{item}", "quantity": "2", "expiry_date": "",
         "outcome": "accepted", "redirected_to": "", "location": "{location}"},
        {"add_item": "{item}", "search": "1", "q": "water", "remove_line": "0"},
    ],
    "intake_control": [
        {"action": "hub", "status": "closed", "reason": "Full", "reopens_at": "2030-01-01T09:00"},
        {"action": "category", "category": "{category}", "status": "closed", "reason": "Full",
         "reopens_at": "2030-01-01T09:00"},
        {"action": "thresholds", "nearly_full_percent": "80", "full_percent": "95"},
    ],
    "item_change": [
        {"adjust-idempotency_key": "k2", "adjust-location": "{location}", "adjust-delta": "1",
         "adjust-reason": "Found", "adjust-expiry_date": "2030-01-01"},
    ],
    "location_count": [{"idempotency_key": "k3", "reason": "Count"}],
    "item_rules_set": [{"safe_after_expiry": "on", "minimum": "5"}],
    "expiry_days_set": [{"days": "7"}],
    "batch_discard": [{"batch": "1", "quantity": "1", "idempotency_key": "k5"}],
    "batch_to_run": [{"batch": "1", "quantity": "1", "run": "new",
                      "destination": "{destination}"}],
    "destination_create": [{"name": "Shelter B", "kind": "shelter", "notes": ""}],
    "destination_edit": [{"name": "Shelter C", "kind": "shelter", "notes": ""}],
    "destination_need_add": [{"item": "{item}", "quantity": "5", "priority": "2"}],
    "destination_need_edit": [{"item": "{item}", "quantity": "5", "priority": "2"}],
    "run_create": [{"driver": "{volunteer}", "planned_at": "2030-01-01T09:00"}],
    "run_edit": [{"driver": "{volunteer}", "planned_at": "2030-01-01T09:00"}],
    "stop_create": [
        {"destination": "{destination}", "item": "{item}", "quantity": "1"},
        {"destination": "{destination}", "action": "more"},
    ],
    "stop_edit": [{"item": "{item}", "quantity": "1"}],
    "stop_move": [{"direction": "up"}],
    "stop_deliver": [{"received_by": "Ana", "note": ""}],
    "offer_create": [{"item": "{item}", "quantity": "1", "until": "2030-01-01", "note": ""}],
    "claim_create": [{"quantity": "1", "how": "pickup"}],
    "claim_plan": [{"run": "{run}"}],
    "reports": [{"since": "2025-01-01", "until": "2025-01-07"}],
    "delivery_report": [{"since": "2025-01-01", "until": "2025-01-07"}],
    "export_dropoffs": [{"since": "2025-01-01", "until": "2025-01-07"}],
    "export_ledger": [{"since": "2025-01-01", "until": "2025-01-07"}],
    "run_export": [{"since": "2025-01-01", "until": "2025-01-07"}],
    "stock_list": [{"q": "water", "category": "{category}", "location": "{location}",
                    "expiring": "on", "page": "2"}],
    "pledge": [
        {"idempotency_key": "k4", "what": "Water", "category": "{category}", "quantity": "3",
         "place": "90016", "hub": "{hub}", "donor_consent": "on", "donor_contact": "555"},
        {"what": "Water", "quantity": "3", "more_lines": "1"},
    ],
    "destination_link": [{"action": "make"}, {"action": "revoke"}],
    "need_request_decide": [
        {"action": "confirm", "item": "{item}", "quantity": "2", "priority": "2"},
    ],
    "login": [{"username": "ada", "password": "wrong"}],
    "people_change": [{"action": "reset_pin"}],
    "tablet_settings": [{"shift_ends": "18:00", "idle_minutes": "15"}],
    "account_pin": [{"pin": "1234"}],
    "set_language": [{"language": "es", "next": "/"}],
}  # fmt: skip
# Pages whose rows are read back after a hostile form was taken: what was stored must show.
READ_BACK = ("intake", "run_list", "public_status")
ADMIN_PAGES_READ = ("_changelist", "_add", "_change")


@contextlib.contextmanager
def recording(names: set[str]) -> Iterator[None]:
    """Every key looked up in a request's query string or form, added to `names`."""
    real = {m: getattr(MultiValueDict, m) for m in ("get", "getlist", "__getitem__")}
    real_contains = dict.__contains__

    def spy(method):
        def read(self, key, *args, **kwargs):
            names.add(key)
            return real[method](self, key, *args, **kwargs)

        return read

    def contains(self, key):
        names.add(key)
        return real_contains(self, key)

    with contextlib.ExitStack() as stack:
        for method in real:
            stack.enter_context(mock.patch.object(MultiValueDict, method, spy(method)))
        stack.enter_context(mock.patch.object(MultiValueDict, "__contains__", contains))
        yield


@pytest.fixture(scope="module")
def module_other_world(module_world, django_db_blocker):  # noqa: F811
    with django_db_blocker.unblock():
        return other_world_make(module_world["other_hub"], module_world["outsider"])


@pytest.fixture
def other_world(db, module_other_world):
    return module_other_world


def other_world_make(other_hub, outsider) -> dict:
    """The other hub's objects, whose ids a visitor of the hub tries."""
    shelf = StorageLocationFactory(hub=other_hub, name="Their shelf")
    item = ItemFactory(name="Their soap")
    stock_receive(lines=[StockLine(item, shelf, 10)], user=outsider, idempotency_key="theirs")
    dropoff = dropoff_log(
        hub=other_hub,
        user=outsider,
        lines=[DropoffLineInput(item, 1, location=shelf)],
        idempotency_key="their-dropoff",
    )
    destination = DestinationFactory(hub=other_hub, name="Their shelter")
    need = deliveries.destination_need_save(
        destination=destination, user=outsider, item=item, category=None, quantity=3
    )
    run = deliveries.run_create(
        hub=other_hub, driver=outsider, vehicle="", planned_at=timezone.now(), user=outsider
    )
    stop = deliveries.stop_add(run=run, destination=destination, lines=[(item, 1)], user=outsider)
    alert = CapacityAlert.objects.create(
        hub=other_hub, location=shelf, level=AlertLevel.FULL, fill_percent=99, threshold_percent=95
    )
    their = {"location": shelf, "destination": destination, "need": need, "run": run}
    their |= {"stop": stop, "out_run": run, "out_stop": stop, "dropoff": dropoff}
    their |= {"alert": alert, "item": item, "user": outsider}
    return their


def fill(value: str, objects: dict) -> str:
    objects = {**objects, "category": objects["item"].category, "volunteer": objects["run"].driver}
    return value.format_map({k: getattr(v, "pk", v) for k, v in objects.items()})


def with_path(url: str, row: Row, objects: dict, name: str, value: str) -> str:
    """The row's URL with every path parameter but the hub's (and the admin's app) set to
    `value`, or for "other hub" to the other hub's object of the same kind."""
    params = dict(url_patterns())[name]
    kwargs = {}
    for param in params:
        if param in ("hub_slug", "app_label"):
            continue
        kwargs[param] = value
    if not kwargs:
        return url
    base = Row(row.name, row.method, " ".join(f"{p}={v}" for p, v in kwargs.items()), {})
    return url_for(name, base, objects).split("?")[0]


def requests_of(row: Row, objects: dict, other_world: dict, names: set[str], values, turn=0):
    """(url, data) pairs: the row's URL with a hostile id in the path, then with real ones
    and the hostile `values` rotated over its query or form parameters (from `turn` on)."""
    for name in row_names(row):
        url = url_for(name, row, objects)
        plain = url.split("?")[0]
        if turn == 0:
            yield with_path(url, row, objects, name, PATH_HOSTILE["huge"]), {}
        ordered = sorted(names)
        data = {n: HOSTILE[values[(turn + i) % len(values)]] for i, n in enumerate(ordered)}
        yield plain, data


def unique(attempts: list[tuple[str, dict]]) -> Iterator[tuple[str, dict]]:
    """Each request once: where a URL reads few parameters or none, the rotations repeat it,
    and the same request against the same rows (each one is rolled back) shows nothing new;
    about a quarter of the walk's requests."""
    seen = set()
    for url, data in attempts:
        key = (url, tuple(sorted(data.items())))
        if key not in seen:
            seen.add(key)
            yield url, data


def other_hubs_ids(row: Row, objects: dict, other_world: dict):
    """The row's URL with the other hub's objects in the path, and in every parameter."""
    other = {**objects, **{k: v for k, v in other_world.items() if k in objects}}
    for name in row_names(row):
        yield url_for(name, row, other), {}


def discover(client: Client, row: Row, objects: dict) -> set[str]:
    names: set[str] = set()
    for name in row_names(row):
        url = url_for(name, row, objects).split("?")[0]
        bodies = [{}, *(fill_form(f, objects) for f in VALID_FORMS.get(name, []))]
        for body in bodies:
            with transaction.atomic(), recording(names):
                send(client, row.method, url, body)
                transaction.set_rollback(True)
    # reverse() looks URL names up in a MultiValueDict of its own: those are not parameters.
    url_names = {pattern.split(":")[-1] for pattern, _params in url_patterns()}
    return {
        n for n in names if isinstance(n, str) and not n.startswith("/") and n not in url_names
    } - {"csrfmiddlewaretoken"}


def fill_form(form: dict, objects: dict) -> dict:
    return {key: fill(value, objects) for key, value in form.items()}


def send(client: Client, method: str, url: str, data: dict):
    response = client.get(url, data) if method == "GET" else client.post(url, data)
    if getattr(response, "streaming", False):
        response.getvalue()  # reads the whole stream: one that dies midway fails here
    return response


def crashes(client: Client, method: str, url: str, data: dict) -> str | None:
    with transaction.atomic():
        try:
            response = send(client, method, url, data)
        except Exception as error:
            return f"{type(error).__name__}: {str(error)[:120]}"
        finally:
            transaction.set_rollback(True)
    return f"answered {response.status_code}" if response.status_code >= 500 else None


# A row every visitor is answered 405 to is refused by the view's method decorator, before
# anything is read.
SITE_ROWS = [
    row
    for row in ROWS
    if not row.name.startswith("admin:") and set(row.expected.values()) - {"405", "login"}
]
ADMIN_ROWS = [row for row in ROWS if row.name.startswith("admin:")]
FEW_VISITORS = ("anonymous", "volunteer", "coordinator", "other hub")


@pytest.mark.parametrize("row", SITE_ROWS, ids=[row.id for row in SITE_ROWS])
def test_it_answers_hostile_input_without_a_server_error_to_every_visitor(
    row,
    world,  # noqa: F811
    other_world,
):
    """All of a URL's parameters hostile at once, for every visitor; for the admin, who
    reaches every page, with every hostile value, then each field of each form alone among
    valid ones, and what a page takes, the pages that show it still show."""
    clients = world["clients"]
    wrong = []
    names = discover(clients["admin"], row, world)
    their = str(other_world["location"].pk)
    for visitor in ("admin", *FEW_VISITORS):
        values = ADMIN_VALUES if visitor == "admin" else FEW
        turns = len(values) if visitor == "admin" else 1
        attempts = [
            *(
                pair
                for turn in range(turns)
                for pair in requests_of(row, world, other_world, names, values, turn)
            ),
            *(
                (url, dict.fromkeys(names, their))
                for url, _ in other_hubs_ids(row, world, other_world)
            ),
        ]
        for url, data in unique(attempts):
            if problem := crashes(clients[visitor], row.method, url, data):
                wrong.append(f"{row.method} {url} {data_summary(data)} as {visitor}: {problem}")
    for name in row_names(row):
        url = url_for(name, row, world).split("?")[0]
        for form in VALID_FORMS.get(name, []) if row.method in form_methods(name) else []:
            valid = fill_form(form, world)
            for field in valid:
                for value_key in ("far future", "huge"):
                    hostile = {**valid, field: HOSTILE[value_key]}
                    problem = taken_and_shown(clients["admin"], row.method, url, hostile, world)
                    if problem:
                        wrong.append(f"{row.method} {url} {field}={value_key}: {problem}")
    assert wrong == [], "\n".join(wrong)


QUERY_FORMS = {"reports", "delivery_report", "export_dropoffs", "export_ledger", "run_export"}


def form_methods(name: str) -> tuple[str, ...]:
    return ("GET",) if name in QUERY_FORMS | {"stock_list"} else ("POST",)


def data_summary(data: dict) -> str:
    return ", ".join(f"{k}={v[:20]!r}" for k, v in sorted(data.items()))[:300]


def rows_written() -> int:
    """Rows this transaction has inserted, updated or deleted so far, but for the session's and the
    login guard's own bookkeeping."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)"
            " FROM pg_stat_xact_user_tables"
            " WHERE relname <> 'django_session' AND relname NOT LIKE 'axes%%'"
        )
        return cursor.fetchone()[0]


def taken_and_shown(client: Client, method: str, url: str, data: dict, objects) -> str | None:
    with transaction.atomic():
        try:
            before = rows_written()
            response = send(client, method, url, data)
            if response.status_code >= 500:
                return f"answered {response.status_code}"
            if response.status_code < 400 and rows_written() != before:
                for page in READ_BACK:
                    params = dict(url_patterns())[page]
                    args = [objects["hub"].slug] if params else []
                    shown = send(client, "GET", reverse(page, args=args), {})
                    if shown.status_code >= 500:
                        return f"then {page} answered {shown.status_code}"
        except Exception as error:
            return f"{type(error).__name__}: {str(error)[:120]}"
        finally:
            transaction.set_rollback(True)
    return None


# The admin's pages (a list, an add form and a change form of every model, and the index),
# in a few parts so that the suite's parallel workers share them.
ADMIN_PAGES = [
    Row(name, "GET", row.arguments, row.expected)
    for row in ADMIN_ROWS
    for name in row_names(row)
    if name.endswith(ADMIN_PAGES_READ) or name == "admin:index"
]
ADMIN_PARTS = 4


@pytest.mark.parametrize("part", range(ADMIN_PARTS))
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_it_answers_hostile_input_in_the_admin_without_a_server_error(
    method,
    part,
    world,  # noqa: F811
    other_world,
):
    admin = world["clients"]["admin"]
    wrong = []
    for page in ADMIN_PAGES[part::ADMIN_PARTS]:
        single = Row(page.name, method, page.arguments, page.expected)
        names = discover(admin, single, world) | {"q", "p", "o", "e", "all", "_popup"}
        for turn in range(2):
            for url, data in requests_of(single, world, other_world, names, FEW, turn):
                if problem := crashes(admin, method, url, data):
                    wrong.append(f"{method} {url} {data_summary(data)}: {problem}")
    assert wrong == [], "\n".join(wrong)
