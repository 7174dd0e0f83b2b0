"""`manage.py seed_demo`: two hubs of a network with storage, a catalog, people and stock.

Safe to run again: rows are found by their natural keys and never overwritten (an admin's
edits to demo rows stay), passwords are only set for new users, and stock goes in through
`stock_receive` with fixed idempotency keys, so a second run receives nothing.
"""

from contextlib import contextmanager
from datetime import datetime, time, timedelta
from decimal import Decimal
from unittest import mock

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from deliveries.models import Destination, DestinationKind, DestinationNeed, NeedPriority, Run
from deliveries.selectors import stop_line_suggestions
from deliveries.services import run_create, stop_add
from hub.models import Hub, Membership, PinnedTile
from hub.roles import Role
from inventory.models import Category, Item, StockMovement, StorageLocation, Unit
from inventory.selectors import hub_fill
from inventory.services import StockLine, stock_key_scoped, stock_receive
from inventory.stock_alerts import item_stock_rules_set
from network.models import Offer
from network.services import offer_create
from operations.demo_network import LINK_SHELTER, seed_places, seed_pledge, seed_shelter_link
from operations.demo_translations import (
    CATEGORY_NAMES,
    ITEM_NAMES,
    LOCATION_NAMES,
    OPENING_HOURS,
    translations_of,
)

WEST_ADAMS = "west-adams"
ALTADENA = "altadena"

# slug, name, address, opening hours, (latitude, longitude) for "nearest hub"
HUBS = (
    (
        WEST_ADAMS,
        "West Adams Hub",
        "2815 W Washington Blvd, Los Angeles, CA 90018",
        "Daily 8:00-20:00, drop-offs until 18:00",
        ("34.03990", "-118.32190"),
    ),
    (
        ALTADENA,
        "Altadena Community Hub",
        "2245 N Lake Ave, Altadena, CA 91001",
        "Mon-Sat 9:00-17:00",
        ("34.18960", "-118.13150"),
    ),
)

# hub slug, name, capacity in litres. A US pallet position (48x40x72 in) holds about
# 2,270 L; a 20 ft shipping container about 33,000 L inside.
LOCATIONS = (
    (WEST_ADAMS, "Main hall pallets", Decimal("9080")),
    (WEST_ADAMS, "Back room shelving", Decimal("3000")),
    (WEST_ADAMS, "Parking-lot container", Decimal("33000")),
    (ALTADENA, "Church hall pallets", Decimal("4540")),
    (ALTADENA, "Garage shelving", Decimal("2500")),
)

# code, name, sort order
CATEGORIES = (
    ("water", "Water", 10),
    ("food", "Food", 20),
    ("hygiene", "Hygiene", 30),
    ("ppe", "PPE and masks", 40),
    ("bedding", "Bedding", 50),
    ("clothing", "Clothing", 60),
    ("baby", "Baby", 70),
    ("pet", "Pet", 80),
    ("medical", "Medical", 90),
    ("other", "Other", 100),
)

