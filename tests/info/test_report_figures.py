"""情報集約・発信 in the report of all programs: the info app's figures, read through its
report_figures hook, agree with the database, year by year, in the figures and in the PDF."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine

from info import hooks
from info.models import Flyer, FlyerStatus, IssueStatus, NewsletterIssue, Subscriber
from tests.groups.factories import GroupFactory
from tests.info.conftest import JST
from tests.info.factories import GrantFactory

pytestmark = pytest.mark.django_db

SECTION = "情報集約・発信"


def at(year: int, month: int, day: int) -> dt.datetime:
    return dt.datetime(year, month, day, 12, tzinfo=JST)


@pytest.fixture
def after_fy2026():
    """A day after 令和8年度 (FY2026) ended: the year's figures are final."""
    with time_machine.travel(dt.datetime(2027, 5, 10, 10, 0, tzinfo=JST), tick=False):
        yield


def flyer(group, *, status: str, start: dt.date, end: dt.date) -> Flyer:
    return Flyer.objects.create(
        group=group,
        title="夏休み子ども食堂のお知らせ",
        alt_text="子ども食堂の日程と場所",
        file="info/flyers/x.pdf",
        content_type="application/pdf",
        display_from=start,
        display_until=end,
        status=status,
    )


@pytest.fixture
def info_rows(after_fy2026):
    """Rows inside FY2026 and around it, so that each figure has something to leave out."""
    # Subscribers: confirmed in FY2025 (counts in both years), confirmed in FY2026, unsubscribed
    # during FY2026 (counts only in FY2025), never confirmed (never counts).
    Subscriber.objects.create(email="a@example.jp", status="active", confirmed_at=at(2026, 3, 1))
    Subscriber.objects.create(email="b@example.jp", status="active", confirmed_at=at(2026, 7, 1))
    Subscriber.objects.create(
        email="c@example.jp",
        status="unsubscribed",
        confirmed_at=at(2025, 5, 1),
        unsubscribed_at=at(2026, 8, 1),
    )
    Subscriber.objects.create(email="d@example.jp", status="pending")
    # Issues: two sent in FY2026, one in FY2025, one draft.
    for number, sent_at in ((1, at(2025, 10, 1)), (2, at(2026, 4, 1)), (3, at(2027, 3, 31))):
        NewsletterIssue.objects.create(
            number=number, title=f"第{number}号", status=IssueStatus.SENT, sent_at=sent_at
        )
    NewsletterIssue.objects.create(number=4, title="下書きの号")
    # Grants: three published in FY2026, one in FY2025, one hidden.
    for published_at in (at(2026, 4, 2), at(2026, 12, 1), at(2027, 3, 30), at(2025, 11, 1)):
        GrantFactory(published_at=published_at)
    GrantFactory(hidden=True)
    # Flyers: approved ones shown in FY2026 (one straddles the years), one refused, one pending.
    group = GroupFactory()
    flyer(group, status=FlyerStatus.APPROVED, start=dt.date(2026, 3, 20), end=dt.date(2026, 4, 10))
    flyer(group, status=FlyerStatus.APPROVED, start=dt.date(2026, 9, 1), end=dt.date(2026, 9, 30))
    flyer(group, status=FlyerStatus.APPROVED, start=dt.date(2025, 6, 1), end=dt.date(2025, 6, 30))
    flyer(group, status=FlyerStatus.REJECTED, start=dt.date(2026, 9, 1), end=dt.date(2026, 9, 30))
    flyer(group, status=FlyerStatus.PENDING, start=dt.date(2026, 9, 1), end=dt.date(2026, 9, 30))


def counted_in_database(fiscal_year: int) -> dict[str, int]:
    """The same figures counted straight from the rows, by the definitions the notes give."""
    start, end = dt.date(fiscal_year, 4, 1), dt.date(fiscal_year + 1, 4, 1)
    end_at = dt.datetime.combine(end, dt.time.min, tzinfo=JST)
    start_at = dt.datetime.combine(start, dt.time.min, tzinfo=JST)
    subscribers = [
        s
        for s in Subscriber.objects.all()
        if s.confirmed_at
        and s.confirmed_at < end_at
        and (s.unsubscribed_at is None or s.unsubscribed_at >= end_at)
    ]
    issues = [
        i
        for i in NewsletterIssue.objects.all()
        if i.status == IssueStatus.SENT and start_at <= i.sent_at < end_at
    ]
    from info.models import Grant

    grants = [g for g in Grant.objects.all() if g.is_published and start_at <= g.published_at < end_at]
    flyers = [
        f
        for f in Flyer.objects.all()
        if f.status == FlyerStatus.APPROVED and f.display_from < end and f.display_until >= start
    ]
    return {
        "info.subscribers": len(subscribers),
        "info.issues_sent": len(issues),
        "info.grants_posted": len(grants),
        "info.flyers_displayed": len(flyers),
    }


def test_figures_only_in_the_report_of_all_programs(info_rows):
    assert hooks.report_figures(program_code="alp", fiscal_year=2026) == []
    figures = {f.key: f.value for f in hooks.report_figures(program_code=None, fiscal_year=2026)}
    assert figures == counted_in_database(2026)
    # The rows were chosen so that every figure leaves something out and the years differ.
    assert figures == {
        "info.subscribers": 2,
        "info.issues_sent": 2,
        "info.grants_posted": 3,
        "info.flyers_displayed": 2,
    }
    assert {f.key: f.value for f in hooks.report_figures(program_code=None, fiscal_year=2025)} == (
        counted_in_database(2025)
    )


def test_the_report_of_all_programs_has_the_section_with_the_database_figures(info_rows):
    from reports.selectors import report_content
    from reports.services import report_render_pdf
    from tests.reports.pdfcheck import pdf_text

    content = report_content(program_code=None, fiscal_year=2026)
    rows = {row.key: row for row in content.figures if row.section == SECTION}
    # The section's rows come together, under one heading (not alternating with another app's).
    sections = [row.section for row in content.figures]
    first = sections.index(SECTION)
    assert sections[first : first + len(rows)] == [SECTION] * len(rows)
    assert set(rows) == set(counted_in_database(2026))
    for key, row in rows.items():
        assert row.values == [
            counted_in_database(2024)[key],
            counted_in_database(2025)[key],
            counted_in_database(2026)[key],
        ], key
    # A program's own report has no such section.
    assert not [
        row for row in report_content(program_code="alp", fiscal_year=2026).figures if row.section == SECTION
    ]

    text = re.sub(r"\s+", " ", pdf_text(report_render_pdf(program_code=None, fiscal_year=2026)))
    assert SECTION in text
    block = text[text.index(SECTION) :]
    for row in rows.values():
        label = re.escape(str(row.label))
        assert re.search(rf"{label}.*?{row.values[-1]}", block), (row.label, block[:600])
    # One heading, its four rows under it (no second heading in between).
    last = max(block.index(str(row.label)) for row in rows.values())
    assert SECTION not in block[len(SECTION) : last], block[:600]
