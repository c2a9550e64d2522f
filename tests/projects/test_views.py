"""Pages: every list and detail page uses a fixed number of queries; forms work end to end."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import Theme
from projects import services
from projects.forms import PRINCIPLE_FIELDS
from projects.models import (
    Partner,
    Project,
    ProjectStatus,
    Proposal,
    ProposalCall,
    ProposalStatus,
    StatusChange,
)
from tests.projects.factories import (
    COMPLETE_PLAN,
    IN_PERIOD,
    CallFactory,
    ProjectFactory,
    ProjectGroupFactory,
    ProposalFactory,
    log_support,
    score_everyone,
    submit_reviews,
)

pytestmark = pytest.mark.django_db


def queries_for(client, url: str) -> int:
    """Queries of a page seen a second time: the first request of a staff or official session
    also records its last-seen time (the idle timeout), which is not the page's own cost."""
    client.get(url)
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context)


def add_budget_lines_and_partners(proposal, n: int) -> None:
    """n more budget lines and partner groups on `proposal`: what its pages list."""
    from projects.models import BudgetLine

    for i in range(n):
        BudgetLine.objects.create(proposal=proposal, item=f"費目{i}", amount=1000, payer="proposer")
        Partner.objects.create(proposal=proposal, sector="group", group=ProjectGroupFactory())


def assert_fixed_queries(client, url, grow, django_assert_num_queries, limit=40):
    """Same number of queries with little and with more data."""
    grow(2)
    small = queries_for(client, url)
    assert small <= limit
    grow(12)
    with django_assert_num_queries(small):
        assert client.get(url).status_code == 200


def rich_project(**kwargs) -> Project:
    project = ProjectFactory(**kwargs, themes=list(Theme.objects.all()[:2]))
    Partner.objects.create(project=project, sector="other", name="地元の小学校PTA", role="周知")
    Partner.objects.create(project=project, sector="group", group=ProjectGroupFactory(), role="運営協力")
    return project


# --- Query counts --------------------------------------------------------------------------------


def test_public_index_queries(client, no_page_cache, django_assert_num_queries, call):
    def grow(n):
        for _ in range(n):
            rich_project()
            rich_project(done=True)

    assert_fixed_queries(client, "/projects/", grow, django_assert_num_queries)


def test_public_index_with_filters_queries(client, no_page_cache, django_assert_num_queries):
    theme = Theme.objects.first()

    def grow(n):
        for _ in range(n):
            rich_project(done=True, fiscal_year=2024)

    assert_fixed_queries(
        client,
        f"/projects/?theme={theme.pk}&fiscal_year=2024&status=done&q=協働",
        grow,
        django_assert_num_queries,
    )


@pytest.mark.parametrize("url", ["/projects/", "/projects/staff/projects/"])
def test_the_lists_leave_the_lead_groups_long_texts_unread(client, no_page_cache, staff_user, url):
    """The lists show the lead group by its name: its purpose, activities and search column, the
    longest texts of a group's row, are not read for every project."""
    rich_project(done=True)
    client.force_login(staff_user)
    client.get(url)
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    [project_query] = [
        q["sql"]
        for q in context.captured_queries
        if 'FROM "projects_project"' in q["sql"] and 'JOIN "groups_group"' in q["sql"]
    ]
    assert '"groups_group"."name"' in project_query
    for column in ("purpose", "activities", "search_text"):
        assert f'"groups_group"."{column}"' not in project_query


def test_public_detail_queries(client, no_page_cache, django_assert_num_queries, staff_user):
    project = rich_project(done=True)

    def grow(n):
        for i in range(n):
            Partner.objects.create(project=project, sector="other", name=f"協力者{i}")
            services.results_presentation_create(
                project=project, by=staff_user, held_on=dt.date(2026, 3, 1), venue="成果発表会"
            )

    assert_fixed_queries(client, f"/projects/{project.pk}/", grow, django_assert_num_queries)


def test_group_and_department_includes_use_fixed_queries(django_assert_num_queries, department):
    """The include other apps use: projects.selectors.projects_for_group / _for_department."""
    from django.template.loader import render_to_string

    from projects.selectors import projects_for_department, projects_for_group

    group = ProjectGroupFactory()

    def render(n):
        for _ in range(n):
            rich_project(lead_group=group, department=department)
        with CaptureQueriesContext(connection) as context:
            html = render_to_string(
                "projects/_project_list.html",
                {"projects": projects_for_group(group), "heading": "この団体の協働事業"},
            )
            render_to_string("projects/_project_list.html", {"projects": projects_for_department(department)})
        return len(context), html

    small, html = render(2)
    large, html = render(10)
    assert small == large
    assert html.count("card project-card") == 12
    cancelled = ProjectFactory(lead_group=group, cancelled=True)
    assert cancelled not in projects_for_group(group)


