"""Reads for sending a donor on: which hubs of the network take what now and have room,
nearest first, from a hub (the table of a closed hub) or from a postcode or neighbourhood
(the public pledge form). Distances come from coordinates kept in the database only."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Count, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from hub.geo import km_between
from hub.intake.selectors import HubRoom, acceptance_map, hub_room_map
from hub.models import Dropoff, DropoffLine, Hub, IntakeStatus, Outcome, Place, place_key
from inventory.models import Category

NEARBY_SHOWN = 3


@dataclass(frozen=True)
class NearbyHub:
    """A hub a donor can be sent to: what it takes now, how far, how full."""

    hub: Hub
    km: float | None
    room: HubRoom
    takes: tuple[Category, ...]  # open now
    limited: tuple[Category, ...]  # only what it needs most

    @property
    def percent(self) -> Decimal:
        return self.room.percent

    @property
    def category_ids(self) -> set[int]:
        return {c.pk for c in self.takes}

    @property
    def map_url(self) -> str:
        """A link to the hub on OpenStreetMap (the visitor's browser follows it; the
        server asks nothing of it)."""
        hub = self.hub
        if hub.latitude is not None and hub.longitude is not None:
            return (
                f"https://www.openstreetmap.org/?mlat={hub.latitude}&mlon={hub.longitude}"
                f"#map=16/{hub.latitude}/{hub.longitude}"
            )
        if hub.address:
            return "https://www.openstreetmap.org/search?" + urlencode({"query": hub.address})
        return ""


def hubs_with_room(
    *, latitude: object = None, longitude: object = None, exclude: Hub | None = None
) -> list[NearbyHub]:
    """The network's active hubs that take at least one category now and are under their
    nearly-full threshold, nearest to the point first (hubs without coordinates, or every
    hub when there is no point, by name). Five queries, however many hubs."""
    hubs = list(Hub.objects.filter(is_active=True).exclude(intake_status=IntakeStatus.CLOSED))
    if exclude is not None:
        hubs = [h for h in hubs if h.pk != exclude.pk]
    if not hubs:
        return []
    rooms = hub_room_map(hubs=hubs)
    hubs = [
        h
        for h in hubs
        if rooms[h.pk].capacity_litres and rooms[h.pk].percent < h.nearly_full_percent
    ]
    categories = {c.pk: c for c in Category.objects.order_by("sort_order", "name")}
    acceptance = acceptance_map(hubs=hubs)
    found = []
    for hub in hubs:
        status = {cid: acceptance[(hub.pk, cid)].status for cid in categories}
        takes = tuple(c for cid, c in categories.items() if status[cid] == IntakeStatus.OPEN)
        limited = tuple(c for cid, c in categories.items() if status[cid] == IntakeStatus.LIMITED)
        if takes or limited:
            km = km_between(latitude, longitude, hub.latitude, hub.longitude)
            found.append(
                NearbyHub(hub=hub, km=km, room=rooms[hub.pk], takes=takes, limited=limited)
            )
    found.sort(key=lambda n: (n.km is None, n.km or 0, n.hub.name))
    return found


def hubs_with_room_near_hub(*, hub: Hub) -> list[NearbyHub]:
    """The other hubs a donor at `hub`'s table can be sent to, nearest first."""
    return hubs_with_room(latitude=hub.latitude, longitude=hub.longitude, exclude=hub)


def place_find(*, text: str) -> Place | None:
    """The postcode or neighbourhood a donor typed, if the network knows it: the whole text,
    else its first word ("90016-1234", "90016 Los Angeles")."""
    key = place_key(text)
    if not key:
        return None
    candidates = {key, key.split(" ")[0], key.split("-")[0]}
    return Place.objects.filter(key__in=candidates).order_by("-key").first()


@dataclass(frozen=True)
class SentOn:
    """Donors (visits) a hub's table sent to another hub, per hub and category."""

    hub_name: str
    category_name: str
    donors: int
    units: int


def sent_on_list(*, hub: Hub, since: datetime, until: datetime) -> list[SentOn]:
    """Visits whose lines the hub sent to another hub, counted per receiving hub and
    category (one visit with two lines of one category counts once), undone ones apart."""
    return _sent_list(Q(dropoff__hub=hub), "redirected_to__name", since=since, until=until)


# Longer than any dropoff's insert could follow the setting of its logged_at, and than the
# web servers' clocks could be apart.
ID_CLOCK_MARGIN = timedelta(hours=1)


def sent_here_list(*, hub: Hub, since: datetime, until: datetime) -> list[SentOn]:
    """Visits other hubs sent on to this hub, counted per sending hub and category.

    Read by the lines sent here from the dropoff id `since` can hold, not every line ever
    sent here: a dropoff's id is drawn by its insert, right after its logged_at is set
    (auto_now_add, nothing else sets it), so every dropoff logged since `since` has an id
    above that of the last one logged more than an hour before it (none such: every id)."""
    before = (
        Dropoff.objects.filter(logged_at__lt=since - ID_CLOCK_MARGIN)
        .order_by("-logged_at")
        .values("pk")[:1]
    )
    where = Q(redirected_to=hub, dropoff_id__gt=Coalesce(Subquery(before), 0))
    return _sent_list(where, "dropoff__hub__name", since=since, until=until)


def _sent_list(where: Q, hub_field: str, *, since: datetime, until: datetime) -> list[SentOn]:
    rows = (
        DropoffLine.objects.filter(
            where,
            outcome=Outcome.REDIRECTED,
            dropoff__undone_at__isnull=True,
            dropoff__logged_at__gte=since,
            dropoff__logged_at__lt=until,
        )
        .values(hub_field, "item__category__name")
        .annotate(donors=Count("dropoff", distinct=True), units=Sum("quantity"))
        .order_by("-donors", hub_field, "item__category__name")
    )
    return [
        SentOn(row[hub_field], row["item__category__name"], row["donors"], row["units"])
        for row in rows
    ]


def sent_on_donor_count(*, hub: Hub, since: datetime, until: datetime) -> int:
    """Visits of which at least one line was sent on to another hub."""
    return (
        Dropoff.objects.filter(
            hub=hub,
            undone_at__isnull=True,
            logged_at__gte=since,
            logged_at__lt=until,
            lines__outcome=Outcome.REDIRECTED,
        )
        .distinct()
        .count()
    )
