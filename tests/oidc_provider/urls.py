"""The identity provider's pages: django-oauth-toolkit's endpoints and a bare login form."""

import os

from django.contrib.auth import authenticate
from django.contrib.auth import login as auth_login
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import include, path
from django.utils.html import escape
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider.oauth2_validators import OAuth2Validator


class ClaimsValidator(OAuth2Validator):
    """Sends email, names and groups, as a company's identity provider would."""

    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "groups": "profile"}

    def get_additional_claims(self, request):
        user = request.user
        claims = {
            "email": user.email,
            "given_name": user.first_name,
            "family_name": user.last_name,
            "groups": list(user.groups.values_list("name", flat=True)),
        }
        # A provider that lets people type any address vouches for none (no email_verified).
        if user.username not in os.environ.get("PROVIDER_UNVERIFIED", "").split(","):
            claims["email_verified"] = True
        return claims


@csrf_exempt
def login(request):
    next_url = request.POST.get("next") or request.GET.get("next", "/")
    if request.method == "POST":
        user = authenticate(
            request, username=request.POST["username"], password=request.POST["password"]
        )
        if user is not None:
            auth_login(request, user)
            return HttpResponseRedirect(next_url)
    return HttpResponse(
        f'<form method="post"><input name="username"><input name="password">'
        f'<input name="next" value="{escape(next_url)}"></form>'
    )


urlpatterns = [
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path("login/", login),
]
