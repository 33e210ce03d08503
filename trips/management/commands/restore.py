"""`manage.py restore --yes FILE`: the whole database replaced by a backup.

The work is trips/files/backups.py's.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from trips.files import backups


class Command(BaseCommand):
    help = "Replaces the whole database with a file written by `manage.py backup`."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The backup file to restore.")
        parser.add_argument(
            "--yes", action="store_true", help="Confirm that the current data is replaced."
        )

    def handle(self, *args, path: Path, yes: bool = False, **options):
        if not yes:
            raise CommandError("Restoring replaces every row of the database: add --yes.")
        try:
            backups.restore(path)
        except backups.BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Restored the database from {path}.")