# name, category code, unit, litres per unit, tracks expiry
ITEMS = (
    ("Bottled water, case of 24 x 500 ml", "water", Unit.CASE, "14", True),
    ("Water, 1 gallon jug", "water", Unit.EACH, "4.5", True),
    ("Water, 5 gallon jug", "water", Unit.EACH, "21", True),
    ("Electrolyte drink, case of 24", "water", Unit.CASE, "16", True),
    ("Canned soup", "food", Unit.EACH, "0.5", True),
    ("Canned beans", "food", Unit.EACH, "0.5", True),
    ("Canned tuna", "food", Unit.EACH, "0.2", True),
    ("Peanut butter, jar", "food", Unit.EACH, "0.6", True),
    ("Granola bars, box of 12", "food", Unit.BOX, "1", True),
    ("Instant noodles, case of 24", "food", Unit.CASE, "8", True),
    ("Rice, 5 lb bag", "food", Unit.BAG, "3", True),
    ("Shelf-stable meal (MRE)", "food", Unit.EACH, "1", True),
    ("Toothbrush and toothpaste kit", "hygiene", Unit.EACH, "0.2", False),
    ("Bar soap", "hygiene", Unit.EACH, "0.15", False),
    ("Shampoo, travel size", "hygiene", Unit.EACH, "0.1", False),
    ("Deodorant", "hygiene", Unit.EACH, "0.1", False),
    ("Hand sanitizer, 8 oz", "hygiene", Unit.EACH, "0.3", False),
    ("Toilet paper, pack of 12", "hygiene", Unit.PACK, "18", False),
    ("Menstrual pads, pack", "hygiene", Unit.PACK, "1.5", False),
    ("Wet wipes, pack", "hygiene", Unit.PACK, "0.8", False),
    ("N95 masks, box of 20", "ppe", Unit.BOX, "2", False),
    ("Surgical masks, box of 50", "ppe", Unit.BOX, "1.5", False),
    ("Nitrile gloves, box of 100", "ppe", Unit.BOX, "1.8", False),
    ("Safety goggles", "ppe", Unit.EACH, "0.5", False),
    ("Sleeping bag", "bedding", Unit.EACH, "25", False),
    ("Blanket", "bedding", Unit.EACH, "10", False),
    ("Pillow", "bedding", Unit.EACH, "20", False),
    ("Folding cot", "bedding", Unit.EACH, "45", False),
    ("Socks, pack of 6", "clothing", Unit.PACK, "1", False),
    ("Underwear, pack of 3", "clothing", Unit.PACK, "0.8", False),
    ("Sweatshirt", "clothing", Unit.EACH, "2", False),
    ("Work gloves, pair", "clothing", Unit.EACH, "0.5", False),
    ("Diapers, pack", "baby", Unit.PACK, "12", False),
    ("Baby wipes, pack", "baby", Unit.PACK, "1", False),
    ("Infant formula, powder can", "baby", Unit.EACH, "1.2", True),
    ("Baby food pouches, box of 12", "baby", Unit.BOX, "2", True),
    ("Dog food, 15 lb bag", "pet", Unit.BAG, "20", False),
    ("Cat food, case of 24 cans", "pet", Unit.CASE, "5", False),
    ("Cat litter, bag", "pet", Unit.BAG, "15", False),
    ("First aid kit", "medical", Unit.EACH, "1.5", True),
    ("Pain reliever, bottle", "medical", Unit.EACH, "0.15", True),
    ("Adhesive bandages, box", "medical", Unit.BOX, "0.3", True),
    ("Saline eye wash", "medical", Unit.EACH, "0.2", True),
    ("Flashlight", "other", Unit.EACH, "0.5", False),
    ("Batteries AA, pack of 24", "other", Unit.PACK, "0.4", False),
    ("Tarp, 10 x 12 ft", "other", Unit.EACH, "4", False),
    ("Phone charging cable", "other", Unit.EACH, "0.1", False),
)

