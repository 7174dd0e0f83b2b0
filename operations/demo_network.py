"""The demo's network part: the postcodes and neighbourhoods the pledge form knows (Los
Angeles, around the demo hubs), a donor's pledge expected at West Adams' table, and a
private needs link for one shelter. Loading it again changes nothing."""

from decimal import Decimal

from django.contrib.auth.models import User

from deliveries.models import Destination
from deliveries.shelter_services import request_link_make
from hub.intake.pledge_selectors import PledgeLineInput
from hub.intake.pledge_services import PledgeError, pledge_create
from hub.models import Hub, Place, Pledge
from inventory.models import Category, Item

# name, latitude, longitude: each place's rough centre, enough for "nearest hub first".
PLACES = (
    ("90004", "34.0760", "-118.3090"),
    ("90005", "34.0590", "-118.3090"),
    ("90006", "34.0480", "-118.2930"),
    ("90007", "34.0280", "-118.2850"),
    ("90008", "34.0110", "-118.3410"),
    ("90010", "34.0620", "-118.3160"),
    ("90011", "34.0070", "-118.2580"),
    ("90012", "34.0610", "-118.2390"),
    ("90013", "34.0450", "-118.2400"),
    ("90015", "34.0390", "-118.2660"),
    ("90016", "34.0290", "-118.3530"),
    ("90017", "34.0530", "-118.2640"),
    ("90018", "34.0290", "-118.3160"),
    ("90019", "34.0480", "-118.3390"),
    ("90020", "34.0660", "-118.3100"),
    ("90026", "34.0790", "-118.2630"),
    ("90031", "34.0780", "-118.2110"),
    ("90033", "34.0500", "-118.2110"),
    ("90034", "34.0290", "-118.4000"),
    ("90035", "34.0530", "-118.3810"),
    ("90037", "34.0030", "-118.2870"),
    ("90041", "34.1370", "-118.2080"),
    ("90042", "34.1150", "-118.1920"),
    ("90043", "33.9880", "-118.3350"),
    ("90056", "33.9880", "-118.3710"),
    ("90057", "34.0620", "-118.2770"),
    ("90062", "33.9940", "-118.3090"),
    ("90065", "34.1070", "-118.2270"),
    ("91001", "34.1950", "-118.1390"),
    ("91024", "34.1690", "-118.0500"),
    ("91101", "34.1470", "-118.1390"),
    ("91103", "34.1660", "-118.1560"),
    ("91104", "34.1650", "-118.1240"),
    ("91106", "34.1400", "-118.1290"),
    ("91107", "34.1590", "-118.0880"),
    ("Altadena", "34.1900", "-118.1310"),
    ("Baldwin Hills", "34.0090", "-118.3530"),
    ("Boyle Heights", "34.0400", "-118.2050"),
    ("Crenshaw", "34.0200", "-118.3350"),
    ("Downtown", "34.0500", "-118.2500"),
    ("Eagle Rock", "34.1390", "-118.2120"),
    ("Echo Park", "34.0780", "-118.2600"),
    ("Exposition Park", "34.0150", "-118.2870"),
    ("Highland Park", "34.1110", "-118.1920"),
    ("Hyde Park", "33.9880", "-118.3300"),
    ("Jefferson Park", "34.0290", "-118.3260"),
    ("Koreatown", "34.0580", "-118.3010"),
    ("Leimert Park", "34.0050", "-118.3310"),
    ("Mid-City", "34.0450", "-118.3550"),
    ("Palms", "34.0200", "-118.4050"),
    ("Pasadena", "34.1480", "-118.1440"),
    ("Pico-Union", "34.0450", "-118.2850"),
    ("Sierra Madre", "34.1620", "-118.0530"),
    ("University Park", "34.0260", "-118.2850"),
    ("West Adams", "34.0330", "-118.3350"),
)

PLEDGE_KEY = "demo-pledge-1"
LINK_SHELTER = "Crenshaw Rec Center shelter"


def seed_places() -> None:
    for name, lat, lon in PLACES:
        if not Place.objects.filter(name=name).exists():
            Place.objects.create(name=name, latitude=Decimal(lat), longitude=Decimal(lon))


def seed_pledge(*, hub: Hub, items: dict[str, Item]) -> Pledge | None:
    """A donor from 90016 bringing blankets, water and camping mats to `hub` (when it takes
    them and has room now)."""
    if found := Pledge.objects.filter(idempotency_key=PLEDGE_KEY).first():
        return found
    bedding = Category.objects.get(code="bedding")
    blanket, water = items["Blanket"], items["Bottled water, case of 24 x 500 ml"]
    lines = [
        PledgeLineInput(blanket.category, 30, item=blanket),
        PledgeLineInput(water.category, 10, item=water),
        PledgeLineInput(bedding, 12, description="Camping mats"),
    ]
    try:
        made, _left = pledge_create(
            hub=hub, lines=lines, place="90016", idempotency_key=PLEDGE_KEY, address="demo"
        )
    except PledgeError:  # a full or closed demo hub takes no pledge: the demo goes on
        return None
    return made


def seed_shelter_link(*, hub: Hub, user: User) -> str | None:
    """A private needs link for one shelter, made once: the token it returns is shown only
    now (only its hash is kept); None when the shelter has a link already."""
    shelter = Destination.objects.get(hub=hub, name=LINK_SHELTER)
    if shelter.request_token_hash:
        return None
    return request_link_make(destination=shelter, user=user)
