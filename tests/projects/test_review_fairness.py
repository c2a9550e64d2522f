"""Fair and complete reviews: sides left without reviewers, review rounds after 差戻し, external
審査委員 invited per call, review requests with a deadline, overdue reviews, and reviewers reading
their own scores after the decision."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.models import OutboxMessage
from core.roles import Role
from core.services import official_assign
from projects import services
from projects.models import ExternalReviewer, ResolutionChoice, Review, SideResolution
from projects.selectors import (
    call_ranking,
    current_stage_result,
    overdue_reviews,
    proposal_review_rounds,
    proposals_visible_to,
    review_assignments,
)
from tests.factories import DepartmentFactory
from tests.projects.factories import CallFactory, ProposalFactory

pytestmark = pytest.mark.django_db

NO_SCORER = "採点した審査員がいないため、合計点は出せません"


def score_all(proposal, reviewer, value, recommendation="adopt"):
    criteria = list(proposal.current_stage.criteria.all())
    return services.review_save(
        proposal=proposal,
        reviewer=reviewer,
        scores={c.pk: (value, "") for c in criteria},
        recommendation=recommendation,
        submit=True,
    )


@pytest.fixture
def second_staff(make_user):
    return make_user(roles=(Role.STAFF,), email="staff-two@example.jp", full_name="二人目 職員")


@pytest.fixture
def split_call(department, reviewer_staff, second_staff):
    """50 + 50: the department side is 子ども家庭支援課 (official_user only), the center two staff."""
    return CallFactory(
        split=True,
        departments=[department],
        staff=[reviewer_staff, second_staff],
        review_deadline=dt.date(2026, 12, 20),
    )


@pytest.fixture
def conflicted(split_call, group, official_user, reviewer_staff, second_staff):
    """The department's only reviewer declared a conflict; both staff scored (100% and 60%)."""
    proposal = ProposalFactory(call=split_call, group=group, under_review=True)
    services.review_declare_conflict(proposal=proposal, reviewer=official_user, reason="団体の会員のため")
    score_all(proposal, reviewer_staff, 5)
    score_all(proposal, second_staff, 3)
    return proposal


# --- a) a side left without reviewers -------------------------------------------------------------


def test_a_side_left_without_reviewers_is_flagged_not_called_unscored(conflicted, client_for, staff_user):
    result = current_stage_result(conflicted)
    assert result.complete and result.total is None
    assert result.missing_sides == ["department"] and result.needs_resolution
    assert not result.nobody_scored
    page = client_for(staff_user).get(reverse("projects:proposal_detail", args=[conflicted.pk]))
    html = page.content.decode()
    assert "担当課の審査員がいません" in html
    assert NO_SCORER not in html
    assert reverse("projects:side_resolve", args=[conflicted.pk]) in html


def test_staff_let_the_remaining_side_stand_and_the_page_says_so(conflicted, client_for, staff_user):
    """Center reviewers 100% and 60%: their mean 80% stands as the total, 80.00 of 100."""
    client = client_for(staff_user)
    response = client.post(
        reverse("projects:side_resolve", args=[conflicted.pk]),
        {"side": "department", "choice": ResolutionChoice.REMAINING_SIDE},
    )
    assert response.status_code == 302
    resolution = SideResolution.objects.get(proposal=conflicted)
    assert (resolution.decided_by, resolution.choice, resolution.round) == (
        staff_user,
        ResolutionChoice.REMAINING_SIDE,
        1,
    )
    result = current_stage_result(conflicted)
    assert result.total == Decimal("80.00") and result.department_part is None
    html = client.get(reverse("projects:proposal_detail", args=[conflicted.pk])).content.decode()
    assert "センターの審査員の平均点を合計点とする" in html
    assert "80.00点" in html
    assert NO_SCORER not in html
    # the decision may now rest on it
    services.proposal_decide(proposal=conflicted, by=staff_user, outcome="rejected", reason="順位が低いため")


