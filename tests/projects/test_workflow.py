"""The life cycles of proposals and projects: allowed changes happen and are recorded, others are refused."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from projects import services
from projects.forms import PRINCIPLE_FIELDS
from projects.models import (
    DecisionOutcome,
    Project,
    ProjectKind,
    ProjectStatus,
    ProposalStatus,
    StatusChange,
)
from projects.workflow import PROJECT_TRANSITIONS, PROPOSAL_TRANSITIONS
from tests.projects.factories import (
    IN_PERIOD,
    ProjectFactory,
    ProposalFactory,
    log_support,
    score_everyone,
    sign_agreement,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(call, group):
    return ProposalFactory(call=call, group=group)


def test_submit_moves_draft_to_submitted_and_emails_the_proposer(
    draft, proposer, django_capture_on_commit_callbacks
):
    """提出 records who and when, and the proposer gets a Japanese e-mail with the center's name."""
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_submit(proposal=draft, by=proposer, now=IN_PERIOD)
    draft.refresh_from_db()
    assert draft.status == ProposalStatus.SUBMITTED
    assert draft.submitted_at == IN_PERIOD
    change = StatusChange.objects.get(proposal=draft)
    assert (change.from_status, change.to_status, change.changed_by) == ("draft", "submitted", proposer)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [proposer.email]
    assert "市民協働支援センター" in mail.outbox[0].subject and "受け付けました" in mail.outbox[0].subject
    assert draft.title in mail.outbox[0].body


def test_submit_refuses_an_incomplete_plan(call, group, proposer):
    """A proposal with an empty 6W2H item cannot be submitted; the message names the item."""
    proposal = ProposalFactory(call=call, group=group, plan_why="")
    with pytest.raises(ValidationError) as error:
        services.proposal_submit(proposal=proposal, by=proposer, now=IN_PERIOD)
    assert "なぜ" in str(error.value)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DRAFT


def test_submit_refuses_without_budget(call, group, proposer):
    proposal = ProposalFactory(call=call, group=group, budget=False)
    with pytest.raises(ValidationError, match="予算"):
        services.proposal_submit(proposal=proposal, by=proposer, now=IN_PERIOD)


@pytest.mark.parametrize(
    "status",
    [ProposalStatus.SUBMITTED, ProposalStatus.UNDER_REVIEW, ProposalStatus.ADOPTED, ProposalStatus.REJECTED],
)
def test_submit_is_refused_from_other_states(call, group, proposer, status):
    """Only drafts and returned proposals can be submitted."""
    proposal = ProposalFactory(call=call, group=group, status=status)
    with pytest.raises(ValidationError):
        services.proposal_submit(proposal=proposal, by=proposer, now=IN_PERIOD)


def test_the_proposal_transition_table_is_closed():
    """Adopted and rejected are final; nothing returns to 下書き."""
    assert PROPOSAL_TRANSITIONS[ProposalStatus.ADOPTED] == ()
    assert PROPOSAL_TRANSITIONS[ProposalStatus.REJECTED] == ()
    assert all(ProposalStatus.DRAFT not in targets for targets in PROPOSAL_TRANSITIONS.values())


