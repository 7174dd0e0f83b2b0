"""Each storage location carries its litres in use, filled here from its balances (the
sum the pages used to compute on every request), in the same transaction as the column."""

from decimal import Decimal

from django.db import migrations, models
from django.db.models import DecimalField, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

LITRES = DecimalField(max_digits=18, decimal_places=3)


def fill_used_litres(apps, schema_editor):
    StorageLocation = apps.get_model("inventory", "StorageLocation")
    StockBalance = apps.get_model("inventory", "StockBalance")
    used = (
        StockBalance.objects.filter(location=OuterRef("pk"))
        .order_by()
        .values("location")
        .annotate(litres=Sum(F("quantity") * F("item__unit_volume_litres"), output_field=LITRES))
        .values("litres")
    )
    StorageLocation.objects.update(
        used_litres=Coalesce(Subquery(used), Value(Decimal(0)), output_field=LITRES)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0007_item_aliases_search_review_merge"),
    ]

    operations = [
        migrations.AddField(
            model_name="storagelocation",
            name="used_litres",
            field=models.DecimalField(
                decimal_places=3,
                default=0,
                editable=False,
                max_digits=18,
                verbose_name="litres in use",
            ),
        ),
        migrations.RunPython(fill_used_litres, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="storagelocation",
            constraint=models.CheckConstraint(
                condition=models.Q(("used_litres__gte", 0)),
                name="location_used_litres_not_negative",
            ),
        ),
    ]
