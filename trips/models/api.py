"""The API's own records: tokens (only their hashes) and idempotency keys."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from trips.models.accounts import Organisation, User


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def usable(self, *, on: date) -> ApiTokenQuerySet:
        """Tokens that open the API on `on`: not revoked, not past their last valid day, and
        made by someone who is still active, still in the token's organisation and still a
        compliance admin (a token is its creator's delegate, never more than them)."""
        return self.filter(
            revoked_at__isnull=True,
            valid_until__gte=on,
            created_by__is_active=True,
            created_by__organisation_id=F("organisation_id"),
            created_by__role=User.Role.COMPLIANCE,
        )

    def revoke_all(self, *, reason: str) -> int:
        """Revoke every token in this set that is not revoked yet, each with a history row."""
        count = 0
        for token in self.filter(revoked_at__isnull=True):
            token.revoked_at = timezone.now()
            token._change_reason = reason
            token.save(update_fields=["revoked_at"])
            count += 1
        return count


class ApiToken(models.Model):
    """A key an HR system or a script sends to use the API for one organisation.

    Only the SHA-256 hash of the key is stored: the key itself is shown once, when it is made.
    A token is someone's delegate: what it changes is recorded in the history as changed by the
    compliance admin who created it, with the token's name as the reason for the change.
    """

    class Role(models.TextChoices):
        READ_ONLY = "read_only", _("Read only")
        READ_WRITE = "read_write", _("Read and write")

    organisation = models.ForeignKey(
        Organisation, models.CASCADE, related_name="api_tokens", verbose_name=_("organisation")
    )
    name = models.CharField(
        _("name"), max_length=80, help_text=_("Who or what uses it, e.g. “Personio sync”.")
    )
    role = models.CharField(_("role"), max_length=12, choices=Role, default=Role.READ_ONLY)
    prefix = models.CharField(_("key begins with"), max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    valid_until = models.DateField(_("valid until"), help_text=_("The last day it works."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["last_used_at"])
    # Set before save() for django-simple-history's row: who made the change and why.
    _history_user: User | None
    _change_reason: str

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"],
                condition=Q(revoked_at__isnull=True),
                name="trips_apitoken_unique_name",
                violation_error_message=_("Another token of this organisation has this name."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def can_write(self) -> bool:
        return self.role == self.Role.READ_WRITE

    def is_usable(self, *, on: date) -> bool:
        creator = self.created_by
        return (
            self.revoked_at is None
            and on <= self.valid_until
            and creator is not None
            and creator.is_active
            and creator.organisation_id == self.organisation_id
            and creator.role == User.Role.COMPLIANCE
        )


class IdempotencyKey(models.Model):
    """The answer to a create sent with an `Idempotency-Key` header, to replay on a retry."""

    # Long enough for any retry; the daily run deletes older keys, and their answers.
    KEEP = timedelta(days=1)

    token = models.ForeignKey(ApiToken, models.CASCADE, related_name="idempotency_keys")
    key = models.CharField(max_length=200)
    # SHA-256 of method, path and body: the same key with another request is refused.
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["token", "key"], name="trips_idempotencykey_unique_key_per_token"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.status_code})"


class ApiRequestCount(models.Model):
    """How many requests a token made in one minute, counted by one atomic upsert each
    (trips/accounts/rate_counts.py); the daily run deletes past minutes."""

    token = models.ForeignKey(ApiToken, models.CASCADE, related_name="+")
    # Minutes since the Unix epoch.
    minute = models.BigIntegerField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["token", "minute"], name="trips_apirequestcount_one_per_minute"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.token_id} at minute {self.minute}: {self.count}"
