"""Bringing in the spreadsheet a group kept before the hub used this app: items with their
category, unit and size, and optionally how many are where, until when.

`stock_import_preview` reads the file and says, row by row, what it would do (an item of the
catalog found, a new item, stock counted) or why it cannot take the row; it stores nothing.
`stock_import_confirm` reads the same file again and does it in one transaction: the new
items, then every quantity as `counted` opening stock through inventory.services, under an
idempotency key made of the hub and the file's hash, so the same file never counts twice."""

import hashlib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import cast

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from hub.models import Hub
from hub.roles import Role, role_at_least
from inventory.models import (
    Category,
    Item,
    StockBalance,
    StockMovement,
    StorageLocation,
    Unit,
)
from inventory.reasons import Reason
from inventory.services import MAX_QUANTITY, StockLine, stock_count_many, stock_key_scoped
from inventory.signals import catalog_changed
from inventory.spreadsheet import (
    MAX_CELL_LENGTH,
    SheetRow,
    SpreadsheetError,
    looks_like_formula,
    spreadsheet_read,
)

# The headers a file may use for each column, in English and Spanish, lower case.
COLUMNS = {
    **dict.fromkeys(("name", "item", "nombre", "artículo", "articulo"), "name"),
    **dict.fromkeys(("category", "categoría", "categoria"), "category"),
    **dict.fromkeys(("unit", "unidad"), "unit"),
    **dict.fromkeys(("size", "litres", "liters", "size (litres)", "tamaño", "litros"), "size"),
    **dict.fromkeys(("quantity", "qty", "count", "cantidad"), "quantity"),
    **dict.fromkeys(("location", "where", "ubicación", "ubicacion", "lugar"), "location"),
    **dict.fromkeys(("expiry", "expiry date", "expires", "caducidad"), "expiry"),
}
MAX_LITRES_PER_UNIT = Decimal("10000")


class StockImportError(Exception):
    """The import cannot be done at all; the message is for the coordinator."""


@dataclass
class ImportRow:
    number: int
    name: str
    item: Item | None = None  # of the catalog; None for a new item
    category: Category | None = None
    unit: str = ""
    litres: Decimal | None = None
    quantity: int | None = None
    location: StorageLocation | None = None
    expiry: date | None = None
    on_record: int = 0  # what the count replaces: the balance of the item there now
    errors: list[str] = field(default_factory=list)

    @property
    def is_new(self) -> bool:
        return self.item is None


@dataclass
class ImportPreview:
    digest: str
    rows: list[ImportRow]
    already_imported: bool

    @property
    def good(self) -> list[ImportRow]:
        return [row for row in self.rows if not row.errors]

    @property
    def bad(self) -> list[ImportRow]:
        return [row for row in self.rows if row.errors]

    @property
    def new_item_count(self) -> int:
        return len({row.name.casefold() for row in self.good if row.is_new})

    @property
    def stocked(self) -> list[ImportRow]:
        return [row for row in self.good if row.quantity]


def file_digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def import_key(*, digest: str) -> str:
    """The file's key; the stock services keep it per hub (stock_key_scoped)."""
    return f"import:{digest[:64]}"


def stock_import_preview(*, hub: Hub, name: str, content: bytes) -> ImportPreview:
    """What importing the file would do, row by row. Stores nothing. Raises
    SpreadsheetError for a file that cannot be read at all."""
    sheet = spreadsheet_read(name=name, content=content, columns=COLUMNS, required="name")
    if not sheet:
        raise SpreadsheetError(_("The file has a header but no rows of items."))
    digest = file_digest(content)
    catalog = {item.name.casefold(): item for item in Item.objects.select_related("category")}
    categories = {}
    for category in Category.objects.all():
        categories[category.code.casefold()] = category
        categories[category.name.casefold()] = category
    locations = {
        location.name.casefold(): location
        for location in StorageLocation.objects.filter(hub=hub, is_active=True)
    }
    rows = [_row(r, catalog, categories, locations) for r in sheet]
    _flag_repeats(rows)
    _flag_conflicting_items(rows)
    _on_record(hub, rows)
    stored_key = stock_key_scoped(key=import_key(digest=digest), hub_ids=[hub.pk])
    already = StockMovement.objects.filter(idempotency_key=stored_key)
    return ImportPreview(digest=digest, rows=rows, already_imported=already.exists())


