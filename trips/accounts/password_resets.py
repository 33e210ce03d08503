"""How often a password reset email may be asked for, and where its link points.

Without a limit the reset form sends mail to anyone's inbox as often as an attacker likes,
and lets one address probe many accounts. Requests are counted over the last hour, per
client address, and per email address from that client address: counted per email alone,
a few requests from anywhere would block the owner's own reset for an hour.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from trips.models import PasswordResetRequest

WINDOW = timedelta(hours=1)


def email_digest(email: str) -> str:
    return salted_hmac(
        "staysite.password-reset", email.strip().lower(), algorithm="sha256"
    ).hexdigest()


def refusal(client_address: str, email: str, *, now: datetime) -> str | None:
    """Why a reset for `email` from `client_address` is refused now, or None to send it.

    An allowed request is counted; a refused one is not, so waiting always helps.
    """
    PasswordResetRequest.objects.filter(requested_at__lt=now - WINDOW).delete()
    recent = PasswordResetRequest.objects.filter(requested_at__gte=now - WINDOW)
    digest = email_digest(email)
    if (
        recent.filter(client_address=client_address).count()
        >= settings.STAYSITE_PASSWORD_RESETS_PER_ADDRESS
    ):
        return _(
            "Too many password reset requests have come from your network. "
            "Please try again in an hour."
        )
    same_pair = recent.filter(client_address=client_address, email_digest=digest)
    if same_pair.count() >= settings.STAYSITE_PASSWORD_RESETS_PER_EMAIL:
        return _(
            "A password reset email was requested for this address several times already. "
            "Please check your inbox (and spam folder), or try again in an hour."
        )
    PasswordResetRequest.objects.create(
        requested_at=now, client_address=client_address, email_digest=digest
    )
    return None
