"""What the evaluation leaves behind: the status snapshot each list shows, and the alerts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trips.choices import STATUS_URGENCY, AlertKind, Status
from trips.countries import COUNTRIES
from trips.models.accounts import Organisation
from trips.models.domain import Traveller


class StatusSnapshot(models.Model):
    """The figures lists show for one traveller, computed by `trips.evaluation.snapshots`.

    Refreshed in the same transaction as every change to the traveller's trips, visas or
    notifications, and by the daily run once `stable_until` has passed, so that lists never
    compute the law row by row.
    """

    traveller = models.OneToOneField(
        Traveller, models.CASCADE, primary_key=True, related_name="snapshot"
    )
    evaluated_on = models.DateField()
    status = models.CharField(max_length=12, choices=Status, default=Status.OK)
    urgency = models.PositiveSmallIntegerField(default=0)
    location = models.CharField(max_length=2, choices=COUNTRIES, blank=True)
    location_since = models.DateField(null=True, blank=True)
    stay_day = models.PositiveIntegerField(null=True, blank=True)
    stay_cap = models.PositiveIntegerField(null=True, blank=True)
    kz_days_used = models.PositiveIntegerField(default=0)
    kz_days_left = models.PositiveIntegerField(default=90)
    schengen_days_used = models.PositiveIntegerField(null=True, blank=True)
    schengen_days_left = models.PositiveIntegerField(null=True, blank=True)
    latest_legal_exit = models.DateField(null=True, blank=True)
    next_deadline = models.DateField(null=True, blank=True)
    # The findings behind the status and the next deadline as kind and parameters, never as
    # text: lists say them in the reader's language (trips.dashboard.rows.snapshot_words).
    reason_kind = models.CharField(max_length=40, blank=True)
    reason_params = models.JSONField(default=dict, blank=True)
    next_deadline_kind = models.CharField(max_length=40, blank=True)
    next_deadline_params = models.JSONField(default=dict, blank=True)
    tax_days = models.PositiveIntegerField(default=0)
    overstay_days = models.PositiveIntegerField(default=0)
    # The last day these figures hold if the data does not change (trips/evaluation/horizon.py):
    # the daily run leaves the snapshot alone until then. None: evaluate at the next run.
    stable_until = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [
            # The daily run's question: whose figures may have changed by today.
            models.Index(fields=["stable_until"], name="trips_snapshot_stable_until"),
            # The dashboard's orderings (trips/views/dashboard.py SORTS), read in index order.
            models.Index(fields=["-urgency", "next_deadline"], name="trips_snapshot_urgency"),
            models.Index(fields=["next_deadline"], name="trips_snapshot_deadline"),
            models.Index(fields=["kz_days_left"], name="trips_snapshot_kz_days_left"),
            models.Index(fields=["status"], name="trips_snapshot_status"),
            # The dashboard's "actions due this week" (trips/dashboard/counts.py): the few
            # who must act, by deadline.
            models.Index(
                fields=["next_deadline"],
                condition=Q(status__in=[Status.ACTION, Status.OVERSTAY]),
                name="trips_snapshot_acting_deadline",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.traveller_id}: {self.status} on {self.evaluated_on}"


class AlertQuerySet(models.QuerySet["Alert"]):
    def live(self) -> AlertQuerySet:
        """Alerts whose situation still holds: the ones the unique constraint keeps single."""
        return self.filter(Alert.LIVE)

    def active(self) -> AlertQuerySet:
        """Alerts someone still has to work: open or acknowledged."""
        return self.filter(state__in=Alert.ACTIVE_STATES)

    def in_state(self, state: str) -> AlertQuerySet:
        """The queue's state filter: "" for the active ones, "all", or one `Alert.State`."""
        if state == "":
            return self.active()
        if state == "all":
            return self
        return self.filter(state=state)

    def action_needed(self) -> AlertQuerySet:
        """What the navigation badge counts: open alerts of severity action or worse."""
        return self.filter(state=Alert.State.OPEN, severity__in=[Status.ACTION, Status.OVERSTAY])

    def by_urgency(self) -> AlertQuerySet:
        """The queue's order, which the index `trips_alert_queue` holds for the active ones."""
        return self.order_by("-urgency", F("due_on").asc(nulls_last=True), "opened_at", "pk")