def stock_import_confirm(*, hub: Hub, user: User, name: str, content: bytes) -> ImportPreview:
    """Import the file's good rows: new items, then the quantities as counted opening stock,
    in one transaction. The same file again for the same hub counts nothing twice."""
    if not role_at_least(user, Role.COORDINATOR) or not hub.memberships.filter(user=user).exists():
        raise StockImportError(_("Only the hub's coordinators can import stock."))
    preview = stock_import_preview(hub=hub, name=name, content=content)
    if preview.already_imported:
        raise StockImportError(_("This file was imported already; nothing was counted again."))
    good = preview.good
    if not good:
        raise StockImportError(_("No row of the file can be taken; nothing was stored."))
    key = import_key(digest=preview.digest)
    try:
        with transaction.atomic():
            items = _items_create(good)
            # A good row with a quantity has its location (else the row has an error).
            lines = [
                StockLine(
                    items[row.name.casefold()],
                    cast(StorageLocation, row.location),
                    row.quantity,
                    row.expiry,
                )
                for row in good
                if row.quantity
            ]
            if lines:
                stock_count_many(
                    lines=lines,
                    user=user,
                    reason=Reason("opening_stock", file=name[:200]),
                    idempotency_key=key,
                )
    except IntegrityError as error:
        # The same file confirmed twice at once: the other one has stored it.
        raise StockImportError(
            _("This file was imported already; nothing was counted again.")
        ) from error
    return preview


def _items_create(rows: list[ImportRow]) -> dict[str, Item]:
    items = {row.name.casefold(): row.item for row in rows if row.item is not None}
    new = {}
    for row in rows:
        if row.is_new and row.name.casefold() not in new:
            new[row.name.casefold()] = Item(
                name=row.name,
                category=row.category,
                unit=row.unit,
                unit_volume_litres=cast(Decimal, row.litres),  # a good new row has its size
                tracks_expiry=any(
                    r.expiry for r in rows if r.name.casefold() == row.name.casefold()
                ),
            )
    Item.objects.bulk_create(new.values())  # sets their primary keys
    catalog_changed.send(sender=Item)
    return items | new


def _row(sheet_row: SheetRow, catalog: dict, categories: dict, locations: dict) -> ImportRow:
    cells = sheet_row.cells
    errors = []
    text = {}
    for column in ("name", "category", "unit", "size", "quantity", "location"):
        value = cells.get(column)
        value = "" if value is None else str(value)
        if looks_like_formula(value) and not (column == "quantity" and value[1:].isdigit()):
            errors.append(
                _("%(column)s starts like a formula (%(start)s); type the value instead.")
                % {"column": column, "start": value[:1]}
            )
            value = ""
        elif len(value) > MAX_CELL_LENGTH:
            errors.append(_("%(column)s is too long.") % {"column": column})
            value = ""
        text[column] = value
    row = ImportRow(number=sheet_row.number, name=" ".join(text["name"].split()))
    if not row.name:
        errors.append(_("The item has no name."))
    elif len(row.name) > 120:
        errors.append(_("The name is longer than 120 characters."))
    row.item = catalog.get(row.name.casefold())
    if row.item is None and row.name:
        _new_item_fields(row, text, categories, errors)
    _stock_fields(row, text, cells.get("expiry"), locations, errors)
    row.errors = errors
    return row


