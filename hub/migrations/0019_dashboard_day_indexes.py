"""Indexes for the dashboard's donors of the day (docs/performance.md): a hub's dropoffs of
a day read from the index alone, which carries their id and undone_at; and the lines sent on
to a hub by dropoff, only those (2 % of lines here), in place of the foreign key's index of
every line, so that a day's are read from the first dropoff id that day can hold."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("hub", "0018_translations"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="dropoff",
            index=models.Index(
                fields=["hub", "-logged_at"], include=("id", "undone_at"), name="dropoff_hub_time"
            ),
        ),
        migrations.RemoveIndex(
            model_name="dropoff",
            name="hub_dropoff_hub_id_5bbed2_idx",
        ),
        migrations.AddIndex(
            model_name="dropoffline",
            index=models.Index(
                condition=models.Q(("redirected_to__isnull", False)),
                fields=["redirected_to", "dropoff"],
                name="line_sent_to_hub",
            ),
        ),
        migrations.AlterField(
            model_name="dropoffline",
            name="redirected_to",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="hub.hub",
            ),
        ),
    ]
