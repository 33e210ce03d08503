"""A cap per username on failed logins from anywhere: a growing pause, never a lockout.

django-axes locks a username only for the client address the failures came from, so that an
attacker cannot lock the real user out. Guesses spread over many addresses would then never
be limited. Past STAYSITE_LOGIN_FAILURES_PER_USERNAME failures of one username within the
lockout's cool-off time, counted over every address, each further try must wait a pause that
doubles with every failure (up to STAYSITE_LOGIN_MAX_PAUSE_SECONDS). A try during the pause
is refused without looking at the password, and counts as nothing. The real user on a new
address waits at most one pause: they are slowed down, never locked out.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Sum
from django.utils import timezone

# The first pause past the cap; each further failure doubles it.
FIRST_PAUSE_SECONDS = 2


def seconds_to_wait(username: str, *, now: datetime | None = None) -> int:
    """How long a login as `username` must still wait; 0 when it may be tried now."""
    now = now or timezone.now()
    recent = AccessAttempt.objects.filter(
        username=username, attempt_time__gte=now - settings.AXES_COOLOFF_TIME
    ).aggregate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
    failures, last = recent["failures"] or 0, recent["last"]
    over = failures - settings.STAYSITE_LOGIN_FAILURES_PER_USERNAME
    if over < 0 or last is None:
        return 0
    pause = min(FIRST_PAUSE_SECONDS * 2 ** min(over, 30), settings.STAYSITE_LOGIN_MAX_PAUSE_SECONDS)
    left = (last + timedelta(seconds=pause) - now).total_seconds()
    return max(0, math.ceil(left))
