"""reports' contributions to shared features (see core.app_hooks)."""

from __future__ import annotations

import datetime as dt
import random

from celery.schedules import crontab
from django.apps import apps
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from core.app_hooks import Figure, Link, hook, register
from core.fiscal import current_fiscal_year

# Celery beat (CELERY_TIMEZONE is Asia/Tokyo, so these are JST).
BEAT_SCHEDULE = {
    "reports-sweep": {"task": "reports.sweep_reports", "schedule": 5 * 60.0},
    "reports-annual": {
        "task": "reports.request_annual_reports",
        "schedule": crontab(minute=0, hour=6, day_of_month=1, month_of_year=4),
    },
}
register("beat_schedule", BEAT_SCHEDULE, module=__name__)

DEMO_FIRST_YEAR = 2021
DEMO_LAST_YEAR = 2026


@hook("seed_demo")
def seed_demo(*, scale: int, rng: random.Random, out) -> None:
    """Outcome episodes for FY2021–FY2026, for every program and axis, in seed 000's style.

    Per program, year and axis: 1–2 ○ headings with 1–2 ・ episodes each, times `scale`
    (about 16 × scale episodes per program and year). It runs after the other apps, so episodes
    link to the program's events of that year, to registered groups and, for プロジェクト支援,
    to that year's registered and supported projects (and their lead groups).
    """
    from events.models import Event, Program
    from projects.models import Project, ProjectKind
    from reports.demo import OUTCOME_BANK
    from reports.models import OutcomeRecord, OutcomeSource
    from reports.selectors import fiscal_year_datetimes

    group_ids = list(
        apps.get_model("groups", "Group").objects.order_by("pk").values_list("pk", flat=True)[:200]
    )
    sources = [
        OutcomeSource.INTERVIEW,
        OutcomeSource.INTERVIEW,
        OutcomeSource.SURVEY,
        OutcomeSource.OBSERVATION,
    ]
    created = 0
    for fiscal_year in range(DEMO_FIRST_YEAR, DEMO_LAST_YEAR + 1):
        start, end = fiscal_year_datetimes(fiscal_year)
        projects = list(
            Project.objects.filter(
                fiscal_year=fiscal_year, kind__in=(ProjectKind.REGISTRATION, ProjectKind.SUPPORT)
            )
            .order_by("pk")
            .values_list("pk", "lead_group_id")
        )
        for program in Program.objects.order_by("order", "id"):
            event_ids = list(
                Event.objects.filter(
                    program=program, sessions__starts_at__gte=start, sessions__starts_at__lt=end
                )
                .order_by("pk")
                .values_list("pk", flat=True)
                .distinct()[:50]
            )
            program_projects = projects if program.code == "project_support" else []
            records, links = [], []
            for axis, bank in OUTCOME_BANK.items():
                for _round in range(scale):
                    for heading, episodes in rng.sample(bank, k=min(len(bank), rng.randint(1, 2))):
                        for episode in rng.sample(episodes, k=min(len(episodes), rng.randint(1, 2))):
                            records.append(
                                OutcomeRecord(
                                    program=program,
                                    fiscal_year=fiscal_year,
                                    axis=axis,
                                    category=heading,
                                    episode=episode.format(program=program.name),
                                    source=rng.choice(sources),
                                )
                            )
                            project = rng.choice(program_projects) if program_projects else None
                            group_id = (
                                project[1]
                                if project
                                else (rng.choice(group_ids) if group_ids and rng.random() < 0.5 else None)
                            )
                            event_id = rng.choice(event_ids) if event_ids and rng.random() < 0.6 else None
                            links.append((group_id, event_id, project[0] if project else None))
            OutcomeRecord.objects.bulk_create(records)
            _link(OutcomeRecord.groups.through, "group_id", records, [link[0] for link in links])
            _link(OutcomeRecord.events.through, "event_id", records, [link[1] for link in links])
            _link(OutcomeRecord.projects.through, "project_id", records, [link[2] for link in links])
            created += len(records)
    out.write(f"  reports: 成果のエピソード {created}件（{DEMO_FIRST_YEAR}〜{DEMO_LAST_YEAR}年度）")


def _link(through, column: str, records, targets) -> None:
    through.objects.bulk_create(
        [
            through(outcomerecord_id=record.pk, **{column: target})
            for record, target in zip(records, targets, strict=True)
            if target
        ]
    )


@hook("staff_links")
def staff_links(request) -> list[Link]:
    from reports.models import Report, ReportStatus

    return [
        Link(
            title=_("成果報告書"),
            url=reverse("reports:index"),
            description=_("事業ごと・年度ごとの成果報告書（PDF）の作成とダウンロード"),
            count=Report.objects.filter(status=ReportStatus.FAILED).count() or None,
        ),
        Link(
            title=_("成果の記録"),
            url=reverse("reports:outcome_list"),
            description=_("事業の成果（○見出しと・エピソード）を記録する"),
        ),
    ]


