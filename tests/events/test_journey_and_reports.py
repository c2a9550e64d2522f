"""The person's journey across programs and years, report figures and series, demo data, schedules."""

from __future__ import annotations

import datetime as dt
import io
import random

import pytest
from django.utils import timezone

from events import selectors, services
from events.hooks import BEAT_SCHEDULE, report_figures, report_series
from events.models import Event, Program, Registration, SurveyResponse
from reports import labels
from tests.events.factories import EventFactory, PersonFactory, RegistrationFactory
from tests.events.factories import attend as take_attendance

pytestmark = pytest.mark.django_db


def at(year, month, day, hour=14):
    return timezone.make_aware(dt.datetime(year, month, day, hour))


def attend(event, person, sessions=None):
    registration = RegistrationFactory(event=event, person=person)
    every = list(event.sessions.order_by("starts_at"))
    for session in every[: sessions or None]:
        # Recorded after the course, as staff correct a roster: 修了 is settled by then.
        take_attendance(registration=registration, session=session, present=True, on=every[-1].ends_at)
    return registration


@pytest.fixture
def history():
    """Three people over two fiscal years (2024, 2025):
    A: ミライ対話 FY2024 → ALP FY2025 (completed, satisfaction 5)
    B: ALP FY2025 only (4 of 5 → completed), answered 3
    C: ミライ対話 FY2024 and again FY2025; registered for ALP FY2025 but never came.
    """
    a, b, c = PersonFactory(name="A"), PersonFactory(name="B"), PersonFactory(name="C")
    mirai_2024 = EventFactory(starts_at=at(2024, 7, 6))
    mirai_2025 = EventFactory(starts_at=at(2025, 5, 10))
    alp_2025 = EventFactory(course=True, starts_at=at(2025, 9, 6), capacity=10)
    attend(mirai_2024, a)
    attend(mirai_2024, c)
    attend(mirai_2025, c)
    ra = attend(alp_2025, a)
    rb = attend(alp_2025, b, sessions=4)
    RegistrationFactory(event=alp_2025, person=c)
    SurveyResponse.objects.create(registration=ra, satisfaction=5)
    SurveyResponse.objects.create(registration=rb, satisfaction=3)
    return {"a": a, "b": b, "c": c}


def test_first_time_participants_per_program_and_year(history):
    a, b, c = history["a"], history["b"], history["c"]
    assert set(selectors.first_time_participants(program_code="mirai_taiwa", fiscal_year=2024)) == {a, c}
    assert set(selectors.first_time_participants(program_code="mirai_taiwa", fiscal_year=2025)) == set()
    assert set(selectors.first_time_participants(program_code="alp", fiscal_year=2025)) == {a, b}
    # Across all programs: in FY2025 only B is new to the center.
    assert set(selectors.first_time_participants(program_code=None, fiscal_year=2025)) == {b}


def test_path_mirai_taiwa_then_alp(history):
    """ミライ対話 → ALP: A (did step 1, then step 2). B skipped step 1; C never attended ALP."""
    assert list(selectors.journey_path(from_step=1, to_step=2)) == [history["a"]]
    assert list(selectors.journey_path(from_step=1, to_step=2, fiscal_year=2025)) == [history["a"]]
    assert list(selectors.journey_path(from_step=1, to_step=2, fiscal_year=2024)) == []


def test_merged_guest_counts_as_the_same_person(history, member):
    """A phoned-in guest record merged into the account: one person, not a first-timer twice."""
    keep = services.person_for_user(user=member)
    attend(EventFactory(starts_at=at(2024, 10, 5)), keep)
    guest = PersonFactory(email="")
    attend(EventFactory(starts_at=at(2025, 6, 7)), guest)
    assert guest in selectors.first_time_participants(program_code=None, fiscal_year=2025)
    services.person_merge(keep=keep, duplicate=guest)
    assert keep not in selectors.first_time_participants(program_code=None, fiscal_year=2025)
    assert guest not in selectors.participants(fiscal_year=2025)