# Other names to search by, English and Spanish (search ignores case, accents, plurals).
CATEGORY_ALIASES = {
    "water": "agua, drinks, bebidas",
    "food": "comida, alimentos, groceries, canned food, comida enlatada",
    "hygiene": "higiene, toiletries, aseo personal",
    "ppe": "EPP, protección, cubrebocas, mascarillas",
    "bedding": "ropa de cama, cama",
    "clothing": "ropa, clothes",
    "baby": "bebé, infant",
    "pet": "mascotas, animals, animales",
    "medical": "médico, medicina, botiquín",
    "other": "otros, misc",
}
ITEM_ALIASES = {
    "Bottled water, case of 24 x 500 ml": "agua embotellada, botellas de agua, water bottles",
    "Water, 1 gallon jug": "garrafa de agua, galón de agua",
    "Water, 5 gallon jug": "garrafón de agua, bidón",
    "Electrolyte drink, case of 24": "suero, bebida electrolítica, sports drink",
    "Canned soup": "sopa enlatada, lata de sopa",
    "Canned beans": "frijoles enlatados, lata de frijoles",
    "Canned tuna": "atún enlatado, lata de atún",
    "Peanut butter, jar": "crema de cacahuate, mantequilla de maní",
    "Granola bars, box of 12": "barras de granola, snacks",
    "Instant noodles, case of 24": "sopa instantánea, ramen, fideos",
    "Rice, 5 lb bag": "arroz",
    "Shelf-stable meal (MRE)": "comida lista, ración",
    "Toothbrush and toothpaste kit": "cepillo de dientes, pasta de dientes, kit dental",
    "Bar soap": "jabón",
    "Shampoo, travel size": "champú",
    "Deodorant": "desodorante",
    "Hand sanitizer, 8 oz": "gel antibacterial, desinfectante de manos",
    "Toilet paper, pack of 12": "papel higiénico, papel de baño",
    "Menstrual pads, pack": "toallas sanitarias, toallas femeninas",
    "Wet wipes, pack": "toallitas húmedas",
    "N95 masks, box of 20": "mascarillas N95, cubrebocas N95, respirator",
    "Surgical masks, box of 50": "cubrebocas, mascarillas quirúrgicas",
    "Nitrile gloves, box of 100": "guantes de nitrilo",
    "Safety goggles": "gafas de seguridad, lentes de protección",
    "Sleeping bag": "bolsa de dormir, saco de dormir",
    "Blanket": "manta, cobija, frazada",
    "Pillow": "almohada",
    "Folding cot": "catre, cama plegable",
    "Socks, pack of 6": "calcetines",
    "Underwear, pack of 3": "ropa interior",
    "Sweatshirt": "sudadera, hoodie",
    "Work gloves, pair": "guantes de trabajo",
    "Diapers, pack": "pañales",
    "Baby wipes, pack": "toallitas para bebé",
    "Infant formula, powder can": "fórmula infantil, leche en polvo",
    "Baby food pouches, box of 12": "papillas, comida para bebé",
    "Dog food, 15 lb bag": "comida para perro, croquetas",
    "Cat food, case of 24 cans": "comida para gato",
    "Cat litter, bag": "arena para gato",
    "First aid kit": "botiquín, primeros auxilios",
    "Pain reliever, bottle": "analgésico, ibuprofen, acetaminophen",
    "Adhesive bandages, box": "curitas, band-aids, vendas",
    "Saline eye wash": "solución salina, lavado de ojos",
    "Flashlight": "linterna, lámpara",
    "Batteries AA, pack of 24": "pilas, baterías",
    "Tarp, 10 x 12 ft": "lona",
    "Phone charging cable": "cargador, cable de teléfono",
}

# hub slug, name, kind, address, contact name, contact phone, receiving hub slug
DESTINATIONS = (
    (
        WEST_ADAMS,
        "Exposition Park evacuation shelter",
        DestinationKind.SHELTER,
        "700 Exposition Park Dr, Los Angeles, CA 90037",
        "Shelter manager on duty",
        "(213) 555-0141",
        None,
    ),
    (
        WEST_ADAMS,
        "Crenshaw Rec Center shelter",
        DestinationKind.SHELTER,
        "3701 Crenshaw Blvd, Los Angeles, CA 90016",
        "Dana Whitfield",
        "(323) 555-0187",
        None,
    ),
    (
        WEST_ADAMS,
        "St. Agnes Church pantry",
        DestinationKind.CHURCH,
        "1428 W Adams Blvd, Los Angeles, CA 90007",
        "Father Miguel Ortega",
        "(323) 555-0112",
        None,
    ),
    (
        WEST_ADAMS,
        "Fire Station 26",
        DestinationKind.FIRE_STATION,
        "2009 S Western Ave, Los Angeles, CA 90018",
        "Station captain",
        "(323) 555-0126",
        None,
    ),
    (
        WEST_ADAMS,
        "Altadena Community Hub",
        DestinationKind.OTHER_HUB,
        "2245 N Lake Ave, Altadena, CA 91001",
        "Hub coordinator",
        "(626) 555-0173",
        ALTADENA,
    ),
    (
        ALTADENA,
        "Altadena Senior Center shelter",
        DestinationKind.SHELTER,
        "560 E Mariposa St, Altadena, CA 91001",
        "Shelter lead on duty",
        "(626) 555-0190",
        None,
    ),
)

# username, password, role, member of hubs (slugs)
USERS = (
    ("volunteer", "donate-volunteer", Role.VOLUNTEER, (WEST_ADAMS,)),
    ("coordinator", "donate-coordinator", Role.COORDINATOR, (WEST_ADAMS,)),
    ("admin", "donate-admin", Role.ADMIN, (WEST_ADAMS, ALTADENA)),
    ("altadena", "donate-altadena", Role.COORDINATOR, (ALTADENA,)),
)

