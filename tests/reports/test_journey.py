"""担い手育成の流れ: the same people followed from ミライ対話 through ALP, its completion and the
フェスタ, and the groups they edit through registration and project support."""

from __future__ import annotations

import datetime as dt

import pytest

from reports import selectors
from tests.reports.factories import local, make_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(db):
    """FY2024 (令和6年度) ミライ対話: 青木 (with an account, editor of a group), 井上, 上田.
    青木 goes on to ALP in FY2025 and completes it, presents at the フェスタ; 井上 attends ALP only
    in FY2023 (before the cohort year: not counted); 江藤 attends ALP without ミライ対話."""
    from core.models import Person, User
    from events.models import Registration
    from groups.models import GroupMembership
    from projects.models import Project, ProjectKind, ProjectStatus
    from tests.groups.factories import GroupFactory

    user = User.objects.create_user(email="aoki@example.jp", password="x")
    aoki = Person.objects.create(name="青木 一郎", user=user)
    inoue, ueda, eto = (Person.objects.create(name=n) for n in ("井上 花子", "上田 健", "江藤 恵"))
    make_event(program_code="mirai_taiwa", starts=local(2024, 6, 1), people=[aoki, inoue, ueda])
    make_event(program_code="alp", starts=local(2023, 9, 1), people=[inoue])
    alp = make_event(program_code="alp", starts=local(2025, 9, 6), people=[aoki, eto], sessions=3)
    Registration.objects.filter(event=alp, person=aoki).update(completed_at=local(2025, 10, 1))
    make_event(program_code="festa", starts=local(2026, 2, 14), people=[aoki])
    group = GroupFactory(registered_on=dt.date(2025, 6, 1))
    GroupMembership.objects.create(group=group, user=user, role="owner")
    other = GroupFactory()  # no member from the cohort
    for kind, lead in ((ProjectKind.SUPPORT, group), (ProjectKind.SUPPORT, other)):
        Project.objects.create(title="居場所づくり", kind=kind, lead_group=lead, fiscal_year=2025)
    Project.objects.create(
        title="中止した登録",
        kind=ProjectKind.REGISTRATION,
        lead_group=group,
        fiscal_year=2024,
        status=ProjectStatus.CANCELLED,
    )


def test_the_flow_follows_the_same_people_and_their_groups(cohort):
    """Each step counts the FY2024 ミライ対話 participants (or their groups) in that year or later."""
    flow = selectors.journey(fiscal_year=2025)
    assert flow.years == [2023, 2024, 2025]
    values = {step.key: step.values[1] for step in flow.steps}
    assert values == {
        "mirai": 3,
        "alp": 1,  # 青木; 井上's ALP was before the cohort year, 江藤 never came to ミライ対話
        "alp_completed": 1,
        "festa": 1,
        "groups": 1,
        "registered": 1,  # registered as a group in FY2025 (the cancelled project does not count)
        "supported": 1,
    }
    assert flow.share(flow.steps[1]) == ["—", "33%", "—"]
    assert flow.share(flow.steps[4]) == ["", "", ""]  # groups are not a share of people
    assert [step.unit for step in flow.steps] == ["人"] * 4 + ["団体"] * 3


def test_the_groups_step_says_whose_groups_they_are_in_the_words_of_the_first_step(cohort):
    """「参加者が編集者の団体」 read oddly, and 「参加者」 was not the first step's 「出席した人」: the
    groups are those that the people of the first step edit; the steps under it begin 「うち、」."""
    labels = [step.label for step in selectors.journey(fiscal_year=2025).steps]
    assert labels[4] == f"{labels[0]}が編集者になっている団体"
    assert all(label.startswith("うち、") and label.endswith("団体") for label in labels[5:])


def test_the_cohort_equals_the_participants_figure_of_the_mirai_report(cohort):
    """The flow's first row is the same number as ミライ対話's 参加者数（実人数）."""
    rows = selectors.key_figures(program_code="mirai_taiwa", fiscal_year=2024, gaps=[])
    unique = next(row for row in rows if row.key == "events.unique_participants")
    assert selectors.journey(fiscal_year=2024).steps[0].values[-1] == unique.current == 3


@pytest.mark.parametrize(
    ("program_code", "shown"),
    [(None, True), ("mirai_taiwa", True), ("alp", True), ("festa", False), ("project_support", False)],
)
def test_the_flow_is_in_the_all_programs_mirai_and_alp_reports_only(
    cohort, program_code, shown, no_other_hooks
):
    content = selectors.report_content(program_code=program_code, fiscal_year=2025)
    assert (content.journey is not None) is shown


def test_the_all_programs_report_lists_every_project_of_the_year_and_the_partners(db, no_other_hooks):
    """Citizen proposals and プロジェクト登録/支援 alike, with 担当課, 状態 and the support sessions
    of the year (a project of last year supported this year too); the departments recorded as
    counterparts appear under 関係機関との連携."""
    from core.models import Department
    from projects.models import Project, ProjectKind, ProjectStatus, SupportKind, SupportLog

    ward, shakyo = (
        Department.objects.create(name=name, name_kana=kana)
        for name, kana in (
            ("児童青少年課", "じどうせいしょうねんか"),
            ("社会福祉協議会", "しゃかいふくしきょうぎかい"),
        )
    )
    citizen = Project.objects.create(
        title="子ども食堂の協働",
        kind=ProjectKind.CITIZEN_PROPOSAL,
        fiscal_year=2025,
        department=ward,
        status=ProjectStatus.RUNNING,
    )
    older = Project.objects.create(
        title="見守りネットワーク", kind=ProjectKind.SUPPORT, fiscal_year=2024, department=shakyo
    )
    Project.objects.create(title="前年度で終わった事業", kind=ProjectKind.REGISTRATION, fiscal_year=2024)
    for project, day in (
        (older, dt.date(2025, 6, 1)),
        (older, dt.date(2025, 9, 1)),
        (citizen, dt.date(2026, 4, 2)),
    ):
        SupportLog.objects.create(
            project=project, held_on=day, kind=SupportKind.MENTOR, supporters="職員", content="面談"
        )

    content = selectors.report_content(program_code=None, fiscal_year=2025)
    rows = {row.title: row for row in content.projects}
    assert set(rows) == {"子ども食堂の協働", "見守りネットワーク"}
    assert (rows["子ども食堂の協働"].kind, rows["子ども食堂の協働"].department) == (
        "市民提案型",
        "児童青少年課",
    )
    assert rows["子ども食堂の協働"].status == "実施中"
    assert rows["子ども食堂の協働"].support_sessions == 0  # its session is in the next fiscal year
    assert rows["見守りネットワーク"].support_sessions == 2
    partners = {row.name: row.projects for row in content.partners}
    assert partners == {"児童青少年課": 1, "社会福祉協議会": 1}
