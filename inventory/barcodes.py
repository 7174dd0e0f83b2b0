"""Barcodes of catalog items: GTIN-8, UPC-A (12), EAN-13 and GTIN-14, checked by their
check digit and kept as 14 digits, so one code has one form whichever way it was read."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from hub.errors import UserError
from inventory.models import Item, ItemBarcode

GTIN_LENGTHS = (8, 12, 13, 14)


class BarcodeError(UserError):
    """A code that is not a valid GTIN, or that names another item already."""


def gtin_check_digit_ok(digits: str) -> bool:
    """The GS1 rule: weights 3 and 1 from the right, the check digit included, sum % 10 == 0."""
    total = sum(int(d) * (3 if n % 2 else 1) for n, d in enumerate(reversed(digits)))
    return total % 10 == 0


def gtin_normalize(code: str) -> str:
    """The code as 14 digits, or BarcodeError saying what is wrong with it."""
    digits = "".join(code.split())
    if not (digits.isascii() and digits.isdigit()) or len(digits) not in GTIN_LENGTHS:
        raise BarcodeError(
            _("A barcode has 8, 12, 13 or 14 digits (the numbers under the bars)."),
            field="code",
        )
    if not gtin_check_digit_ok(digits):
        raise BarcodeError(
            _("%(code)s is not a valid barcode: check the digits.") % {"code": digits},
            field="code",
        )
    return digits.zfill(14)


def item_barcode_add(*, item: Item, code: str) -> ItemBarcode:
    gtin = gtin_normalize(code)
    taken = ItemBarcode.objects.filter(gtin=gtin).select_related("item").first()
    if taken is not None:
        raise BarcodeError(
            _("%(code)s is already the barcode of %(item)s.")
            % {"code": taken.printed, "item": taken.item.name},
            field="code",
        )
    try:
        with transaction.atomic():
            return ItemBarcode.objects.create(item=item, gtin=gtin)
    except IntegrityError:  # another coordinator saved it a moment ago
        raise BarcodeError(
            _("This barcode was just given to another item."), field="code"
        ) from None


def item_barcode_remove(*, item: Item, pk: int) -> None:
    ItemBarcode.objects.filter(item=item, pk=pk).delete()


def item_barcodes_attach(*, item: Item, codes: list[str]) -> None:
    """Codes scanned at the table with an item that was not in the catalog: kept for it
    unless the code is invalid or already names an item (the first one keeps it)."""
    gtins = set()
    for code in codes:
        try:
            gtins.add(gtin_normalize(code))
        except BarcodeError:
            continue
    ItemBarcode.objects.bulk_create(
        [ItemBarcode(item=item, gtin=gtin) for gtin in sorted(gtins)], ignore_conflicts=True
    )


def item_barcodes_move(*, item: Item, into: Item) -> None:
    """A merged item's codes now name the item it was merged into."""
    ItemBarcode.objects.filter(item=item).update(item=into)


def item_by_barcode(*, code: str) -> Item | None:
    """The active item a scanned code names, or None (unknown or not a valid code)."""
    try:
        gtin = gtin_normalize(code)
    except BarcodeError:
        return None
    found = ItemBarcode.objects.filter(gtin=gtin, item__is_active=True).select_related("item")
    first = found.first()
    return first.item if first else None