# One stock_receive per location; the key makes a second run return the first receipt.
# idempotency key, hub slug, location, received by, lines of (item, quantity, days to expiry)
STOCK = (
    (
        "demo-west-adams-main-hall",
        WEST_ADAMS,
        "Main hall pallets",
        "coordinator",
        (
            ("Bottled water, case of 24 x 500 ml", 220, 540),
            ("Water, 1 gallon jug", 150, 365),
            # Two dates of one item, so first-expired-first-out has something to choose.
            ("Canned soup", 300, 120),
            ("Canned soup", 300, 430),
            ("Canned beans", 400, 600),
            ("Instant noodles, case of 24", 40, 240),
            ("Toilet paper, pack of 12", 50, None),
            ("Diapers, pack", 60, None),
            ("Dog food, 15 lb bag", 10, None),
        ),
    ),
    (
        "demo-west-adams-back-room",
        WEST_ADAMS,
        "Back room shelving",
        "coordinator",
        (
            ("N95 masks, box of 20", 150, None),
            ("Surgical masks, box of 50", 80, None),
            ("Nitrile gloves, box of 100", 60, None),
            ("First aid kit", 40, 700),
            ("Pain reliever, bottle", 100, 45),
            ("Toothbrush and toothpaste kit", 300, None),
            ("Bar soap", 400, None),
            ("Hand sanitizer, 8 oz", 200, None),
            ("Menstrual pads, pack", 80, None),
            ("Baby wipes, pack", 100, None),
            ("Infant formula, powder can", 60, 200),
            ("Socks, pack of 6", 200, None),
            ("Batteries AA, pack of 24", 100, None),
            ("Flashlight", 80, None),
            ("Granola bars, box of 12", 150, 150),
        ),
    ),
    (
        "demo-west-adams-container",
        WEST_ADAMS,
        "Parking-lot container",
        "coordinator",
        (
            ("Sleeping bag", 180, None),
            ("Blanket", 450, None),
            ("Pillow", 100, None),
            ("Folding cot", 30, None),
            ("Tarp, 10 x 12 ft", 100, None),
            ("Cat litter, bag", 40, None),
            ("Sweatshirt", 300, None),
        ),
    ),
    (
        "demo-altadena-church-hall",
        ALTADENA,
        "Church hall pallets",
        "admin",
        (
            ("Bottled water, case of 24 x 500 ml", 40, 540),
            ("Blanket", 60, None),
        ),
    ),
    (
        "demo-altadena-garage",
        ALTADENA,
        "Garage shelving",
        "admin",
        (
            ("N95 masks, box of 20", 50, None),
            ("Canned tuna", 200, 700),
        ),
    ),
    # Altadena's busy week: about two thirds full, with room left for what it needs.
    (
        "demo-altadena-church-hall-week",
        ALTADENA,
        "Church hall pallets",
        "altadena",
        (
            ("Water, 1 gallon jug", 300, 365),
            ("Diapers, pack", 80, None),
        ),
    ),
    (
        "demo-altadena-garage-week",
        ALTADENA,
        "Garage shelving",
        "altadena",
        (
            ("Canned soup", 600, 200),
            ("Toilet paper, pack of 12", 40, None),
        ),
    ),
)

# West Adams's surplus offered to the network: item, quantity, days it stands, note.
OFFERS = (("Blanket", 200, 14, "Clean and folded, in the parking-lot container"),)


