"""Writes for deliveries: the destinations a hub delivers to and their standing needs."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from deliveries.models import Destination, DestinationKind, DestinationNeed, NeedPriority
from hub.models import Hub, Membership
from hub.roles import Role, role_at_least
from inventory.models import Category, Item
from inventory.services import MAX_QUANTITY

# --- destinations (coordinators) ---------------------------------------------------------------


class DestinationError(Exception):
    """A change to a destination or its needs that is refused, storing nothing. The message is
    for the coordinator; `field` names the form field it is about (None: the change as a
    whole)."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


class DestinationDenied(DestinationError):
    """The user is not a coordinator (or admin) of the destination's hub."""


def destination_create(
    *,
    hub: Hub,
    user: AbstractBaseUser,
    name: str,
    kind: str,
    address: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    notes: str = "",
    receiving_hub: Hub | None = None,
    is_active: bool = True,
) -> Destination:
    """A new destination of the hub. Its name is unique in the hub; another hub of the
    network (kind `other_hub`) names the hub that receives the goods, other kinds none."""
    _coordinator_check(hub=hub, user=user)
    values = _destination_values(
        hub=hub,
        name=name,
        kind=kind,
        address=address,
        contact_name=contact_name,
        contact_phone=contact_phone,
        notes=notes,
        receiving_hub=receiving_hub,
        is_active=is_active,
    )
    _name_free_check(hub=hub, name=values["name"])
    try:
        with transaction.atomic():
            return Destination.objects.create(hub=hub, **values)
    except IntegrityError as error:  # the same name, saved by someone else just now
        raise _name_taken(values["name"]) from error


def destination_update(
    *,
    destination: Destination,
    user: AbstractBaseUser,
    name: str,
    kind: str,
    address: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    notes: str = "",
    receiving_hub: Hub | None = None,
    is_active: bool = True,
) -> Destination:
    """Change a destination, under the rules of `destination_create`. An inactive destination
    keeps its runs and needs but is offered for no new run and counts for no public need."""
    hub = destination.hub
    _coordinator_check(hub=hub, user=user)
    values = _destination_values(
        hub=hub,
        name=name,
        kind=kind,
        address=address,
        contact_name=contact_name,
        contact_phone=contact_phone,
        notes=notes,
        receiving_hub=receiving_hub,
        is_active=is_active,
    )
    _name_free_check(hub=hub, name=values["name"], exclude=destination.pk)
    try:
        with transaction.atomic():
            Destination.objects.filter(pk=destination.pk).update(**values)
    except IntegrityError as error:
        raise _name_taken(values["name"]) from error
    for name_, value in values.items():
        setattr(destination, name_, value)
    return destination


def destination_need_save(
    *,
    destination: Destination,
    user: AbstractBaseUser,
    item: Item | None,
    category: Category | None,
    quantity: int,
    priority: int = NeedPriority.NORMAL,
    notes: str = "",
    need: DestinationNeed | None = None,
) -> DestinationNeed:
    """Add a standing need to the destination (or change `need`, one of its own): so many
    units of one item, or of any item of one category; each item and each category at most
    once per destination."""
    _coordinator_check(hub=destination.hub, user=user)
    if need is not None and need.destination_id != destination.pk:
        raise DestinationError(_("That need belongs to another destination. Reload the page."))
    if (item is None) == (category is None):
        raise DestinationError(
            _("Choose an item or a category: one of the two, not both."), field="item"
        )
    if item is not None and not item.is_active and (need is None or need.item_id != item.pk):
        raise DestinationError(_("This item is not in the catalog any more."), field="item")
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise DestinationError(_("Enter a whole number of at least 1."), field="quantity")
    if quantity > MAX_QUANTITY:
        raise DestinationError(
            _("Enter at most %(max)d.") % {"max": MAX_QUANTITY}, field="quantity"
        )
    if priority not in NeedPriority.values:
        raise DestinationError(_("Choose high, normal or low."), field="priority")
    notes = (notes or "").strip()
    if len(notes) > DestinationNeed._meta.get_field("notes").max_length:
        raise DestinationError(_("Keep the note shorter."), field="notes")

    others = DestinationNeed.objects.filter(destination=destination)
    if need is not None:
        others = others.exclude(pk=need.pk)
    if item is not None and others.filter(item=item).exists():
        raise _item_listed(item)
    if category is not None and others.filter(category=category).exists():
        raise _category_listed(category)

    values = {
        "item": item,
        "category": category,
        "quantity": quantity,
        "priority": priority,
        "notes": notes,
    }
    try:
        with transaction.atomic():
            if need is None:
                return DestinationNeed.objects.create(destination=destination, **values)
            DestinationNeed.objects.filter(pk=need.pk).update(**values)
    except IntegrityError as error:  # listed by someone else just now
        raise (_item_listed(item) if item else _category_listed(category)) from error
    for name, value in values.items():
        setattr(need, name, value)
    return need


