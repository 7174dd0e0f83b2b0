"""Template filters of the dropoff table."""

from django import template
from django.utils import formats

from hub.models import DropoffLine
from inventory.templatetags.units import unit_for_count

register = template.Library()


@register.filter
def logged_line(line: DropoffLine) -> str:
    """A logged line as the dropoff's confirmation lists it ("1,200 boxes Rice: Accepted"),
    built in one call: the answer to every dropoff lists each of its lines, and the
    template's lookups and filters for each part cost several times more."""
    quantity = formats.number_format(line.quantity, 0, force_grouping=True)
    unit = unit_for_count(line.item.unit, abs(line.quantity))
    text = f"{quantity} {unit} {line.item.display_name}: {line.outcome_label}"
    if line.redirected_to is not None:
        text += f" ({line.redirected_to.name})"
    return text
