"""Fiscal years (年度) and Japanese eras.

A fiscal year runs from 1 April to 31 March and is named by the year it starts in: the fiscal
year 2025 is April 2025 to March 2026, shown as 令和7年度. A *date's* era turns on the day the
era began (平成31年4月30日 → 令和元年5月1日), but the fiscal year that began in April 2019 is
called 令和元年度 throughout, as the government and municipalities do.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

FISCAL_YEAR_START_MONTH = 4


@dataclass(frozen=True)
class Era:
    name: str
    start: dt.date


# Newest first. Dates before Meiji are out of scope for a portal.
ERAS: tuple[Era, ...] = (
    Era("令和", dt.date(2019, 5, 1)),
    Era("平成", dt.date(1989, 1, 8)),
    Era("昭和", dt.date(1926, 12, 25)),
    Era("大正", dt.date(1912, 7, 30)),
    Era("明治", dt.date(1868, 10, 23)),
)


# The initials of the eras, as in R7-0001 and R7.4.1.
ERA_INITIALS = {"令和": "R", "平成": "H", "昭和": "S", "大正": "T", "明治": "M"}


def _era_year_label(era: Era, gregorian_year: int) -> str:
    number = gregorian_year - era.start.year + 1
    return f"{era.name}{'元' if number == 1 else number}"


def fiscal_year_of(day: dt.date | dt.datetime) -> int:
    """The fiscal year (starting year) that a date falls in."""
    if isinstance(day, dt.datetime):
        from django.utils import timezone

        day = timezone.localtime(day).date() if timezone.is_aware(day) else day.date()
    return day.year if day.month >= FISCAL_YEAR_START_MONTH else day.year - 1


def fiscal_year_start(fiscal_year: int) -> dt.date:
    return dt.date(fiscal_year, FISCAL_YEAR_START_MONTH, 1)


def fiscal_year_end(fiscal_year: int) -> dt.date:
    """The last day (31 March of the next calendar year)."""
    return dt.date(fiscal_year + 1, FISCAL_YEAR_START_MONTH, 1) - dt.timedelta(days=1)


def fiscal_year_range(fiscal_year: int) -> tuple[dt.date, dt.date]:
    return fiscal_year_start(fiscal_year), fiscal_year_end(fiscal_year)


def current_fiscal_year() -> int:
    from django.utils import timezone

    return fiscal_year_of(timezone.localdate())


def era_of_date(day: dt.date) -> Era:
    for era in ERAS:
        if day >= era.start:
            return era
    raise ValueError(f"{day} is before the Meiji era")


def fiscal_year_label(fiscal_year: int) -> str:
    """令和7年度 for 2025; 令和元年度 for 2019; 平成30年度 for 2018; 昭和63年度 for 1988.

    A fiscal year is named by its starting calendar year, in the era that held at the end of that
    calendar year: the year that began in April 2019 (under Heisei for its first month) is
    令和元年度, while the one that began in April 1988 (Showa until January 1989) is 昭和63年度.
    """
    return f"{_era_year_label(_fiscal_year_era(fiscal_year), fiscal_year)}年度"


def _fiscal_year_era(fiscal_year: int) -> Era:
    return era_of_date(dt.date(fiscal_year, 12, 31))


def fiscal_year_short_code(fiscal_year: int) -> str:
    """R7 for 2025, H30 for 2018: the prefix of registration numbers."""
    era = _fiscal_year_era(fiscal_year)
    return f"{ERA_INITIALS[era.name]}{fiscal_year - era.start.year + 1}"


def wareki_date(day: dt.date) -> str:
    """A date in the Japanese calendar: 令和8年4月1日, 令和元年5月1日, 平成31年4月30日."""
    era = era_of_date(day)
    return f"{_era_year_label(era, day.year)}年{day.month}月{day.day}日"


_WESTERN_DATE_RE = re.compile(r"(\d{4})[-/年.](\d{1,2})[-/月.](\d{1,2})日?")
_ERA_WORDS = "|".join([era.name for era in ERAS] + list(ERA_INITIALS.values()))
_JAPANESE_DATE_RE = re.compile(
    rf"(?P<era>{_ERA_WORDS})(?P<year>元|\d{{1,2}})[年./-](?P<month>\d{{1,2}})[月./-](?P<day>\d{{1,2}})日?"
)


_YEAR_RE = re.compile(rf"(?:(?P<era>{_ERA_WORDS})(?P<number>元|\d{{1,2}})|(?P<western>\d{{4}}))(?:年度?)?")


def parse_japanese_year(text: str | None) -> int | None:
    """A year, or a fiscal year, as written in Japanese papers: 2015, 2015年, 2024年度, 平成27年,
    H27, 令和6年度, R6, 令和元年; None when the text is no year. A Japanese year must be one of its
    era: 平成31年 and 令和元年 are both 2019, 昭和64年 is 1989, but 平成32年 and 令和0年 are refused."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).upper()
    match = _YEAR_RE.fullmatch(text)
    if match is None:
        return None
    if match["western"]:
        return int(match["western"])
    index, era = _era_named(match["era"])
    number = 1 if match["number"] == "元" else int(match["number"])
    year = era.start.year + number - 1
    last_year = ERAS[index - 1].start.year if index else dt.date.max.year
    return year if number >= 1 and year <= last_year else None


def _era_named(word: str) -> tuple[int, Era]:
    """The era (and its place in ERAS) of its name or initial: 令和 or R."""
    return next((i, era) for i, era in enumerate(ERAS) if word in (era.name, ERA_INITIALS[era.name]))


def parse_japanese_date(text: str | None) -> dt.date | None:
    """A date as written in Japanese papers and spreadsheets, or None when the text is no day.

    The western calendar (2025-04-01, 2025/4/1, 2025年4月1日) or the Japanese one (令和7年4月1日,
    令和元年5月1日, R7.4.1, H31/4/30, ㋿7年4月1日), in full or half width, with spaces anywhere,
    with the day of the week after it (令和7年4月1日（火）) when that is the date's, or with the
    midnight Excel writes after a date (2025/4/1 0:00). A Japanese date must be a day of its era:
    平成31年4月30日 is read, 平成31年5月1日 (Reiwa by then) and 令和元年4月30日 (Heisei still) are
    not, nor are 令和0年 and 平成32年."""
    text = _MIDNIGHT_RE.sub("", unicodedata.normalize("NFKC", text or "").strip())
    text, weekday = _without_weekday(re.sub(r"\s+", "", text).upper())
    day = _western_or_japanese_date(text)
    return day if day is not None and weekday in (None, day.weekday()) else None


# The time Excel writes after a date cell saved as CSV: 「2025/4/1 0:00」.
_MIDNIGHT_RE = re.compile(r"\s+0?0:00(?::00)?$")
_WEEKDAYS = "月火水木金土日"
_WEEKDAY_RE = re.compile(rf"\(([{_WEEKDAYS}])(?:・?祝)?\)$")


def _without_weekday(text: str) -> tuple[str, int | None]:
    """「令和7年4月1日(火)」 → the date's text and the weekday written after it (Monday 0)."""
    match = _WEEKDAY_RE.search(text)
    if match is None:
        return text, None
    return text[: match.start()], _WEEKDAYS.index(match[1])


def _western_or_japanese_date(text: str) -> dt.date | None:
    if match := _WESTERN_DATE_RE.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
        return _date_or_none(year, month, day)
    match = _JAPANESE_DATE_RE.fullmatch(text)
    if match is None:
        return None
    index, era = _era_named(match["era"])
    number = 1 if match["year"] == "元" else int(match["year"])
    day = _date_or_none(era.start.year + number - 1, int(match["month"]), int(match["day"]))
    era_end = ERAS[index - 1].start if index else dt.date.max
    if number < 1 or day is None or not era.start <= day < era_end:
        return None
    return day


def _date_or_none(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def fiscal_year_choices(*, back: int = 5, forward: int = 1) -> list[tuple[int, str]]:
    """Recent fiscal years for a select, newest first."""
    current = current_fiscal_year()
    return [(fy, fiscal_year_label(fy)) for fy in range(current + forward, current - back - 1, -1)]


# Fiscal years a query string may ask for: the portal's records start in the Heisei era, and
# far-off years overflow datetime.date (?fy=99999999 and ?fy=-5 were 500s).
FISCAL_YEAR_BOUNDS = range(1989, 2101)


def parse_fiscal_year(raw: str | None) -> int | None:
    """A fiscal year typed in a URL, or None when it is not a sensible one."""
    raw = (raw or "").strip()
    if not raw.isdigit() or len(raw) > 4:
        return None
    year = int(raw)
    return year if year in FISCAL_YEAR_BOUNDS else None


def fiscal_year_options(years, asked: str | None) -> list[tuple[int, str]]:
    """A select's fiscal years, newest first: `years`, plus the one a link asks for when it is a
    sensible year (an older bookmark stays valid; far-off years stay an error)."""
    offered = set(years)
    year = parse_fiscal_year(asked)
    if year is not None:
        offered.add(year)
    return [(y, fiscal_year_label(y)) for y in sorted(offered, reverse=True)]
