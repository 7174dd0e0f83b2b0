"""`manage.py hub_dump <slug> <file>`: write everything about one hub to a JSON file (see
operations/backup.py for what that is). `-` writes to standard output."""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from hub.models import Hub
from operations.backup import hub_dump


class Command(BaseCommand):
    help = "Dump one hub's data to a JSON file, to restore with hub_restore."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("file", help="where to write, or - for standard output")

    def handle(self, *args, slug, file, **options):
        hub = Hub.objects.filter(slug=slug).first()
        if hub is None:
            raise CommandError(f"No hub {slug!r}.")
        data = hub_dump(hub=hub)
        if file == "-":
            json.dump(data, sys.stdout, indent=1)
            return
        with open(file, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=1)
        self.stderr.write(f"Dumped {hub.name}: {len(data['objects'])} rows to {file}.")
