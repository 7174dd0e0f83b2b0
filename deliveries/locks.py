"""The delivery run's lock: step 0 of the lock order that inventory/locks.py sets out, taken
before any lock of stock. It lives here because a run belongs to deliveries, and inventory,
below deliveries, does not import it."""

from deliveries.models import Run, Transfer


def run_lock(*, pk: int) -> Run:
    """Lock a delivery run's row and return it fresh. Taken before any stock lock."""
    # NO KEY: stops and lines being added reference the run (a KEY SHARE lock on it).
    return Run.objects.select_for_update(no_key=True, of=("self",)).select_related("hub").get(pk=pk)


def transfer_lock(*, pk: int) -> Transfer:
    """Lock a transfer's row and return it fresh: step 0 too, after the run's lock when
    both are taken (a stop settled on the road), before any lock of stock."""
    return (
        Transfer.objects.select_for_update(no_key=True, of=("self",))
        .select_related("from_hub", "to_hub")
        .get(pk=pk)
    )
