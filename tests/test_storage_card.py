"""The storage card, one template on the hub's page and the dashboard: each shelf's fill is
marked against the hub's own thresholds."""

import re
from decimal import Decimal

from django.urls import reverse

from tests.coordinator import receive
from tests.factories import StorageLocationFactory


def meters(response) -> list[tuple[str, str, str]]:
    return re.findall(
        r'<meter[^>]* low="(\d+)" high="(\d+)"[^>]* value="([\d.]+)"', response.content.decode()
    )


def test_it_marks_fill_against_the_hubs_own_thresholds(client, hub, volunteer, coordinator, water):
    hub.nearly_full_percent, hub.full_percent = 60, 70
    hub.save()
    hall = StorageLocationFactory(hub=hub, name="Main hall", capacity_litres=Decimal("1000"))
    receive(hall, water, 400)  # 640 L of 1000

    client.force_login(volunteer)
    on_hub_page = meters(client.get(reverse("hub_detail", args=[hub.slug])))
    client.force_login(coordinator)
    on_dashboard = meters(client.get(reverse("dashboard", args=[hub.slug])))

    assert on_hub_page == on_dashboard
    [(low, high, value)] = on_hub_page
    assert (low, high, float(value)) == ("60", "70", 64.0)
