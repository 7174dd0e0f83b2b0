"""The floor: the least this stack (gunicorn, Django, psycopg, Postgres) can cost to store a
dropoff. One bare view, no middleware (bench.floor_settings), that writes the same rows as a
logged dropoff of the same lines (the dropoff, its lines, a `received` movement per line, the
balances raised, the location's litres in use raised) in one transaction by five plain SQL
statements: no session, no CSRF, no checks, no locks beyond the rows', no template.

gunicorn serves it as bench.floor:application; it is not in the app's URLs."""

import os
import uuid

from django.core.wsgi import get_wsgi_application

os.environ["DJANGO_SETTINGS_MODULE"] = "bench.floor_settings"
application = get_wsgi_application()

from django.db import connection, transaction  # noqa: E402
from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.urls import path  # noqa: E402
from django.utils import timezone  # noqa: E402


def dropoff_floor(request: HttpRequest) -> HttpResponse:
    post = request.POST
    hub, user, location = int(post["hub"]), int(post["user"]), int(post["location"])
    source_type = int(post["source_type"])
    items = [int(pk) for pk in post.getlist("item")]
    quantities = [int(q) for q in post.getlist("quantity")]
    key, now = post["idempotency_key"], timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO hub_dropoff (hub_id, logged_by_id, logged_at, idempotency_key,"
            " donor_name, donor_contact, donor_consent) VALUES (%s, %s, %s, %s, '', '', false)"
            " RETURNING id",
            [hub, user, now, key],
        )
        dropoff = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO hub_dropoffline (dropoff_id, item_id, quantity, outcome, location_id,"
            " expired_accepted)"
            " SELECT %s, item, quantity, 'accepted', %s, false"
            " FROM unnest(%s::bigint[], %s::int[]) AS t(item, quantity)",
            [dropoff, location, items, quantities],
        )
        cursor.execute(
            "INSERT INTO inventory_stockmovement (kind, item_id, location_id, quantity,"
            " created_by_id, created_at, reason, reason_code, reason_params, operation,"
            " idempotency_key, source_type_id, source_id)"
            " SELECT 'received', item, %(location)s, quantity, %(user)s, %(now)s, %(reason)s,"
            " 'dropoff', jsonb_build_object('number', %(dropoff)s::int),"
            " %(operation)s, CASE WHEN n = 1 THEN %(key)s END, %(source_type)s, %(dropoff)s"
            " FROM unnest(%(items)s::bigint[], %(quantities)s::int[])"
            " WITH ORDINALITY AS t(item, quantity, n)",
            {
                "location": location,
                "user": user,
                "now": now,
                "reason": f"Dropoff #{dropoff}",
                "operation": uuid.uuid4(),
                "key": f"hub:{hub}:dropoff:{key}",  # as inventory.services stores it
                "source_type": source_type,
                "dropoff": dropoff,
                "items": items,
                "quantities": quantities,
            },
        )
        cursor.execute(
            # A new balance's place in the stock page's order is left empty: the floor
            # writes the row, not the catalog's names.
            "INSERT INTO inventory_stockbalance (item_id, location_id, quantity, hub_id, sort_key)"
            " SELECT item, %s, quantity, %s, ''"
            " FROM unnest(%s::bigint[], %s::int[]) AS t(item, quantity)"
            " ON CONFLICT (item_id, location_id) WHERE expiry_date IS NULL"
            " DO UPDATE SET quantity = inventory_stockbalance.quantity + EXCLUDED.quantity",
            [location, hub, items, quantities],
        )
        cursor.execute(
            "UPDATE inventory_storagelocation SET used_litres = used_litres + ("
            "  SELECT SUM(t.quantity * i.unit_volume_litres)"
            "  FROM unnest(%s::bigint[], %s::int[]) AS t(item, quantity)"
            "  JOIN inventory_item i ON i.id = t.item"
            ") WHERE id = %s",
            [items, quantities, location],
        )
    return HttpResponse(str(dropoff))


def ping(request: HttpRequest) -> HttpResponse:
    """The bare GET: how many requests the client and gunicorn pass at the least."""
    return HttpResponse("ok")


urlpatterns = [path("floor/dropoff/", dropoff_floor), path("floor/ping/", ping)]