def test_my_proposals_queries(client_for, proposer, group, django_assert_num_queries):
    client = client_for(proposer)

    def grow(n):
        for _ in range(n):
            ProposalFactory(group=group)

    assert_fixed_queries(client, "/projects/proposals/", grow, django_assert_num_queries)


def test_my_reviews_queries(client_for, official_user, call, django_assert_num_queries):
    client = client_for(official_user)

    def grow(n):
        for _ in range(n):
            proposal = ProposalFactory(call=call, under_review=True)
            criterion = proposal.current_stage.criteria.first()
            services.review_save(proposal=proposal, reviewer=official_user, scores={criterion.pk: (4, "")})

    assert_fixed_queries(client, "/projects/reviews/", grow, django_assert_num_queries)


def test_mypage_panels_queries(client_for, official_user, call, django_assert_num_queries):
    client = client_for(official_user)

    def grow(n):
        for _ in range(n):
            ProposalFactory(call=call, under_review=True)
            ProjectFactory(department=official_user.departments.get())

    assert_fixed_queries(client, "/mypage/", grow, django_assert_num_queries, limit=60)


def test_staff_call_list_queries(client_for, staff_user, department, django_assert_num_queries):
    client = client_for(staff_user)

    def grow(n):
        for _ in range(n):
            call = CallFactory(departments=[department], stages=["document", "presentation"])
            ProposalFactory(call=call, submitted=True)

    assert_fixed_queries(client, "/projects/staff/calls/", grow, django_assert_num_queries)


def test_staff_call_detail_with_ranking_queries(
    client_for, staff_user, call, official_user, reviewer_staff, django_assert_num_queries
):
    """The ranking page: proposals, reviews and scores of every stage in a fixed number of queries."""
    client = client_for(staff_user)

    def grow(n):
        for _ in range(n):
            proposal = ProposalFactory(call=call, under_review=True)
            submit_reviews(proposal, (official_user, reviewer_staff), comment="よい")

    assert_fixed_queries(client, f"/projects/staff/calls/{call.pk}/", grow, django_assert_num_queries)


def test_staff_project_list_queries(client_for, staff_user, django_assert_num_queries):
    client = client_for(staff_user)

    def grow(n):
        for _ in range(n):
            rich_project(support=True)
            rich_project(cancelled=True)

    assert_fixed_queries(client, "/projects/staff/projects/?kind=support", grow, django_assert_num_queries)


def test_support_log_list_queries(client_for, staff_user, django_assert_num_queries):
    client = client_for(staff_user)

    def grow(n):
        for _ in range(n):
            project = ProjectFactory(support=True)
            log_support(project, by=staff_user, supporters="メンター", content="助言した")

    assert_fixed_queries(
        client, "/projects/staff/support-logs/?fiscal_year=2026", grow, django_assert_num_queries
    )


def test_workspace_queries(client_for, staff_user, django_assert_num_queries):
    client = client_for(staff_user)
    project = rich_project(support=True)

    def grow(n):
        for i in range(n):
            log_support(project, by=staff_user, kind="hands_on", supporters="職員", content="一緒に作業した")
            services.progress_report_create(project=project, by=staff_user, activities=f"{i}回目")
            services.staff_note_create(project=project, by=staff_user, body="メモ")
            services.midterm_review_create(
                project=project,
                by=staff_user,
                held_on=dt.date(2026, 9, 1),
                participants="三者",
                progress="順調",
            )
            StatusChange.objects.create(
                project=project, from_status="running", to_status="running", changed_by=staff_user
            )

    assert_fixed_queries(client, f"/projects/manage/{project.pk}/", grow, django_assert_num_queries, limit=50)


def test_proposal_detail_queries(
    client_for, staff_user, call, group, official_user, reviewer_staff, django_assert_num_queries
):
    client = client_for(staff_user)
    proposal = ProposalFactory(call=call, group=group, under_review=True)
    submit_reviews(proposal, (official_user, reviewer_staff))

    def grow(n):
        add_budget_lines_and_partners(proposal, n)

    assert_fixed_queries(
        client, f"/projects/proposals/{proposal.pk}/", grow, django_assert_num_queries, limit=50
    )


# --- Forms, end to end ----------------------------------------------------------------------------


