"""`manage.py seed_demo`: two hubs of a network with storage, a catalog, people and stock.

Safe to run again: rows are found by their natural keys and never overwritten (an admin's
edits to demo rows stay), passwords are only set for new users, and stock goes in through
`stock_receive` with fixed idempotency keys, so a second run receives nothing.
"""

from datetime import time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from deliveries.models import Destination, DestinationKind, DestinationNeed, NeedPriority, Run
from deliveries.selectors import stop_line_suggestions
from deliveries.services import run_create, stop_add
from hub.models import Hub, Membership
from hub.roles import Role
from inventory.models import Category, Item, StockMovement, StorageLocation, Unit
from inventory.selectors import hub_fill
from inventory.services import StockLine, stock_receive

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
)

# username, password, role, member of hubs (slugs)
USERS = (
    ("volunteer", "donate-volunteer", Role.VOLUNTEER, (WEST_ADAMS,)),
    ("coordinator", "donate-coordinator", Role.COORDINATOR, (WEST_ADAMS,)),
    ("admin", "donate-admin", Role.ADMIN, (WEST_ADAMS, ALTADENA)),
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
)


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
        self.print_summary(hubs=hubs, new_usernames=new_usernames, received=received)

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


def seed_hubs() -> dict[str, Hub]:
    return {
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


def seed_locations(*, hubs: dict[str, Hub]) -> dict[tuple[str, str], StorageLocation]:
    return {
        (slug, name): StorageLocation.objects.get_or_create(
            hub=hubs[slug], name=name, defaults={"capacity_litres": capacity}
        )[0]
        for slug, name, capacity in LOCATIONS
    }


def seed_catalog() -> dict[str, Item]:
    categories = {
        code: Category.objects.get_or_create(
            code=code, defaults={"name": name, "sort_order": order}
        )[0]
        for code, name, order in CATEGORIES
    }
    return {
        name: Item.objects.get_or_create(
            name=name,
            defaults={
                "category": categories[code],
                "unit": unit,
                "unit_volume_litres": Decimal(litres),
                "tracks_expiry": tracks_expiry,
            },
        )[0]
        for name, code, unit, litres, tracks_expiry in ITEMS
    }


# destination, item, quantity, priority: what the shelters keep asking for, some of it
# beyond the demo's stock, so the public page has something most needed.
NEEDS = (
    ("Exposition Park evacuation shelter", "Sleeping bag", 400, NeedPriority.HIGH),
    ("Exposition Park evacuation shelter", "Diapers, pack", 150, NeedPriority.HIGH),
    ("Crenshaw Rec Center shelter", "N95 masks, box of 20", 300, NeedPriority.NORMAL),
    ("Crenshaw Rec Center shelter", "Dog food, 15 lb bag", 40, NeedPriority.NORMAL),
    ("St. Agnes Church pantry", "Blanket", 200, NeedPriority.LOW),
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


def seed_users(*, hubs: dict[str, Hub]) -> tuple[dict[str, AbstractBaseUser], set[str]]:
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


def seed_stock(
    *,
    locations: dict[tuple[str, str], StorageLocation],
    items: dict[str, Item],
    users: dict[str, AbstractBaseUser],
) -> int:
    """Receive the demo stock; returns how many receipts were new (0 on a second run)."""
    # Dated from today so the demo never opens on a shelf of expired goods.
    today = timezone.localdate()
    received = 0
    for key, slug, location_name, username, lines in STOCK:
        # stock_receive answers a repeated key with the first receipt; skipping it here only
        # keeps the count of new receipts for the summary.
        if StockMovement.objects.filter(idempotency_key=key).exists():
            continue
        location = locations[(slug, location_name)]
        stock_receive(
            lines=[
                StockLine(
                    item=items[item_name],
                    location=location,
                    quantity=quantity,
                    expiry_date=today + timedelta(days=days) if days is not None else None,
                )
                for item_name, quantity, days in lines
            ],
            user=users[username],
            reason="Demo data",
            idempotency_key=key,
        )
        received += 1
    return received


def seed_run(*, hub: Hub, users: dict[str, AbstractBaseUser]) -> None:
    """A draft run for tomorrow morning to the hub's shelters, its lines suggested from their
    needs, for the volunteer to drive. Only on a hub that has no run yet."""
    if Run.objects.filter(hub=hub).exists():
        return
    tomorrow = timezone.localdate() + timedelta(days=1)
    run = run_create(
        hub=hub,
        driver=users["volunteer"],
        vehicle="White cargo van",
        planned_at=timezone.make_aware(timezone.datetime.combine(tomorrow, time(9))),
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