class Command(BaseCommand):
    help = "Load demo hubs, storage, catalog, people and stock. Running it again changes nothing."

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            hubs = seed_hubs()
            locations = seed_locations(hubs=hubs)
            items = seed_catalog()
            seed_destinations(hubs=hubs, items=items)
            users, new_usernames = seed_users(hubs=hubs)
            received = seed_stock(locations=locations, items=items, users=users)
            seed_run(hub=hubs[WEST_ADAMS], users=users)
            seed_pinned_tiles(hub=hubs[WEST_ADAMS], items=items)
            seed_minimums(hub=hubs[WEST_ADAMS], items=items, user=users["coordinator"])
            seed_offers(hub=hubs[WEST_ADAMS], items=items, user=users["coordinator"])
            seed_places()
            pledge = seed_pledge(hub=hubs[WEST_ADAMS], items=items)
            link = seed_shelter_link(hub=hubs[WEST_ADAMS], user=users["coordinator"])
        self.print_summary(hubs=hubs, new_usernames=new_usernames, received=received)
        if pledge is not None:
            self.stdout.write(f"  Pledge #{pledge.pk} is expected at {pledge.hub.name}'s table.")
        if link is not None:
            self.stdout.write(
                f"  {LINK_SHELTER}'s private needs link (shown this once): /needs/{link}/"
            )

    def print_summary(
        self, *, hubs: dict[str, Hub], new_usernames: set[str], received: int
    ) -> None:
        write = self.stdout.write
        write(self.style.SUCCESS("Demo data loaded."))
        for hub in hubs.values():
            fill = hub_fill(hub=hub)
            write(f"  {hub.name}: {fill.percent} % full ({fill.capacity_litres:,.0f} L of storage)")
        write(
            f"  {len(CATEGORIES)} categories, {len(ITEMS)} items, "
            f"{len(DESTINATIONS)} destinations; stock receipts written now: {received} "
            f"of {len(STOCK)}"
        )
        write("Log in at /accounts/login/ as:")
        for username, password, role, _hub_slugs in USERS:
            note = "" if username in new_usernames else " (existing user: password left as it was)"
            write(f"  {username:<12} password {password:<20} {role.label}{note}")


# What West Adams' coordinator pinned first on the dropoff table (the README's demo adds a
# kit that is not among them by search).
PINNED_TILES = (
    "Bottled water, case of 24 x 500 ml",
    "Canned soup",
    "Blanket",
    "Diapers, pack",
    "Sleeping bag",
    "N95 masks, box of 20",
)


def seed_pinned_tiles(*, hub: Hub, items: dict[str, Item]) -> None:
    for position, name in enumerate(PINNED_TILES, start=1):
        PinnedTile.objects.get_or_create(hub=hub, item=items[name], defaults={"position": position})


# What West Adams wants to keep at least: the diapers are under it, so the dashboard lists them.
MINIMUMS = (("Diapers, pack", 100), ("Bottled water, case of 24 x 500 ml", 50))


def seed_minimums(*, hub: Hub, items: dict[str, Item], user: User) -> None:
    for name, minimum in MINIMUMS:
        item = items[name]
        item_stock_rules_set(
            hub=hub,
            item=item,
            user=user,
            safe_after_expiry=item.safe_after_expiry,
            minimum=minimum,
        )


def seed_hubs() -> dict[str, Hub]:
    hubs = {
        slug: Hub.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "address": address,
                "opening_hours": hours,
                "latitude": Decimal(lat),
                "longitude": Decimal(lon),
            },
        )[0]
        for slug, name, address, hours, (lat, lon) in HUBS
    }
    for hub in hubs.values():
        _translations_add(hub, "opening_hours", OPENING_HOURS.get(hub.opening_hours))
    return hubs


def seed_locations(*, hubs: dict[str, Hub]) -> dict[tuple[str, str], StorageLocation]:
    locations = {
        (slug, name): StorageLocation.objects.get_or_create(
            hub=hubs[slug], name=name, defaults={"capacity_litres": capacity}
        )[0]
        for slug, name, capacity in LOCATIONS
    }
    for location in locations.values():
        _translations_add(location, "name", LOCATION_NAMES.get(location.name))
    return locations


def seed_catalog() -> dict[str, Item]:
    categories = {
        code: Category.objects.get_or_create(
            code=code, defaults={"name": name, "sort_order": order}
        )[0]
        for code, name, order in CATEGORIES
    }
    for code, category in categories.items():
        _aliases_add(category, CATEGORY_ALIASES.get(code, ""))
        _translations_add(category, "name", CATEGORY_NAMES.get(code))
    items = {
        name: Item.objects.get_or_create(
            name=name,
            defaults={
                "category": categories[code],
                "unit": unit,
                "unit_volume_litres": Decimal(litres),
                "tracks_expiry": tracks_expiry,
                # Cans are still good past their best-before date: the table may take them.
                "safe_after_expiry": name.startswith("Canned"),
            },
        )[0]
        for name, code, unit, litres, tracks_expiry in ITEMS
    }
    for name, item in items.items():
        _aliases_add(item, ITEM_ALIASES.get(name, ""))
        _translations_add(item, "name", ITEM_NAMES.get(name))
    return items


