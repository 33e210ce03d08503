"""Single sign-on with OpenID Connect: who a signed-in person is in staysite.

mozilla-django-oidc runs the protocol (the redirect to the identity provider, the code for
tokens, the ID token's signature, the userinfo request). This module decides what the claims
mean here:
- the organisation comes from the email's domain (STAYSITE_SSO_ORGANISATIONS); a domain
  that is not listed cannot sign in;
- the user is matched by email within that organisation; a new person gets an account,
  and an email that belongs to another organisation's account is refused (an identity
  provider speaks only for its own organisation);
- the role comes from a claim (STAYSITE_SSO_ROLE_CLAIM, usually the groups), mapped by
  STAYSITE_SSO_ROLES, and is updated at every sign-in: the identity provider is the source.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from trips.accounts.backends import user_by_id
from trips.models import Organisation, User

logger = logging.getLogger(__name__)


class Refused(Exception):
    """A sign-in that the claims do not allow; the message is for the person signing in."""


def enabled() -> bool:
    return bool(settings.OIDC_RP_CLIENT_ID)


def pairs(text: str) -> list[tuple[str, str]]:
    """'a=x;b=y' as [('a', 'x'), ('b', 'y')]. The value follows the last '=', so a key may
    contain '=' (an LDAP group such as 'cn=hr,ou=groups')."""
    result = []
    for item in text.split(";"):
        key, equals, value = item.strip().rpartition("=")
        if item.strip() and not (equals and key.strip() and value.strip()):
            raise ImproperlyConfigured(f"{item.strip()!r} is not of the form name=value.")
        if item.strip():
            result.append((key.strip(), value.strip()))
    return result


def organisation_for(email: str) -> Organisation | None:
    """The organisation whose email domain `email` has, by STAYSITE_SSO_ORGANISATIONS."""
    domain = email.rpartition("@")[2].lower()
    for listed, name in pairs(settings.STAYSITE_SSO_ORGANISATIONS):
        if listed.lower() == domain:
            organisation = Organisation.objects.filter(name=name).first()
            if organisation is None:
                logger.error("STAYSITE_SSO_ORGANISATIONS names %r: no such organisation.", name)
            return organisation
    return None


def role_from(claims: dict) -> str | None:
    """The role the first listed group of STAYSITE_SSO_ROLES that the user is in gives."""
    value = claims.get(settings.STAYSITE_SSO_ROLE_CLAIM)
    groups = {value} if isinstance(value, str) else set(value or [])
    for group, role in pairs(settings.STAYSITE_SSO_ROLES):
        if role not in User.Role.values:
            raise ImproperlyConfigured(
                f"STAYSITE_SSO_ROLES: {role!r} is not a role ({', '.join(User.Role.values)})."
            )
        if group in groups:
            return role
    return None


@transaction.atomic
def user_for(claims: dict) -> User:
    """The staysite user the claims describe: found, updated or created. Raises Refused."""
    email = (claims.get("email") or "").strip()
    # Only an address the provider vouches for names a person: some providers let anyone
    # type any address, which would otherwise sign them in as its owner.
    if not email or claims.get("email_verified") is not True:
        raise Refused(
            _(
                "Your company account sent no confirmed email address, so staysite cannot "
                "tell who you are."
            )
        )
    organisation = organisation_for(email)
    if organisation is None:
        raise Refused(
            _("Single sign-on is not set up for your email domain. Please ask your administrator.")
        )
    role = role_from(claims)
    if role is None:
        raise Refused(
            _("Your company account gives you no role in staysite. Please ask your administrator.")
        )
    matches = list(User.objects.select_for_update().filter(email__iexact=email))
    if any(user.organisation_id != organisation.pk for user in matches):
        raise Refused(
            _(
                "An account of another organisation has this email address, so single sign-on "
                "cannot use it. Please ask your administrator."
            )
        )
    if len(matches) > 1:
        raise Refused(_("Several accounts have this email address. Please ask your administrator."))
    user = matches[0] if matches else new_user(email, organisation)
    if not user.is_active:
        raise Refused(_("Your staysite account is switched off. Please ask your administrator."))
    user.role = role
    user.first_name = claims.get("given_name", user.first_name)[:150]
    user.last_name = claims.get("family_name", user.last_name)[:150]
    user.save()
    return user


def new_user(email: str, organisation: Organisation) -> User:
    username = base = email.lower()[:140]
    number = 1
    while User.objects.filter(username=username).exists():
        number += 1
        username = f"{base}-{number}"
    user = User(username=username, email=email, organisation=organisation)
    # Signed in through the identity provider only: no password to guess or reset.
    user.set_unusable_password()
    return user


def exempt_from_lockout(request, credentials) -> bool:
    """django-axes' whitelist: a refused single sign-on guessed no password (the identity
    provider throttles its own logins), so it must not count towards anyone's lockout."""
    return request is not None and request.path_info == reverse("sso_callback")


class OrganisationOIDCBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend, with staysite's matching (`user_for`)."""

    def authenticate(self, request, **kwargs):
        if not enabled():
            return None
        return super().authenticate(request, **kwargs)

    def get_user(self, user_id) -> User | None:
        # Every request of a session this backend opened: a deactivated user is logged out.
        user = user_by_id(user_id)
        return user if user is not None and user.is_active else None

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        try:
            return user_for(claims)
        except Refused as refusal:
            logger.warning("Single sign-on refused for %s: %s", claims.get("email"), refusal)
            # The callback view shows it on the login page.
            self.request.sso_refusal = str(refusal)
            return None