def _new_item_fields(row: ImportRow, text: dict, categories: dict, errors: list) -> None:
    row.category = categories.get(text["category"].casefold())
    if row.category is None:
        errors.append(
            _("%(category)s is not a category of the catalog.") % {"category": text["category"]}
            if text["category"]
            else _("A new item needs a category.")
        )
    units = {u.value: u.value for u in Unit} | {str(u.label).casefold(): u.value for u in Unit}
    row.unit = units.get(text["unit"].casefold(), "")
    if not row.unit:
        errors.append(
            _("The unit must be one of: %(units)s.") % {"units": ", ".join(u.value for u in Unit)}
        )
    try:
        row.litres = Decimal(text["size"].replace(",", "."))
    except InvalidOperation:
        row.litres = None
    if (
        row.litres is None
        or not row.litres.is_finite()
        or not 0 < row.litres <= MAX_LITRES_PER_UNIT
    ) or row.litres.quantize(Decimal("0.001")) <= 0:
        errors.append(_("A new item needs its size: the litres of one unit, e.g. 0.5."))
        row.litres = None
    else:
        row.litres = row.litres.quantize(Decimal("0.001"))


def _stock_fields(row: ImportRow, text: dict, expiry, locations: dict, errors: list) -> None:
    quantity = text["quantity"].lstrip("+")
    if quantity:
        if not (quantity.isascii() and quantity.isdigit()) or int(quantity) > MAX_QUANTITY:
            errors.append(
                _("The quantity must be a whole number from 0 to %(max)d.") % {"max": MAX_QUANTITY}
            )
        else:
            row.quantity = int(quantity)
    if text["location"]:
        row.location = locations.get(" ".join(text["location"].split()).casefold())
        if row.location is None:
            errors.append(
                _("%(location)s is not a storage location of this hub.")
                % {"location": text["location"]}
            )
    elif row.quantity:
        if len(locations) == 1:
            row.location = next(iter(locations.values()))
        else:
            errors.append(_("Say where it is: the name of one of the hub's storage locations."))
    if isinstance(expiry, date):
        row.expiry = expiry
    elif expiry:
        try:
            row.expiry = date.fromisoformat(str(expiry).strip())
        except ValueError:
            errors.append(_("The expiry date must be a date like 2025-03-31."))
    if row.expiry and row.item is not None and not row.item.tracks_expiry:
        errors.append(
            _("%(item)s has no expiry date in the catalog.") % {"item": row.item.display_name}
        )


def _on_record(hub: Hub, rows: list[ImportRow]) -> None:
    """A count replaces what is on record: the preview shows it, in one query."""
    counted = [
        (row, row.item) for row in rows if row.quantity and row.item is not None and not row.errors
    ]
    balances = {
        (b.item_id, b.location_id, b.expiry_date): b.quantity
        for b in StockBalance.objects.filter(
            location__hub=hub, item__in={item.pk for _row, item in counted}
        )
    }
    for row, item in counted:
        # A good row with a quantity has its location (else the row has an error).
        location = cast(StorageLocation, row.location)
        row.on_record = balances.get((item.pk, location.pk, row.expiry), 0)


def _flag_repeats(rows: list[ImportRow]) -> None:
    first: dict[tuple[str, int, date | None], int] = {}
    for row in rows:
        if row.errors or not row.quantity:
            continue
        # A good row with a quantity has its location (else the row has an error).
        key = (row.name.casefold(), cast(StorageLocation, row.location).pk, row.expiry)
        if key in first:
            row.errors.append(
                _("Row %(row)d has the same item, location and expiry; put them in one row.")
                % {"row": first[key]}
            )
        else:
            first[key] = row.number


def _flag_conflicting_items(rows: list[ImportRow]) -> None:
    """A new item named on several rows must be the same item on each."""
    seen: dict[str, tuple[int, tuple[int, str, Decimal | None]]] = {}
    for row in rows:
        if row.errors or not row.is_new:
            continue
        # A good new row has its category (else the row has an error).
        spec = (cast(Category, row.category).pk, row.unit, row.litres)
        first = seen.setdefault(row.name.casefold(), (row.number, spec))
        if first[1] != spec:
            row.errors.append(
                _("Row %(row)d gives this item another category, unit or size.") % {"row": first[0]}
            )
