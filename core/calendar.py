"""The days the center is open.

The center closes on the weekly closing day that settings.CENTER_HOURS names (the text shown in
every page's footer, e.g. "9時〜21時（月曜・年末年始休館）"), over 年末年始 (29 December to
3 January, as a city's public facilities do) and on 祝日 (national holidays and 振替休日, from
jpholiday). The footer text stays the one place where the closing day is written down.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

import jpholiday
from django.conf import settings

WEEKDAY_CHARS = "月火水木金土日"  # date.weekday(): Monday is 0
# "（月曜・年末年始休館）", "毎週火曜日休館": what comes before 休館 inside one clause...
_BEFORE_CLOSED = re.compile(r"([^（）()。]*?)休館")
# ..."休館日：月曜": and what follows 休館日.
_AFTER_CLOSED = re.compile(r"休館日\s*[:：は]\s*([^（）()。]*)")
_WEEKDAY = re.compile(rf"([{WEEKDAY_CHARS}])曜")


@lru_cache(maxsize=8)
def closing_weekdays(hours_text: str) -> frozenset[int]:
    """The weekdays (0 = Monday) that the opening-hours text says the center is closed on."""
    clauses = [m.group(1) for m in _BEFORE_CLOSED.finditer(hours_text)]
    clauses += [m.group(1) for m in _AFTER_CLOSED.finditer(hours_text)]
    return frozenset(WEEKDAY_CHARS.index(m.group(1)) for clause in clauses for m in _WEEKDAY.finditer(clause))


def is_new_year_holiday(day: dt.date) -> bool:
    """年末年始: 29 December to 3 January."""
    return (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)


def closure_reason(day: dt.date) -> str | None:
    """Why the center is closed that day (e.g. "月曜休館", "年末年始", "祝日（海の日）"), or None if open."""
    if is_new_year_holiday(day):
        return "年末年始"
    if day.weekday() in closing_weekdays(settings.CENTER_HOURS):
        return f"{WEEKDAY_CHARS[day.weekday()]}曜休館"
    holiday = jpholiday.is_holiday_name(day)
    if holiday:
        return f"祝日（{holiday}）"
    return None


def center_is_open(day: dt.date) -> bool:
    return closure_reason(day) is None


def next_open_day(day: dt.date) -> dt.date:
    """The day itself if the center is open then, else the first open day after it."""
    while not center_is_open(day):
        day += dt.timedelta(days=1)
    return day


def previous_open_day(day: dt.date) -> dt.date:
    """The day itself if the center is open then, else the last open day before it."""
    while not center_is_open(day):
        day -= dt.timedelta(days=1)
    return day
