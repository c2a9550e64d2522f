"""core.calendar: the weekly closing day from CENTER_HOURS, 年末年始 and 祝日."""

from __future__ import annotations

import datetime as dt

import pytest

from core.calendar import (
    center_is_open,
    closing_weekdays,
    closure_reason,
    next_open_day,
    previous_open_day,
)


@pytest.mark.parametrize(
    ("text", "weekdays"),
    [
        ("9時〜21時（月曜・年末年始休館）", {0}),
        ("9時〜17時（毎週火曜日休館）", {1}),
        ("土曜・日曜は17時まで（月曜休館）", {0}),
        ("9時〜21時。休館日：水曜・木曜", {2, 3}),
        ("9時〜21時（年末年始休館）", set()),
        ("9時〜21時", set()),
    ],
)
def test_closing_weekdays_are_read_from_the_hours_text(text, weekdays):
    """Only weekdays written as closed count: opening hours that mention a weekday do not close it."""
    assert closing_weekdays(text) == frozenset(weekdays)


def test_the_center_closes_on_the_weekly_closing_day_of_center_hours(settings):
    settings.CENTER_HOURS = "9時〜21時（月曜・年末年始休館）"
    assert not center_is_open(dt.date(2026, 12, 7))  # a Monday
    assert closure_reason(dt.date(2026, 12, 7)) == "月曜休館"
    assert center_is_open(dt.date(2026, 12, 8))  # Tuesday
    settings.CENTER_HOURS = "9時〜21時（火曜休館）"
    assert center_is_open(dt.date(2026, 12, 7))
    assert not center_is_open(dt.date(2026, 12, 8))


@pytest.mark.parametrize(
    "day", [dt.date(2026, 12, 29), dt.date(2026, 12, 31), dt.date(2027, 1, 1), dt.date(2027, 1, 3)]
)
def test_the_center_closes_over_the_new_year(settings, day):
    settings.CENTER_HOURS = "9時〜21時"
    assert closure_reason(day) == "年末年始"


def test_the_new_year_closure_is_29_december_to_3_january(settings):
    settings.CENTER_HOURS = "9時〜21時"
    assert center_is_open(dt.date(2026, 12, 28))
    assert center_is_open(dt.date(2027, 1, 4))


def test_the_center_closes_on_national_holidays_and_substitute_holidays(settings):
    settings.CENTER_HOURS = "9時〜21時（月曜休館）"
    assert closure_reason(dt.date(2028, 2, 23)) == "祝日（天皇誕生日）"  # a Wednesday
    assert "振替休日" in closure_reason(dt.date(2026, 5, 6))  # jpholiday: "憲法記念日 振替休日"
    assert center_is_open(dt.date(2028, 2, 29))  # leap day, a Tuesday


def test_next_and_previous_open_day_step_over_closures(settings):
    settings.CENTER_HOURS = "9時〜21時（月曜・年末年始休館）"
    # 2027-01-04 is a Monday: the first open day after the New Year is Tuesday the 5th.
    assert next_open_day(dt.date(2026, 12, 29)) == dt.date(2027, 1, 5)
    assert previous_open_day(dt.date(2027, 1, 2)) == dt.date(2026, 12, 27)
    assert next_open_day(dt.date(2026, 12, 8)) == dt.date(2026, 12, 8)