def test_a_member_writes_a_proposal_with_partners_and_budget_and_submits_it(
    client_for, proposer, group, call, other_group, department
):
    client = client_for(proposer)
    theme = Theme.objects.first()
    with time_machine.travel(IN_PERIOD, tick=False):
        response = client.post(
            f"/projects/calls/{call.pk}/propose/",
            {
                "group": group.pk,
                "title": "親子のたまり場",
                "kind": "citizen",
                "summary": "親子の居場所をつくる",
                "desired_department": department.pk,
                "themes": [theme.pk],
            },
        )
    proposal = Proposal.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/projects/proposals/{proposal.pk}/edit/"
    assert proposal.status == ProposalStatus.DRAFT and proposal.created_by == proposer

    data = {
        "title": "親子のたまり場",
        "kind": "citizen",
        "summary": "親子の居場所をつくる",
        "desired_department": department.pk,
        "themes": [theme.pk],
        "plan_who": "会員10名",
        "plan_whom": "親子",
        "plan_where": "地区センター",
        "plan_what": "ひろば",
        "plan_why": "孤立を防ぐため",
        "plan_until": "2028年2月まで",
        "plan_how_much": "市と団体で分担",
        "plan_how": "毎週開く",
        "partners-TOTAL_FORMS": 2,
        "partners-INITIAL_FORMS": 0,
        "partners-MIN_NUM_FORMS": 0,
        "partners-MAX_NUM_FORMS": 20,
        "partners-0-group": other_group.pk,
        "partners-0-role": "会場の提供",
        "partners-1-name": "桜川小学校PTA",
        "partners-1-role": "周知",
        "budget-TOTAL_FORMS": 2,
        "budget-INITIAL_FORMS": 0,
        "budget-MIN_NUM_FORMS": 0,
        "budget-MAX_NUM_FORMS": 50,
        "budget-0-item": "会場使用料",
        "budget-0-amount": "48000",
        "budget-0-payer": "city",
        "budget-1-item": "消耗品費",
        "budget-1-amount": "12000",
        "budget-1-payer": "proposer",
    }
    response = client.post(f"/projects/proposals/{proposal.pk}/edit/", data)
    assert response.status_code == 302, (
        response.context["form"].errors,
        response.context["partners"].errors,
        response.context["budget"].errors,
        response.context["partners"].non_form_errors(),
    )
    proposal.refresh_from_db()
    assert proposal.budget_totals()["total"] == 60000
    assert sorted(p.sector for p in proposal.partners.all()) == ["group", "other"]
    page = client.get(f"/projects/proposals/{proposal.pk}/").content.decode()
    assert "60,000" in page and "うち 市（協働事業負担金）" in page

    with time_machine.travel(IN_PERIOD, tick=False):
        client.post(f"/projects/proposals/{proposal.pk}/submit/")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.SUBMITTED


