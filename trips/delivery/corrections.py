"""Emails about a traveller's proposed correction: to HR when it is proposed, to the traveller
when HR decides. Sent by the worker, in the recipient's language."""

from __future__ import annotations

from django.core.mail import EmailMessage
from django.tasks import task
from django.utils import translation
from django.utils.translation import gettext as _

from trips.models import TripCorrection


@task
def send_correction_mail(correction_pk: int) -> str:
    correction = (
        TripCorrection.objects.select_related(
            "trip__traveller__hr_owner", "trip__traveller__user", "decided_by"
        )
        .filter(pk=correction_pk)
        .first()
    )
    if correction is None:
        return "The correction is gone."
    message = correction_message(correction)
    if message is None:
        return "Nobody to tell."
    message.send()
    return f"Sent to {', '.join(message.to)}."


def correction_message(correction: TripCorrection) -> EmailMessage | None:
    """To the HR owner while proposed; to the traveller once decided."""
    traveller = correction.trip.traveller
    if correction.state == TripCorrection.State.PROPOSED:
        owner = traveller.hr_owner
        if owner is None or not owner.is_active or not owner.email:
            return None
        to, language = owner.email, owner.language or traveller.language
    else:
        email = traveller.email or (traveller.user.email if traveller.user else "")
        if not email or traveller.erased_at is not None:
            return None
        language = (traveller.user.language if traveller.user else "") or traveller.language
        to = email
    with translation.override(language or None):
        values = {
            "traveller": traveller.name,
            "trip": str(correction.trip),
            "proposed": correction.span,
            "answer": correction.answer,
        }
        if correction.state == TripCorrection.State.PROPOSED:
            subject = _("[staysite] %(traveller)s proposes a correction of a trip") % values
            body = (
                _(
                    "%(traveller)s proposes to correct the trip %(trip)s to %(proposed)s.\n\n"
                    "Accept or reject it on the traveller's page in staysite."
                )
                % values
            )
        elif correction.state == TripCorrection.State.ACCEPTED:
            subject = _("[staysite] Your correction was accepted") % values
            body = (
                _(
                    "HR accepted your correction: the trip now reads %(proposed)s. "
                    "Your status on staysite follows it."
                )
                % values
            )
        else:
            subject = _("[staysite] Your correction was not accepted") % values
            body = (
                _(
                    "HR did not accept your correction of the trip %(trip)s to %(proposed)s.\n\n"
                    "HR's answer: %(answer)s"
                )
                % values
            )
    return EmailMessage(subject, body, to=[to])
