"""What a status row says in the reader's language: the dashboard's rows, the API's status."""

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from trips import wording
from trips.choices import Status
from trips.countries import country_name
from trips.models import StatusSnapshot, Traveller


@dataclass
class Row:
    """One dashboard row: the traveller, their snapshot (None: not assessed yet) and what
    the template shows beyond the snapshot's own fields."""

    traveller: Traveller
    snapshot: StatusSnapshot | None
    deadline_to_go: str
    deadline_overdue: bool
    stay_day: str
    status_label: str
    location_name: str
    reason: str
    deadline_label: str


def row_for(traveller: Traveller, on: date) -> Row:
    snapshot = getattr(traveller, "snapshot", None)
    to_go, overdue, stay_day, status_label, location_name = "", False, "", "", ""
    reason = deadline_label = ""
    if snapshot is not None:
        reason, deadline_label = snapshot_words(snapshot)
        # Labels looked up once per page: get_FOO_display() would hash every lazy choice.
        status_label = str(Status(snapshot.status).label)
        location_name = country_name(snapshot.location)
        if snapshot.next_deadline is not None:
            delta = (snapshot.next_deadline - on).days
            overdue = delta < 0
            if delta == 0:
                to_go = _("today")
            elif delta < 0:
                to_go = ngettext("%(n)d day overdue", "%(n)d days overdue", -delta) % {"n": -delta}
            else:
                to_go = ngettext("in %(n)d day", "in %(n)d days", delta) % {"n": delta}
        if snapshot.stay_day is not None:
            if snapshot.stay_cap:
                stay_day = _("day %(day)d of %(cap)d") % {
                    "day": snapshot.stay_day,
                    "cap": snapshot.stay_cap,
                }
            else:
                stay_day = _("day %(day)d") % {"day": snapshot.stay_day}
    return Row(
        traveller,
        snapshot,
        to_go,
        overdue,
        stay_day,
        status_label,
        location_name,
        reason,
        deadline_label,
    )


def list_rows(travellers) -> list[tuple[Traveller, str, str]]:
    """The travellers list's rows: each traveller with their snapshot's reason and deadline
    in the reader's language (empty: not assessed yet)."""
    rows = []
    for traveller in travellers:
        snapshot = getattr(traveller, "snapshot", None)
        rows.append((traveller, *(snapshot_words(snapshot) if snapshot else ("", ""))))
    return rows


def snapshot_words(snapshot: StatusSnapshot) -> tuple[str, str]:
    """The snapshot's reason and deadline in the reader's language, worded from the findings'
    kinds and parameters (a snapshot stores no text)."""
    reason = _("Within every limit.")
    if snapshot.reason_kind:
        reason = wording.describe(snapshot.reason_kind, snapshot.reason_params)
    label = ""
    if snapshot.next_deadline_kind:
        label = wording.describe(snapshot.next_deadline_kind, snapshot.next_deadline_params)
    return reason, label
