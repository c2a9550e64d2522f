"""The demo tells a story that is true on the day it is made (make test-dates runs this at the
turns of the fiscal and calendar year, on a leap day and today)."""

from __future__ import annotations

import io
import random

import pytest
from django.utils import timezone

from core.calendar import center_is_open
from core.fiscal import current_fiscal_year, fiscal_year_of

pytestmark = pytest.mark.django_db


def test_the_demo_story_is_true_today():
    """core, events, projects and reports seeded as seed_demo does (groups and matching are left
    out to keep this quick: projects then makes a few groups of its own), then checked. One test,
    one seed: the seed is the slow part."""
    from core.demo import seed as core_seed
    from events.demo import seed as events_seed
    from projects.demo import seed as projects_seed
    from reports.demo import seed as reports_seed

    out = io.StringIO()
    # The seed's years are those of the moment it starts; seeding takes a minute, so at 23:59 on
    # 31 March the checks would otherwise run in the next fiscal year.
    seeded_in = current_fiscal_year()
    for app, seed in (("core", core_seed), ("events", events_seed), ("projects", projects_seed)):
        seed(scale=1, rng=random.Random(f"2025:{app}"), out=out)
    reports_seed(scale=1, rng=random.Random("2025:reports"), out=out)
    now = timezone.now()
    check_nothing_that_has_happened_is_dated_after_today(now)
    check_proposals_are_in_every_state_whatever_the_day()
    check_sessions_fall_on_days_the_center_is_open()
    check_every_program_has_events_this_year_and_the_two_before(seeded_in)
    check_this_years_episodes_speak_only_of_events_already_held(now)
    check_demo_people_have_names_and_readings_not_email_addresses()
    check_the_staff_lists_can_find_what_was_seeded()


def check_the_staff_lists_can_find_what_was_seeded():
    """Seeds write in bulk too (bulk_create): each row's search column is made all the same."""
    from core.models import Department
    from core.text import search_document
    from projects.models import SupportLog
    from reports.models import OutcomeRecord

    for model in (Department, SupportLog, OutcomeRecord):
        rows = list(model.objects.all())
        assert rows, model
        stale = [
            row.pk
            for row in rows
            if row.search_text != search_document(*(getattr(row, name) for name in model.SEARCH_FIELDS))
        ]
        assert stale == [], model


def check_nothing_that_has_happened_is_dated_after_today(now):
    from events.models import Attendance, Registration, SurveyResponse
    from projects.models import Agreement, Decision, Proposal, ProposalCall, StatusChange, SupportLog

    today = timezone.localdate()
    assert not Attendance.objects.filter(session__starts_at__gt=now).exists()
    assert not Attendance.objects.filter(checked_in_at__gt=now).exists()
    assert not Registration.objects.filter(created_at__gt=now).exists()
    assert not Registration.objects.filter(cancelled_at__gt=now).exists()
    assert not SurveyResponse.objects.filter(submitted_at__gt=now).exists()
    assert not Decision.objects.filter(decided_at__gt=now).exists()
    assert not StatusChange.objects.filter(changed_at__gt=now).exists()
    assert not Proposal.objects.filter(submitted_at__gt=now).exists()
    assert not ProposalCall.objects.filter(created_at__gt=now).exists()
    assert not Agreement.objects.filter(signed_on__gt=today).exists()
    assert not SupportLog.objects.filter(held_on__gt=today).exists()


def check_proposals_are_in_every_state_whatever_the_day():
    from projects.models import Proposal, ProposalStatus

    assert set(Proposal.objects.values_list("status", flat=True)) == set(ProposalStatus.values)


def check_sessions_fall_on_days_the_center_is_open():
    from events.models import EventSession
    from projects.models import MidtermReview, ResultsPresentation, SupportLog

    days = {timezone.localtime(s).date() for s in EventSession.objects.values_list("starts_at", flat=True)}
    assert days
    days |= set(SupportLog.objects.values_list("held_on", flat=True))
    days |= set(MidtermReview.objects.values_list("held_on", flat=True))
    days |= set(ResultsPresentation.objects.values_list("held_on", flat=True))
    assert [day for day in sorted(days) if not center_is_open(day)] == []


def check_every_program_has_events_this_year_and_the_two_before(current):
    from events import selectors
    from events.models import Program

    for program in Program.objects.all():
        for fiscal_year in (current - 2, current - 1, current):
            assert selectors.events_in_fiscal_year(
                program_code=program.code, fiscal_year=fiscal_year
            ).exists(), (program.code, fiscal_year)


def check_this_years_episodes_speak_only_of_events_already_held(now):
    from events.models import EventSession
    from reports.models import OutcomeRecord

    current = current_fiscal_year()
    held = {
        code
        for code, starts_at in EventSession.objects.values_list("event__program__code", "starts_at")
        if starts_at <= now and fiscal_year_of(starts_at) == current
    }
    told = set(OutcomeRecord.objects.filter(fiscal_year=current).values_list("program__code", flat=True))
    assert told <= held
    assert not OutcomeRecord.objects.filter(fiscal_year__gt=current).exists()


def check_demo_people_have_names_and_readings_not_email_addresses():
    from core.models import User
    from events.models import Person

    assert not User.objects.filter(full_name="").exists()
    assert not User.objects.filter(full_name_kana="").exists()
    for name, email in Person.objects.values_list("name", "email"):
        assert name and "@" not in name
        assert not email or name != email.split("@")[0]
