import pytest
from django.db.models import Sum

from hub.roles import Role
from inventory.models import StockBalance, StockMovement
from tests.factories import HubFactory, UserFactory


@pytest.fixture(autouse=True)
def _static_files_without_collectstatic(settings):
    # Production serves hashed files from collectstatic's manifest; tests serve the sources.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True


@pytest.fixture
def hub(db):
    return HubFactory(name="West Adams Hub", slug="west-adams")


@pytest.fixture
def other_hub(db):
    return HubFactory(name="Pasadena Hub", slug="pasadena")


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


def assert_ledger_matches_balances() -> None:
    """Every balance equals the sum of its ledger rows, and none is negative."""
    ledger = {
        (r["item_id"], r["location_id"], r["expiry_date"]): r["total"]
        for r in StockMovement.objects.values("item_id", "location_id", "expiry_date").annotate(
            total=Sum("quantity")
        )
    }
    balances = {
        (b.item_id, b.location_id, b.expiry_date): b.quantity for b in StockBalance.objects.all()
    }
    assert all(q >= 0 for q in balances.values()), balances
    nonzero = {k: q for k, q in balances.items() if q}
    assert nonzero == {k: q for k, q in ledger.items() if q}
