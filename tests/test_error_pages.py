"""The "not found", "not allowed" and "bad request" pages render for every visitor in every
state of the hub, an open storage alert included (its banner is on every page of the layout)."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from deliveries.models import Run
from inventory.models import AlertLevel, CapacityAlert
from tests.factories import StorageLocationFactory

VISITORS = ("anonymous", "volunteer", "coordinator", "admin", "other hub")


@pytest.fixture
def clients(volunteer, coordinator, admin_user, outsider):
    clients = {"anonymous": Client()}
    for visitor, user in zip(
        VISITORS[1:], (volunteer, coordinator, admin_user, outsider), strict=True
    ):
        clients[visitor] = Client()
        clients[visitor].force_login(user)
    return clients


@pytest.fixture
def open_alerts(hub, other_hub):
    """Both hubs have an open alert, so that every member meets one."""
    for place in (hub, other_hub):
        shelf = StorageLocationFactory(hub=place, capacity_litres=Decimal("100"))
        CapacityAlert.objects.create(
            hub=place,
            location=shelf,
            level=AlertLevel.FULL,
            fill_percent=Decimal("97.0"),
            threshold_percent=95,
        )


def error_urls(hub, other_hub, outsider) -> dict[str, str]:
    other_run = Run.objects.create(
        hub=other_hub, driver=outsider, created_by=outsider, planned_at=timezone.now()
    )
    return {
        "unknown id": reverse("run_detail", args=[hub.slug, 999999]),
        "another hub's id under the hub": reverse("run_detail", args=[hub.slug, other_run.pk]),
        "unknown dropoff": reverse("dropoff_detail", args=[hub.slug, 999999]),
        "a coordinator's page": reverse("dashboard", args=[hub.slug]),
        "an admin's page": reverse("intake_control", args=[hub.slug]),
        "no such page": "/hubs/no-such-hub/runs/",
    }


@pytest.mark.usefixtures("open_alerts")
def test_it_renders_the_error_pages_for_every_visitor_while_an_alert_is_open(
    clients, hub, other_hub, outsider
):
    for what, url in error_urls(hub, other_hub, outsider).items():
        for visitor, client in clients.items():
            response = client.get(url)
            assert response.status_code in (200, 302, 403, 404), (what, visitor, response)
            if response.status_code in (403, 404):
                assert "Back to my hub" in response.text, (what, visitor)


@pytest.mark.usefixtures("open_alerts")
def test_it_still_links_the_alert_banner_of_the_hub_on_its_not_found_page(
    clients, hub, other_hub, outsider
):
    response = clients["coordinator"].get(reverse("run_detail", args=[hub.slug, 999999]))

    assert response.status_code == 404
    assert reverse("alert_list", args=[hub.slug]) in response.text


def test_it_answers_a_bad_request_with_a_page_of_the_site(clients, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    query = "&".join(f"f{n}=1" for n in range(20))
    for visitor, client in clients.items():
        response = client.get(f"{reverse('login')}?{query}")
        assert response.status_code == 400, visitor
        assert "Bad request" in response.text, visitor
