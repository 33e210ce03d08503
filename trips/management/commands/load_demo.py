"""`manage.py load_demo`: the demo organisation, with every status the product knows."""

from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from trips.sample import demo
from trips.upkeep import daily


class Command(BaseCommand):
    help = "Loads the demo organisation, its users and about 25 travellers (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--on", help="The day the demo histories lead up to (YYYY-MM-DD).")
        parser.add_argument("--reset", action="store_true", help="Rebuild the demo organisation.")

    def handle(self, *args, on=None, reset=False, **options):
        if not settings.STAYSITE_ALLOW_DEMO_LOGINS:
            raise CommandError(
                "Demo data is refused here: demo logins are switched off "
                "(DJANGO_DEBUG=false or STAYSITE_ALLOW_DEMO_LOGINS=false)."
            )
        try:
            day = date.fromisoformat(on) if on else timezone.localdate()
        except ValueError:
            raise CommandError(f"--on must be a date like 2026-03-01, not {on!r}.") from None
        result = demo.load(on=day, reset=reset)
        if day == timezone.localdate():
            # Today's run for everyone, so that the worker's schedule starts with the demo.
            daily.ensure(day)
        self.stdout.write(
            f"Demo data for {day.isoformat()}: {result.created} travellers added, "
            f"{result.existing} already there. Logins: hr, compliance, traveller "
            f"(password {demo.PASSWORD})."
        )
