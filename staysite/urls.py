from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from trips import api
from trips.views import accounts, twofactor

urlpatterns = [
    path("", include("trips.urls")),
    # Login (password or single sign-on), the second factor, the rate-limited password
    # reset; then Django's own views, with our templates, for the rest.
    *accounts.urlpatterns,
    *twofactor.urlpatterns,
    path("accounts/", include("django.contrib.auth.urls")),
    # The language switch works on the login page too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    # The JSON API for HR systems (trips/api/): tokens, not logins; docs at /api/v1/docs.
    path("api/v1/", api.urls()),
]

handler404 = "trips.views.errors.page_not_found"
handler403 = "trips.views.errors.permission_denied"
handler500 = "trips.views.errors.server_error"
