"""Coordinators review the items volunteers added at the table: keep each (a proper name and
unit volume) or merge it into an item of the catalog, its stock moved by new ledger rows
that point at the merge, its own history kept."""

from decimal import Decimal

import pytest
from django.urls import reverse

from hub.intake.forms import unlisted_item
from hub.intake.services import DropoffLineInput
from inventory.models import Item, MovementKind, StockMovement
from tests.factories import CategoryFactory, StorageLocationFactory
from tests.intake import logged, login
from tests.ledger import assert_ledger_matches_balances, qty


@pytest.fixture
def hall(hub):
    return StorageLocationFactory(hub=hub, name="Main hall", capacity_litres=Decimal("10000"))


@pytest.fixture
def shelf(hub):
    return StorageLocationFactory(hub=hub, name="Back shelf", capacity_litres=Decimal("10000"))


@pytest.fixture
def stove(hub, volunteer, hall, shelf):
    """Added at the table twice: 3 into the hall, 2 onto the shelf."""
    other = CategoryFactory(code="other", name="Other")
    new = unlisted_item(hub=hub, name="Camp stove", category=other, size="box")
    first = logged(hub, volunteer, DropoffLineInput(new, 3, location=hall))
    item = first.lines.get().item
    logged(hub, volunteer, DropoffLineInput(item, 2, location=shelf))
    return item


def review(client, hub, **data):
    return client.post(reverse("item_review", args=[hub.slug]), data)


def test_it_lists_the_items_added_here_for_review(client, hub, other_hub, coordinator, stove):
    elsewhere = unlisted_item(hub=other_hub, name="Kayak", category=stove.category, size="large")
    elsewhere.save()

    html = login(client, coordinator).get(reverse("item_review", args=[hub.slug])).content.decode()

    assert "Camp stove" in html
    assert "Kayak" not in html


def test_it_keeps_an_item_under_a_proper_name_and_volume(client, hub, coordinator, stove, hall):
    response = review(
        login(client, coordinator),
        hub,
        item=stove.pk,
        action="keep",
        name="Camping stove, butane",
        category=stove.category_id,
        unit="each",
        unit_volume_litres="6.5",
    )

    assert response.status_code == 302
    stove.refresh_from_db()
    assert (stove.name, stove.unit, stove.unit_volume_litres) == (
        "Camping stove, butane",
        "each",
        Decimal("6.5"),
    )
    assert not stove.needs_review
    assert qty(stove, hall) == 3
    assert " butane" in stove.search_text


def test_it_merges_an_item_into_another_moving_its_stock_by_new_movements(
    client, hub, coordinator, stove, hall, shelf, water
):
    before = list(StockMovement.objects.order_by("pk").values_list("pk", "item", "quantity"))

    response = review(login(client, coordinator), hub, item=stove.pk, action="merge", into=water.pk)

    assert response.status_code == 302
    stove.refresh_from_db()
    assert (stove.merged_into, stove.is_active, stove.needs_review) == (water, False, False)
    assert stove.merged_at is not None
    assert (qty(stove, hall), qty(stove, shelf)) == (0, 0)
    assert (qty(water, hall), qty(water, shelf)) == (3, 2)
    # The earlier rows are untouched; the merge added rows pointing at the merged item.
    assert (
        list(
            StockMovement.objects.filter(pk__in=[p for p, _i, _q in before])
            .order_by("pk")
            .values_list("pk", "item", "quantity")
        )
        == before
    )
    merged = StockMovement.objects.filter(kind=MovementKind.MERGED)
    assert sorted((m.item_id, m.quantity) for m in merged) == sorted(
        [(stove.pk, -3), (stove.pk, -2), (water.pk, 3), (water.pk, 2)]
    )
    assert {m.source for m in merged} == {stove}
    assert_ledger_matches_balances()
    # Its history stays findable, and leads to the item it went into.
    page = client.get(reverse("item_detail", args=[hub.slug, stove.pk])).content.decode()
    assert "merged on" in page and water.name in page


def test_it_merges_once(client, hub, coordinator, stove, water, beans):
    login(client, coordinator)
    review(client, hub, item=stove.pk, action="merge", into=water.pk)
    again = review(client, hub, item=stove.pk, action="merge", into=beans.pk)

    assert again.status_code == 400
    assert qty(beans, stove.balances.first().location) == 0
    assert StockMovement.objects.filter(kind=MovementKind.MERGED).count() == 4


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "merge"}, "Choose the item to merge it into."),
        ({"action": "keep", "name": ""}, "Fill this in to keep the item."),
        ({"action": "keep", "name": "Bottled water 1.5 L"}, "is in the catalog already"),
        ({"action": "explode"}, "Select a valid choice"),
        ({"action": "keep", "unit_volume_litres": "0"}, "greater than or equal to 0.001"),
    ],
)
def test_it_refuses_a_bad_review_with_a_message_and_changes_nothing(
    client, hub, coordinator, stove, water, data, message
):
    fields = {
        "item": stove.pk,
        "name": "Camping stove",
        "category": stove.category_id,
        "unit": "each",
        "unit_volume_litres": "5",
        **data,
    }
    response = review(login(client, coordinator), hub, **fields)

    assert response.status_code == 400
    assert message in response.content.decode().replace("&#x27;", "'")
    stove.refresh_from_db()
    assert (stove.name, stove.needs_review, stove.merged_into) == ("Camp stove", True, None)
    assert not StockMovement.objects.filter(kind=MovementKind.MERGED).exists()


def test_it_refuses_review_to_volunteers_and_other_hubs(
    client, hub, volunteer, outsider, stove, water
):
    for user, status in ((volunteer, 403), (outsider, 404)):
        response = review(login(client, user), hub, item=stove.pk, action="merge", into=water.pk)
        assert response.status_code == status
    stove.refresh_from_db()
    assert stove.needs_review and Item.objects.filter(merged_into__isnull=False).count() == 0
