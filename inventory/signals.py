"""Signals of the catalog, for the layers above that keep copies of it (the dropoff table's
cache): sent by the writes that bypass the models' own save and delete signals."""

from django.dispatch import Signal

# Sent, with no arguments, after a bulk write to items (a merge, an import).
catalog_changed = Signal()
