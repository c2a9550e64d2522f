"""The center's calendar for the spaces: core's base calendar plus the closures staff add.

core.calendar (weekly closing day, 年末年始, 祝日) is the base and imports no app; this module
combines it with spaces.Closure (臨時休館日), so every booking rule and the week view ask one
function.
"""

from __future__ import annotations

import datetime as dt

from core import calendar as base
from spaces.models import Closure


def closed_days(start: dt.date, end: dt.date) -> dict[dt.date, str]:
    """{day: reason} for the closed days from start to end inclusive (one query)."""
    extra = dict(Closure.objects.filter(date__range=(start, end)).values_list("date", "reason"))
    closed: dict[dt.date, str] = {}
    day = start
    while day <= end:
        reason = closed_reason_with(day, extra.get(day))
        if reason:
            closed[day] = reason
        day += dt.timedelta(days=1)
    return closed


def closed_reason(day: dt.date) -> str | None:
    return closed_days(day, day).get(day)


def closed_reason_with(day: dt.date, closure: str | None) -> str | None:
    """closed_reason when the day's Closure (its reason, or None) was read already."""
    return closure or base.closure_reason(day)


def center_is_open(day: dt.date) -> bool:
    return closed_reason(day) is None
