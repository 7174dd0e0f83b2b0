"""A new hub in minutes: the hub, its storage from presets, and its creator as a member,
in one transaction. The catalog is the network's: a new hub takes what every hub takes."""

import zoneinfo
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hub.languages import language_is_known
from hub.models import Hub, Membership
from hub.roles import Role, role_at_least
from inventory.models import StorageLocation

MOST_LOCATIONS_PER_KIND = 50
MOST_LITRES = Decimal("1000000")


@dataclass(frozen=True)
class StoragePreset:
    kind: str
    name: str
    litres: Decimal


# Usable volume, not the gross size: a shelving run of 1.2 x 0.6 x 2 m holds about a
# thousand litres of boxes; a US pallet position of 48x40x72 in is about 2,270 L; a 20 ft
# shipping container about 33,000 L; a room is a guess to edit.
STORAGE_PRESETS = [
    StoragePreset("room", gettext_lazy("Room"), Decimal("10000")),
    StoragePreset("shelving", gettext_lazy("Shelving run"), Decimal("1000")),
    StoragePreset("pallet", gettext_lazy("Pallet position"), Decimal("2270")),
    StoragePreset("container", gettext_lazy("Container"), Decimal("33000")),
]


@dataclass(frozen=True)
class StorageRequest:
    """So many locations named `name` (numbered when more than one), of `litres` each."""

    name: str
    count: int
    litres: Decimal


class HubSetupError(Exception):
    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


def hub_create(
    *,
    user: User,
    name: str,
    address: str,
    opening_hours: str,
    time_zone: str,
    default_language: str,
    storage: list[StorageRequest],
) -> Hub:
    """The hub with its storage; the creator (an admin) becomes its member."""
    if not role_at_least(user, Role.ADMIN):
        raise HubSetupError(_("Only admins can create hubs."))
    name = " ".join(name.split())
    if not name:
        raise HubSetupError(_("Give the hub a name."), field="name")
    if Hub.objects.filter(name__iexact=name).exists():
        raise HubSetupError(_("A hub of this name exists already."), field="name")
    if time_zone not in zoneinfo.available_timezones():
        raise HubSetupError(_("Choose a time zone from the list."), field="time_zone")
    if not language_is_known(default_language):
        raise HubSetupError(_("Choose a language from the list."), field="default_language")
    wanted = [s for s in storage if s.count]
    if not wanted:
        raise HubSetupError(_("Add at least one storage location: donations need a place."))
    names = _location_names(wanted)
    with transaction.atomic():
        hub = Hub.objects.create(
            name=name,
            slug=_free_slug(name),
            address=address.strip(),
            opening_hours=opening_hours.strip(),
            time_zone=time_zone,
            default_language=default_language,
        )
        StorageLocation.objects.bulk_create(
            StorageLocation(hub=hub, name=location_name, capacity_litres=litres)
            for location_name, litres in names
        )
        Membership.objects.create(user=user, hub=hub, alert_emails=True)
    return hub


def _location_names(storage: list[StorageRequest]) -> list[tuple[str, Decimal]]:
    names = []
    for request in storage:
        label = " ".join(request.name.split())
        if not label:
            raise HubSetupError(_("Give every kind of storage a name."))
        if not 0 < request.count <= MOST_LOCATIONS_PER_KIND:
            raise HubSetupError(
                _("Add from 1 to %(max)d locations of a kind.") % {"max": MOST_LOCATIONS_PER_KIND}
            )
        if not 0 < request.litres <= MOST_LITRES:
            raise HubSetupError(
                _("%(name)s: the capacity must be more than 0 and at most 1,000,000 litres.")
                % {"name": label}
            )
        if request.count == 1:
            names.append((label[:120], request.litres))
        else:
            names += [(f"{label[:110]} {n}", request.litres) for n in range(1, request.count + 1)]
    seen = set()
    for location_name, _litres in names:
        if location_name.casefold() in seen:
            raise HubSetupError(
                _("Two storage locations would be called %(name)s. Rename one kind.")
                % {"name": location_name}
            )
        seen.add(location_name.casefold())
    return names


def _free_slug(name: str) -> str:
    base = slugify(name)[:50] or "hub"
    taken = set(Hub.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug
