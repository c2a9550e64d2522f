import datetime as dt

import pytest
from django.template import Context, Template

from core import fiscal


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2025, 3, 31), 2024),
        (dt.date(2025, 4, 1), 2025),
        (dt.date(2025, 12, 31), 2025),
        (dt.date(2026, 1, 1), 2025),
        (dt.date(2026, 3, 31), 2025),
        (dt.date(2026, 4, 1), 2026),
    ],
)
def test_fiscal_year_turns_on_the_first_of_april(day, expected):
    """A date belongs to the fiscal year that started on the last 1 April."""
    assert fiscal.fiscal_year_of(day) == expected


def test_fiscal_year_of_an_aware_datetime_uses_japan_time():
    """23:30 UTC on 31 March is already 1 April in Japan, so the new fiscal year."""
    moment = dt.datetime(2025, 3, 31, 23, 30, tzinfo=dt.UTC)
    assert fiscal.fiscal_year_of(moment) == 2025


def test_fiscal_year_range():
    """令和7年度 runs from 1 April 2025 to 31 March 2026."""
    assert fiscal.fiscal_year_range(2025) == (dt.date(2025, 4, 1), dt.date(2026, 3, 31))
    assert fiscal.fiscal_year_end(2023) == dt.date(2024, 3, 31)


@pytest.mark.parametrize(
    ("fy", "label"),
    [
        (2025, "令和7年度"),
        (2026, "令和8年度"),
        (2020, "令和2年度"),
        (2019, "令和元年度"),  # began in April 2019 under Heisei, but is called 令和元年度
        (2018, "平成30年度"),
        (1989, "平成元年度"),
        (1988, "昭和63年度"),
    ],
)
def test_fiscal_year_label_with_era(fy, label):
    """Fiscal years are named with the era in force at their end."""
    assert fiscal.fiscal_year_label(fy) == label


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (dt.date(2019, 4, 30), "平成31年4月30日"),
        (dt.date(2019, 5, 1), "令和元年5月1日"),
        (dt.date(2020, 1, 1), "令和2年1月1日"),
        (dt.date(2026, 4, 1), "令和8年4月1日"),
        (dt.date(1989, 1, 7), "昭和64年1月7日"),
        (dt.date(1989, 1, 8), "平成元年1月8日"),
    ],
)
def test_a_dates_era_turns_on_the_day(day, label):
    """A date's own era changes on the day the new era began (1 May 2019 for 令和)."""
    assert fiscal.wareki_date(day) == label


def test_short_code_for_registration_numbers():
    """Registration numbers start with the era initial and year: R7 for 令和7年度, H30 for 平成30年度."""
    assert fiscal.fiscal_year_short_code(2025) == "R7"
    assert fiscal.fiscal_year_short_code(2019) == "R1"
    assert fiscal.fiscal_year_short_code(2018) == "H30"


def test_template_filters():
    """Templates show fiscal years and Japanese dates with builtin filters."""
    rendered = Template(
        "{{ d|fiscal_year }} {{ d|fiscal_label }} {{ 2019|fiscal_label }} {{ d|wareki }}"
    ).render(Context({"d": dt.date(2026, 2, 11)}))
    assert rendered == "2025 令和7年度 令和元年度 令和8年2月11日"


def test_template_filters_leave_empty_values_empty():
    """A missing date renders as nothing rather than an error."""
    assert Template("[{{ d|fiscal_label }}{{ d|wareki }}]").render(Context({"d": None})) == "[]"


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2025-04-01", dt.date(2025, 4, 1)),
        ("2025/4/1", dt.date(2025, 4, 1)),
        ("２０２５年４月１日", dt.date(2025, 4, 1)),
        ("令和7年4月1日", dt.date(2025, 4, 1)),
        ("令和７年４月１日", dt.date(2025, 4, 1)),
        ("令和 7年 4月 1日", dt.date(2025, 4, 1)),
        ("R7.4.1", dt.date(2025, 4, 1)),
        ("r7/4/1", dt.date(2025, 4, 1)),
        ("Ｒ７．４．１", dt.date(2025, 4, 1)),
        ("H31.4.30", dt.date(2019, 4, 30)),
        ("平成31年4月30日", dt.date(2019, 4, 30)),
        ("令和元年5月1日", dt.date(2019, 5, 1)),
        ("R元.5.1", dt.date(2019, 5, 1)),
        ("㋿7年4月1日", dt.date(2025, 4, 1)),
        ("昭和64年1月7日", dt.date(1989, 1, 7)),
        ("平成元年1月8日", dt.date(1989, 1, 8)),
        # With the day of the week, as Excel's 「yyyy/m/d(aaa)」 and papers write it.
        ("令和7年4月1日（火）", dt.date(2025, 4, 1)),
        ("2025/4/1(火)", dt.date(2025, 4, 1)),
        ("R7.4.29 (火・祝)", dt.date(2025, 4, 29)),
        # A date cell that Excel saved with its time, midnight.
        ("2025/4/1 0:00", dt.date(2025, 4, 1)),
        ("2025-04-01 00:00:00", dt.date(2025, 4, 1)),
    ],
)
def test_a_date_is_read_in_the_western_or_the_japanese_calendar(text, day):
    assert fiscal.parse_japanese_date(text) == day


@pytest.mark.parametrize(
    "text",
    [
        "",
        "令和",
        "令和7年",
        "令和7年13月1日",
        "令和7年2月30日",
        "平成31年5月1日",  # Heisei ended on 30 April 2019
        "令和元年4月30日",  # Reiwa began on 1 May 2019
        "令和0年4月1日",
        "平成32年1月1日",
        "X7.4.1",
        "2025/13/1",
        "7.4.1",
        "令和7年4月1日から",
        "令和7年4月1日（水）",  # 1 April 2025 was a Tuesday: which of the two was meant?
        "2025/4/1(火曜)",
        "2025/4/1 13:30",  # a time of day: a moment, not a date
        "2025/4/1 0:00 0:00",
    ],
)
def test_a_date_that_is_no_day_is_not_read(text):
    assert fiscal.parse_japanese_date(text) is None


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("2015", 2015),
        ("２０１５年", 2015),
        ("2024年度", 2024),
        ("平成27年", 2015),
        ("平成２７", 2015),
        ("H27", 2015),
        ("令和6年度", 2024),
        ("R6", 2024),
        ("令和元年", 2019),
        ("平成31年度", 2019),
        ("昭和64年", 1989),
        ("明治元年", 1868),
    ],
)
def test_a_year_is_read_in_the_western_or_the_japanese_calendar(text, year):
    assert fiscal.parse_japanese_year(text) == year


@pytest.mark.parametrize(
    "text", ["", "平成", "平成32年", "令和0年", "昭和65年", "X6", "15", "2015-2016", "令和6年4月"]
)
def test_a_year_that_is_none_of_its_era_is_not_read(text):
    assert fiscal.parse_japanese_year(text) is None
