"""A unit worded for a count, in the reader's language: "1 box", "220 boxes", "220 unidades"."""

from django import template
from django.utils.translation import npgettext

from inventory.models import Item, Unit

register = template.Library()


def unit_for_count(unit: str, count: int) -> str:
    words = {
        Unit.EACH: lambda n: npgettext("unit", "each", "each", n),
        Unit.PACK: lambda n: npgettext("unit", "pack", "packs", n),
        Unit.CASE: lambda n: npgettext("unit", "case", "cases", n),
        Unit.BAG: lambda n: npgettext("unit", "bag", "bags", n),
        Unit.BOX: lambda n: npgettext("unit", "box", "boxes", n),
    }
    word = words.get(unit)  # type: ignore[call-overload]  # a str looks up a str-valued enum
    return word(count) if word else unit


@register.filter
def unit_for(value: Item | str, count) -> str:
    """`{{ line.item|unit_for:line.quantity }}`: the item's (or unit code's) unit for that many."""
    unit = value.unit if isinstance(value, Item) else str(value)
    try:
        number = int(count)
    except (TypeError, ValueError):
        number = 2
    return unit_for_count(unit, abs(number))
