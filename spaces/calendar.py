"""The center's calendar for the spaces: core's base calendar plus the closures staff add.

core.calendar (weekly closing day, 年末年始, 祝日) is the base and must not import spaces; this
module combines it with spaces.Closure, so every booking rule asks one function.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from spaces.models import Closure


def _base_closed_reason(day: dt.date) -> str | None:
    """Why the base calendar closes the center on `day` (None when it is open)."""
    try:
        from core.calendar import center_is_open as base_is_open
    except ImportError:  # core.calendar is being written today (issue 13); until then, the same rules
        base_is_open = _fallback_is_open
    if base_is_open(day):
        return None
    import jpholiday

    name = jpholiday.is_holiday_name(day)
    if name:
        return _("祝日（%(name)s）") % {"name": name}
    if (day.month, day.day) >= (12, 29) or (day.month, day.day) <= (1, 3):
        return _("年末年始")
    return _("定休日")


def _fallback_is_open(day: dt.date) -> bool:
    import jpholiday

    if day.weekday() == 0:  # 月曜休館 (settings.CENTER_HOURS)
        return False
    if (day.month, day.day) >= (12, 29) or (day.month, day.day) <= (1, 3):
        return False
    return not jpholiday.is_holiday(day)


def closed_days(start: dt.date, end: dt.date) -> dict[dt.date, str]:
    """{day: reason} for the closed days from start to end inclusive (one query)."""
    extra = dict(Closure.objects.filter(date__range=(start, end)).values_list("date", "reason"))
    closed: dict[dt.date, str] = {}
    day = start
    while day <= end:
        reason = extra.get(day) or _base_closed_reason(day)
        if reason:
            closed[day] = reason
        day += dt.timedelta(days=1)
    return closed


def closed_reason(day: dt.date) -> str | None:
    return closed_days(day, day).get(day)


def center_is_open(day: dt.date) -> bool:
    return closed_reason(day) is None
