"""The trips app: travellers, their trips, visas and eQonaq notifications, and the alerts."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TripsConfig(AppConfig):
    name = "trips"
    verbose_name = _("Travellers and trips")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from trips.accounts import proxies  # noqa: F401 (registers its deploy check)
        from trips.dashboard import counts, fragments
        from trips.models import search

        fragments.connect()
        post_migrate.connect(counts.recount, sender=self, dispatch_uid="staysite_status_counts")
        connection_created.connect(search.register, dispatch_uid="staysite_fold")