class Alert(models.Model):
    """One finding of `trips.evaluation.findings` that someone must know about or act on.

    Derived from the data by `trips.evaluation.alert_queue.refresh_alerts()`, never edited by hand
    except for the review states. An alert is *live* while its situation holds: open, acknowledged,
    or resolved without `cleared_at`. A resolved alert stays live so that the situation it was about
    does not raise a second alert; `cleared_at` records that the situation ended, after which it may
    arise again as a new alert. At most one live alert per traveller, kind and subject: the database
    says so, even when two refresh runs overlap.
    """

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")

    ACTIVE_STATES = (State.OPEN, State.ACKNOWLEDGED)
    LIVE = Q(state__in=ACTIVE_STATES) | Q(state=State.RESOLVED, cleared_at__isnull=True)

    traveller = models.ForeignKey(
        Traveller, models.CASCADE, related_name="alerts", verbose_name=_("traveller")
    )
    # The traveller's, kept on the alert so that the queue and its counts read one index
    # instead of joining every traveller of the organisation (`save()` fills it in).
    organisation = models.ForeignKey(
        Organisation,
        models.CASCADE,
        related_name="alerts",
        verbose_name=_("organisation"),
        editable=False,
    )
    kind = models.CharField(_("kind"), max_length=32, choices=AlertKind)
    subject = models.CharField(
        _("subject"), max_length=100, help_text=_("Which stay, visa or change it is about.")
    )
    severity = models.CharField(_("severity"), max_length=12, choices=Status)
    # The severity's rank (STATUS_URGENCY), computed by the database: the queue sorts on it.
    urgency = models.GeneratedField(
        expression=models.Case(
            *(models.When(severity=s, then=models.Value(u)) for s, u in STATUS_URGENCY.items()),
            default=models.Value(0),
        ),
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
    )
    state = models.CharField(_("state"), max_length=12, choices=State, default=State.OPEN)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    params = models.JSONField(_("details"), default=dict, blank=True)
    rule_key = models.CharField(_("rule"), max_length=40, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_alerts",
        verbose_name=_("assigned to"),
    )
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    opened_on = models.DateField(_("opened on (evaluation date)"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_reason = models.CharField(_("reason for closing"), max_length=300, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="resolved_alerts",
        verbose_name=_("resolved by"),
    )
    resolution_note = models.TextField(_("resolution note"), blank=True)
    cleared_at = models.DateTimeField(
        _("situation ended at"),
        null=True,
        blank=True,
        help_text=_("For a resolved alert: its situation ended, so it may arise again."),
    )
    emailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True)
    digested_on = models.DateField(_("in the digest of"), null=True, blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-opened_at", "-pk"]
        indexes = [
            models.Index(fields=["state", "severity"], name="trips_alert_state_severity"),
            models.Index(fields=["traveller", "state"], name="trips_alert_traveller_state"),
            # The queue of active alerts, in its order (`by_urgency`), and how many there are.
            models.Index(
                fields=["organisation", "-urgency", "due_on", "opened_at", "id"],
                condition=Q(state__in=["open", "acknowledged"]),
                name="trips_alert_queue",
            ),
            # The navigation badge's count (`action_needed`).
            models.Index(
                fields=["organisation", "state", "severity"], name="trips_alert_org_state"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["traveller", "kind", "subject"],
                condition=Q(state__in=["open", "acknowledged"])
                | Q(state="resolved", cleared_at__isnull=True),
                name="trips_alert_one_live_alert_per_subject",
                violation_error_message=_("This traveller already has this alert."),
            ),
            models.CheckConstraint(
                condition=~Q(state="closed") | Q(closed_at__isnull=False),
                name="trips_alert_closed_has_closed_at",
                violation_error_message=_("A closed alert says when it closed."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.traveller.name}"

    def save(self, *args, **kwargs) -> None:
        # The organisation is the traveller's (the run's bulk inserts set it themselves).
        if self.organisation_id is None:
            self.organisation_id = self.traveller.organisation_id
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("trips:alert_detail", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.state in self.ACTIVE_STATES

    @property
    def needs_action(self) -> bool:
        return self.severity in {Status.ACTION, Status.OVERSTAY}

    def record(self, action: str, *, actor=None, note: str = "", via: str = "") -> AlertEvent:
        return AlertEvent.objects.create(alert=self, actor=actor, action=action, note=note, via=via)

    def acknowledge(self, *, by, via: str = "") -> None:
        """Someone has seen it and is on it; it stays in the queue until resolved."""
        if self.state != self.State.OPEN:
            return
        self.state = self.State.ACKNOWLEDGED
        self.save(update_fields=["state"])
        self.record(AlertEvent.Action.ACKNOWLEDGED, actor=by, via=via)

    def assign(self, assignee, *, by, via: str = "") -> None:
        if self.assigned_to_id == (assignee.pk if assignee else None):
            return
        self.assigned_to = assignee
        self.save(update_fields=["assigned_to"])
        self.record(AlertEvent.Action.ASSIGNED, actor=by, note=str(assignee or ""), via=via)

    def resolve(self, note: str, *, by, via: str = "") -> None:
        """Dealt with; it stays live (and silent) as long as its situation holds."""
        if not self.is_active:
            return
        self.state = self.State.RESOLVED
        self.resolved_at = timezone.now()
        self.resolved_by = by
        self.resolution_note = note
        self.save(update_fields=["state", "resolved_at", "resolved_by", "resolution_note"])
        self.record(AlertEvent.Action.RESOLVED, actor=by, note=note, via=via)


class AlertEvent(models.Model):
    """Every change to an alert's state, with who (None: the system) and when."""

    class Action(models.TextChoices):
        OPENED = "opened", _("Opened")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        ASSIGNED = "assigned", _("Assigned")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")
        CLEARED = "cleared", _("Situation ended")
        REOPENED = "reopened", _("Reopened")
        EMAILED = "emailed", _("Emailed")
        DIGESTED = "digested", _("Included in a digest")

    alert = models.ForeignKey(Alert, models.CASCADE, related_name="events", verbose_name=_("alert"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    action = models.CharField(_("action"), max_length=16, choices=Action)
    note = models.TextField(_("note"), blank=True)
    via = models.CharField(
        _("via"), max_length=100, blank=True, help_text=_("The API token that made the change.")
    )

    class Meta:
        verbose_name = _("alert event")
        verbose_name_plural = _("alert events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"


class EmailDelivery(models.Model):
    """One alert's email to one recipient (an urgent alert's own, or its line in a digest).

    The outbox per recipient: a refused address is retried a few times with growing pauses and
    then given up, recorded here for compliance to see on the alert, while every other email
    goes out (trips/delivery/notify.py).
    """

    class Kind(models.TextChoices):
        ALERT = "alert", _("Alert email")
        DIGEST = "digest", _("Daily digest")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        REFUSED = "refused", _("Refused by the mail server")

    # A refused recipient is tried this many times in all, then given up.
    MAX_ATTEMPTS = 5

    alert = models.ForeignKey(
        Alert, models.CASCADE, related_name="deliveries", verbose_name=_("alert")
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind)
    email = models.EmailField(_("recipient"))
    language = models.CharField(max_length=8)
    # The day whose digest this line belongs to; None for an alert email.
    digest_on = models.DateField(null=True, blank=True)
    state = models.CharField(_("state"), max_length=8, choices=State, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # The mail server's own answer (its reply code and text), as it gave it.
    last_error = models.CharField(_("last refusal"), max_length=300, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("email delivery")
        verbose_name_plural = _("email deliveries")
        ordering = ["pk"]
        indexes = [
            models.Index(
                fields=["kind", "next_attempt_at"],
                condition=Q(state="pending"),
                name="trips_emaildelivery_due",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["alert", "kind", "email"],
                condition=Q(digest_on__isnull=True),
                name="trips_emaildelivery_one_alert_email",
            ),
            models.UniqueConstraint(
                fields=["alert", "kind", "email", "digest_on"],
                condition=Q(digest_on__isnull=False),
                name="trips_emaildelivery_one_digest_line",
            ),
            models.CheckConstraint(
                condition=Q(kind="alert", digest_on__isnull=True)
                | Q(kind="digest", digest_on__isnull=False),
                name="trips_emaildelivery_digest_has_a_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.email}: {self.get_state_display()}"
