"""Every row lock on stock balances is taken here, always in primary-key order, so that two
transactions touching the same balances queue behind each other instead of deadlocking."""

from django.db.models import Q

from inventory.models import StockBalance


def balances_lock(*, match: Q) -> list[StockBalance]:
    """Lock the balances matching `match` (call inside a transaction), in pk order."""
    return list(
        StockBalance.objects.select_for_update(of=("self",))
        .filter(match)
        .select_related("item", "location")
        .order_by("pk")
    )
