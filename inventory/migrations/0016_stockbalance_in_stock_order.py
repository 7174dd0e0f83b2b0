"""Every balance has its hub now (0015), and the stock page reads a hub's balances in stock
in order from one index (inventory.models.StockBalance.Meta). A migration of its own: the
rows changed by 0015 leave their foreign key checks pending until its transaction ends, and
PostgreSQL alters no table with checks pending."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("hub", "0001_initial"),
        ("inventory", "0015_stockbalance_hub_and_sort_key"),
    ]

    operations = [
        migrations.AlterField(
            model_name="stockbalance",
            name="hub",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                on_delete=models.deletion.PROTECT,
                related_name="+",
                to="hub.hub",
            ),
        ),
        migrations.AddIndex(
            model_name="stockbalance",
            index=models.Index(
                condition=models.Q(("quantity__gt", 0)),
                fields=["hub", "sort_key", "id"],
                name="balance_in_stock_order",
            ),
        ),
    ]
