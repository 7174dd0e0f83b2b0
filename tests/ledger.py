"""Checks on stock that tests share."""

from django.db.models import Sum

from inventory.models import StockBalance, StockMovement
from inventory.selectors import fill_mismatch_list


def qty(item, location, expiry=None) -> int:
    """The balance of an item at a location (and expiry date), 0 when there is none."""
    row = StockBalance.objects.filter(item=item, location=location, expiry_date=expiry).first()
    return row.quantity if row else 0


def assert_ledger_matches_balances() -> None:
    """Every balance equals the sum of its ledger rows, and none is negative; every
    location's litres in use equal the sum of its balances x unit volumes."""
    ledger = {
        (r["item_id"], r["location_id"], r["expiry_date"]): r["total"]
        for r in StockMovement.objects.values("item_id", "location_id", "expiry_date").annotate(
            total=Sum("quantity")
        )
    }
    balances = {
        (b.item_id, b.location_id, b.expiry_date): b.quantity for b in StockBalance.objects.all()
    }
    assert all(q >= 0 for q in balances.values()), balances
    nonzero = {k: q for k, q in balances.items() if q}
    assert nonzero == {k: q for k, q in ledger.items() if q}
    assert fill_mismatch_list() == []
