"""The app's URLs: each area of views lists its own patterns."""

from trips.views import (
    alerts,
    dashboard,
    exports,
    feeds,
    health,
    imports,
    planner,
    privacy,
    restores,
    settings,
    travellers,
)

app_name = "trips"

urlpatterns = [
    *dashboard.urlpatterns,
    *travellers.urlpatterns,
    *restores.urlpatterns,
    *planner.urlpatterns,
    *alerts.urlpatterns,
    *privacy.urlpatterns,
    *imports.urlpatterns,
    *exports.urlpatterns,
    *feeds.urlpatterns,
    *settings.urlpatterns,
    *health.urlpatterns,
]
