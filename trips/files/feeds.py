"""Private calendar feeds (iCalendar): each HR user's and traveller's dates, in their calendar.

A feed's address carries a secret token; only its SHA-256 hash is stored, so the address is
shown once, when it is made, and a leaked database reveals no working address. The feed is
built at each request from what its owner may see at that moment (trips/access.py), so a
changed role or organisation changes the feed, and a revoked token finds nothing. Events
carry no document numbers: a subscription hands them to the calendar provider.
"""

from __future__ import annotations

import secrets
from datetime import date, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from trips.accounts.tokens import key_hash as token_hash
from trips.choices import AlertKind
from trips.evaluation.details import status_details
from trips.evaluation.findings import evaluate
from trips.evaluation.stays import with_related
from trips.models import CalendarFeed, Traveller, User
from trips.wording import area_name

PRODID = "-//staysite//calendar feed//EN"
DEADLINE_KINDS = {
    AlertKind.EQONAQ_DUE,
    AlertKind.EQONAQ_OVERDUE,
    AlertKind.REGISTRATION_NEEDED,
}
TRAVELLER_BATCH = 200
DEFAULT_REMINDER_DAYS = 3
MAX_REMINDER_DAYS = 60


def issue(user: User) -> str:
    """A new secret token for `user`'s feed; an earlier one stops working. Shown only now."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        earlier = CalendarFeed.objects.filter(user=user).first()
        reminder = earlier.reminder_days if earlier else DEFAULT_REMINDER_DAYS
        CalendarFeed.objects.filter(user=user).delete()
        CalendarFeed.objects.create(user=user, token_hash=token_hash(token), reminder_days=reminder)
    return token


def set_reminder(user: User, days: int) -> None:
    """Remind `days` before each latest legal exit and deadline (0: no reminders)."""
    CalendarFeed.objects.filter(user=user).update(reminder_days=days)


def revoke(user: User) -> bool:
    deleted, _rows = CalendarFeed.objects.filter(user=user).delete()
    return bool(deleted)


def owner(token: str) -> User | None:
    """The active user whose feed `token` opens; None for a wrong or revoked token."""
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(token_hash=token_hash(token), user__is_active=True)
        .first()
    )
    return feed.user if feed is not None else None


# --- The calendar --------------------------------------------------------------------------


def calendar(user: User, travellers: QuerySet[Traveller], *, on: date, base_url: str) -> bytes:
    """The feed of `travellers` (those `user` may see now), in `user`'s language; each event
    links to the traveller's page under `base_url`."""
    from icalendar import Calendar  # only feeds speak iCalendar

    with translation.override(user.language):
        feed = Calendar()
        feed.add("prodid", PRODID)
        feed.add("version", "2.0")
        feed.add("x-wr-calname", _("staysite: %(name)s") % {"name": str(user)})
        stamp = timezone.now()
        settings_row = CalendarFeed.objects.filter(user=user).first()
        remind = settings_row.reminder_days if settings_row else 0
        listed = travellers.filter(active=True, erased_at__isnull=True).order_by("pk")
        ids = list(listed.values_list("pk", flat=True))
        for start in range(0, len(ids), TRAVELLER_BATCH):
            batch = Traveller.objects.filter(pk__in=ids[start : start + TRAVELLER_BATCH])
            for traveller in with_related(batch).prefetch_related("visas"):
                events = traveller_events(traveller, on=on, remind=remind, base_url=base_url)
                for event in events:
                    event.add("dtstamp", stamp)
                    feed.add_component(event)
        return feed.to_ical()


def _event(uid: str, summary: str, start: date, end: date | None = None, description: str = ""):
    """An all-day event from `start` to `end` (both days included)."""
    from icalendar import Event

    event = Event()
    event.add("uid", f"{uid}@staysite")
    event.add("summary", summary)
    event.add("dtstart", start)
    event.add("dtend", (end or start) + timedelta(days=1))
    event.add("transp", "TRANSPARENT")
    if description:
        event.add("description", description)
    return event


def _reminded(event, days: int):
    """`event` with a reminder (VALARM) `days` before it begins; as it is if `days` is 0."""
    from icalendar import Alarm

    if days:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", event["summary"])
        alarm.add("trigger", timedelta(days=-days))
        event.add_component(alarm)
    return event


def traveller_events(traveller: Traveller, *, on: date, base_url: str, remind: int = 0):
    """The dates of one traveller a calendar should hold, from `on` on; the latest legal exits
    and the deadlines with a reminder `remind` days before."""
    details = status_details(evaluate(traveller, on=on))
    name = traveller.name
    link = base_url.rstrip("/") + traveller.get_absolute_url()
    for regime in details.regimes:
        area = area_name(regime.key)
        report = regime.report
        exit_day = report.latest_legal_exit
        if report.present_on_query_date and exit_day is not None and exit_day >= on:
            yield _reminded(
                _event(
                    f"exit-{traveller.pk}-{regime.key}",
                    _("%(name)s: latest legal exit from %(area)s") % {"name": name, "area": area},
                    exit_day,
                    description=link,
                ),
                remind,
            )
        for roll in regime.explanation.roll_offs:
            if roll.last_date < on:
                continue
            summary = ngettext(
                "%(name)s: %(n)d day of the 90/180 limit in %(area)s comes back",
                "%(name)s: %(n)d days of the 90/180 limit in %(area)s come back",
                roll.days,
            ) % {"name": name, "n": roll.days, "area": area}
            yield _event(
                f"back-{traveller.pk}-{regime.key}-{roll.first_date.isoformat()}",
                summary,
                max(roll.first_date, on),
                roll.last_date,
                description=link,
            )
    for finding in details.status.findings:
        if finding.kind in DEADLINE_KINDS and finding.due_on is not None:
            yield _reminded(
                _event(
                    f"deadline-{traveller.pk}-{finding.subject}",
                    f"{name}: {finding.message}",
                    finding.due_on,
                    description=f"{finding.source}\n{link}".strip(),
                ),
                remind,
            )
    for visa in traveller.visas.all():
        if visa.valid_until >= on:
            # The kind only: a document's number has no place in a calendar provider's copy.
            yield _event(
                f"visa-{traveller.pk}-{visa.pk}",
                _("%(name)s: %(visa)s expires") % {"name": name, "visa": visa.get_kind_display()},
                visa.valid_until,
                description=link,
            )
    for trip in traveller.trips.all():
        if trip.is_planned(on=on):
            yield _event(
                f"trip-{traveller.pk}-{trip.pk}",
                _("%(name)s: planned trip to %(country)s")
                % {"name": name, "country": trip.get_country_display()},
                trip.entry,
                trip.exit,
                description=link,
            )