def _translations_add(
    row: Hub | StorageLocation | Category | Item, field: str, names: tuple[str, ...] | None
) -> None:
    """The demo's words in every shipped language, for a row that has none yet."""
    if names and not row.translations.get(field):
        row.translations = {**row.translations, field: translations_of(names)}
        row.save()


def _aliases_add(row: Category | Item, aliases: str) -> None:
    """Demo aliases for a row that has none yet (an admin's own are kept)."""
    if aliases and not row.aliases:
        row.aliases = aliases
        row.save()


# destination, item, quantity, priority: what the shelters keep asking for, some of it
# beyond the demo's stock, so the public page has something most needed.
NEEDS = (
    ("Exposition Park evacuation shelter", "Sleeping bag", 400, NeedPriority.HIGH),
    ("Exposition Park evacuation shelter", "Diapers, pack", 150, NeedPriority.HIGH),
    ("Crenshaw Rec Center shelter", "N95 masks, box of 20", 300, NeedPriority.NORMAL),
    ("Crenshaw Rec Center shelter", "Dog food, 15 lb bag", 40, NeedPriority.NORMAL),
    ("St. Agnes Church pantry", "Blanket", 200, NeedPriority.LOW),
    ("Altadena Senior Center shelter", "Blanket", 150, NeedPriority.HIGH),
    ("Altadena Senior Center shelter", "Sleeping bag", 80, NeedPriority.NORMAL),
)


def seed_destinations(*, hubs: dict[str, Hub], items: dict[str, Item]) -> None:
    destinations = {}
    for slug, name, kind, address, contact, phone, receiving_slug in DESTINATIONS:
        destinations[name] = Destination.objects.get_or_create(
            hub=hubs[slug],
            name=name,
            defaults={
                "kind": kind,
                "address": address,
                "contact_name": contact,
                "contact_phone": phone,
                "receiving_hub": hubs[receiving_slug] if receiving_slug else None,
            },
        )[0]
    for destination, item, quantity, priority in NEEDS:
        DestinationNeed.objects.get_or_create(
            destination=destinations[destination],
            item=items[item],
            defaults={"quantity": quantity, "priority": priority},
        )


def seed_users(*, hubs: dict[str, Hub]) -> tuple[dict[str, User], set[str]]:
    """The demo logins, and which of them were created now (only those get a password, so
    a password someone changed is kept)."""
    users, created_now = {}, set()
    for username, password, role, hub_slugs in USERS:
        user, created = get_user_model().objects.get_or_create(
            username=username,
            defaults={"is_staff": role == Role.ADMIN, "email": f"{username}@example.org"},
        )
        if created:
            user.set_password(password)
            user.save(update_fields=["password"])
            created_now.add(username)
        user.groups.add(Group.objects.get(name=role.value))
        for slug in hub_slugs:
            # Coordinators and admins get the storage alerts (printed by the demo's
            # console e-mail backend).
            Membership.objects.get_or_create(
                user=user, hub=hubs[slug], defaults={"alert_emails": role != Role.VOLUNTEER}
            )
        users[username] = user
    return users, created_now


# Days ago that each location's goods came in, oldest first: the demo's hub has been open for
# two weeks, busiest in its first days, and still takes a little every day.
ARRIVAL_DAYS = (13, 12, 11, 10, 9, 8, 6, 5, 3, 2, 1, 0)
ARRIVAL_WEIGHTS = (5, 4, 3, 2, 2, 2, 1, 1, 1, 1, 1, 1)


