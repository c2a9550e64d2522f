"""What the app contributes to shared features: demo data, report figures and series, bench pages."""

from __future__ import annotations

import io
import random

import pytest
from django.urls import resolve
from django.utils import timezone

from consultations import demo, hooks
from consultations.models import Consultation, FollowUp, Referral
from core.calendar import center_is_open
from core.fiscal import current_fiscal_year, fiscal_year_of

from .factories import ConsultationFactory, DepartmentFactory, ReferralFactory

pytestmark = pytest.mark.django_db


def test_seed_demo_spreads_consultations_over_five_fiscal_years(staff_user, monkeypatch):
    """Thousands of consultations × scale over the years up to yesterday, on days the center is open,
    with referrals and follow-ups (scaled down here)."""
    monkeypatch.setattr(demo, "SEED_PER_SCALE", 300)
    DepartmentFactory()
    out = io.StringIO()
    demo.seed(scale=1, rng=random.Random(1), out=out)
    assert Consultation.objects.count() == 300
    years = {fiscal_year_of(day) for day in Consultation.objects.values_list("consulted_on", flat=True)}
    current = current_fiscal_year()
    assert set(range(current - 5, current)) <= years
    days = list(Consultation.objects.values_list("consulted_on", flat=True))
    assert max(days) < timezone.localdate()
    assert all(center_is_open(day) for day in days)
    assert Referral.objects.exists() and FollowUp.objects.exists()
    assert all(c.topics.exists() for c in Consultation.objects.all()[:20])
    assert "300 件の相談" in out.getvalue()


def test_report_figures_and_series_count_the_fiscal_year():
    """The outcome report gets consultations by channel and topic and referrals made, for the year asked."""
    import datetime as dt

    ConsultationFactory(
        consulted_on=dt.date(2025, 6, 1), channel="phone", topics=["funding", "collaboration"]
    )
    referred = ConsultationFactory(consulted_on=dt.date(2025, 7, 1))
    ReferralFactory(consultation=referred, result="connected")
    ConsultationFactory(consulted_on=dt.date(2024, 6, 1))
    figures = {f.key: f.value for f in hooks.report_figures(program_code=None, fiscal_year=2025)}
    assert figures["consultations.total"] == 2
    assert figures["consultations.channel.phone"] == 1
    assert figures["consultations.topic.funding"] == 2
    assert figures["consultations.referrals"] == 1
    assert figures["consultations.referrals_connected"] == 1
    assert hooks.report_figures(program_code="festa", fiscal_year=2025) == []
    support = hooks.report_figures(program_code="project_support", fiscal_year=2025)
    assert [(f.key, f.value) for f in support] == [("consultations.collaboration", 1)]
    series = hooks.report_series(program_code=None, fiscal_year=2025)["consultations_by_topic"]
    assert dict(zip(series.categories, series.values, strict=True))["資金調達・助成金"] == 2
    assert (
        len(hooks.report_series(program_code=None, fiscal_year=2025)["consultations_by_month"].values) == 12
    )


def test_bench_pages_are_consultation_views_seen_by_staff(client_for, staff_user):
    """The pages given to the bench are real pages of this app, loaded signed in as staff
    (anonymous, they would only measure the redirect to the login page)."""
    from core.demo import DEMO_STAFF_EMAIL

    staff_user.email = DEMO_STAFF_EMAIL
    staff_user.save()
    client = client_for(staff_user)
    for page in demo.bench_pages(scale=1).values():
        assert resolve(page.path).namespace == "consultations"
        assert page.as_user == DEMO_STAFF_EMAIL
        assert client.get(page.path).status_code == 200


def test_my_page_panel_counts_my_follow_ups(rf, staff_user, official_user, time_machine):
    """Permitted staff see how many of their follow-ups are overdue or due this week; others see no panel."""
    import datetime as dt

    from .factories import FollowUpFactory

    time_machine.move_to(dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC))
    FollowUpFactory(owner=staff_user, due_on=dt.date(2026, 11, 20))
    FollowUpFactory(owner=staff_user, due_on=dt.date(2026, 11, 27))
    FollowUpFactory(due_on=dt.date(2026, 11, 27))  # someone else's
    request = rf.get("/mypage/")
    request.user = staff_user
    [panel] = hooks.mypage_panels(request)
    assert panel.context == {"overdue": 1, "this_week": 1}
    request.user = official_user
    assert hooks.mypage_panels(request) == []