def test_staff_name_a_substitute_who_is_asked_and_then_counts(
    conflicted, client_for, staff_user, make_user, django_capture_on_commit_callbacks
):
    substitute = make_user(roles=(Role.OFFICIAL,), email="kankyo@example.jp", full_name="環境 みどり")
    official_assign(user=substitute, department=DepartmentFactory(name="環境政策課"))
    assert not substitute.has_perm("projects.view_proposal", conflicted)
    client = client_for(staff_user)
    client.post(
        reverse("projects:side_resolve", args=[conflicted.pk]),
        {"side": "department", "choice": ResolutionChoice.SUBSTITUTE, "substitute": substitute.pk},
    )
    resolution = SideResolution.objects.get(proposal=conflicted)
    assert resolution.substitute == substitute
    mail = OutboxMessage.objects.get(kind="projects.review_requested", to=[substitute.email])
    assert conflicted.title in mail.body and "2026年12月20日" in mail.body
    result = current_stage_result(conflicted)
    assert result.expected == 4 and not result.complete and not result.needs_resolution
    assert substitute.has_perm("projects.review_proposal", conflicted)
    score_all(conflicted, substitute, 4)  # 80% for the department
    result = current_stage_result(conflicted)
    assert result.department_part == Decimal("40.00") and result.center_part == Decimal("40.00")
    assert result.total == Decimal("80.00")
    html = client.get(reverse("projects:proposal_detail", args=[conflicted.pk])).content.decode()
    assert "環境 みどりさんを代わりの審査員" in html


def test_a_substitute_must_not_already_review_or_belong_to_the_group(conflicted, staff_user, reviewer_staff):
    with pytest.raises(ValidationError):
        services.side_resolution_record(
            proposal=conflicted,
            side="department",
            choice=ResolutionChoice.SUBSTITUTE,
            substitute=reviewer_staff,
            by=staff_user,
        )
    with pytest.raises(ValidationError):
        services.side_resolution_record(
            proposal=conflicted,
            side="department",
            choice=ResolutionChoice.SUBSTITUTE,
            substitute=conflicted.created_by,
            by=staff_user,
        )


def test_nothing_to_resolve_when_the_side_can_score(split_call, group, staff_user):
    proposal = ProposalFactory(call=split_call, group=group, under_review=True)
    with pytest.raises(ValidationError):
        services.side_resolution_record(
            proposal=proposal, side="department", choice=ResolutionChoice.REMAINING_SIDE, by=staff_user
        )


def test_the_no_scorer_message_appears_when_nobody_scored(
    call, group, official_user, reviewer_staff, client_for, staff_user
):
    proposal = ProposalFactory(call=call, group=group, under_review=True)
    services.review_declare_conflict(proposal=proposal, reviewer=official_user, reason="会員")
    services.review_declare_conflict(proposal=proposal, reviewer=reviewer_staff, reason="役員")
    assert current_stage_result(proposal).nobody_scored
    html = (
        client_for(staff_user).get(reverse("projects:proposal_detail", args=[proposal.pk])).content.decode()
    )
    assert NO_SCORER in html


def test_decisions_wait_for_the_total(split_call, group, official_user, reviewer_staff, staff_user):
    proposal = ProposalFactory(call=split_call, group=group, under_review=True)
    score_all(proposal, official_user, 4)
    with pytest.raises(ValidationError, match="合計点がまだ出ていない"):
        services.proposal_decide(proposal=proposal, by=staff_user, outcome="adopted", reason="よい")
    services.proposal_decide(proposal=proposal, by=staff_user, outcome="returned", reason="予算を直して")


# --- b) review rounds -----------------------------------------------------------------------------


@pytest.fixture
def returned_and_resubmitted(call, group, official_user, reviewer_staff, staff_user, proposer):
    proposal = ProposalFactory(call=call, group=group, under_review=True)
    score_all(proposal, official_user, 5)
    score_all(proposal, reviewer_staff, 5)
    assert current_stage_result(proposal).total == Decimal("100.00")
    services.proposal_decide(proposal=proposal, by=staff_user, outcome="returned", reason="予算を直して")
    with time_machine.travel(dt.datetime(2026, 12, 5, 10, tzinfo=dt.UTC)):
        services.proposal_submit(proposal=proposal, by=proposer)
    services.proposal_review_start(proposal=proposal, by=staff_user)
    proposal.refresh_from_db()
    return proposal


