"""Two-factor login: codes from an authenticator app (TOTP), and recovery codes.

django-otp keeps the devices and marks a session verified (`request.user.is_verified()`).
A login is complete once the password (or single sign-on) is checked and, for whoever needs
a second factor (`access.needs_second_factor`), a code is given. Until then
`SecondFactorMiddleware` sends every request to the code page, or to the set-up page when
the organisation requires a second factor and the user has none yet.
"""

from __future__ import annotations

import math
import secrets
from base64 import b32encode
from typing import cast
from urllib.parse import quote

import django_otp
import segno
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from trips import access
from trips.accounts import links
from trips.models import User

RECOVERY_CODES = 10
# The pages a half-logged-in user may reach: the way to finish logging in, or to leave.
OPEN_BEFORE_SECOND_FACTOR = {"two_factor_verify", "two_factor_setup", "logout"}
# And, for whoever has no second factor at all yet, the way to a required first one.
OPEN_BEFORE_FIRST_SETUP = {"two_factor_setup_link", "two_factor_setup_confirm"}
# A required first set-up is tied to the account's email: the session that opened the link
# emailed to it may set up an app (or an administrator's reset allows it for a day).
ENROLMENT_ALLOWED = "two_factor_enrolment_allowed"
LINK_SALT = "staysite.two-factor-setup"
LINK_MAX_AGE_SECONDS = 60 * 60


class SecondFactorMiddleware:
    """Sends a logged-in user who still owes a second factor to the code or set-up page.

    Public views (`login_not_required`: login, password reset, health check) stay open, as
    do the pages in OPEN_BEFORE_SECOND_FACTOR.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if not getattr(view_func, "login_required", True):
            return None  # a public view (the calendar feed, /healthz) reads no session
        user = request.user
        match = request.resolver_match  # set before any process_view
        name = match.url_name if match is not None else None
        if (
            not user.is_authenticated
            or name in OPEN_BEFORE_SECOND_FACTOR
            or user.is_verified()  # type: ignore[attr-defined]  # added by django-otp's middleware
            or not access.needs_second_factor(user)
            or (name in OPEN_BEFORE_FIRST_SETUP and not has_second_factor(user))
        ):
            return None
        target = reverse("two_factor_verify")
        if request.htmx:  # type: ignore[attr-defined]  # set by django-htmx's middleware
            return HttpResponseClientRedirect(target)
        if request.method == "GET":
            target += f"?next={quote(request.get_full_path())}"
        return redirect(target)


def signed_in(request: HttpRequest) -> User:
    """The request's user, on a page behind the login middleware (never anonymous there;
    trips.http.StaysiteRequest says so, but accounts sits below it)."""
    return cast(User, request.user)


def safe_next(request: HttpRequest, default: str = "trips:home") -> str:
    """The `next` address of the request if it is ours, else the home page."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    # A path, not just any relative text: redirect() would take "home" for a view's name.
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)


