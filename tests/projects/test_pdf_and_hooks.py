"""The agreement PDF, the shared hooks (report figures, journey, mypage, staff links) and the demo data."""

from __future__ import annotations

import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from pypdf import PdfReader

from core.fiscal import fiscal_year_of
from projects import demo, hooks, selectors, services
from projects.models import ProjectKind, ProjectStatus, Proposal, ProposalCall, ProposalStatus
from tests.projects.factories import (
    ProjectFactory,
    ProjectGroupFactory,
    ProposalFactory,
    log_support,
    score_everyone,
    sign_agreement,
)

pytestmark = pytest.mark.django_db
JST = ZoneInfo("Asia/Tokyo")


@pytest.fixture
def signed_project(staff_user, group, department):
    project = ProjectFactory(preparing=True, lead_group=group, department=department, title="親子のたまり場")
    sign_agreement(
        project,
        by=staff_user,
        purpose="子育て中の親子の孤立を防ぐ。",
        group_role="ひろばの運営",
        department_role="広報と保健師の派遣",
        center_role="進行管理",
        method="毎週水曜に開く。",
        responsibility="事故は団体の保険で対応する。",
        cost_sharing="会場費は市、消耗品は団体が負担する。",
        city_signatory="みらい市長 未来 太郎",
        group_signatory="代表 佐藤 陽子",
    )
    return project


