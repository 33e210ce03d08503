"""`manage.py backup FILE`: the whole database to a new file (trips/files/backups.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from trips.files import backups


class Command(BaseCommand):
    help = "Writes the whole database to a file (SQLite's backup API, or pg_dump)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The backup file to write.")

    def handle(self, *args, path: Path, **options):
        if path.exists():
            raise CommandError(f"{path} exists already: choose a new file name.")
        try:
            backups.backup(path)
        except backups.BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Backed up the database to {path} ({path.stat().st_size} bytes).")
