"""Indexes for the dashboard (docs/performance.md): the hub's dated batches in stock by
expiry date, for what expires soon; and the voids by the movement they reverse, for the
chart's check of each movement of the day."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0016_stockbalance_in_stock_order"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="stockbalance",
            index=models.Index(
                condition=models.Q(("expiry_date__isnull", False), ("quantity__gt", 0)),
                fields=["hub", "expiry_date", "sort_key", "id"],
                name="balance_expiring",
            ),
        ),
        migrations.AddIndex(
            model_name="stockmovement",
            index=models.Index(
                condition=models.Q(("reverses__isnull", False)),
                fields=["reverses"],
                name="movement_reversal",
            ),
        ),
    ]
