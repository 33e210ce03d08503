"""Authentication: Django's model backend, refusing demo accounts where they are switched off,
and organisation members where password login is switched off (they use single sign-on)."""

from django.conf import settings
from django.contrib.auth.backends import ModelBackend


class StaysiteBackend(ModelBackend):
    def user_can_authenticate(self, user) -> bool:
        if getattr(user, "is_demo", False) and not settings.STAYSITE_ALLOW_DEMO_LOGINS:
            return False
        if getattr(user, "organisation_id", None) and not settings.STAYSITE_PASSWORD_LOGIN:
            return False
        return super().user_can_authenticate(user)
