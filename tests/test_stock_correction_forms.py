"""The item page's adjust, discard and move forms read like the rest of the site: labels
without a colon, no "---------", each location named with what is on record there, and the
item's unit beside each quantity."""

import re
from decimal import Decimal

from django.urls import reverse

from tests.coordinator import receive
from tests.factories import StorageLocationFactory


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_it_shows_units_and_what_is_on_record_beside_each_field(client, coordinator, hub, water):
    hall = StorageLocationFactory(hub=hub, name="Hall", capacity_litres=Decimal("5000"))
    StorageLocationFactory(hub=hub, name="Garage", capacity_litres=Decimal("5000"))
    receive(hall, water, 1500)
    client.force_login(coordinator)

    page = client.get(reverse("item_detail", args=[hub.slug, water.pk])).text

    assert "---------" not in page
    assert "Location:" not in page and "Quantity:" not in page
    words = text(page)
    assert words.count("Choose a location") == 4  # adjust, discard, move from and to
    assert "Hall (1,500 each on record)" in words
    assert "Garage (0 each on record)" in words
    assert words.count("each 1,500 each on record at the hub.") == 3  # beside each quantity


def test_it_keeps_what_was_typed_with_the_error_beside_the_field(client, coordinator, hub, water):
    hall = StorageLocationFactory(hub=hub, name="Hall", capacity_litres=Decimal("5000"))
    receive(hall, water, 10)
    client.force_login(coordinator)

    response = client.post(
        reverse("item_change", args=[hub.slug, water.pk, "discard"]),
        {
            "discard-idempotency_key": "k1",
            "discard-location": hall.pk,
            "discard-quantity": "0",
            "discard-why": "spoiled",
        },
    )

    assert response.status_code == 200
    assert 'class="error" role="alert">Ensure this value is greater than or equal to 1.' in (
        response.text
    )
    assert 'value="0"' in response.text
