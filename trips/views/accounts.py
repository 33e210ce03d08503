"""Logging in: the password form, single sign-on, and the rate-limited password reset.

Django's own views do the work; these wrap them with staysite's switches (password login on
or off, single sign-on configured or not) and limits. staysite/urls.py puts them in front of
django.contrib.auth.urls, under the same names.
"""

from __future__ import annotations

from typing import cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods
from mozilla_django_oidc import views as oidc_views

from trips.accounts import links, login_throttle, password_resets, sso
from trips.accounts.proxies import client_address
from trips.models import User


def login_options() -> dict:
    return {"sso_enabled": sso.enabled(), "password_login": settings.STAYSITE_PASSWORD_LOGIN}


class LoginForm(AuthenticationForm):
    """Django's login form, refusing a username longer than any user's before trying it: the
    failed-login log (django-axes) would not store it, and PostgreSQL would refuse the row."""

    def clean_username(self):
        username = self.cleaned_data["username"]
        if len(username) > User._meta.get_field("username").max_length:
            raise self.get_invalid_login_error()
        return username

    def clean(self):
        # Before the password is looked at: a try during the pause tells a guesser nothing.
        username = self.cleaned_data.get("username")
        wait = login_throttle.seconds_to_wait(username) if username else 0
        self.paused = bool(wait)
        if wait:
            raise forms.ValidationError(_pause_message(wait), code="username_paused")
        return super().clean()


def _pause_message(seconds: int) -> str:
    if seconds < 60:
        return ngettext(
            "There were many failed logins for this username, from several places. Wait "
            "%(count)d second before the next try.",
            "There were many failed logins for this username, from several places. Wait "
            "%(count)d seconds before the next try.",
            seconds,
        ) % {"count": seconds}
    minutes = -(-seconds // 60)
    return ngettext(
        "There were many failed logins for this username, from several places. Wait "
        "%(count)d minute before the next try.",
        "There were many failed logins for this username, from several places. Wait "
        "%(count)d minutes before the next try.",
        minutes,
    ) % {"count": minutes}


@login_not_required
@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    view = auth_views.LoginView.as_view(
        authentication_form=LoginForm, extra_context=login_options()
    )
    return cast(HttpResponse, view(request))


class RateLimitedPasswordResetView(auth_views.PasswordResetView):
    def form_valid(self, form):
        if not settings.STAYSITE_PASSWORD_LOGIN:
            form.add_error(
                None, _("Password login is switched off: log in with your company account.")
            )
            return self.form_invalid(form)
        refusal = password_resets.refusal(
            client_address(self.request), form.cleaned_data["email"], now=timezone.now()
        )
        if refusal:
            form.add_error(None, refusal)
            return self.form_invalid(form)
        self.extra_email_context = {"base_url": links.base_url(self.request)}
        return super().form_valid(form)


@login_not_required
@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    view = RateLimitedPasswordResetView.as_view(extra_context=login_options())
    return cast(HttpResponse, view(request))


@login_not_required
@require_GET
def sso_login(request: HttpRequest) -> HttpResponse:
    """Sends the browser to the identity provider (mozilla-django-oidc)."""
    if not sso.enabled():
        raise Http404("Single sign-on is not configured.")
    return oidc_views.OIDCAuthenticationRequestView.as_view()(request)


class SSOCallbackView(oidc_views.OIDCAuthenticationCallbackView):
    @property
    def failure_url(self) -> str:
        return reverse("login")

    def login_failure(self):
        messages.error(
            self.request,
            getattr(self.request, "sso_refusal", None)
            or _("Single sign-on did not complete. Please try again."),
        )
        return super().login_failure()


@login_not_required
@require_GET
def sso_callback(request: HttpRequest) -> HttpResponse:
    """Where the identity provider sends the browser back with a code to exchange."""
    if not sso.enabled():
        raise Http404("Single sign-on is not configured.")
    return SSOCallbackView.as_view()(request)


urlpatterns = [
    path("accounts/login/", login, name="login"),
    path("accounts/password_reset/", password_reset, name="password_reset"),
    path("accounts/sso/", sso_login, name="sso_login"),
    path("accounts/sso/callback/", sso_callback, name="sso_callback"),
]
