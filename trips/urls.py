from .views import alerts, dashboard, travellers

app_name = "trips"

urlpatterns = [
    *dashboard.urlpatterns,
    *travellers.urlpatterns,
    *alerts.urlpatterns,
]
