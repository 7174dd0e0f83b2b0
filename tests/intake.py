"""Helpers the intake test modules share: building the posted form, reading the page."""

import re
import uuid
from datetime import timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from hub.intake.services import dropoff_log
from hub.models import Dropoff, DropoffLine
from inventory.models import StockMovement
from inventory.services import StockLine, stock_receive
from tests.factories import ItemFactory

HTMX = {"HX-Request": "true"}


def line(item, quantity=1, *, outcome="accepted", expiry="", to=""):
    """One posted line row, as the browser sends it."""
    return {
        "item": str(getattr(item, "pk", item)),
        "quantity": str(quantity),
        "expiry_date": expiry,
        "outcome": outcome,
        "redirected_to": str(getattr(to, "pk", to)),
    }


def dropoff_form(location, *lines, key=None, **fields) -> dict:
    """The intake form's POST data: the dropoff's fields plus the lines as parallel lists."""
    data = {
        "idempotency_key": key or uuid.uuid4().hex,
        "location": str(getattr(location, "pk", location or "")),
        "donor_name": "",
        "donor_contact": "",
    }
    for name in ("item", "quantity", "expiry_date", "outcome", "redirected_to"):
        data[name] = [row[name] for row in lines]
    return {**data, **fields}


def intake_url(hub) -> str:
    return reverse("intake", args=[hub.slug])


def login(client, user):
    client.force_login(user)
    return client


def logged(hub, user, *lines, key=None, **donor) -> Dropoff:
    """A dropoff logged through the service, for tests about what is shown afterwards."""
    return dropoff_log(
        hub=hub, user=user, lines=list(lines), idempotency_key=key or uuid.uuid4().hex, **donor
    )


def receipts(hub, user, item, times, *, location=None, outcome="accepted", age=timedelta(0)):
    """`times` past dropoffs of one line of `item` each, logged `age` ago (no stock moved:
    for tests about what the table remembers, not about stock)."""
    dropoffs = Dropoff.objects.bulk_create(
        Dropoff(hub=hub, logged_by=user, idempotency_key=uuid.uuid4().hex) for _n in range(times)
    )
    Dropoff.objects.filter(pk__in=[d.pk for d in dropoffs]).update(logged_at=timezone.now() - age)
    DropoffLine.objects.bulk_create(
        DropoffLine(dropoff=d, item=item, quantity=1, outcome=outcome, location=location)
        for d in dropoffs
    )


def fill_to(location, litres):
    """Put `litres` of 1-litre filler into the location."""
    filler = ItemFactory(unit_volume_litres=Decimal("1"))
    stock_receive(lines=[StockLine(filler, location, int(litres))], user=None, reason="seed")


def movements_of(dropoff):
    """The stock movements a dropoff's logging wrote."""
    return StockMovement.objects.filter(source_type__model="dropoff", source_id=dropoff.pk)


def assert_nothing_stored():
    assert Dropoff.objects.count() == 0
    assert DropoffLine.objects.count() == 0
    assert StockMovement.objects.count() == 0


def idempotency_key(html: str) -> str:
    found = re.search(r'name="idempotency_key" value="([^"]*)"', html)
    assert found, "no idempotency_key field"
    return found.group(1)


def location_options(html: str) -> list[tuple[int | None, bool]]:
    """(location pk, or None for the blank choice; selected) for each option of the location
    select, in order."""
    select = re.search(r'<select id="id_location" name="location"[^>]*>(.*?)</select>', html, re.S)
    assert select, "no location select"
    return [
        (int(pk) if pk else None, bool(selected))
        for pk, selected in re.findall(r'<option value="(\d*)"( selected)?>', select.group(1))
    ]


def tiles(html: str) -> dict[int, str]:
    """item pk -> the tile's HTML, in the order shown, for the "most received" tiles."""
    grid = html.split("Most received here", 1)[1].split('id="intake"', 1)[0]
    return {
        int(pk): body
        for pk, body in re.findall(r'<button[^>]*data-add-item="(\d+)"(.*?)</button>', grid, re.S)
    }


def line_rows(html: str) -> list[str]:
    """The HTML of each line row of the form, in order."""
    return re.split(r'<div class="line[ "]', html)[1:]


# --- fixtures ---------------------------------------------------------------------------------