def test_resubmission_after_return_starts_a_new_round_whose_scores_alone_count(
    returned_and_resubmitted, official_user, reviewer_staff, staff_user
):
    proposal = returned_and_resubmitted
    assert proposal.review_round == 2
    result = current_stage_result(proposal)
    assert result.done == 0 and not result.complete and result.total is None
    with pytest.raises(ValidationError, match="第2回審査の合計点"):
        services.proposal_decide(proposal=proposal, by=staff_user, outcome="adopted", reason="よい")
    [(ranked_result)], all_done = call_ranking(call=proposal.call, stage=proposal.current_stage)
    assert not all_done and ranked_result.done == 0
    # The first round's review is finished; the reviewer scores the revised proposal afresh.
    score_all(proposal, official_user, 3)
    score_all(proposal, reviewer_staff, 4)
    assert current_stage_result(proposal).total == Decimal("70.00")
    assert Review.objects.filter(proposal=proposal, reviewer=official_user).count() == 2
    services.proposal_decide(proposal=proposal, by=staff_user, outcome="adopted", reason="改善された")


def test_earlier_rounds_stay_readable_on_the_staff_page(returned_and_resubmitted, client_for, staff_user):
    rounds = proposal_review_rounds(returned_and_resubmitted)
    assert [(r.number, r.current) for r in rounds] == [(1, False), (2, True)]
    assert rounds[0].stages[0][1].total == Decimal("100.00")
    html = (
        client_for(staff_user)
        .get(reverse("projects:proposal_detail", args=[returned_and_resubmitted.pk]))
        .content.decode()
    )
    assert re.search(r"<details[^>]*>\s*<summary>第1回審査</summary>", html)
    assert "第2回審査・書類審査の審査状況" in html


def test_a_resubmitted_proposal_offers_only_what_its_status_allows_and_says_to_start_the_review(
    call, group, official_user, reviewer_staff, staff_user, proposer, client_for
):
    """Resubmitted after 差戻し (提出), staff are offered 審査を開始する and only 差戻し, with a word
    that 採択・不採択 come after the review starts: no 採択 that is then refused. Once the new round
    is under review, all three decisions are offered."""
    proposal = ProposalFactory(call=call, group=group, under_review=True)
    score_all(proposal, official_user, 5)
    score_all(proposal, reviewer_staff, 5)
    services.proposal_decide(proposal=proposal, by=staff_user, outcome="returned", reason="予算を直して")
    with time_machine.travel(dt.datetime(2026, 12, 5, 10, tzinfo=dt.UTC)):
        services.proposal_submit(proposal=proposal, by=proposer)
    client = client_for(staff_user)
    detail = reverse("projects:proposal_detail", args=[proposal.pk])
    decide = reverse("projects:proposal_decide", args=[proposal.pk])

    html = client.get(detail).content.decode()
    assert "審査を開始する" in html
    assert "決定を記録する（差戻し）" in html and "決定を記録する（採択" not in html
    assert "採択・不採択は、審査を開始してから記録できます。" in html
    assert "第2回の審査を新しく始めます" in html
    form = client.get(decide).context["form"]
    assert [value for value, _label in form.fields["outcome"].choices] == ["returned"]

    services.proposal_review_start(proposal=proposal, by=staff_user)
    html = client.get(detail).content.decode()
    assert "決定を記録する（採択・不採択・差戻し）" in html
    assert "審査を開始してから記録できます" not in html
    form = client.get(decide).context["form"]
    assert [value for value, _label in form.fields["outcome"].choices] == ["adopted", "rejected", "returned"]


def test_the_decision_page_of_a_returned_proposal_says_nothing_can_be_recorded(
    call, group, staff_user, client_for
):
    """A returned proposal (waiting for its group) has no decision to take: the page sends staff
    back to the proposal with a message instead of a form that could only be refused."""
    proposal = ProposalFactory(call=call, group=group, submitted=True)
    services.proposal_decide(proposal=proposal, by=staff_user, outcome="returned", reason="添付を")
    response = client_for(staff_user).get(
        reverse("projects:proposal_decide", args=[proposal.pk]), follow=True
    )
    assert "この提案の状態では、決定を記録できません。" in response.content.decode()


def test_a_return_before_any_review_does_not_start_a_new_round(call, group, staff_user, proposer):
    proposal = ProposalFactory(call=call, group=group, submitted=True)
    services.proposal_decide(proposal=proposal, by=staff_user, outcome="returned", reason="添付を")
    with time_machine.travel(dt.datetime(2026, 12, 5, 10, tzinfo=dt.UTC)):
        services.proposal_submit(proposal=proposal, by=proposer)
    proposal.refresh_from_db()
    assert proposal.review_round == 1


# --- c) external 審査委員 ---------------------------------------------------------------------------


