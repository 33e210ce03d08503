"""The app's URLs: each area of views lists its own patterns."""

from trips.views import (
    alerts,
    conformance,
    dashboard,
    evidence,
    exports,
    feeds,
    health,
    imports,
    own_records,
    planner,
    privacy,
    restores,
    settings,
    travellers,
    webapp,
    webhooks,
)

app_name = "trips"

urlpatterns = [
    *dashboard.urlpatterns,
    *travellers.urlpatterns,
    *restores.urlpatterns,
    *planner.urlpatterns,
    *own_records.urlpatterns,
    *evidence.urlpatterns,
    *alerts.urlpatterns,
    *privacy.urlpatterns,
    *imports.urlpatterns,
    *exports.urlpatterns,
    *feeds.urlpatterns,
    *settings.urlpatterns,
    *webhooks.urlpatterns,
    *health.urlpatterns,
    *conformance.urlpatterns,
    *webapp.urlpatterns,
]
