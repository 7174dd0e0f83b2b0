"""Each balance carries its location's hub and its place in the stock page's order (category
order, item name, location name, expiry date; inventory.models.balance_sort_key), filled here
for the balances on record by one UPDATE. The next migration makes the hub required and
indexes the order."""

from django.db import migrations, models
from django.db.models import CharField, OuterRef, Subquery, TextField, Value
from django.db.models.functions import Cast, Coalesce, Concat, LPad

# As inventory.models has them when this was written (a migration does not import the app).
KEY_SEPARATOR = "\x01"
KEY_UNDATED = "~"
KEY_ORDER_DIGITS = 5


def fill(apps, schema_editor):
    StockBalance = apps.get_model("inventory", "StockBalance")
    Item = apps.get_model("inventory", "Item")
    StorageLocation = apps.get_model("inventory", "StorageLocation")
    item = Item.objects.filter(pk=OuterRef("item_id")).order_by()
    location = StorageLocation.objects.filter(pk=OuterRef("location_id")).order_by()
    separator = Value(KEY_SEPARATOR)
    StockBalance.objects.update(
        hub_id=Subquery(location.values("hub_id")),
        sort_key=Concat(
            LPad(
                Cast(Subquery(item.values("category__sort_order")), CharField()),
                KEY_ORDER_DIGITS,
                Value("0"),
            ),
            separator,
            Subquery(item.values("name")),
            separator,
            Subquery(location.values("name")),
            separator,
            Coalesce(Cast("expiry_date", CharField()), Value(KEY_UNDATED)),
            output_field=TextField(),
        ),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("hub", "0001_initial"),
        ("inventory", "0014_movement_location_time_covering"),
    ]

    operations = [
        migrations.AddField(
            model_name="stockbalance",
            name="hub",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=models.deletion.PROTECT,
                related_name="+",
                to="hub.hub",
            ),
        ),
        migrations.AddField(
            model_name="stockbalance",
            name="sort_key",
            field=models.TextField(default="", editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
