"""Fields a member may not set are ignored by every member-facing form (mass assignment).

Each test fills the real form the way a browser does (the page is rendered and its POST form read
back), adds the fields the server alone decides (status, owner, registration number, approval,
decision, scores, the party or the object a record belongs to...) and proves that the saved object
keeps the server-decided values.
"""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from core.predicates import is_official
from projects.forms import PRINCIPLE_FIELDS
from tests.trust.html_forms import form_data

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def fill(client: Client, url: str, *, containing: str, **values) -> dict[str, list[str]]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    data = form_data(response.content.decode(), containing=containing)
    for name, value in values.items():
        data[name] = value if isinstance(value, list) else [str(value)]
    return data


def post(client: Client, url: str, data: dict):
    response = client.post(url, data)
    assert response.status_code in (200, 302), (url, response.status_code)
    if response.status_code == 200:
        errors = {}
        for context in response.context or []:
            errors.update({k: v.errors for k, v in context.flatten().items() if getattr(v, "errors", None)})
        raise AssertionError(f"{url}: the form was not saved: {errors}")
    return response


def fill_and_post(user, url: str, *, containing: str, **values) -> tuple[Client, dict[str, list[str]]]:
    """Signed in as `user`, fills the form of the page at `url` with `values` added and posts it
    back there, insisting that it was saved; (the client, the posted data) for a second try."""
    client = client_for(user)
    data = fill(client, url, containing=containing, **values)
    post(client, url, data)
    return client, data


def saved_values(obj, *fields: str) -> dict:
    """The named fields of the object's row as they are in the database now."""
    row = type(obj).objects.get(pk=obj.pk)
    return {name: getattr(row, name) for name in fields}


def theme_id(world) -> str:
    from core.models import Theme

    return str(Theme.objects.order_by("order").first().pk)


# --- groups -----------------------------------------------------------------------------------------


def test_group_application_ignores_status_number_and_owner(world):
    """団体登録申請: status, registration number and date, renewal year and owner are the server's."""
    from groups.models import Group, GroupMembership, GroupStatus

    member, other = world.user("member"), world.user("other_editor")
    fill_and_post(
        member,
        reverse("groups:apply"),
        containing="name",
        name="あおぞらの会",
        name_kana="あおぞらのかい",
        legal_form="voluntary",
        themes=theme_id(world),
        purpose="地域の居場所づくり",
        activities="毎月の食堂",
        representative_name="青空 太郎",
        contact_name="青空 花子",
        email="aozora@example.jp",
        phone="000-111-2222",
        postal_code="100-0001",
        address="みらい市本町1-1",
        action="submit",
        # forbidden
        status=GroupStatus.APPROVED,
        registration_number="R7-9999",
        registered_on="2020-04-01",
        last_renewed_fiscal_year="2030",
        status_reason="承認済み",
        owner=str(other.pk),
        memberships=str(other.pk),
        submitted_at="2020-01-01T00:00",
        is_public="on",
    )
    group = Group.objects.get(name="あおぞらの会")
    assert group.status == GroupStatus.PENDING
    assert group.registration_number == ""
    assert group.registered_on is None
    assert group.last_renewed_fiscal_year is None
    assert group.status_reason == ""
    assert list(GroupMembership.objects.filter(group=group).values_list("user_id", "role")) == [
        (member.pk, GroupMembership.Role.OWNER)
    ]


def test_group_edit_ignores_status_and_registration(world):
    """団体情報の編集: the owner changes the description, never the status or the registration."""
    from groups.models import GroupMembership

    group = world.group_a
    registration = ("status", "registration_number", "registered_on", "last_renewed_fiscal_year")
    before = saved_values(group, *registration)
    fill_and_post(
        world.user("owner"),
        reverse("groups:edit", args=[group.pk]),
        containing="name",
        purpose="新しい目的",
        status="withdrawn",
        registration_number="R1-0001",
        registered_on="2000-01-01",
        last_renewed_fiscal_year="2099",
        status_reason="x",
        owner=str(world.user("other_editor").pk),
    )
    assert saved_values(group, "purpose") == {"purpose": "新しい目的"}
    assert saved_values(group, *registration) == before
    assert not GroupMembership.objects.filter(group=group, user=world.user("other_editor")).exists()