def test_report_figures_for_alp(history):
    figures = {f.key: f for f in report_figures(program_code="alp", fiscal_year=2025)}
    assert figures["events.events_held"].value == 1
    assert figures["events.sessions_held"].value == 5
    assert figures["events.registrations"].value == 3
    assert figures["events.attendance"].value == 9
    assert figures["events.unique_participants"].value == 2
    assert figures["events.first_time_participants"].value == 2
    assert figures["events.satisfaction"].value == 4.0
    assert figures["events.completions"].value == 2
    assert figures["events.journey_mirai_to_alp"].value == 1
    assert figures["events.satisfaction"].words == {"responses": 2}
    assert all(labels.FIGURES[key].note for key in figures)  # reports words them, with how they were counted


def test_report_figures_for_all_programs(history):
    figures = {f.key: f.value for f in report_figures(program_code=None, fiscal_year=2025)}
    assert figures["events.events_held"] == 2
    assert figures["events.attendance"] == 10
    assert figures["events.unique_participants"] == 3
    assert figures["events.first_time_participants"] == 1


def test_participants_by_month_runs_april_to_march(history):
    series = report_series(program_code=None, fiscal_year=2025)["participants_by_month"]
    assert series.categories[0] == 4 and series.categories[-1] == 3 and len(series.values) == 12
    by_month = dict(zip(series.categories, series.values, strict=True))
    assert by_month[5] == 1
    assert by_month[9] + by_month[10] + by_month[11] == 9
    assert sum(series.values) == 10


def test_beat_schedule_names_registered_tasks():
    import events.tasks  # noqa: F401
    from config.celery import app

    for entry in BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks


def test_seed_demo_builds_years_of_journeys(settings):
    """Every program has events in each of the six fiscal years up to the current one, with
    attendance and surveys, and people move from ミライ対話 to ALP over the years."""
    from core.demo import seed as core_seed
    from events.demo import seed as seed_demo
    from events.demo import seed_fiscal_years

    core_seed(scale=1, rng=random.Random(1), out=io.StringIO())
    seed_demo(scale=1, rng=random.Random(2), out=io.StringIO())
    for program in Program.objects.all():
        years = {
            fy
            for fy in seed_fiscal_years()
            if selectors.events_in_fiscal_year(program_code=program.code, fiscal_year=fy).exists()
        }
        assert years == set(seed_fiscal_years()), program.code
    assert selectors.journey_path(from_step=1, to_step=2).count() >= 10
    # New people arrive every year, so the centre-wide 初めての参加者 is no longer near zero. The
    # year in progress is left out: seeded on 1 April, none of its events has been held yet.
    for fy in seed_fiscal_years()[1:-1]:
        assert len(selectors.first_time_participants(program_code=None, fiscal_year=fy)) >= 20, fy
    assert SurveyResponse.objects.count() > 100
    assert Registration.objects.filter(completed_at__isnull=False).exists()
    assert Registration.objects.filter(status="waitlisted").exists()
    # Capacity is respected in the demo data too.
    for event in selectors.events_with_dates().filter(capacity__isnull=False):
        assert event.confirmed_count <= event.capacity
    # The demo member's journey: a certificate to download.
    assert Registration.objects.filter(
        person__user__email="member@example.jp", completed_at__isnull=False
    ).exists()
    assert Event.objects.count() > 80
    # A course to try signing up for: upcoming, with seats left.
    upcoming = [e for e in selectors.upcoming_public_events(limit=20) if e.program.code == "alp"]
    assert upcoming and upcoming[0].confirmed_count < upcoming[0].capacity


def test_a_year_without_survey_answers_has_no_satisfaction_average(history):
    """ミライ対話 in FY2024 had no survey answers: the report printed 満足度の平均 0 for it (and +4
    the year after) where it prints 「—」 for a year with no data."""
    from reports.selectors import key_figures

    assert "events.satisfaction" not in {
        f.key for f in report_figures(program_code="mirai_taiwa", fiscal_year=2024)
    }
    rows = {row.key: row for row in key_figures(program_code="alp", fiscal_year=2025, gaps=[])}
    assert rows["events.satisfaction"].values == [None, None, 4.0]
    assert rows["events.satisfaction"].change is None
    assert rows["events.attendance"].values == [0, 0, 9]
