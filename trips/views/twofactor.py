"""Two-factor login: the code after the password, setting up an authenticator, recovery codes."""

from __future__ import annotations

import time

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from trips import access
from trips.accounts import twofactor
from trips.http import StaysiteRequest

# The new recovery codes wait in the session for the one page that shows them.
NEW_CODES = "two_factor_new_codes"
# The key being set up waits in the session until a code from the app confirms it.
PENDING_SECRET = "two_factor_pending_secret"
# When the set-up link was last emailed from this session; another waits a minute.
LINK_SENT_AT = "two_factor_link_sent_at"
LINK_RESEND_SECONDS = 60


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


@require_http_methods(["GET", "POST"])
def two_factor_verify(request: StaysiteRequest) -> HttpResponse:
    """The second step of a login: a code from the authenticator app, or a recovery code."""
    # is_verified is added to the user by django-otp's middleware.
    verified = request.user.is_verified()  # type: ignore[attr-defined]
    if verified or not access.needs_second_factor(request.user):
        return redirect(twofactor.safe_next(request))
    if not twofactor.has_second_factor(request.user):
        # The organisation requires a second factor and this user has none yet.
        return redirect("two_factor_setup")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = twofactor.verify(request, form.cleaned_data["code"])
        if outcome is True:
            return redirect(twofactor.safe_next(request))
        form.add_error("code", _wait_message(outcome) if outcome else _not_valid())
    next_url = request.POST.get("next") or request.GET.get("next", "")
    return render(request, "registration/two_factor_verify.html", {"form": form, "next": next_url})


def _not_valid() -> str:
    return _(
        "This code is not valid. Enter the current six-digit code from your app, or "
        "an unused recovery code. After several wrong codes, wait a little between tries."
    )


def _wait_message(seconds: int) -> str:
    """After wrong codes the next one is not even checked for a while: say how long."""
    if seconds < 60:
        return ngettext(
            "After several wrong codes, the next one is checked only after a pause: wait "
            "%(count)d second, then enter the current code.",
            "After several wrong codes, the next one is checked only after a pause: wait "
            "%(count)d seconds, then enter the current code.",
            seconds,
        ) % {"count": seconds}
    minutes = -(-seconds // 60)
    return ngettext(
        "After several wrong codes, the next one is checked only after a pause: wait "
        "%(count)d minute, then enter the current code.",
        "After several wrong codes, the next one is checked only after a pause: wait "
        "%(count)d minutes, then enter the current code.",
        minutes,
    ) % {"count": minutes}


@require_http_methods(["GET", "POST"])
def two_factor_setup(request: StaysiteRequest) -> HttpResponse:
    """Sets up an authenticator app: scan the QR code (or type the key), confirm with a code."""
    # is_verified is added to the user by django-otp's middleware.
    verified = request.user.is_verified()  # type: ignore[attr-defined]
    if not verified and twofactor.has_second_factor(request.user):
        # Replacing an authenticator needs the old one (or a recovery code) first.
        return redirect("two_factor_verify")
    if twofactor.first_setup_needs_link(request):
        return _link_page(request)
    secret = request.session.get(PENDING_SECRET)
    if secret is None or request.method == "GET":
        secret = request.session[PENDING_SECRET] = twofactor.new_secret()
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if twofactor.code_matches_secret(secret, form.cleaned_data["code"]):
            codes = twofactor.enrol(request, secret)
            del request.session[PENDING_SECRET]
            request.session[NEW_CODES] = codes
            messages.success(request, _("Two-factor login is on."))
            return redirect("two_factor_recovery_codes")
        form.add_error(
            "code",
            _("This code does not match. Check that the app shows staysite and try the new code."),
        )
    uri = twofactor.setup_uri(request.user, secret)
    context = {
        "form": form,
        "qr_code": twofactor.qr_code_data_uri(uri),
        "key": twofactor.secret_for_people(secret),
        "uri": uri,
        "replacing": twofactor.has_authenticator(request.user),
    }
    return render(request, "registration/two_factor_setup.html", context)


def _link_page(request: StaysiteRequest, status: int = 200) -> HttpResponse:
    email = request.user.email
    context = {"email": email and twofactor.masked_email(email)}
    return render(request, "registration/two_factor_setup_link.html", context, status=status)


@require_POST
def two_factor_setup_link(request: StaysiteRequest) -> HttpResponse:
    """Emails the link that lets this session set up the first, required authenticator."""
    if not twofactor.first_setup_needs_link(request):
        return redirect("two_factor_setup")
    if not request.user.email:
        return _link_page(request)
    sent_at = request.session.get(LINK_SENT_AT, 0)
    if time.time() - sent_at < LINK_RESEND_SECONDS:
        messages.error(request, _("The link was just sent. Please check your inbox first."))
        return redirect("two_factor_setup")
    twofactor.send_setup_link(request)
    request.session[LINK_SENT_AT] = time.time()
    messages.success(
        request,
        _("A link to set up two-factor login was sent to %(email)s. Open it in this browser.")
        % {"email": twofactor.masked_email(request.user.email)},
    )
    return redirect("two_factor_setup")


@require_GET
def two_factor_setup_confirm(request: StaysiteRequest) -> HttpResponse:
    """The emailed link (`?token=`): the session that opens it may set up the authenticator."""
    if twofactor.accept_setup_link(request, request.GET.get("token", "")):
        return redirect("two_factor_setup")
    messages.error(
        request,
        _(
            "This link is not valid here: it has expired, or it was sent to another account. "
            "Send a new one."
        ),
    )
    return redirect("two_factor_setup")


@require_http_methods(["GET", "POST"])
def two_factor_recovery_codes(request: StaysiteRequest) -> HttpResponse:
    """New recovery codes are shown once, right after they are made; POST makes new ones."""
    if not twofactor.has_authenticator(request.user):
        return redirect("two_factor_setup")
    if request.method == "POST":
        request.session[NEW_CODES] = twofactor.new_recovery_codes(request.user)
        return redirect("two_factor_recovery_codes")
    context = {
        "codes": request.session.pop(NEW_CODES, None),
        "left": twofactor.recovery_codes_left(request.user),
    }
    return render(request, "registration/two_factor_recovery_codes.html", context)


urlpatterns = [
    path("accounts/two-factor/", two_factor_verify, name="two_factor_verify"),
    path("accounts/two-factor/setup/", two_factor_setup, name="two_factor_setup"),
    path("accounts/two-factor/setup/link/", two_factor_setup_link, name="two_factor_setup_link"),
    path(
        "accounts/two-factor/setup/confirm/",
        two_factor_setup_confirm,
        name="two_factor_setup_confirm",
    ),
    path(
        "accounts/two-factor/recovery-codes/",
        two_factor_recovery_codes,
        name="two_factor_recovery_codes",
    ),
]