@pytest.fixture
def invited(call, staff_user, django_capture_on_commit_callbacks):
    return services.external_reviewer_invite(
        call=call, email="Yamada@Example.ac.jp", full_name="山田 太郎", by=staff_user
    )


def _link(message) -> str:
    return re.search(r"http://\S+/projects/reviewers/invitations/(\S+)/", message.body).group(0)


def test_staff_invite_an_external_reviewer_by_e_mail_with_a_signed_link(
    call, client_for, staff_user, django_capture_on_commit_callbacks
):
    response = client_for(staff_user).post(
        reverse("projects:external_reviewer_invite", args=[call.pk]),
        {"full_name": "山田 太郎", "email": "yamada@example.ac.jp", "affiliation": "みらい大学 教授"},
    )
    assert response.status_code == 302
    invitation = ExternalReviewer.objects.get(call=call)
    assert invitation.email == "yamada@example.ac.jp" and not invitation.is_accepted
    message = OutboxMessage.objects.get(kind="projects.reviewer_invitation")
    assert message.to == ["yamada@example.ac.jp"]
    assert "山田 太郎 様" in message.body and call.title in message.body
    assert services.external_reviewer_from_token(_link(message).rstrip("/").rsplit("/", 1)[-1]) == invitation


def test_the_invited_person_accepts_and_sees_only_the_calls_proposals(
    invited, call, group, other_group, make_user, client_for
):
    mine = ProposalFactory(call=call, group=group, under_review=True)
    draft = ProposalFactory(call=call, group=group)
    elsewhere = ProposalFactory(call=CallFactory(), group=other_group, under_review=True)
    person = make_user(email="yamada@example.ac.jp", full_name="山田 太郎")
    token = services.external_reviewer_token(invited)
    client = client_for(person)
    page = client.get(reverse("projects:reviewer_invitation", args=[token]))
    assert "審査委員を引き受ける" in page.content.decode()
    assert client.post(reverse("projects:reviewer_invitation", args=[token])).status_code == 302
    person.refresh_from_db()
    assert person.has_role(Role.REVIEWER)
    assert set(proposals_visible_to(person)) == {mine}
    assert [a.proposal for a in review_assignments(person)] == [mine]
    assert person.has_perm("projects.review_proposal", mine)
    assert not person.has_perm("projects.view_proposal", draft)
    assert not person.has_perm("projects.view_proposal", elsewhere)
    assert client.get(reverse("projects:review", args=[elsewhere.pk])).status_code == 404


def test_another_account_cannot_accept_the_invitation(invited, make_user, client_for):
    stranger = make_user(email="someone@example.jp")
    token = services.external_reviewer_token(invited)
    client = client_for(stranger)
    assert (
        "引き受けられません"
        in client.get(reverse("projects:reviewer_invitation", args=[token])).content.decode()
    )
    client.post(reverse("projects:reviewer_invitation", args=[token]))
    invited.refresh_from_db()
    assert not invited.is_accepted
    assert not stranger.has_role(Role.REVIEWER)


def test_a_tampered_or_expired_link_is_refused(invited, make_user, client_for):
    person = make_user(email="yamada@example.ac.jp")
    client = client_for(person)
    token = services.external_reviewer_token(invited)
    assert client.get(reverse("projects:reviewer_invitation", args=[token[:-2] + "xx"])).status_code == 404
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) - dt.timedelta(days=31)):
        old_token = services.external_reviewer_token(invited)
    response = client.get(reverse("projects:reviewer_invitation", args=[old_token]))
    assert response.status_code == 404 and "有効期限" in response.content.decode()


def test_an_accepted_external_reviewer_counts_on_their_side(invited, call, group, make_user):
    person = make_user(email="yamada@example.ac.jp")
    services.external_reviewer_accept(token=services.external_reviewer_token(invited), user=person)
    proposal = ProposalFactory(call=call, group=group, under_review=True)
    assert current_stage_result(proposal).expected == 3  # official, staff, 審査委員
    score_all(proposal, person, 5)
    assert Review.objects.get(reviewer=person).side == "center"


# --- d) review requests, deadlines, overdue reviews ---------------------------------------------


