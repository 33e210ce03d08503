from .views import dashboard, travellers

app_name = "trips"

urlpatterns = [
    *dashboard.urlpatterns,
    *travellers.urlpatterns,
]