def destination_need_delete(*, need: DestinationNeed, user: AbstractBaseUser) -> None:
    _coordinator_check(hub=need.destination.hub, user=user)
    need.delete()


def _coordinator_check(*, hub: Hub, user: AbstractBaseUser) -> None:
    if not (
        role_at_least(user, Role.COORDINATOR)
        and Membership.objects.filter(user_id=user.pk, hub_id=hub.pk).exists()
    ):
        raise DestinationDenied(
            _("Only a coordinator of %(hub)s can change its destinations.") % {"hub": hub.name}
        )


def _destination_values(
    *,
    hub: Hub,
    name: str,
    kind: str,
    address: str,
    contact_name: str,
    contact_phone: str,
    notes: str,
    receiving_hub: Hub | None,
    is_active: bool,
) -> dict:
    """The destination's fields, stripped and checked, or DestinationError."""
    values = {
        "name": (name or "").strip(),
        "kind": kind,
        "address": (address or "").strip(),
        "contact_name": (contact_name or "").strip(),
        "contact_phone": (contact_phone or "").strip(),
        "notes": (notes or "").strip(),
        "receiving_hub": receiving_hub,
        "is_active": bool(is_active),
    }
    if not values["name"]:
        raise DestinationError(
            _("Name the destination, e.g. “Pasadena Convention Center shelter”."), field="name"
        )
    for field in ("name", "address", "contact_name", "contact_phone"):
        limit = Destination._meta.get_field(field).max_length
        if len(values[field]) > limit:
            raise DestinationError(
                _("Keep this under %(max)d characters.") % {"max": limit}, field=field
            )
    if kind not in DestinationKind.values:
        raise DestinationError(
            _("Choose a shelter, church, camp, fire station or another hub."), field="kind"
        )
    if kind == DestinationKind.OTHER_HUB:
        if receiving_hub is None:
            raise DestinationError(
                _("Choose the hub of the network that receives the goods."), field="receiving_hub"
            )
        if receiving_hub.pk == hub.pk or not receiving_hub.is_active:
            raise DestinationError(
                _("Choose another active hub of the network, not this one."),
                field="receiving_hub",
            )
    elif receiving_hub is not None:
        raise DestinationError(
            _("Only another hub of the network has a receiving hub."), field="receiving_hub"
        )
    return values


def _name_free_check(*, hub: Hub, name: str, exclude: int | None = None) -> None:
    taken = Destination.objects.filter(hub=hub, name__iexact=name)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise _name_taken(name)


def _name_taken(name: str) -> DestinationError:
    return DestinationError(
        _("%(name)s is already a destination of this hub.") % {"name": name}, field="name"
    )


def _item_listed(item: Item) -> DestinationError:
    return DestinationError(
        _("This destination already lists %(item)s: change that need instead.")
        % {"item": item.name},
        field="item",
    )


def _category_listed(category: Category) -> DestinationError:
    return DestinationError(
        _("This destination already lists %(category)s: change that need instead.")
        % {"category": category.name},
        field="category",
    )