def test_starting_review_e_mails_each_reviewer_with_the_deadline(
    split_call,
    group,
    staff_user,
    official_user,
    reviewer_staff,
    second_staff,
    django_capture_on_commit_callbacks,
):
    proposal = ProposalFactory(call=split_call, group=group, submitted=True)
    services.proposal_review_start(proposal=proposal, by=staff_user)
    mails = OutboxMessage.objects.filter(kind="projects.review_requested")
    assert sorted(m.to[0] for m in mails) == sorted(
        u.email for u in (official_user, reviewer_staff, second_staff)
    )
    for mail in mails:
        assert "2026年12月20日" in mail.subject and proposal.title in mail.body
        assert reverse("projects:review", args=[proposal.pk]) in mail.body


def test_overdue_reviews_are_counted_and_shown_to_staff(
    split_call, group, official_user, reviewer_staff, second_staff, staff_user, client_for
):
    proposal = ProposalFactory(call=split_call, group=group, under_review=True)
    score_all(proposal, reviewer_staff, 4)
    with time_machine.travel(dt.datetime(2026, 12, 20, 14, tzinfo=dt.UTC)):  # 23:00 JST, still on time
        assert overdue_reviews() == []
    with time_machine.travel(dt.datetime(2026, 12, 21, 1, tzinfo=dt.UTC)):
        late = overdue_reviews()
        assert {(o.proposal, o.reviewer) for o in late} == {
            (proposal, official_user),
            (proposal, second_staff),
        }
        client = client_for(staff_user)
        today_page = client.get(reverse("core:staff_today")).content.decode()
        assert "審査の締切を過ぎても終わっていない審査" in today_page
        call_page = client.get(reverse("projects:staff_call_detail", args=[split_call.pk])).content.decode()
        assert "締切を過ぎた審査（2件）" in call_page
        proposal_page = client.get(reverse("projects:proposal_detail", args=[proposal.pk])).content.decode()
        assert "締切を過ぎた審査（2件）" in proposal_page
        mine = client_for(official_user).get(reverse("projects:my_reviews")).content.decode()
        assert "2026年12月20日" in mine and "締切を過ぎています" in mine


# --- e) reviewers read their own scores after the decision -------------------------------------


def test_a_reviewer_reads_their_scores_and_the_proposal_after_the_decision(
    call, group, official_user, reviewer_staff, staff_user, client_for
):
    proposal = ProposalFactory(call=call, group=group, under_review=True)
    criteria = list(proposal.current_stage.criteria.all())
    services.review_save(
        proposal=proposal,
        reviewer=official_user,
        scores={c.pk: (4, "具体的でよい") for c in criteria},
        recommendation="adopt",
        comment="地域の声が反映されている",
        submit=True,
    )
    score_all(proposal, reviewer_staff, 2)
    services.proposal_decide(proposal=proposal, by=staff_user, outcome="adopted", reason="よい")
    client = client_for(official_user)
    listing = client.get(reverse("projects:my_reviews")).content.decode()
    review = Review.objects.get(reviewer=official_user)
    sheet_url = reverse("projects:review_sheet", args=[review.pk])
    assert "審査済み" in listing and sheet_url in listing and proposal.title in listing
    sheet = client.get(sheet_url).content.decode()
    assert "具体的でよい" in sheet and "地域の声が反映されている" in sheet and "採択" in sheet
    assert client.get(reverse("projects:proposal_detail", args=[proposal.pk])).status_code == 200
    other = Review.objects.get(reviewer=reviewer_staff)
    assert client.get(reverse("projects:review_sheet", args=[other.pk])).status_code == 404


def test_my_reviews_queries_do_not_grow(
    call, official_user, reviewer_staff, client_for, django_assert_num_queries
):
    from tests.projects.test_views import queries_for

    client = client_for(official_user)
    url = reverse("projects:my_reviews")

    def grow(n):
        for _i in range(n):
            ProposalFactory(call=call, under_review=True)
            done = ProposalFactory(call=call, under_review=True)
            score_all(done, official_user, 4)
            score_all(done, reviewer_staff, 4)
            services.proposal_decide(proposal=done, by=reviewer_staff, outcome="rejected", reason="予算")

    grow(2)
    small = queries_for(client, url)
    grow(6)
    with django_assert_num_queries(small):
        assert client.get(url).status_code == 200


def test_the_review_sheet_prints_as_a_form(call, group, official_user, reviewer_staff, client_for):
    proposal = ProposalFactory(call=call, group=group, under_review=True)
    review = score_all(proposal, official_user, 3)
    html = client_for(official_user).get(reverse("projects:review_sheet", args=[review.pk])).content.decode()
    assert "<h1>審査票</h1>" in html and "projects/projects.css" in html
