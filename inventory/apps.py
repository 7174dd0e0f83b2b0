from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    name = "inventory"
    verbose_name = _("Catalog and stock")

    def ready(self) -> None:
        from inventory.flow_cache import flow_signals_connect
        from inventory.stock_alerts import minimum_signals_connect

        minimum_signals_connect()
        flow_signals_connect()
