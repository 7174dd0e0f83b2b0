"""The (location, created_at) index of the ledger carries the columns that the dashboard's
flow chart and the fill forecast sum, so that they read one hub's rows from the index alone
instead of the whole network's day by the created_at index (docs/performance.md). It
replaces the index of the same columns: the ledger keeps as many indexes as before."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0013_item_barcodes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="stockmovement",
            index=models.Index(
                fields=["location", "created_at"],
                include=("kind", "item", "quantity", "id"),
                name="movement_location_time",
            ),
        ),
        migrations.RemoveIndex(
            model_name="stockmovement",
            name="inventory_s_locatio_b95d2f_idx",
        ),
    ]
