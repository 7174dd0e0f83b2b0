"""Reasons the software itself gives a ledger row ("Dropoff #12 undone"): stored as a code
and its values, and worded when shown, in the reader's language. A `Reason` is a str (its
English wording, kept in `StockMovement.reason` for searches and old readers), so the stock
services take it wherever they take a person's typed reason."""

from typing import Any

from django.utils import translation
from django.utils.translation import gettext_lazy as _

WORDINGS = {
    "dropoff": _("Dropoff #%(number)d"),
    "dropoff_undone": _("Dropoff #%(number)d undone"),
    "count": _("Physical count"),
    "moved": _("Moved between locations"),
    "opening_stock": _("Opening stock from %(file)s"),
    "run_out": _("Run %(number)d, out for delivery"),
    "run_stop": _("Run %(number)d, stop %(position)d: %(destination)s"),
    "merged": _("%(item)s merged into %(into)s"),
}


class Reason(str):
    code: str
    params: dict[str, Any]

    def __new__(cls, code: str, **params: Any) -> "Reason":
        with translation.override("en"):
            text = str(WORDINGS[code]) % params if params else str(WORDINGS[code])
        reason = super().__new__(cls, text)
        reason.code, reason.params = code, params
        return reason


def reason_show(*, code: str, params: dict[str, Any], text: str) -> str:
    """A ledger row's reason in the active language: its code's wording, or the words a
    person typed (or a code this version does not know) as stored."""
    wording = WORDINGS.get(code)
    if wording is None:
        return text
    try:
        return str(wording) % params if params else str(wording)
    except (KeyError, TypeError, ValueError):
        return text
