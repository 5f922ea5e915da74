"""The detention clock: days detained, computed in the case's own time zone."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone


def case_today(*, time_zone: str, now: dt.datetime | None = None) -> dt.date:
    """Today's date where the person is held (a day starts at their midnight, not ours)."""
    moment = now or timezone.now()
    return moment.astimezone(ZoneInfo(time_zone)).date()


def case_days_detained(
    *,
    detained_on: dt.date,
    released_on: dt.date | None = None,
    time_zone: str,
    now: dt.datetime | None = None,
) -> int:
    """Whole days between detention and release (or today, where they are held).

    The day of detention is day 0, so a person detained on 5 January has been
    held 1 day on 6 January: the count campaigns and the press quote.
    """
    end = released_on or case_today(time_zone=time_zone, now=now)
    return max(0, (end - detained_on).days)