def has_authenticator(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def has_second_factor(user) -> bool:
    """An authenticator app, or at least recovery codes (which may outlive a lost phone)."""
    return has_authenticator(user) or recovery_codes_left(user) > 0


def new_secret() -> str:
    """A new TOTP key, as hex (how django-otp stores it): 20 random bytes, as RFC 4226 advises."""
    return secrets.token_hex(20)


def secret_for_people(secret: str) -> str:
    """The key as authenticator apps ask for it when typed in: base32, in groups of four."""
    text = b32encode(bytes.fromhex(secret)).decode()
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def setup_uri(user, secret: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return TOTPDevice(user=user, key=secret).config_url


def qr_code_data_uri(uri: str) -> str:
    """The QR code of `uri` as an SVG data: URI (the Content Security Policy allows those)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def code_matches_secret(secret: str, code: str) -> bool:
    """Whether `code` is the current code (or the one just before or after) for `secret`."""
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return False
    return TOTP(bytes.fromhex(secret)).verify(int(code), tolerance=1)


@transaction.atomic
def enrol(request: HttpRequest, secret: str) -> list[str]:
    """Replaces the user's authenticator with `secret`, marks the session verified, and
    returns new recovery codes (to be shown once)."""
    user = signed_in(request)
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice.objects.create(user=user, name="authenticator", key=secret, confirmed=True)
    # The code just given may not be used again to log in.
    device.last_t = TOTP(bytes.fromhex(secret)).t()
    device.save(update_fields=["last_t"])
    _complete_login(request, device)
    request.session.pop(ENROLMENT_ALLOWED, None)
    User.objects.filter(pk=user.pk).update(two_factor_setup_allowed_until=None)
    return new_recovery_codes(user)


@transaction.atomic
def new_recovery_codes(user) -> list[str]:
    """Replaces the user's recovery codes: each works once, instead of an app's code."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def verify(request: HttpRequest, code: str) -> bool | int:
    """Checks `code` against the user's authenticator and recovery codes; marks the session
    verified when one accepts it. Wrong codes slow further tries down (django-otp): while
    they do, the code is not checked at all and the answer is the seconds left to wait."""
    code = code.strip().replace(" ", "").lower()
    if not code:
        return False
    # Six digits are an app's code, anything else a recovery code: a recovery code must not
    # count as a wrong app code (which would slow the next try down).
    kind = TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
    devices = [d for d in django_otp.devices_for_user(request.user) if isinstance(d, kind)]
    wait = max((seconds_to_wait(device) for device in devices), default=0)
    if wait:
        return wait
    for device in devices:
        verified = django_otp.verify_token(request.user, device.persistent_id, code)
        if verified is not None:
            _complete_login(request, verified)
            return True
    return False


def seconds_to_wait(device) -> int:
    """How long django-otp refuses to check a code for `device` after wrong ones, rounded up."""
    allowed, data = device.verify_is_allowed()
    if allowed or not data or "locked_until" not in data:
        return 0
    left = (data["locked_until"] - timezone.now()).total_seconds()
    return max(1, math.ceil(left))


def _complete_login(request: HttpRequest, device) -> None:
    """Marks the session verified by `device`, under a new session key: whoever learnt the
    key before the second factor (it was issued after the password alone) cannot use it."""
    django_otp.login(request, device)
    request.session.cycle_key()


def first_setup_needs_link(request: HttpRequest) -> bool:
    """Whether setting up an app must first be confirmed through the emailed link: a set-up
    that staff status or the organisation requires, by someone with no second factor yet.
    Whoever knows only the password must not be able to enrol their own authenticator."""
    user = signed_in(request)
    if has_second_factor(user) or not access.needs_second_factor(user):
        return False
    if request.session.get(ENROLMENT_ALLOWED) == user.pk:
        return False
    until = user.two_factor_setup_allowed_until
    return not (until and until > timezone.now())


def setup_link(request: HttpRequest) -> str:
    token = signing.dumps(signed_in(request).pk, salt=LINK_SALT)
    return f"{links.base_url(request)}{reverse('two_factor_setup_confirm')}?token={token}"


def send_setup_link(request: HttpRequest) -> None:
    user = signed_in(request)
    with translation.override(user.language or None):
        context = {"user": user, "link": setup_link(request), "hours": LINK_MAX_AGE_SECONDS // 3600}
        subject = render_to_string("registration/two_factor_setup_subject.txt", context)
        body = render_to_string("registration/two_factor_setup_email.txt", context)
    EmailMessage(" ".join(subject.split()), body, to=[user.email]).send()


def accept_setup_link(request: HttpRequest, token: str) -> bool:
    """Lets this session set up an app when `token` is the user's own unexpired link."""
    try:
        user_pk = signing.loads(token, salt=LINK_SALT, max_age=LINK_MAX_AGE_SECONDS)
    except signing.BadSignature:
        return False
    if user_pk != request.user.pk:
        return False
    request.session[ENROLMENT_ALLOWED] = user_pk
    return True


def masked_email(email: str) -> str:
    """`h***@example.com`: enough for the owner to recognise, little for a password thief."""
    name, _at, domain = email.partition("@")
    return f"{name[:1]}***@{domain}"


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
