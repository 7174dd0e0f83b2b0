from decimal import Decimal
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connections, transaction
from django.test import TransactionTestCase, override_settings
from django.utils import translation

from hub import redis_pause
from hub.roles import Role
from tests.factories import HubFactory, ItemFactory, UserFactory
from tests.runs import network


@pytest.fixture(scope="session", autouse=True)
def _static_files_without_collectstatic():
    # Production serves hashed files from collectstatic's manifest; tests serve the sources.
    # Once for the session, not per test: a change of STORAGES resets the storage, and the
    # live server's thread, still answering a late request of the test before, could set it
    # up again from the production setting in between, for the whole of the next test.
    storages = {
        **django_settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(
        STORAGES=storages, WHITENOISE_USE_FINDERS=True, WHITENOISE_AUTOREFRESH=True
    ):
        yield


# Production's hasher is slow on purpose (0.3 s a user), and most tests make users.
FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session", autouse=True)
def _fast_passwords():
    # Once for the session, as the static files' storage above, for the rows module fixtures
    # make too (a test that needs production's hasher overrides it, tests/test_backup.py).
    with override_settings(PASSWORD_HASHERS=FAST_PASSWORD_HASHERS):
        yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database commits without waiting for its write-ahead log to reach the disk,
    1.5 ms a commit here: the browser, worker and concurrency tests commit every request and
    every row they make. A commit is still atomic and seen at once by every connection; only
    a crash of the Postgres server itself could lose the last ones, which no test does. Set on
    the database, so that the live server's threads and the Celery workers get it too."""
    with django_db_blocker.unblock():
        for connection in connections.all():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    name = connection.ops.quote_name(connection.settings_dict["NAME"])
                    cursor.execute(f"ALTER DATABASE {name} SET synchronous_commit = off")
                    cursor.execute("SET synchronous_commit = off")


@pytest.fixture(scope="module")
def module_db(django_db_setup, django_db_blocker):
    """A transaction around a whole module, for rows its tests all read and none keeps: each
    test's own transaction (the `db` fixture) is a savepoint inside it, and the module's rows
    are rolled back after its last test. Build them under `django_db_blocker.unblock()`."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
    yield
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


# What migrate and its post_migrate write (the roles' groups and their permissions), kept
# between transactional tests as pytest-django keeps them between the others.
TABLES_KEPT = {
    "django_migrations",
    "django_content_type",
    "auth_permission",
    "auth_group",
    "auth_group_permissions",
}
# Django's own, private method (the stubs do not list it): the one a transactional test ends by.
_flush_by_truncate = getattr(TransactionTestCase, "_fixture_teardown")  # noqa: B009


def _fixture_teardown_by_delete(self) -> None:
    """Empties the tables after a transactional test (browser, worker, concurrency) by DELETE,
    where Django's flush TRUNCATEs every table and then runs post_migrate again: TRUNCATE gives
    each of the ~50 tables and their indexes new files, 0.3-0.4 s a test, where the few rows a
    test leaves are deleted in milliseconds. Triggers (the ledger's append-only guard, the
    foreign keys' checks) are off for the transaction, which only a superuser may ask for:
    any other database or user gets Django's flush."""
    for alias in self._databases_names(include_mirrors=False):
        connection = connections[alias]
        if connection.vendor != "postgresql" or not _is_superuser(connection):
            _flush_by_truncate(self)
            return
        introspection = connection.introspection
        tables = introspection.django_table_names(only_existing=True, include_views=False)
        quote = connection.ops.quote_name
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
            # The names are the models' tables, quoted: nothing here comes from outside.
            tables_emptied = sorted(set(tables) - TABLES_KEPT)
            deletes = [f"DELETE FROM {quote(table)}" for table in tables_emptied]  # noqa: S608
            cursor.execute("; ".join(deletes))


def _is_superuser(connection) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('is_superuser') = 'on'")
        return cursor.fetchone()[0]


setattr(TransactionTestCase, "_fixture_teardown", _fixture_teardown_by_delete)  # noqa: B010


@pytest.fixture(autouse=True)
def _site_language():
    # A request in another language leaves it active in the test's thread: every test starts
    # in the site's language, whatever the one before it asked for.
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(scope="session", autouse=True)
def _redis_database_of_this_worker(worker_id):
    # pytest-xdist's workers share one Redis server, and a cache clear empties a whole Redis
    # database: each worker takes its own, counting down from the one REDIS_URL names (as
    # pytest-django gives each worker its own test_<name>_gwN Postgres database).
    location = django_settings.CACHES["default"].get("LOCATION")
    if worker_id == "master" or not isinstance(location, str) or not location.startswith("redis"):
        yield
        return
    url = urlsplit(location)
    number = int(url.path.strip("/") or 0) - int(worker_id.removeprefix("gw"))
    if number < 0:
        pytest.exit(f"REDIS_URL's database number is too low for worker {worker_id}")
    caches = {
        alias: {**value, "LOCATION": urlunsplit(url._replace(path=f"/{number}"))}
        for alias, value in django_settings.CACHES.items()
    }
    with override_settings(CACHES=caches):
        yield


@pytest.fixture(autouse=True)
def _empty_cache(monkeypatch):
    # The cache is the real Redis, shared by every test: the public status, cached for 30 s,
    # must never show one test the hubs of another. A test that hung Redis leaves the
    # dropoff table's cache paused (hub.intake.cache): the next test starts with it on.
    cache.clear()
    monkeypatch.setattr(redis_pause, "_redis_paused_until", 0.0)
    yield
    cache.clear()  # sessions (in their own alias, the same Redis database) too


@pytest.fixture
def hub(db):
    return HubFactory(name="West Adams Hub", slug="west-adams")


@pytest.fixture
def other_hub(db):
    return HubFactory(name="Pasadena Hub", slug="pasadena")


@pytest.fixture
def net(hub, other_hub):
    """Delivery runs' world: the hub's two shelves, a shelter, and the other hub to deliver to."""
    return network(hub, other_hub)


@pytest.fixture
def volunteer(hub):
    return UserFactory(username="vera", role=Role.VOLUNTEER, hubs=[hub])


@pytest.fixture
def coordinator(hub):
    return UserFactory(username="carlos", role=Role.COORDINATOR, hubs=[hub])


@pytest.fixture
def admin_user(hub):
    return UserFactory(username="ada", role=Role.ADMIN, hubs=[hub])


@pytest.fixture
def outsider(other_hub):
    """A coordinator of another hub of the network."""
    return UserFactory(username="otto", role=Role.COORDINATOR, hubs=[other_hub])


@pytest.fixture
def water(db):
    return ItemFactory(name="Bottled water 1.5 L", unit_volume_litres=Decimal("1.6"))


@pytest.fixture
def beans(db):
    """Canned food: tracks expiry, so it is picked first-expired-first-out."""
    return ItemFactory(name="Canned beans", unit_volume_litres=Decimal("0.5"), tracks_expiry=True)
