from .views import alerts, dashboard, imports, privacy, settings, travellers

app_name = "trips"

urlpatterns = [
    *dashboard.urlpatterns,
    *travellers.urlpatterns,
    *alerts.urlpatterns,
    *privacy.urlpatterns,
    *imports.urlpatterns,
    *settings.urlpatterns,
]
