"""Factories for the reports' tests (and small helpers to build events with registrations)."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from reports.models import OutcomeAxis, OutcomeRecord, OutcomeSource, Report, ReportStatus


def ensure_programs() -> None:
    """The programs of events' reference data (a transactional test's flush removes them)."""
    from events.reference import ensure_programs as ensure

    ensure()


def program(code: str = "mirai_taiwa"):
    from events.models import Program

    ensure_programs()
    return Program.objects.get(code=code)


class ProgramYearFactory(factory.django.DjangoModelFactory):
    """Rows about one program's fiscal year: ミライ対話 in FY2025 unless told otherwise."""

    class Meta:
        abstract = True

    program = factory.LazyFunction(program)
    fiscal_year = 2025


class OutcomeRecordFactory(ProgramYearFactory):
    class Meta:
        model = OutcomeRecord

    axis = OutcomeAxis.RESOURCES
    category = "活動の共感者や仲間を集める場"
    episode = factory.Sequence(lambda n: f"ミライ対話での出会いからネットワークが構築された（その{n}）")
    source = OutcomeSource.INTERVIEW


class ReportFactory(ProgramYearFactory):
    class Meta:
        model = Report

    status = ReportStatus.QUEUED
    requested_at = factory.LazyFunction(timezone.now)
    attempts = 1

    class Params:
        running = factory.Trait(
            status=ReportStatus.RUNNING,
            started_at=factory.LazyFunction(timezone.now),
            progress=40,
            task_id="task-running",
        )
        done = factory.Trait(
            status=ReportStatus.DONE,
            progress=100,
            pdf="reports/2025/done.pdf",
            finished_at=factory.LazyFunction(timezone.now),
            data_as_of=factory.LazyFunction(timezone.now),
            figures=factory.LazyFunction(
                lambda: {
                    "title": "令和7年度 ミライ対話 成果報告書",
                    "header": [
                        "表",
                        "区分",
                        "項目",
                        "単位",
                        "範囲",
                        "令和5年度",
                        "令和6年度",
                        "令和7年度",
                        "前年度からの増減",
                    ],
                    "rows": [
                        ["主要な数値", "催し・講座", "参加者数（実人数）", "人", "この事業", 71, 77, 75, -2],
                        [
                            "主要な数値",
                            "催し・講座",
                            '=HYPERLINK("http://example.com")',
                            "",
                            "この事業",
                            None,
                            1,
                            2,
                            1,
                        ],
                    ],
                }
            ),
        )
        failed = factory.Trait(
            status=ReportStatus.FAILED,
            error="作成中にエラーが発生しました（テスト）。",
            finished_at=factory.LazyFunction(timezone.now),
        )


def make_event(
    *,
    program_code: str,
    starts: dt.datetime,
    title: str = "催し",
    people=(),
    sessions: int = 1,
    attended=True,
):
    """An event of the program with `sessions` sessions from `starts`, and confirmed registrations
    (each person attending every session unless `attended` is False)."""
    from core.models import Person
    from events.models import Attendance, Event, EventSession, Registration

    event = Event.objects.create(program=program(program_code), title=title)
    held = []
    for n in range(sessions):
        begins = starts + dt.timedelta(days=7 * n)
        held.append(
            EventSession.objects.create(event=event, starts_at=begins, ends_at=begins + dt.timedelta(hours=2))
        )
    for person in people:
        if isinstance(person, str):
            person = Person.objects.create(name=person)
        registration = Registration.objects.create(event=event, person=person, status="confirmed")
        if attended:
            Attendance.objects.bulk_create([Attendance(session=s, registration=registration) for s in held])
    return event


def local(year: int, month: int, day: int, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, hour))