def test_the_agreement_pdf_reads_like_an_agreement_with_an_embedded_japanese_font(
    signed_project, client_for, proposer, official_user, other_proposer, client
):
    """Articles 第1条（目的）..., the period in 令和, both parties; the IPAex font is embedded (no tofu)."""
    url = f"/projects/manage/{signed_project.pk}/agreement.pdf"
    response = client_for(proposer).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"] and "filename*=" in response["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages).replace(" ", "").replace("\n", "")
    for expected in (
        "協働協定書",
        "第1条（目的）",
        "第2条（役割分担）",
        "第3条（実施方法）",
        "（責任の所在）",
        "（費用の負担）",
        "令和8年5月1日から令和9年2月28日まで",
        "（協議）",
        "甲",
        "乙",
        "さくらんぼの会",
        "子ども家庭支援課",
        "令和8年4月20日",
        "代表佐藤陽子",
    ):
        assert expected in text, expected
    fonts = [font.get_object() for page in reader.pages for font in page["/Resources"]["/Font"].values()]
    assert fonts and all(
        str(font["/BaseFont"]).endswith("+KyodoGothic") for font in fonts
    )  # the @font-face font
    descriptor = fonts[0]["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
    assert "/FontFile2" in descriptor  # embedded, so the glyphs are real and not tofu boxes
    assert client_for(official_user).get(url).status_code == 200
    assert client_for(other_proposer).get(url).status_code == 404
    assert client.get(url).status_code in (302, 404)


# The decision is dated now: freeze now inside FY2026, or the figures move to the next year on 1 April.
@time_machine.travel(dt.datetime(2026, 12, 10, 12, tzinfo=JST), tick=False)
def test_report_figures_count_the_fiscal_year(staff_user, group, call, proposer):
    with pytest.MonkeyPatch.context():
        proposal = ProposalFactory(call=call, group=group)
        services.proposal_submit(proposal=proposal, by=proposer, now=dt.datetime(2026, 11, 15, tzinfo=dt.UTC))
        services.proposal_review_start(proposal=proposal, by=staff_user)
        score_everyone(proposal)
        services.proposal_decide(proposal=proposal, by=staff_user, outcome="adopted", reason="よい")
    ProposalFactory(
        call=call, group=group, submitted=True, submitted_at=dt.datetime(2025, 11, 15, tzinfo=dt.UTC)
    )
    support = services.project_register(
        title="支援", kind=ProjectKind.SUPPORT, lead_group=group, fiscal_year=2026, by=staff_user
    )
    services.project_register(
        title="登録", kind=ProjectKind.REGISTRATION, lead_group=group, fiscal_year=2026, by=staff_user
    )
    services.project_register(
        title="昨年度", kind=ProjectKind.REGISTRATION, lead_group=group, fiscal_year=2025, by=staff_user
    )
    for day in (dt.date(2026, 6, 1), dt.date(2026, 7, 1)):
        log_support(support, by=staff_user, held_on=day, supporters="職員", content="面談")
    # A session of the next fiscal year, recorded on its day (a record is not dated after today).
    with time_machine.travel(dt.datetime(2027, 4, 1, 12, tzinfo=JST), tick=False):
        log_support(support, by=staff_user, held_on=dt.date(2027, 4, 1), supporters="職員", content="面談")
    figures = {f.key: f.value for f in hooks.report_figures(program_code="project_support", fiscal_year=2026)}
    assert figures == {
        "projects.proposals_received": 1,
        "projects.proposals_adopted": 1,
        "projects.agreements_signed": 0,
        "projects.registered": 1,
        "projects.supported": 1,
        "projects.support_sessions": 2,
    }
    assert hooks.report_figures(program_code=None, fiscal_year=2026)
    assert hooks.report_figures(program_code="alp", fiscal_year=2026) == []


def test_journey_selectors_find_groups_with_registered_and_supported_projects(group, other_group):
    third = ProjectGroupFactory()
    ProjectFactory(registration=True, lead_group=group, fiscal_year=2026)
    ProjectFactory(support=True, lead_group=other_group, fiscal_year=2026)
    ProjectFactory(support=True, lead_group=third, fiscal_year=2026, cancelled=True)
    ProjectFactory(support=True, lead_group=group, fiscal_year=2025)
    registration, support = ProjectKind.REGISTRATION, ProjectKind.SUPPORT
    assert list(selectors.groups_with_project_kind(kind=registration, fiscal_year=2026)) == [group]
    assert list(selectors.groups_with_project_kind(kind=support, fiscal_year=2026)) == [other_group]
    assert list(selectors.groups_with_project_kind(kind=support, fiscal_year=2025)) == [group]
    assert set(selectors.groups_with_project_kind(kind=support, since_fiscal_year=2025)) == {
        group,
        other_group,
    }


def test_the_figures_and_the_journey_count_the_same_projects(group, other_group):
    """プロジェクト支援の件数 and the journey's 支援を受けた団体 leave out the same (cancelled) projects."""
    ProjectFactory(support=True, lead_group=group, fiscal_year=2026)
    ProjectFactory(support=True, lead_group=other_group, fiscal_year=2026, cancelled=True)
    figures = {f.key: f.value for f in hooks.report_figures(program_code="project_support", fiscal_year=2026)}
    groups = selectors.groups_with_project_kind(kind=ProjectKind.SUPPORT, fiscal_year=2026)
    assert figures["projects.supported"] == groups.count() == 1


def test_staff_links_and_mypage_panels(rf, staff_user, proposer, group, call, official_user):
    ProposalFactory(call=call, group=group, submitted=True)
    request = rf.get("/")
    request.user = staff_user
    links = hooks.staff_links(request)
    assert links[0].title == "協働事業の募集と審査" and links[0].count == 1
    request.user = proposer
    assert [p.title for p in hooks.mypage_panels(request)] == ["団体の協働事業の提案"]
    request.user = official_user
    assert [p.title for p in hooks.mypage_panels(request)] == ["審査する提案"]


def test_bench_pages_point_at_public_pages(client):
    ProjectFactory(done=True)
    pages = demo.bench_pages(scale=1)
    assert set(pages) == {"project_list", "project_detail"}
    for path in pages.values():
        assert client.get(path).status_code == 200


@pytest.mark.parametrize(
    "now",
    [
        dt.datetime(2027, 4, 1, 0, 0, tzinfo=JST),  # the first minute of a fiscal year
        dt.datetime(2027, 3, 31, 23, 59, tzinfo=JST),  # the last minute of one
        dt.datetime(2027, 1, 1, 9, 0, tzinfo=JST),  # calls under review, none open
        dt.datetime(2026, 6, 15, 12, 0, tzinfo=JST),  # no regular call: the second round is open
        dt.datetime(2026, 10, 15, 12, 0, tzinfo=JST),  # the regular call is open
        dt.datetime(2026, 12, 3, 12, 0, tzinfo=JST),  # closed, under review (the day this was found)
    ],
    ids=str,
)
def test_seed_demo_makes_calls_proposals_in_every_state_and_projects_over_the_years(now):
    """On any day, the seed makes its own groups and the whole story, none of it dated after today."""
    import random

    from core.demo import seed as core_seed
    from projects.models import BudgetLine, Decision, Project, StatusChange, SupportLog

    with time_machine.travel(now, tick=False):
        out = io.StringIO()
        core_seed(scale=1, rng=random.Random(1), out=out)
        demo.seed(scale=1, rng=random.Random(2), out=out)
    assert "募集" in out.getvalue()
    assert set(Proposal.objects.values_list("status", flat=True)) == set(ProposalStatus.values)
    current = fiscal_year_of(now)
    years = set(Project.objects.values_list("fiscal_year", flat=True))
    assert set(range(2021, current + 1)) <= years
    assert set(Project.objects.values_list("kind", flat=True)) >= {"citizen", "registration", "support"}
    assert {ProjectStatus.DONE, ProjectStatus.RUNNING, ProjectStatus.PREPARING} <= set(
        Project.objects.values_list("status", flat=True)
    )
    assert ProposalCall.objects.filter(split_weights=True).exists()
    assert ProposalCall.objects.filter(stages__kind="presentation").exists()
    assert SupportLog.objects.exists()
    # A budget line priced as 単価×回数 is that product, as a reviewer would check it.
    priced = 0
    for line in BudgetLine.objects.filter(description__contains="円×"):
        unit, count = re.fullmatch(r"([\d,]+)円×(\d+)回", line.description).groups()
        assert line.amount == int(unit.replace(",", "")) * int(count), line.description
        priced += 1
    assert priced
    # Nothing that has happened is dated after today.
    assert not Decision.objects.filter(decided_at__gt=now).exists()
    assert not StatusChange.objects.filter(changed_at__gt=now).exists()
    assert not Proposal.objects.filter(submitted_at__gt=now).exists()
    assert not ProposalCall.objects.filter(created_at__gt=now).exists()
    assert not SupportLog.objects.filter(held_on__gt=now.date()).exists()
    assert not Project.objects.filter(agreement__signed_on__gt=now.date()).exists()
    running = Project.objects.filter(status__in=[ProjectStatus.RUNNING, ProjectStatus.EVALUATING])
    assert not running.filter(starts_on__gt=now.date()).exists()