@hook("report_figures")
def report_figures(*, program_code: str | None, fiscal_year: int) -> list[Figure]:
    from reports.models import OutcomeRecord

    count = OutcomeRecord.objects.for_report(program_code=program_code, fiscal_year=fiscal_year).count()
    return [
        Figure(
            key="reports.outcome_records",
            label=_("記録した成果のエピソード"),
            value=count,
            unit=_("件"),
            note=_("センター職員がインタビュー・アンケート・職員の観察から記録した成果（・）の件数です。"),
        )
    ]


@hook("bench_pages")
def bench_pages(*, scale: int) -> dict:
    """The reports page, seen by center staff."""
    from core.app_hooks import BenchPage
    from core.hooks import DEMO_STAFF_EMAIL

    return {"reports_index": BenchPage(path=reverse("reports:index"), as_user=DEMO_STAFF_EMAIL)}


# --- Bench: a program report with 200 events, 5,000 registrations and 300 episodes ---------------

BENCH_PROGRAM = "mirai_taiwa"
BENCH_EVENTS = 200
BENCH_REGISTRATIONS = 5_000
BENCH_OUTCOMES = 300


def bench_fiscal_year() -> int:
    return current_fiscal_year() - 1


@transaction.atomic
def bench_top_up(*, program_code: str = BENCH_PROGRAM, fiscal_year: int | None = None) -> dict[str, int]:
    """Adds data to the program's year until it has the bench's size (idempotent)."""
    from core.models import Person
    from events.models import Event, Program
    from reports.demo import OUTCOME_BANK
    from reports.models import OutcomeRecord, OutcomeSource
    from reports.selectors import fiscal_year_datetimes

    year = fiscal_year if fiscal_year is not None else bench_fiscal_year()
    program = Program.objects.get(code=program_code)
    start, _end = fiscal_year_datetimes(year)
    session_model = apps.get_model("events", "EventSession")
    registration_model = apps.get_model("events", "Registration")
    rng = random.Random(f"bench:{program_code}:{year}")
    events = list(
        Event.objects.filter(
            program=program,
            sessions__starts_at__gte=start,
            sessions__starts_at__lt=start + dt.timedelta(days=365),
        ).distinct()
    )
    for index in range(len(events), BENCH_EVENTS):
        event = Event.objects.create(
            program=program, title=f"{program.name} ベンチ第{index + 1}回", capacity=None
        )
        begins = start + dt.timedelta(days=(index * 359) // BENCH_EVENTS, hours=10)
        session_model.objects.create(event=event, starts_at=begins, ends_at=begins + dt.timedelta(hours=2))
        events.append(event)
    existing = registration_model.objects.filter(event__in=events, status="confirmed").count()
    missing = BENCH_REGISTRATIONS - existing
    if missing > 0:
        people = Person.objects.bulk_create(
            [
                Person(name=f"ベンチ 参加者{n}", name_kana=f"べんち さんかしゃ{n}", sort_key=f"べんち{n:06d}")
                for n in range(missing)
            ]
        )
        registration_model.objects.bulk_create(
            [
                registration_model(event=events[n % len(events)], person=person, status="confirmed")
                for n, person in enumerate(people)
            ]
        )
    outcomes = OutcomeRecord.objects.filter(program=program, fiscal_year=year).count()
    banks = list(OUTCOME_BANK.items())
    new_records = []
    for n in range(outcomes, BENCH_OUTCOMES):
        axis, bank = banks[n % len(banks)]
        heading, episodes = bank[rng.randrange(len(bank))]
        new_records.append(
            OutcomeRecord(
                program=program,
                fiscal_year=year,
                axis=axis,
                category=heading,
                episode=rng.choice(episodes).format(program=program.name),
                source=OutcomeSource.INTERVIEW,
            )
        )
    OutcomeRecord.objects.bulk_create(new_records)
    return {
        "events": len(events),
        "registrations": max(existing, BENCH_REGISTRATIONS),
        "outcomes": max(outcomes, BENCH_OUTCOMES),
    }


@hook("bench_tasks")
def bench_tasks() -> dict:
    """report_program: the ミライ対話 report of last year topped up to 200 events, 5,000
    registrations and 300 episodes; report_all: the all-programs report of the same year."""
    from reports.services import report_render_pdf

    year = bench_fiscal_year()
    bench_top_up(fiscal_year=year)
    return {
        "report_program": lambda: report_render_pdf(program_code=BENCH_PROGRAM, fiscal_year=year),
        "report_all": lambda: report_render_pdf(program_code=None, fiscal_year=year),
    }
