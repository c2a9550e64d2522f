"""seed_demo, the beat schedule, the staff dashboard links, the bench tasks and generate_report."""

from __future__ import annotations

import datetime as dt
import io
import random
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command

from reports import demo, hooks
from reports.models import OutcomeAxis, OutcomeRecord
from tests.events.factories import EventFactory
from tests.reports.factories import ensure_programs
from tests.reports.pdfcheck import pdf_text

pytestmark = pytest.mark.django_db
JST = ZoneInfo("Asia/Tokyo")


@time_machine.travel(dt.datetime(2026, 12, 3, 12, tzinfo=JST), tick=False)
def test_seed_demo_writes_episodes_for_every_program_axis_and_year_in_seed_000_style():
    """Every program and axis has episodes in each past year of the demo; this year only the
    programs that have held an event tell anything."""
    from events.models import Program

    ensure_programs()
    EventFactory(
        program=Program.objects.get(code="mirai_taiwa"), starts_at=dt.datetime(2026, 10, 3, 14, tzinfo=JST)
    )
    EventFactory(
        program=Program.objects.get(code="festa"), starts_at=dt.datetime(2027, 2, 13, 10, tzinfo=JST)
    )
    out = io.StringIO()
    demo.seed(scale=1, rng=random.Random("2025:reports"), out=out)
    years = set(OutcomeRecord.objects.values_list("fiscal_year", flat=True))
    assert years == set(range(2021, 2027))
    for program in Program.objects.all():
        for year in range(2021, 2026):
            axes = set(
                OutcomeRecord.objects.filter(program=program, fiscal_year=year).values_list("axis", flat=True)
            )
            assert axes == set(OutcomeAxis.values), (program, year)
    this_year = set(OutcomeRecord.objects.filter(fiscal_year=2026).values_list("program__code", flat=True))
    assert this_year == {"mirai_taiwa"}  # the festa is still to come
    record = OutcomeRecord.objects.order_by("pk").first()
    assert not record.category.startswith("○") and not record.episode.startswith("・")
    assert "成果のエピソード" in out.getvalue()


def test_demo_episodes_are_distinct_and_fit_their_program_and_axis():
    """No episode repeats within a fiscal year; each comes from its own program's bank for its axis;
    修了生 appears only under a course."""
    from events.models import Program

    ensure_programs()
    demo.seed(scale=3, rng=random.Random("distinct"), out=io.StringIO())
    rows = list(
        OutcomeRecord.objects.values_list("fiscal_year", "program__code", "axis", "category", "episode")
    )
    assert rows
    per_year = Counter((year, episode) for year, _code, _axis, _category, episode in rows)
    assert max(per_year.values()) == 1
    all_episodes = [e for bank in demo.EPISODES.values() for pairs in bank.values() for _h, e in pairs]
    assert len(all_episodes) == len(set(all_episodes))
    codes = set(Program.objects.values_list("code", flat=True))
    courses = {"alp", "social_startup"}
    for _year, code, axis, category, episode in rows:
        assert (category, episode) in demo.EPISODES[code][axis]
        if code not in courses:
            assert "修了" not in episode, (code, episode)
    assert set(demo.EPISODES) == codes
    for bank in demo.EPISODES.values():
        assert set(bank) == set(OutcomeAxis.values)


def test_the_same_seed_gives_the_same_episodes():
    ensure_programs()
    demo.seed(scale=1, rng=random.Random("x"), out=io.StringIO())
    first = list(
        OutcomeRecord.objects.order_by("pk").values_list("program_id", "fiscal_year", "axis", "episode")
    )
    OutcomeRecord.objects.all().delete()
    demo.seed(scale=1, rng=random.Random("x"), out=io.StringIO())
    assert (
        list(OutcomeRecord.objects.order_by("pk").values_list("program_id", "fiscal_year", "axis", "episode"))
        == first
    )


def test_beat_runs_the_sweeper_and_the_april_reports_in_japan_time():
    from django.conf import settings

    assert hooks.BEAT_SCHEDULE["reports-sweep"]["task"] == "reports.sweep_reports"
    annual = hooks.BEAT_SCHEDULE["reports-annual"]
    assert annual["task"] == "reports.request_annual_reports"
    schedule = annual["schedule"]
    assert schedule.month_of_year == {4} and schedule.day_of_month == {1}
    assert settings.CELERY_TIMEZONE == "Asia/Tokyo"


def test_staff_links_point_at_the_reports_pages(rf, staff_user):
    request = rf.get("/staff/")
    request.user = staff_user
    urls = [link.url for link in hooks.staff_links(request)]
    assert urls == ["/reports/", "/reports/staff/outcomes/"]


def test_bench_top_up_gives_200_events_5000_registrations_and_300_episodes():
    from events.models import Registration

    ensure_programs()
    sizes = demo.bench_top_up(fiscal_year=2025)
    assert sizes == {"events": 200, "registrations": 5000, "outcomes": 300}
    assert Registration.objects.filter(event__program__code="mirai_taiwa", status="confirmed").count() == 5000
    assert demo.bench_top_up(fiscal_year=2025) == sizes  # idempotent
    assert OutcomeRecord.objects.filter(program__code="mirai_taiwa", fiscal_year=2025).count() == 300


def test_generate_report_writes_the_same_pdf_as_the_service(tmp_path, no_other_hooks):
    from reports.services import report_render_pdf

    ensure_programs()
    output = tmp_path / "mirai.pdf"
    out = io.StringIO()
    call_command("generate_report", "mirai_taiwa", "2025", "--output", str(output), stdout=out)
    assert "令和7年度の成果報告書を書き出しました" in out.getvalue()
    assert pdf_text(output.read_bytes()) == pdf_text(
        report_render_pdf(program_code="mirai_taiwa", fiscal_year=2025)
    )
    call_command("generate_report", "all", "2025", "-o", str(tmp_path / "all.pdf"), stdout=io.StringIO())
    assert "全事業 成果報告書" in pdf_text((tmp_path / "all.pdf").read_bytes())
    with pytest.raises(CommandError, match="使えるコード"):
        call_command("generate_report", "nope", "2025", "-o", str(tmp_path / "x.pdf"))
    assert not (tmp_path / "x.pdf").exists()