def test_invitations_make_co_editors_whatever_role_or_group_is_posted(world):
    """共同編集者の招待と承諾: a co-editor of group A, never an owner, never of another group."""
    from groups.models import GroupInvitation, GroupMembership

    owner, member = world.user("owner"), world.user("member")
    client = client_for(owner)
    data = fill(
        client,
        reverse("groups:manage", args=[world.group_a.pk]),
        containing="email",
        email=member.email,
        role=GroupMembership.Role.OWNER,
        group=str(world.group_b.pk),
        invited_by=str(world.user("staff").pk),
    )
    post(client, reverse("groups:invite", args=[world.group_a.pk]), data)
    invitation = GroupInvitation.objects.get(email=member.email)
    assert (invitation.group_id, invitation.role, invitation.invited_by_id) == (
        world.group_a.pk,
        GroupMembership.Role.EDITOR,
        owner.pk,
    )

    client = client_for(member)
    url = reverse("groups:invitation_accept", args=[invitation.token])
    post(
        client,
        url,
        {
            "role": GroupMembership.Role.OWNER,
            "group": str(world.group_b.pk),
            "user": str(world.user("other_editor").pk),
        },
    )
    membership = GroupMembership.objects.get(user=member)
    assert (membership.group_id, membership.role) == (world.group_a.pk, GroupMembership.Role.EDITOR)
    assert not GroupMembership.objects.filter(group=world.group_b, user=member).exists()


