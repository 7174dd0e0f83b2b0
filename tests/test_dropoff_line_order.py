"""A dropoff's lines are shown as the volunteer entered them, wherever they are read back
from the database: a table gives its rows in no order of its own (a row updated or written
into space freed by deleted rows comes back out of order)."""

from django.db import connection
from django.db.models import F
from django.urls import reverse

from hub.intake.services import DropoffLineInput, dropoff_log
from hub.models import DropoffLine
from tests.factories import StorageLocationFactory


def test_it_lists_the_lines_in_the_order_they_were_entered(client, hub, volunteer, water, beans):
    shelf = StorageLocationFactory(hub=hub, name="Shelf")
    lines = [DropoffLineInput(water, 2, location=shelf), DropoffLineInput(beans, 3, location=shelf)]
    dropoff = dropoff_log(hub=hub, user=volunteer, lines=lines, idempotency_key="order")
    first = DropoffLine.objects.get(dropoff=dropoff, item=water)
    # A new version of the first line's row, after the second's in the table, which a scan
    # of the table (rather than of an index) meets last.
    DropoffLine.objects.filter(pk=first.pk).update(quantity=F("quantity"))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_indexscan = off; SET LOCAL enable_bitmapscan = off")
    client.force_login(volunteer)

    detail = client.get(reverse("dropoff_detail", args=[hub.slug, dropoff.pk])).content.decode()
    recent = client.get(reverse("intake_recent", args=[hub.slug])).content.decode()

    for page in (detail, recent):
        assert page.index(water.name) < page.index(beans.name)
