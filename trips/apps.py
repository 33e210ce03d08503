"""The trips app: travellers, their trips, visas and eQonaq notifications, and the alerts."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TripsConfig(AppConfig):
    name = "trips"
    verbose_name = _("Travellers and trips")

    def ready(self) -> None:
        from trips.accounts import proxies  # noqa: F401 (registers its deploy check)
        from trips.dashboard import fragments

        fragments.connect()
