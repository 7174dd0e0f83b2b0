from django.db import migrations

from hub.stored_times import far_off_times_clamp


def clamp(apps, schema_editor):
    far_off_times_clamp(apps=apps)


class Migration(migrations.Migration):
    """Reopen times and planned runs stored out of the range the forms now take (a year 9999
    made every page that loaded the row fail): see hub/stored_times.py."""

    dependencies = [
        ("hub", "0008_dropoff_key_unique_per_hub"),
        ("deliveries", "0003_runs"),
    ]

    operations = [migrations.RunPython(clamp, migrations.RunPython.noop)]
