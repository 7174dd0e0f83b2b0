"""`manage.py hub_restore <file>`: write a hub_dump file into this database, which must be
empty and migrated to the same release. All or nothing."""

import json

from django.core.management.base import BaseCommand, CommandError

from operations.backup import BackupError, hub_restore


class Command(BaseCommand):
    help = "Restore a hub_dump file into an empty, migrated database."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        try:
            with open(file, encoding="utf-8") as source:
                data = json.load(source)
            hub = hub_restore(data=data)
        except (OSError, ValueError, BackupError) as error:
            raise CommandError(str(error)) from error
        self.stderr.write(f"Restored {hub.name}: {len(data['objects'])} rows.")
