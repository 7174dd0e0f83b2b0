"""The form fields every form of the hub reads numbers and dates with.

Two rules, kept here once so that every form obeys them:
- digits of any script (Arabic-Indic, fullwidth, Devanagari, ...) are read as the ASCII
  digits they stand for, so a volunteer on a localized keyboard types a quantity or a date
  as anyone else does;
- a date, a date and time, or a whole number is refused with a message that says the range
  unless it lies within what people mean, what Python can convert between time zones, and
  what the database can hold. A year 9999 or 0001 is a typo, and stored it would break every
  page that shows it.

`tests/test_form_fields.py` fails for a form field of the site, admin included, that is not
one of these where it reads a number or a date."""

import unicodedata
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.admin import widgets as admin_widgets
from django.contrib.admin.options import BaseModelAdmin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2099, 12, 31)
# A Postgres integer column, the widest whole number any form of the hub stores.
INTEGER_MIN = -(2**31)
INTEGER_MAX = 2**31 - 1

DATE_RANGE_MESSAGE = _("Enter a date between %(earliest)s and %(latest)s.")


def ascii_digits(value: str) -> str:
    """`value` with each decimal digit of any script replaced by its ASCII digit."""
    if value.isascii():
        return value
    return "".join(
        str(digit) if (digit := unicodedata.decimal(char, None)) is not None else char
        for char in value
    )


def _ascii(value):
    return ascii_digits(value) if isinstance(value, str) else value


def date_in_range(value: date | datetime) -> None:
    day = timezone.localtime(value).date() if isinstance(value, datetime) else value
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValidationError(
            DATE_RANGE_MESSAGE,
            code="date_range",
            params={"earliest": EARLIEST_DATE.isoformat(), "latest": LATEST_DATE.isoformat()},
        )


class DateField(forms.DateField):
    default_validators = [date_in_range]

    def to_python(self, value):
        return super().to_python(_ascii(value))


class DateTimeField(forms.DateTimeField):
    default_validators = [date_in_range]

    def to_python(self, value):
        return super().to_python(_ascii(value))


class TimeField(forms.TimeField):
    def to_python(self, value):
        return super().to_python(_ascii(value))


class SplitDateTimeField(forms.SplitDateTimeField):
    """The admin's date and time boxes."""

    default_validators = [date_in_range]

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        errors = self.default_error_messages.copy()
        date_field, time_field = self.fields
        self.fields = (
            DateField(error_messages=date_field.error_messages | errors, localize=self.localize),
            TimeField(error_messages=time_field.error_messages | errors, localize=self.localize),
        )


class IntegerField(forms.IntegerField):
    """A whole number, within what a database integer holds unless narrower bounds are given."""

    def __init__(self, *, min_value=INTEGER_MIN, max_value=INTEGER_MAX, **kwargs):
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)

    def to_python(self, value):
        return super().to_python(_ascii(value))


class DecimalField(forms.DecimalField):
    def to_python(self, value):
        return super().to_python(_ascii(value))


class ChoiceField(forms.ChoiceField):
    """A choice among values that may be numbers (the primary keys of a picker)."""

    def to_python(self, value):
        return super().to_python(_ascii(value))


class TypedChoiceField(forms.TypedChoiceField):
    def to_python(self, value):
        return super().to_python(_ascii(value))


if TYPE_CHECKING:
    # The mixin's super() calls reach the admin class it is mixed into.
    _AdminBase = BaseModelAdmin
else:
    _AdminBase = object


class BoundedInputAdmin(_AdminBase):
    """For every ModelAdmin and inline: its forms read numbers and dates with the fields
    above (the model's own integer bounds still apply on top). A choice of a related object
    needs nothing: Django reads its primary key with int(), which takes any script's digits."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.choices:
            kwargs.setdefault("choices_form_class", TypedChoiceField)
        elif kind := next((k for k in type(db_field).__mro__ if k in ADMIN_FORM_FIELDS), None):
            kwargs = {**ADMIN_FORM_FIELDS[kind], **kwargs}
        return super().formfield_for_dbfield(db_field, request, **kwargs)


# What the admin's forms read each kind of model field with (its widgets stay the admin's).
ADMIN_FORM_FIELDS: dict[type[models.Field], dict[str, Any]] = {
    models.DateTimeField: {
        "form_class": SplitDateTimeField,
        "widget": admin_widgets.AdminSplitDateTime,
    },
    models.DateField: {"form_class": DateField, "widget": admin_widgets.AdminDateWidget},
    models.TimeField: {"form_class": TimeField, "widget": admin_widgets.AdminTimeWidget},
    models.IntegerField: {"form_class": IntegerField},
    models.DecimalField: {"form_class": DecimalField},
}


class LocalDateTimeField(DateTimeField):
    """A date and time picker; read in the current time zone, which hub pages set to the
    hub's (hub.decorators)."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    default_error_messages = {
        "invalid": _("Enter a date and a time, e.g. 2025-01-10 09:00."),
        "overflow": _("Enter a date and a time, e.g. 2025-01-10 09:00."),
    }


def parse_id(value: str | None) -> int | None:
    """A primary key from a URL or a form, or None. Digits of other scripts read as the
    ASCII ones, as in every form field; isascii() then refuses what str.isdigit() also
    accepts, such as "²", that int() and the database refuse."""
    value = ascii_digits(value or "")
    if value and value.isascii() and value.isdigit() and len(value) < 19:
        return int(value)
    return None