def test_review_start_enters_the_first_stage(call, group, staff_user, django_capture_on_commit_callbacks):
    proposal = ProposalFactory(call=call, group=group, submitted=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_review_start(proposal=proposal, by=staff_user)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.UNDER_REVIEW
    assert proposal.current_stage.kind == "document"
    assert "審査が始まりました" in mail.outbox[0].subject


def test_review_start_is_refused_for_a_draft(draft, staff_user):
    with pytest.raises(ValidationError):
        services.proposal_review_start(proposal=draft, by=staff_user)


def test_decision_needs_a_reason(call, group, staff_user):
    proposal = ProposalFactory(call=call, group=group, under_review=True)
    with pytest.raises(ValidationError):
        services.proposal_decide(
            proposal=proposal, by=staff_user, outcome=DecisionOutcome.ADOPTED, reason=" "
        )
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.UNDER_REVIEW


def test_adoption_creates_the_project_with_partners_and_department(
    call, group, staff_user, department, other_group, django_capture_on_commit_callbacks
):
    """採択 makes a Project (協定準備中) with the plan, themes, partners, department; the proposer is told."""
    from projects.models import Partner

    proposal = ProposalFactory(call=call, group=group, under_review=True, desired_department=department)
    Partner.objects.create(proposal=proposal, sector="group", group=other_group, role="会場の提供")
    score_everyone(proposal)
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_decide(
            proposal=proposal,
            by=staff_user,
            outcome="adopted",
            reason="協働の効果が高いため。",
            form="co_hosting",
        )
    project = Project.objects.get(proposal=proposal)
    assert project.status == ProjectStatus.PREPARING
    assert project.lead_group == group and project.department == department
    assert project.plan_why == proposal.plan_why
    assert [p.group for p in project.partners.all()] == [other_group]
    assert project.fiscal_year == call.fiscal_year
    assert "審査結果" in mail.outbox[-1].subject and "採択" in mail.outbox[-1].body
    assert "協働の効果が高いため。" in mail.outbox[-1].body


def test_returned_proposal_can_be_edited_and_resubmitted(call, group, proposer, staff_user):
    proposal = ProposalFactory(call=call, group=group, under_review=True)
    services.proposal_decide(
        proposal=proposal, by=staff_user, outcome="returned", reason="予算を見直してください。"
    )
    proposal.refresh_from_db()
    assert proposal.is_editable and proposal.current_stage is None
    services.proposal_update(proposal=proposal, title="見直した提案")
    services.proposal_submit(proposal=proposal, by=proposer, now=IN_PERIOD)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.SUBMITTED


def test_a_submitted_proposal_cannot_be_edited(call, group):
    proposal = ProposalFactory(call=call, group=group, submitted=True)
    with pytest.raises(ValidationError):
        services.proposal_update(proposal=proposal, title="こっそり変更")


def test_only_members_of_an_approved_group_create_proposals(call, make_user):
    from tests.projects.factories import ProjectGroupFactory

    user = make_user()
    pending = ProjectGroupFactory(owner=user, status="pending")
    with pytest.raises(ValidationError, match="登録済み"):
        services.proposal_create(call=call, group=pending, created_by=user, title="提案", kind="citizen")


# --- Projects -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (s, t)
        for s, targets in PROJECT_TRANSITIONS.items()
        for t in ProjectStatus.values
        if t not in targets and t != s
    ],
)
def test_project_transitions_the_life_cycle_does_not_allow_are_refused(staff_user, start, target):
    """e.g. 協定準備中 → 完了, 完了 → 実施中: refused, and nothing is recorded."""
    project = ProjectFactory(status=start)
    with pytest.raises(ValidationError):
        services.project_transition(project=project, to_status=target, by=staff_user)
    project.refresh_from_db()
    assert project.status == start
    assert not StatusChange.objects.filter(project=project).exists()


def test_a_called_project_runs_through_its_whole_life_cycle(staff_user, proposer, group):
    """協定締結 → 実施中 → 評価 → 完了, each change recorded with who and when."""
    project = ProjectFactory(preparing=True, lead_group=group)
    with pytest.raises(ValidationError, match="締結日"):
        services.project_transition(project=project, to_status=ProjectStatus.AGREED, by=staff_user)
    sign_agreement(project, by=staff_user)
    with time_machine.travel(dt.datetime(2026, 4, 20, 10, tzinfo=dt.UTC), tick=False):
        services.project_transition(project=project, to_status=ProjectStatus.AGREED, by=staff_user)
    services.project_transition(project=project, to_status=ProjectStatus.RUNNING, by=staff_user)
    services.project_transition(project=project, to_status=ProjectStatus.EVALUATING, by=staff_user)
    with pytest.raises(ValidationError, match="相互評価"):
        services.project_transition(project=project, to_status=ProjectStatus.DONE, by=staff_user)
    answers = dict.fromkeys(PRINCIPLE_FIELDS, 4)
    for side in ("group", "department"):
        services.mutual_evaluation_save(
            project=project,
            side=side,
            by=staff_user,
            results="成果",
            lessons="学び",
            next_steps="次",
            **answers,
        )
    services.project_transition(
        project=project, to_status=ProjectStatus.DONE, by=staff_user, note="成果発表会を終えて"
    )
    changes = list(StatusChange.objects.filter(project=project).values_list("to_status", "changed_by"))
    assert changes == [(s, staff_user.pk) for s in ("agreed", "running", "evaluating", "done")]
    first = StatusChange.objects.filter(project=project).first()
    assert first.changed_at == dt.datetime(2026, 4, 20, 10, tzinfo=dt.UTC)


def test_a_called_project_cannot_start_without_an_agreement(staff_user):
    project = ProjectFactory(preparing=True)
    with pytest.raises(ValidationError, match="協定"):
        services.project_transition(project=project, to_status=ProjectStatus.RUNNING, by=staff_user)