def test_contact_form_cannot_choose_the_recipient(world, django_capture_on_commit_callbacks):
    """The contact form forwards to the group's own address whatever recipient a visitor adds."""
    group = world.group_a
    client = client_for(None)
    url = reverse("groups:contact", args=[group.pk])
    data = fill(
        client,
        reverse("groups:detail", args=[group.pk]),
        containing="body",
        name="問い合わせ 太郎",
        email="visitor@example.jp",
        body="見学できますか。",
        to="attacker@example.jp",
        recipient="attacker@example.jp",
        group=str(world.group_b.pk),
        cc="attacker@example.jp",
        bcc="attacker@example.jp",
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        post(client, url, data)
    recipients = {address for message in mail.outbox for address in [*message.to, *message.cc, *message.bcc]}
    assert "attacker@example.jp" not in recipients
    assert group.email in recipients


# --- projects --------------------------------------------------------------------------------------


def _plan(**extra):
    from tests.projects.factories import COMPLETE_PLAN

    return {**COMPLETE_PLAN, **extra}


def proposal_server_fields(world) -> dict:
    """What the server alone decides of a proposal, as a proposer might add it to the form."""
    from projects.models import ProposalStatus

    return {
        "status": ProposalStatus.ADOPTED,
        "created_by": str(world.user("staff").pk),
        "current_stage": str(world.stage.pk),
        "submitted_at": "2020-01-01T00:00",
        "call": str(world.call_c.pk),
    }


def test_proposal_create_ignores_status_and_cannot_pick_another_groups_name(world):
    """提案の作成: a draft of the proposer's own group, whatever status, stage or creator is posted."""
    from projects.models import Proposal, ProposalStatus

    owner = world.user("owner")
    url = reverse("projects:proposal_create", args=[world.call_a.pk])
    client, data = fill_and_post(
        owner,
        url,
        containing="title",
        title="新しい提案",
        group=str(world.group_a.pk),
        **_plan(),
        **proposal_server_fields(world),
        decision="adopted",
        score="100",
        total_score="100",
    )
    proposal = Proposal.objects.get(title="新しい提案")
    assert proposal.status == ProposalStatus.DRAFT
    assert (proposal.group_id, proposal.call_id, proposal.created_by_id) == (
        world.group_a.pk,
        world.call_a.pk,
        owner.pk,
    )
    assert proposal.current_stage_id is None and proposal.submitted_at is None

    # Naming a group the proposer does not edit is refused outright.
    data["title"] = ["他団体名義の提案"]
    data["group"] = [str(world.group_b.pk)]
    response = client.post(url, data)
    assert response.status_code == 200
    assert not Proposal.objects.filter(title="他団体名義の提案").exists()


def test_proposal_edit_ignores_status_group_and_call(world):
    """提案の編集: the plan changes; status, group, call and stage stay."""
    proposal = world.draft_proposal
    server_decided = ("status", "group_id", "call_id", "current_stage_id", "submitted_at", "created_by_id")
    before = saved_values(proposal, *server_decided)
    fill_and_post(
        world.user("owner"),
        reverse("projects:proposal_edit", args=[proposal.pk]),
        containing="title",
        summary="書き直した概要",
        **proposal_server_fields(world),
        group=str(world.group_b.pk),
    )
    assert saved_values(proposal, "summary") == {"summary": "書き直した概要"}
    assert saved_values(proposal, *server_decided) == before


def test_proposal_edit_cannot_reach_another_proposals_budget_lines(world):
    """The budget formset only holds this proposal's lines: another proposal's line id changes nothing."""
    from projects.models import BudgetLine

    foreign = BudgetLine.objects.filter(proposal=world.own_review_proposal).first()
    assert foreign is not None
    before = (foreign.item, foreign.amount, foreign.proposal_id)
    client = client_for(world.user("owner"))
    url = reverse("projects:proposal_edit", args=[world.draft_proposal.pk])
    data = fill(client, url, containing="title")
    data["budget-0-id"] = [str(foreign.pk)]
    data["budget-0-item"] = ["書き換えた費目"]
    data["budget-0-amount"] = ["1"]
    client.post(url, data)
    foreign.refresh_from_db()
    assert (foreign.item, foreign.amount, foreign.proposal_id) == before


def test_review_ignores_posted_totals_reviewer_and_side(world):
    """審査: the reviewer, the side and the scores' total are the server's; only criterion scores count."""
    from projects.models import Review

    staff = world.user("staff")
    proposal = world.review_proposal
    client = client_for(staff)
    url = reverse("projects:review", args=[proposal.pk])
    page = client.get(url).content.decode()
    data = form_data(page, containing="recommendation")
    for name in list(data):
        if name.startswith("score") or name.startswith("criterion"):
            data[name] = ["3"]
    data.update(
        {
            "recommendation": [data.get("recommendation", [""])[0] or "adopt"],
            "comment": ["妥当です。"],
            "reviewer": [str(world.user("official").pk)],
            "side": ["department"],
            "total": ["999"],
            "weighted_total": ["999"],
            "conflict_of_interest": ["on"],
            "submitted_at": ["2020-01-01T00:00"],
            "stage": ["0"],
            "proposal": [str(world.own_review_proposal.pk)],
        }
    )
    response = client.post(url, data)
    assert response.status_code in (200, 302)
    review = Review.objects.get(proposal=proposal, reviewer=staff)
    assert review.side != "department" or is_official(staff)
    assert review.conflict_of_interest is False
    assert review.stage_id == proposal.current_stage_id
    assert review.submitted_at is None  # saved as a draft: no "submit" button was posted
    assert not Review.objects.filter(proposal=world.own_review_proposal).exists()


def test_progress_report_and_evaluation_stay_on_their_project_and_side(world):
    """進捗報告・相互評価: the project and the side come from the URL, not from posted fields."""
    from projects.models import MutualEvaluation, ProgressReport

    project, other = world.project, world.own_project
    owner = world.user("owner")
    fill_and_post(
        owner,
        reverse("projects:record_add", args=[project.pk, "progress"]),
        containing="activities",
        reported_on="2026-11-01",
        activities="ひろばを4回開いた",
        project=str(other.pk),
        created_by=str(world.user("staff").pk),
    )
    report = ProgressReport.objects.get(activities="ひろばを4回開いた")
    assert report.project_id == project.pk

    principles = dict.fromkeys(PRINCIPLE_FIELDS, "3")
    fill_and_post(
        owner,
        reverse("projects:evaluation_edit", args=[project.pk, "group"]),
        containing="results",
        results="参加者が増えた",
        lessons="早めの広報",
        next_steps="来年度も続ける",
        **principles,
        side="department",
        project=str(other.pk),
    )
    evaluation = MutualEvaluation.objects.get(results="参加者が増えた")
    assert (evaluation.project_id, evaluation.side) == (project.pk, "group")


# --- matching --------------------------------------------------------------------------------------


@pytest.mark.parametrize("item_type", ["need", "offer"])
def test_need_and_offer_create_stay_with_a_party_the_user_acts_for(world, item_type):
    """ニーズ・提供の登録: posted party ids are ignored; another party's key is refused."""
    from matching.models import Need, Offer

    model = Need if item_type == "need" else Offer
    client = client_for(world.user("owner"))
    url = reverse(f"matching:{item_type}_create")
    data = fill(
        client,
        url,
        containing="party",
        party=f"group-{world.group_a.pk}",
        title="信頼テストの項目",
        kind="pro_bono",
        deliverable="flyer",
        description="説明",
        group=str(world.group_b.pk),
        business=str(world.business.pk),
        department=str(world.own_department.pk),
        is_open="on",
        created_at="2020-01-01T00:00",
    )
    if data.get("kind") == ["pro_bono"] and "deliverable" in data and data["deliverable"] == [""]:
        data["deliverable"] = ["flyer"]
    post(client, url, data)
    item = model.objects.get(title="信頼テストの項目")
    assert (item.group_id, item.business_id, item.department_id) == (world.group_a.pk, None, None)

    data["title"] = ["他団体名義の項目"]
    data["party"] = [f"group-{world.group_b.pk}"]
    response = client.post(url, data)
    assert response.status_code == 200
    assert not model.objects.filter(title="他団体名義の項目").exists()


@pytest.mark.parametrize("item_type", ["need", "offer"])
def test_need_and_offer_edit_cannot_move_the_item_to_another_party(world, item_type):
    """ニーズ・提供の編集: the item stays group A's whatever party or ids are posted, and is saved."""
    from matching.models import Need, Offer

    model = Need if item_type == "need" else Offer
    item = getattr(world, item_type)
    client = client_for(world.user("owner"))
    url = reverse(f"matching:{item_type}_edit", args=[item.pk])
    data = fill(
        client,
        url,
        containing="title",
        title="書き直した項目",
        party=f"group-{world.group_b.pk}",
        group=str(world.group_b.pk),
        business=str(world.business.pk),
        department=str(world.own_department.pk),
    )
    client.post(url, data)
    after = model.objects.get(pk=item.pk)
    assert after.title == "書き直した項目"
    assert (after.group_id, after.business_id, after.department_id) == (world.group_a.pk, None, None)


@pytest.mark.parametrize("item_type", ["need", "offer"])
def test_need_and_offer_edit_do_not_open_or_close_the_item(world, item_type):
    """Opening and closing is the 締め切る/再開 button's job, not a field of the edit form."""
    from matching.models import Need, Offer

    model = Need if item_type == "need" else Offer
    client = client_for(world.user("owner"))
    for item, posted in ((getattr(world, item_type), ""), (getattr(world, f"closed_{item_type}"), "on")):
        url = reverse(f"matching:{item_type}_edit", args=[item.pk])
        data = fill(client, url, containing="title", is_open=posted)
        client.post(url, data)
        assert model.objects.get(pk=item.pk).is_open == item.is_open


def test_business_profile_create_and_edit_ignore_status_and_members(world):
    """企業・事業者プロフィール: new profiles wait for approval; members and status are not the form's."""
    from matching.models import Business, BusinessStatus

    member, other = world.user("member"), world.user("other_editor")
    fill_and_post(
        member,
        reverse("matching:business_create"),
        containing="name",
        name="信頼テスト商事",
        name_kana="しんらいてすとしょうじ",
        status=BusinessStatus.APPROVED,
        members=[str(other.pk)],
        approved_at="2020-01-01T00:00",
    )
    business = Business.objects.get(name="信頼テスト商事")
    assert business.status == BusinessStatus.PENDING
    assert list(business.members.values_list("pk", flat=True)) == [member.pk]

    approved = world.business
    fill_and_post(
        world.business_person,
        reverse("matching:business_edit", args=[approved.pk]),
        containing="name",
        description="書き直した説明",
        status=BusinessStatus.REJECTED,
        members=[str(other.pk)],
    )
    approved.refresh_from_db()
    assert approved.description == "書き直した説明"
    assert approved.status == BusinessStatus.APPROVED
    assert not approved.members.filter(pk=other.pk).exists()


# --- events ----------------------------------------------------------------------------------------


def test_event_registration_ignores_status_person_and_channel(world):
    """催しの申し込み: the person is the signed-in user's; status, channel and completion are the server's."""
    from events.models import Registration

    member = world.user("member")
    owners_person = world.registration.person
    fill_and_post(
        member,
        reverse("events:register", args=[world.event.pk]),
        containing="needs",
        needs="車椅子で伺います",
        status="waitlisted",
        person=str(owners_person.pk),
        channel="phone",
        registered_by=str(world.user("staff").pk),
        completed_at="2020-01-01T00:00",
        event=str(world.course.pk),
    )
    registration = Registration.objects.get(needs="車椅子で伺います")
    assert registration.event_id == world.event.pk
    assert registration.person.user_id == member.pk
    assert registration.status == Registration.Status.CONFIRMED
    assert registration.channel == Registration.Channel.WEB
    assert registration.completed_at is None
    assert registration.registered_by_id in (None, member.pk)


def test_survey_answer_stays_with_the_registration_of_the_link(world):
    """アンケート: the signed link decides the registration, not a posted id."""
    from events.models import SurveyResponse

    client = client_for(None)
    url = reverse("events:survey", args=[world.survey_token])
    data = fill(
        client,
        url,
        containing="comment",
        satisfaction="5",
        comment="よかったです",
        registration=str(world.registration.pk),
        submitted_at="2020-01-01T00:00",
    )
    response = client.post(url, data)
    assert response.status_code == 200
    answer = SurveyResponse.objects.get(comment="よかったです")
    assert answer.registration_id == world.done_registration.pk
    assert not SurveyResponse.objects.filter(registration=world.registration).exists()


# --- reports (staff) -------------------------------------------------------------------------------


def test_report_request_ignores_status_and_file(world):
    """報告書の作成依頼: a new request is queued by the server, whatever status or file is posted."""
    from reports.models import Report, ReportStatus

    client = client_for(world.user("staff"))
    before = set(Report.objects.values_list("pk", flat=True))
    data = fill(
        client,
        reverse("reports:index"),
        containing="fiscal_year",
        fiscal_year="2023",
        status=ReportStatus.DONE,
        pdf="reports/../../etc/passwd",
        progress="100",
        error="",
        requested_by=str(world.user("member").pk),
    )
    response = client.post(reverse("reports:request"), data)
    assert response.status_code == 302
    report = Report.objects.exclude(pk__in=before).get()
    assert report.status in (ReportStatus.QUEUED, ReportStatus.RUNNING)
    assert not report.pdf
    assert report.progress < 100