def seed_stock(
    *,
    locations: dict[tuple[str, str], StorageLocation],
    items: dict[str, Item],
    users: dict[str, User],
) -> int:
    """Receive the demo stock, spread over the last two weeks so that the dashboard's chart
    and forecast read like a real hub's; returns how many locations' receipts were new (0 on
    a second run)."""
    # Dated from today so the demo never opens on a shelf of expired goods.
    today = timezone.localdate()
    now = timezone.now()
    received = 0
    for number, (key, slug, location_name, username, lines) in enumerate(STOCK):
        # stock_receive answers a repeated key with the first receipt; skipping it here only
        # keeps the count of new receipts for the summary. (A demo loaded before the history
        # was spread holds the whole receipt under the bare key.)
        location = locations[(slug, location_name)]
        keys = [
            stock_key_scoped(key=stored, hub_ids=[location.hub_id]) for stored in (key, f"{key}-1")
        ]
        if StockMovement.objects.filter(idempotency_key__in=keys).exists():
            continue
        for part, (days_ago, quantities) in enumerate(_spread(lines), start=1):
            when = _arrival(now=now, days_ago=days_ago, number=number + part)
            with _clock_at(when):
                stock_receive(
                    lines=[
                        StockLine(
                            item=items[item_name],
                            location=location,
                            quantity=quantity,
                            expiry_date=today + timedelta(days=days) if days is not None else None,
                        )
                        for item_name, quantity, days in quantities
                    ],
                    user=users[username],
                    reason="Demo data",
                    idempotency_key=f"{key}-{part}",
                )
        received += 1
    return received


def _spread(lines) -> list[tuple[int, list[tuple[str, int, int | None]]]]:
    """Each line's quantity shared out over ARRIVAL_DAYS by ARRIVAL_WEIGHTS (what does not
    divide evenly arrives first): [(days ago, [(item, quantity, days to expiry), ...]), ...]
    with no empty day and no zero quantity."""
    total = sum(ARRIVAL_WEIGHTS)
    days: list[tuple[int, list]] = [(days_ago, []) for days_ago in ARRIVAL_DAYS]
    for item_name, quantity, expiry in lines:
        shares = [quantity * weight // total for weight in ARRIVAL_WEIGHTS]
        shares[0] += quantity - sum(shares)
        for (_, day_lines), share in zip(days, shares, strict=True):
            if share:
                day_lines.append((item_name, share, expiry))
    return [(days_ago, day_lines) for days_ago, day_lines in days if day_lines]


def _arrival(*, now, days_ago: int, number: int):
    """A time in the opening hours of that day (9:00 to 17:00); today, some hours ago."""
    if days_ago == 0:
        return now - timedelta(hours=1 + number % 5, minutes=7 * number % 60)
    day = timezone.localdate(now) - timedelta(days=days_ago)
    return timezone.make_aware(
        datetime.combine(day, time(9 + (number * 3) % 9, (number * 13) % 60))
    )


@contextmanager
def _clock_at(when):
    """The ledger stamps each row with the clock (auto_now_add): the demo's history is
    written with the clock set to when the goods came in."""
    with mock.patch.object(timezone, "now", return_value=when):
        yield


def seed_run(*, hub: Hub, users: dict[str, User]) -> None:
    """A draft run for tomorrow morning to the hub's shelters, its lines suggested from their
    needs, for the volunteer to drive. Only on a hub that has no run yet."""
    if Run.objects.filter(hub=hub).exists():
        return
    tomorrow = timezone.localdate() + timedelta(days=1)
    run = run_create(
        hub=hub,
        driver=users["volunteer"],
        vehicle="White cargo van",
        planned_at=timezone.make_aware(datetime.combine(tomorrow, time(9))),
        notes="Load from the main hall first.",
        user=users["coordinator"],
    )
    for destination in hub.destinations.filter(kind=DestinationKind.SHELTER).order_by("name"):
        lines = [
            (s.item, s.quantity)
            for s in stop_line_suggestions(run=run, destination=destination)
            if s.quantity
        ]
        if lines:
            stop_add(run=run, destination=destination, lines=lines, user=users["coordinator"])


def seed_offers(*, hub: Hub, items: dict[str, Item], user: User) -> None:
    """The hub's surplus on the Network page, for Altadena to claim. Only on a hub that has
    offered nothing yet."""
    if Offer.objects.filter(hub=hub).exists():
        return
    for item, quantity, days, note in OFFERS:
        offer_create(
            hub=hub,
            user=user,
            item=items[item],
            quantity=quantity,
            until=timezone.localdate() + timedelta(days=days),
            note=note,
        )