def test_staff_register_support_projects_without_a_call(staff_user, group):
    """プロジェクト支援 starts running at once and takes support logs; 市民提案型 cannot be registered so."""
    project = services.project_register(
        title="居場所づくり", kind=ProjectKind.SUPPORT, lead_group=group, fiscal_year=2026, by=staff_user
    )
    assert project.status == ProjectStatus.RUNNING and project.proposal is None
    log = log_support(project, by=staff_user)
    assert log.author == staff_user
    with pytest.raises(ValidationError):
        services.project_register(
            title="x", kind=ProjectKind.CITIZEN_PROPOSAL, lead_group=group, fiscal_year=2026, by=staff_user
        )
    called = ProjectFactory()
    with pytest.raises(ValidationError, match="支援記録"):
        log_support(called, by=staff_user, supporters="x", content="y")


def test_registered_projects_finish_without_mutual_evaluation(staff_user, group):
    project = ProjectFactory(registration=True, lead_group=group)
    services.project_transition(project=project, to_status=ProjectStatus.EVALUATING, by=staff_user)
    services.project_transition(project=project, to_status=ProjectStatus.DONE, by=staff_user)
    project.refresh_from_db()
    assert project.status == ProjectStatus.DONE and project.ends_on is not None


def test_agreement_is_fixed_once_the_project_runs(staff_user):
    project = ProjectFactory()
    with pytest.raises(ValidationError):
        sign_agreement(project, by=staff_user)


def test_progress_reports_only_while_the_project_is_under_way(staff_user):
    project = ProjectFactory(preparing=True)
    with pytest.raises(ValidationError):
        services.progress_report_create(project=project, by=staff_user, activities="準備")
    running = ProjectFactory()
    report = services.progress_report_create(project=running, by=staff_user, activities="4回開催")
    assert report.pk


def test_a_failed_e_mail_stays_visible_and_staff_can_send_it_again(
    draft, proposer, staff_user, client_for, django_capture_on_commit_callbacks, monkeypatch
):
    """SMTP down: the outbox shows the mail as 失敗 with the reason; staff resend it when SMTP is back."""
    import smtplib

    from django.core.mail import EmailMessage

    from core.models import OutboxMessage

    def broken(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("接続が切れました")

    monkeypatch.setattr(EmailMessage, "send", broken)
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_submit(proposal=draft, by=proposer, now=IN_PERIOD)
    message = OutboxMessage.objects.get()
    assert message.kind == "projects.proposal_submitted" and message.related == draft
    assert message.status == OutboxMessage.Status.FAILED
    assert "SMTPServerDisconnected" in message.error_detail and message.attempts == 1
    assert len(mail.outbox) == 0
    client = client_for(staff_user)
    page = client.get("/staff/outbox/").content.decode()
    assert "失敗" in page and "再送信する" in page and "協働事業の提案を受け付けました" in page

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/staff/outbox/{message.pk}/resend/")
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT and message.attempts == 2
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [proposer.email]
    assert draft.title in mail.outbox[0].body


def test_a_call_is_created_with_its_stages_and_a_misspelt_field_is_refused():
    """call_create and call_update set the call's fields by name: a name that is not a field of
    the call (a typo) is refused, never set on the object and silently lost."""
    call = services.call_create(
        title="令和8年度 協働事業提案",
        fiscal_year=2026,
        opens_on=dt.date(2026, 4, 1),
        closes_on=dt.date(2026, 5, 31),
        kinds=["citizen"],
        with_presentation=True,
    )
    assert [stage.kind for stage in call.stages.order_by("order")] == ["document", "presentation"]
    with pytest.raises(TypeError, match="closes_at"):
        services.call_update(call=call, closes_at=dt.date(2026, 6, 30))
    call.refresh_from_db()
    assert call.closes_on == dt.date(2026, 5, 31)


def test_a_transition_with_a_note_too_long_is_refused_in_words_and_changes_nothing(client, staff_user):
    """A pasted note over 200 characters is not stored: the status stays, and the page says why
    (before, the whole paste was stored with the change)."""
    project = ProjectFactory(status=ProjectStatus.PREPARING)
    client.force_login(staff_user)
    url = reverse("projects:project_transition", args=[project.pk])
    response = client.post(url, {"to_status": ProjectStatus.CANCELLED, "note": "あ" * 10_000}, follow=True)
    project.refresh_from_db()
    assert project.status == ProjectStatus.PREPARING
    assert not StatusChange.objects.filter(project=project).exists()
    assert "メモ" in response.content.decode()