def test_bad_input_keeps_what_was_typed(client_for, proposer, group, call):
    client = client_for(proposer)
    proposal = ProposalFactory(call=call, group=group)
    response = client.post(
        f"/projects/proposals/{proposal.pk}/edit/",
        {
            "title": "",
            "kind": "citizen",
            "plan_why": "ここは残る",
            "partners-TOTAL_FORMS": 0,
            "partners-INITIAL_FORMS": 0,
            "budget-TOTAL_FORMS": 1,
            "budget-INITIAL_FORMS": 0,
            "budget-0-item": "会場費",
            "budget-0-amount": "abc",
            "budget-0-payer": "city",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "入力内容を確認してください" in page and "ここは残る" in page and "会場費" in page


def post_one_budget_line(client, proposal, amount: str):
    """The proposal's edit page sent with its plan and one new budget line of `amount`."""
    return client.post(
        f"/projects/proposals/{proposal.pk}/edit/",
        {
            "title": proposal.title,
            "kind": proposal.kind,
            **COMPLETE_PLAN,
            "partners-TOTAL_FORMS": 0,
            "partners-INITIAL_FORMS": 0,
            "budget-TOTAL_FORMS": 1,
            "budget-INITIAL_FORMS": 0,
            "budget-0-item": "会場使用料",
            "budget-0-amount": amount,
            "budget-0-payer": "city",
        },
    )


def test_a_budget_line_above_one_hundred_million_yen_is_refused_and_kept_as_typed(
    client_for, proposer, group, call
):
    """An amount with extra zeros is not saved into a total of trillions of yen: the page says
    how much one line may be and shows the amount as typed; 1億円 itself is accepted."""
    proposal = ProposalFactory(call=call, group=group)
    before = list(proposal.budget_lines.values_list("amount", flat=True))
    client = client_for(proposer)

    def post(amount: str):
        return post_one_budget_line(client, proposal, amount)

    response = post("99999999999999")
    page = response.content.decode()
    assert response.status_code == 200
    assert "金額は1行につき1億円（100,000,000円）以下で入力してください。" in page
    assert 'value="99999999999999"' in page
    assert list(proposal.budget_lines.values_list("amount", flat=True)) == before

    assert post("100000000").status_code == 302
    assert 100_000_000 in proposal.budget_lines.values_list("amount", flat=True)


@pytest.mark.parametrize(
    ("typed", "saved"),
    [
        ("48,000", 48_000),
        ("４８，０００円", 48_000),
        ("4.8万円", 48_000),
        ("10万", 100_000),
        ("1億円", 100_000_000),
    ],
)
def test_a_budget_line_is_read_as_a_budget_sheet_writes_it(client_for, proposer, group, call, typed, saved):
    """An amount with commas, full-width digits, 円 or 万 (as the group's own budget sheet has it)
    is saved as yen, the same way a grant's amount is read."""
    proposal = ProposalFactory(call=call, group=group, budget=False)
    assert post_one_budget_line(client_for(proposer), proposal, typed).status_code == 302
    assert list(proposal.budget_lines.values_list("amount", flat=True)) == [saved]


@pytest.mark.parametrize(
    ("form_name", "field", "too_much", "enough", "message"),
    [
        ("ResultsPresentationForm", "audience", 100_001, 100_000, "参加者数は0〜100,000人"),
        ("SupportLogForm", "minutes", 1441, 1440, "時間は0〜1,440分（24時間）"),
        ("ProjectRegisterForm", "fiscal_year", 20266, 2026, "年度は1989〜2100の西暦の年"),
        ("CallForm", "fiscal_year", 1988, 2027, "年度は1989〜2100の西暦の年"),
    ],
)
def test_the_other_numbers_of_projects_are_bounded(form_name, field, too_much, enough, message):
    """Participants, minutes of support and fiscal years have sensible upper (and for years,
    lower) bounds, said in Japanese on the field; a value at the bound is accepted."""
    from projects import forms

    form_class = getattr(forms, form_name)

    def errors_for(value):
        form = form_class(data={field: value})
        form.is_valid()
        return " ".join(form.errors.get(field, []))

    assert message in errors_for(too_much)
    assert errors_for(enough) == ""


@pytest.mark.parametrize(
    ("form_name", "field", "value", "message"),
    [
        ("CallForm", "department_share", "101", "担当課の配点は0〜100点で入力してください"),
        ("CallForm", "department_share", "-1", "担当課の配点は0〜100点で入力してください"),
        ("CriterionForm", "weight", "0", "配点は1〜100点で入力してください"),
        ("CriterionForm", "weight", "-20", "配点は1〜100点で入力してください"),
        ("CriterionForm", "weight", "20.5", "配点は1〜100点で入力してください"),
        ("ResultsPresentationForm", "audience", "-3", "参加者数は0〜100,000人で入力してください"),
        ("SupportLogForm", "minutes", "-30", "時間は0〜1,440分（24時間）で入力してください"),
    ],
)
def test_a_number_out_of_its_bounds_is_told_in_the_field_s_own_words(form_name, field, value, message):
    """Points, participants and minutes below 0 (or above their bound, or not whole) are told
    with the field's bounds in words, not Django's generic 「0 以上」「100 以下」「数字で」."""
    from projects import forms

    form = getattr(forms, form_name)(data={field: value})
    form.is_valid()
    errors = " ".join(form.errors.get(field, []))
    assert message in errors
    assert "以上でなければ" not in errors and "以下でなければ" not in errors


@pytest.mark.parametrize("typed", ["-5", "-2026", "2026.5", "令和8"])
def test_a_fiscal_year_that_is_no_year_gets_the_fiscal_year_message_and_stays(client_for, make_user, typed):
    """A negative or fractional 年度 on the staff's call and project forms and in the admin is told
    with the fiscal-year message (not Django's generic 「0 以上」 or 「数字で」), and what was typed
    stays in the field."""
    from core.roles import Role

    root = make_user(roles=(Role.STAFF,), email="root@example.jp", is_staff=True, is_superuser=True)
    client = client_for(root)
    for url in (
        "/projects/staff/calls/new/",
        "/projects/staff/projects/new/",
        "/admin/projects/proposalcall/add/",
        "/admin/projects/project/add/",
    ):
        response = client.post(url, {"title": "試験", "fiscal_year": typed})
        assert response.status_code == 200, url
        body = response.content.decode()
        assert "年度は1989〜2100の西暦の年で入力してください" in body, url
        assert "0 以上" not in body and "半角の数字で入力してください" not in body, url
        assert f'value="{typed}"' in body, url


def test_the_edit_page_removes_the_rows_marked_for_removal_and_saves_the_changed_ones(
    client_for, proposer, group, call
):
    proposal = ProposalFactory(call=call, group=group)
    add_budget_lines_and_partners(proposal, 1)
    kept, removed = proposal.budget_lines.order_by("id")
    partner = proposal.partners.get()
    response = client_for(proposer).post(
        f"/projects/proposals/{proposal.pk}/edit/",
        {
            "title": proposal.title,
            "kind": proposal.kind,
            **COMPLETE_PLAN,
            "partners-TOTAL_FORMS": 1,
            "partners-INITIAL_FORMS": 1,
            "partners-0-id": partner.pk,
            "partners-0-group": partner.group_id,
            "partners-0-DELETE": "on",
            "budget-TOTAL_FORMS": 3,
            "budget-INITIAL_FORMS": 2,
            "budget-0-id": kept.pk,
            "budget-0-item": kept.item,
            "budget-0-amount": "5000",
            "budget-0-payer": kept.payer,
            "budget-1-id": removed.pk,
            "budget-1-item": removed.item,
            "budget-1-amount": removed.amount,
            "budget-1-payer": removed.payer,
            "budget-1-DELETE": "on",
            "budget-2-item": "消耗品費",
            "budget-2-amount": "1200",
            "budget-2-payer": "proposer",
        },
    )
    assert response.status_code == 302
    assert not proposal.partners.exists()
    lines = {line.item: line.amount for line in proposal.budget_lines.all()}
    assert lines == {kept.item: 5000, "消耗品費": 1200}


def test_staff_create_a_call_with_two_stages_and_split_weights(
    client_for, staff_user, department, reviewer_staff
):
    client = client_for(staff_user)
    response = client.post(
        "/projects/staff/calls/new/",
        {
            "title": "令和9年度 市民提案型協働事業",
            "fiscal_year": 2027,
            "opens_on": "2026-10-01",
            "closes_on": "2026-11-30",
            "kinds": ["citizen", "city"],
            "with_presentation": "on",
            "split_weights": "on",
            "department_share": 50,
            "reviewer_departments": [department.pk],
            "reviewer_staff": [reviewer_staff.pk],
            "is_published": "on",
        },
    )
    call = ProposalCall.objects.get()
    assert response.status_code == 302
    assert [s.kind for s in call.stages.all()] == ["document", "presentation"]
    assert all(s.criteria.count() == 5 for s in call.stages.all())
    assert call.split_weights and call.center_share == 50
    response = client.post(
        "/projects/staff/calls/new/",
        {
            "title": "逆の期間",
            "fiscal_year": 2027,
            "opens_on": "2026-11-30",
            "closes_on": "2026-10-01",
            "kinds": ["citizen"],
            "department_share": 50,
        },
    )
    assert "締切日は受付開始日より後の日にしてください" in response.content.decode()


TOO_LATE_FOR_2027 = "締切日は令和9年度の終わり（2028年3月31日）までの日にしてください"


@pytest.mark.parametrize(
    ("opens_on", "closes_on", "field", "message"),
    [
        # A call for 令和9年度 taking proposals in 2031.
        ("2031-10-01", "2031-11-30", "closes_on", TOO_LATE_FOR_2027),
        # Closing a day after the fiscal year it is for has ended.
        ("2028-03-01", "2028-04-01", "closes_on", TOO_LATE_FOR_2027),
        # Opening more than a year before the fiscal year begins.
        ("2026-03-31", "2026-11-30", "opens_on", "受付開始日は令和9年度の前の年度の初め（2026年4月1日）以降"),
    ],
)
def test_a_call_s_period_lies_in_its_fiscal_year_or_the_one_before(
    client_for, staff_user, make_user, opens_on, closes_on, field, message
):
    """A call for 令和9年度 (2027) takes proposals from 2026年4月1日 (the year before, when the
    regular call is run) to 2028年3月31日 (a second round in the year itself) at the latest: the
    staff's form and the admin refuse any other period next to the field, keeping what was typed."""
    data = {
        "title": "令和9年度 市民提案型協働事業",
        "fiscal_year": 2027,
        "opens_on": opens_on,
        "closes_on": closes_on,
        "kinds": ["citizen"],
        "department_share": 50,
    }
    response = client_for(staff_user).post("/projects/staff/calls/new/", data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert f'value="{closes_on}"' in response.content.decode()
    superuser = make_user(email="root@example.jp", is_staff=True, is_superuser=True)
    admin_data = {
        **data,
        "kinds": '["citizen"]',
        "stages-TOTAL_FORMS": 0,
        "stages-INITIAL_FORMS": 0,
    }
    response = client_for(superuser).post("/admin/projects/proposalcall/add/", admin_data)
    assert response.status_code == 200
    assert message in " ".join(response.context["adminform"].form.errors[field])
    assert not ProposalCall.objects.exists()


def test_a_call_s_period_at_the_bounds_of_its_fiscal_years_is_accepted(client_for, staff_user):
    """From the first day of the year before to the last day of the call's own fiscal year."""
    response = client_for(staff_user).post(
        "/projects/staff/calls/new/",
        {
            "title": "令和9年度 市民提案型協働事業",
            "fiscal_year": 2027,
            "opens_on": "2026-04-01",
            "closes_on": "2028-03-31",
            "kinds": ["citizen"],
            "department_share": 50,
        },
    )
    assert response.status_code == 302
    assert ProposalCall.objects.get().closes_on == dt.date(2028, 3, 31)


def test_staff_edit_the_rubric_until_scoring_starts(client_for, staff_user, call, official_user, group):
    client = client_for(staff_user)
    stage = call.stages.get()
    criteria = list(stage.criteria.all())
    data = {
        "form-TOTAL_FORMS": 6,
        "form-INITIAL_FORMS": 5,
        "form-MIN_NUM_FORMS": 0,
        "form-MAX_NUM_FORMS": 1000,
    }
    for i, c in enumerate(criteria):
        data |= {f"form-{i}-id": c.pk, f"form-{i}-name": c.name, f"form-{i}-weight": 15, f"form-{i}-order": i}
    data |= {"form-5-name": "先進性", "form-5-weight": 25, "form-5-order": 6}
    assert client.post(f"/projects/staff/stages/{stage.pk}/criteria/", data).status_code == 302
    assert sum(c.weight for c in stage.criteria.all()) == 100 and stage.criteria.count() == 6
    proposal = ProposalFactory(call=call, group=group, under_review=True)
    services.review_save(proposal=proposal, reviewer=official_user, scores={criteria[0].pk: (3, "")})
    assert client.post(f"/projects/staff/stages/{stage.pk}/criteria/", data).status_code == 403
    assert (
        "すでに採点が始まっている"
        in client.get(f"/projects/staff/stages/{stage.pk}/criteria/").content.decode()
    )


def test_staff_adopt_through_the_page_and_the_public_sees_the_reason(
    client_for, staff_user, call, group, client
):
    proposal = ProposalFactory(call=call, group=group, under_review=True)
    score_everyone(proposal)
    response = client_for(staff_user).post(
        f"/projects/staff/proposals/{proposal.pk}/decide/",
        {
            "outcome": "adopted",
            "reason": "地域の課題が明確で、協働の効果が高いため。",
            "form": "co_hosting",
        },
    )
    project = Project.objects.get(proposal=proposal)
    assert response["Location"] == f"/projects/manage/{project.pk}/"
    client.logout()
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert "採択の理由" in page and "地域の課題が明確で、協働の効果が高いため。" in page


def test_a_rejection_reason_is_shown_to_the_proposer_but_nothing_is_public(
    client_for, staff_user, call, group, proposer, client
):
    proposal = ProposalFactory(call=call, group=group, under_review=True)
    score_everyone(proposal, 2)
    services.proposal_decide(
        proposal=proposal, by=staff_user, outcome="rejected", reason="継続性の見通しが不十分なため。"
    )
    page = client_for(proposer).get(f"/projects/proposals/{proposal.pk}/").content.decode()
    assert "審査結果: 不採択" in page and "継続性の見通しが不十分なため。" in page
    client.logout()
    assert "継続性の見通し" not in client.get("/projects/").content.decode()


def test_reviewer_scores_through_the_page(client_for, official_user, call, group):
    proposal = ProposalFactory(call=call, group=group, under_review=True)
    criteria = list(proposal.current_stage.criteria.all())
    client = client_for(official_user)
    data = {f"score_{c.pk}": 4 for c in criteria} | {
        f"comment_{criteria[0].pk}": "地域性が高い",
        "recommendation": "adopt",
        "comment": "よい提案",
        "submit": "1",
    }
    response = client.post(f"/projects/proposals/{proposal.pk}/review/", data)
    assert response.status_code == 302
    review = proposal.reviews.get()
    assert review.submitted_at and review.scores.count() == 5
    assert review.scores.get(criterion=criteria[0]).comment == "地域性が高い"


def test_conflict_declaration_through_the_page(client_for, official_user, call, group):
    proposal = ProposalFactory(call=call, group=group, under_review=True)
    client = client_for(official_user)
    client.post(f"/projects/proposals/{proposal.pk}/conflict/", {"conflict_reason": "提案団体の会員のため"})
    page = client.get(f"/projects/proposals/{proposal.pk}/review/").content.decode()
    assert "利害関係を申告済みです" in page and "審査を完了する" not in page


def test_staff_write_the_agreement_sign_it_and_start(client_for, staff_user, group):
    project = ProjectFactory(preparing=True, lead_group=group)
    client = client_for(staff_user)
    page = client.get(f"/projects/staff/projects/{project.pk}/agreement/").content.decode()
    assert "協働協定書" in page
    response = client.post(
        f"/projects/staff/projects/{project.pk}/agreement/",
        {
            "purpose": "孤立を防ぐ",
            "group_role": "運営",
            "department_role": "広報",
            "method": "毎週開く",
            "responsibility": "協議する",
            "cost_sharing": "市が会場費",
            "period_start": "2026-05-01",
            "period_end": "2027-02-28",
            "signed_on": "2026-04-20",
        },
    )
    assert response.status_code == 302
    client.post(f"/projects/staff/projects/{project.pk}/transition/", {"to_status": "agreed", "note": "押印"})
    project.refresh_from_db()
    assert project.status == ProjectStatus.AGREED
    response = client.post(
        f"/projects/staff/projects/{project.pk}/transition/", {"to_status": "done"}, follow=True
    )
    assert "にすることはできません" in response.content.decode()


def test_group_and_department_each_write_their_evaluation(
    client_for, proposer, group, official_user, department
):
    project = ProjectFactory(evaluating=True, lead_group=group, department=department)
    answers = dict.fromkeys(PRINCIPLE_FIELDS, 4)
    body = {"results": "成果", "lessons": "学び", "next_steps": "次", **answers}
    assert (
        client_for(proposer).post(f"/projects/manage/{project.pk}/evaluation/group/", body).status_code == 302
    )
    assert (
        client_for(proposer).get(f"/projects/manage/{project.pk}/evaluation/department/").status_code == 403
    )
    official = client_for(official_user)
    assert official.post(f"/projects/manage/{project.pk}/evaluation/department/", body).status_code == 302
    assert sorted(project.evaluations.values_list("side", flat=True)) == ["department", "group"]
    page = official.get(f"/projects/manage/{project.pk}/").content.decode()
    assert "対等の原則" in page and "公開の原則" in page


def test_a_member_reports_progress(client_for, proposer, group):
    project = ProjectFactory(lead_group=group)
    response = client_for(proposer).post(
        f"/projects/manage/{project.pk}/add/progress/",
        {"reported_on": "2026-06-30", "activities": "4回開催し延べ52組が参加"},
    )
    assert response.status_code == 302
    assert project.progress_reports.get().author == proposer


def post_project_register(client, group, **fields):
    """Posts the staff's form of プロジェクト支援 led by `group` in 2026, changed by `fields`."""
    data = {"title": "居場所づくり支援", "kind": "support", "lead_group": group.pk, "fiscal_year": 2026}
    return client.post("/projects/staff/projects/new/", {**data, "starts_on": "2026-06-01", **fields})


def test_staff_register_a_support_project_and_log_sessions(client_for, staff_user, group):
    client = client_for(staff_user)
    response = post_project_register(client, group)
    project = Project.objects.get()
    assert response.status_code == 302 and project.status == ProjectStatus.RUNNING
    client.post(
        f"/projects/manage/{project.pk}/add/support/",
        {
            "held_on": "2026-06-10",
            "kind": "mentor",
            "supporters": "メンター 山田",
            "content": "計画を見直した",
        },
    )
    log = project.support_logs.get()
    assert (log.kind, log.author) == ("mentor", staff_user)
    assert "計画を見直した" in client.get("/projects/staff/support-logs/").content.decode()


@pytest.mark.parametrize(
    ("kind", "data", "field"),
    [
        ("progress", {"activities": "4回開催"}, "reported_on"),
        ("midterm", {"participants": "三者", "progress": "順調"}, "held_on"),
        ("presentation", {"venue": "成果発表会"}, "held_on"),
        ("support", {"kind": "mentor", "supporters": "職員", "content": "面談"}, "held_on"),
    ],
)
def test_a_record_of_what_happened_cannot_be_dated_after_today(client_for, staff_user, kind, data, field):
    """A progress report, a midterm review, a presentation or a support session is written after
    it happened: a day after today (the Japan date, here already 1 April 2027 while UTC is still
    31 March) is refused on its field with the date kept as typed, and today is accepted. A
    support session of 2062 would otherwise count in the report of a fiscal year not begun."""
    project = ProjectFactory(support=kind == "support", evaluating=kind == "presentation")
    url = f"/projects/manage/{project.pk}/add/{kind}/"
    with time_machine.travel(dt.datetime(2027, 3, 31, 16, 0, tzinfo=dt.UTC), tick=False):
        client = client_for(staff_user)
        response = client.post(url, {**data, field: "2062-04-01"})
        page = response.content.decode()
        assert response.status_code == 200
        assert "に先の日付は入れられません（今日は2027年4月1日）。" in page
        assert 'value="2062-04-01"' in page
        assert client.post(url, {**data, field: "2027-04-01"}).status_code == 302


def test_public_call_page_queries(client, django_assert_num_queries):
    call = CallFactory(stages=["document", "presentation"])

    def grow(n):
        from projects.models import Criterion

        for stage in call.stages.all():
            for i in range(n):
                Criterion.objects.create(stage=stage, name=f"追加項目{i}", weight=5, order=10 + i)

    assert_fixed_queries(client, f"/projects/calls/{call.pk}/", grow, django_assert_num_queries)


def test_review_page_queries(client_for, official_user, call, group, django_assert_num_queries):
    proposal = ProposalFactory(call=call, group=group, under_review=True)
    client = client_for(official_user)

    def grow(n):
        from projects.models import BudgetLine, Criterion

        for i in range(n):
            Criterion.objects.create(
                stage=proposal.current_stage, name=f"追加項目{i}", weight=5, order=10 + i
            )
            BudgetLine.objects.create(proposal=proposal, item=f"費目{i}", amount=1000, payer="proposer")
            Partner.objects.create(proposal=proposal, sector="other", name=f"協力者{i}")

    assert_fixed_queries(
        client, f"/projects/proposals/{proposal.pk}/review/", grow, django_assert_num_queries
    )


def test_proposal_edit_page_queries(client_for, proposer, call, group, django_assert_num_queries):
    proposal = ProposalFactory(call=call, group=group)
    client = client_for(proposer)

    def grow(n):
        add_budget_lines_and_partners(proposal, n)

    assert_fixed_queries(
        client, f"/projects/proposals/{proposal.pk}/edit/", grow, django_assert_num_queries, limit=60
    )


def test_project_edit_page_queries(client_for, staff_user, django_assert_num_queries):
    project = rich_project()
    client = client_for(staff_user)

    def grow(n):
        for i in range(n):
            Partner.objects.create(
                project=project, sector="group", group=ProjectGroupFactory(), role=f"役割{i}"
            )

    assert_fixed_queries(
        client, f"/projects/staff/projects/{project.pk}/edit/", grow, django_assert_num_queries, limit=60
    )


def test_group_and_department_project_pages(client, django_assert_num_queries, department):
    """Public pages of a group's and a department's projects: public ones only, fixed queries."""
    group = ProjectGroupFactory()
    hidden = ProjectFactory(lead_group=group, department=department, cancelled=True, title="中止した事業")

    def grow(n):
        for _ in range(n):
            rich_project(lead_group=group, department=department)

    for url in (f"/projects/groups/{group.pk}/", f"/projects/departments/{department.pk}/"):
        assert_fixed_queries(client, url, grow, django_assert_num_queries)
        assert hidden.title not in client.get(url).content.decode()
    pending = ProjectGroupFactory(status="pending")
    assert client.get(f"/projects/groups/{pending.pk}/").status_code == 404


def test_a_period_that_ends_before_it_starts_is_told_in_words(client_for, make_user, group):
    """A project's 終了日 before its 開始日 (staff's forms) and a call's 締切日 before its 受付開始日
    (the admin) are told in Japanese, not as the database constraint's name."""
    from core.roles import Role

    root = make_user(roles=(Role.STAFF,), email="root@example.jp", is_staff=True, is_superuser=True)
    client = client_for(root)
    response = post_project_register(client, group, starts_on="2026-10-01", ends_on="2026-05-01")
    body = response.content.decode()
    assert response.status_code == 200
    assert "終了日は開始日と同じ日か、それより後の日にしてください" in body
    assert "project_period_order" not in body
    response = client.post(
        "/admin/projects/proposalcall/add/",
        {
            "title": "令和9年度 市民提案型協働事業",
            "fiscal_year": 2027,
            "opens_on": "2026-11-30",
            "closes_on": "2026-10-01",
            "kinds": '["citizen"]',
            "department_share": 50,
            "stages-TOTAL_FORMS": 0,
            "stages-INITIAL_FORMS": 0,
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "締切日は受付開始日より後の日にしてください" in body and "call_period_order" not in body


def test_editing_a_call_keeps_reviewers_who_have_since_left(
    client_for, staff_user, call, reviewer_staff, department
):
    """A member of staff or a department named as the call's reviewers stays checked and stays a
    reviewer when the call is saved again after the account was deactivated or the department
    closed: the checkboxes offered the active ones only, so saving the call (to fix its title)
    dropped them from the reviewers without a word."""
    reviewer_staff.is_active = False
    reviewer_staff.save()
    department.is_active = False
    department.save()
    client = client_for(staff_user)
    url = f"/projects/staff/calls/{call.pk}/edit/"
    form = client.get(url).context["form"]
    assert reviewer_staff in form.fields["reviewer_staff"].queryset
    assert department in form.fields["reviewer_departments"].queryset
    data = {name: form[name].value() for name in form.fields}
    data = {name: value for name, value in data.items() if value not in (None, False)}
    data["title"] = "令和9年度 市民提案型協働事業（名称を直した）"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    call.refresh_from_db()
    assert call.title.endswith("（名称を直した）")
    assert list(call.reviewer_staff.all()) == [reviewer_staff]
    assert list(call.reviewer_departments.all()) == [department]


@pytest.mark.parametrize("url", ["/projects/", "/projects/staff/projects/"])
def test_the_year_filter_offers_the_older_years_the_projects_have(client, no_page_cache, staff_user, url):
    """The 年度 select offered 2019 on only, while records go back to Heisei: a project of 1995 could
    not be asked for (?fiscal_year=1995 was 400, 「正しく選択してください」)."""
    with time_machine.travel(dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC), tick=False):
        rich_project(done=True, fiscal_year=1995, title="平成の協働事業")
        client.force_login(staff_user)
        page = client.get(url)
        assert '<option value="1995">平成7年度</option>' in page.content.decode()
        assert '<option value="1996">' not in page.content.decode()  # no year the data lacks
        assert '<option value="2019">' in page.content.decode()
        found = client.get(f"{url}?fiscal_year=1995")
    assert found.status_code == 200
    assert "平成の協働事業" in found.content.decode()


def test_the_support_log_year_filter_reaches_the_oldest_record(client_for, staff_user):
    project = ProjectFactory(support=True, fiscal_year=2005)
    with time_machine.travel(dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC), tick=False):
        log_support(project, by=staff_user, held_on=dt.date(2006, 2, 1), content="平成の相談")
        client = client_for(staff_user)
        page = client.get("/projects/staff/support-logs/?fiscal_year=2005")
    assert page.status_code == 200
    assert '<option value="2005" selected>平成17年度</option>' in page.content.decode()
    assert "平成の相談" in page.content.decode()
