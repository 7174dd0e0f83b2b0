"""`manage.py stock_check [--hub SLUG]`: compare every stock balance with the sum of its
ledger rows, and every location's litres in use with the sum of its balances. Prints each
difference and exits 1 if there is any, 0 if all agree."""

from django.core.management.base import BaseCommand, CommandError

from hub.models import Hub
from inventory.selectors import fill_mismatch_list, ledger_mismatch_list


class Command(BaseCommand):
    help = (
        "Compare every stock balance with its ledger and every location's litres in use with "
        "its balances; exit 1 on any difference."
    )

    def add_arguments(self, parser):
        parser.add_argument("--hub", metavar="SLUG", help="check one hub only")

    def handle(self, *args, hub=None, **options):
        scope = None
        if hub is not None:
            scope = Hub.objects.filter(slug=hub).first()
            if scope is None:
                raise CommandError(f"No hub {hub!r}.")
        mismatches = ledger_mismatch_list(hub=scope)
        for m in mismatches:
            balance = "none" if m.balance is None else m.balance
            self.stdout.write(
                f"MISMATCH hub={m.hub_slug} item={m.item!r} location={m.location!r} "
                f"expiry={m.expiry_date or '-'} balance={balance} ledger={m.ledger}"
            )
        fills = fill_mismatch_list(hub=scope)
        for f in fills:
            self.stdout.write(
                f"MISMATCH hub={f.hub_slug} location={f.location!r} "
                f"used_litres={f.used_litres} balances_litres={f.balance_litres}"
            )
        if mismatches or fills:
            raise CommandError(
                f"{len(mismatches)} balance(s) differ from their ledger; "
                f"{len(fills)} location(s) differ from their balances."
            )
        self.stdout.write(
            "All balances equal their ledger; all locations' litres in use equal their balances."
        )
