"""In a real browser, two review rounds of a split-weight call: staff invite an external 審査委員
who accepts through the e-mailed link, the department's only reviewer declares a conflict, staff
let the center's average stand, return the proposal; the member resubmits, the second round is
scored afresh and decided; the 審査委員 reads and prints their 審査票. No serious axe violation."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from core.models import OutboxMessage
from projects import services
from projects.models import Proposal, ProposalStatus
from tests.projects.factories import CallFactory, ProposalFactory
from tests.projects.test_browser import signed_in_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def score_page(page, proposal, value: int, comment: str) -> None:
    page.goto(f"/projects/proposals/{proposal.pk}/review/")
    for criterion in proposal.current_stage.criteria.all():
        page.locator(f"input[name='score_{criterion.pk}'][value='{value}']").check()
    page.get_by_label("採択がふさわしい", exact=True).check()
    page.get_by_label("総評").fill(comment)
    page.get_by_role("button", name="審査を完了する").click()
    expect(page.get_by_text("審査を完了しました。")).to_be_visible()


def test_two_rounds_with_an_external_reviewer_and_a_conflicted_department(
    chromium_browser,
    live_server,
    assert_accessible,
    group,
    proposer,
    official_user,
    department,
    reviewer_staff,
    staff_user,
    make_user,
):
    today = timezone.localdate()
    call = CallFactory(
        split=True,
        opens_on=today - dt.timedelta(days=20),
        closes_on=today - dt.timedelta(days=1),
        review_deadline=today + dt.timedelta(days=14),
        departments=[department],
        staff=[reviewer_staff],
        title="令和9年度 市民提案型協働事業の提案募集",
    )
    proposal = ProposalFactory(
        call=call, group=group, submitted=True, title="親子のたまり場「さくらんぼひろば」"
    )

    # Staff invite the external 審査委員 through the call's page.
    staff_context, staff = signed_in_context(chromium_browser, live_server, staff_user)
    staff.goto(f"/projects/staff/calls/{call.pk}/")
    staff.get_by_role("link", name="審査委員を招待する").click()
    staff.get_by_label("氏名").fill("山川 道子")
    staff.get_by_label("メールアドレス").fill("yamakawa@example.ac.jp")
    staff.get_by_label("所属・肩書").fill("みらい大学 教授（学識経験者）")
    staff.get_by_label("審査の立場").select_option(label="センター")
    assert_accessible(staff, "審査委員の招待")
    staff.get_by_role("button", name="招待のメールを送る").click()
    expect(staff.get_by_text("審査委員の招待メールを送りました。")).to_be_visible()
    expect(staff.get_by_text(re.compile("招待中.*山川 道子"))).to_be_visible()
    invitation_mail = OutboxMessage.objects.get(kind="projects.reviewer_invitation")
    link = re.search(r"https?://\S+(/projects/reviewers/invitations/\S+/)", invitation_mail.body).group(1)

    # The 審査委員 has an account with that address and accepts.
    external = make_user(email="yamakawa@example.ac.jp", full_name="山川 道子")
    external_context, reviewer = signed_in_context(chromium_browser, live_server, external)
    reviewer.goto(link)
    assert_accessible(reviewer, "審査委員の招待（引き受け）")
    reviewer.get_by_role("button", name="審査委員を引き受ける").click()
    expect(reviewer.get_by_text(re.compile("審査委員になりました"))).to_be_visible()

    # Round 1: staff start the review; the department's only reviewer declares a conflict.
    staff.goto(f"/projects/proposals/{proposal.pk}/")
    staff.get_by_role("button", name="審査を開始する").click()
    expect(staff.get_by_text("審査を開始しました。")).to_be_visible()
    asked = OutboxMessage.objects.filter(kind="projects.review_requested").values_list("to", flat=True)
    assert {tuple(to) for to in asked} == {
        (official_user.email,),
        (reviewer_staff.email,),
        (external.email,),
    }
    official_context, official = signed_in_context(chromium_browser, live_server, official_user)
    official.goto(f"/projects/proposals/{proposal.pk}/review/")
    official.get_by_text("利害関係がある場合（該当する方だけ）").click()
    official.get_by_label("利害関係の内容").fill("提案団体の会員として活動しているため")
    official.get_by_role("button", name="利害関係を申告する").click()
    expect(official.get_by_text("利害関係を申告しました。")).to_be_visible()

    reviewer.goto("/projects/reviews/")
    expect(reviewer.get_by_role("table", name=re.compile("審査する提案"))).to_contain_text(
        f"{call.review_deadline.year}年{call.review_deadline.month}月{call.review_deadline.day}日"
    )
    assert_accessible(reviewer, "審査する提案（審査委員）")
    score_page(reviewer, Proposal.objects.get(pk=proposal.pk), 4, "地域の声がよく反映されています。")
    center_context, center = signed_in_context(chromium_browser, live_server, reviewer_staff)
    score_page(center, Proposal.objects.get(pk=proposal.pk), 3, "予算の根拠をもう少し。")

    # Staff see the flag (not "nobody scored") and let the center's average stand.
    staff.goto(f"/projects/proposals/{proposal.pk}/")
    expect(staff.get_by_text("担当課の審査員がいません")).to_be_visible()
    expect(staff.get_by_text("採点した審査員がいないため")).to_have_count(0)
    assert_accessible(staff, "審査員がいない側の表示")
    staff.get_by_label("残る側の平均点を合計点とする").check()
    staff.get_by_role("button", name="記録する").click()
    expect(staff.get_by_text("審査員がいない側の扱いを記録しました。")).to_be_visible()
    expect(staff.get_by_text(re.compile("センターの審査員の平均点を合計点とする"))).to_be_visible()
    expect(staff.locator(".score-total")).to_contain_text("70.00点")

    # Staff return it for revision; the member resubmits: round 2.
    services.proposal_decide(
        proposal=proposal, by=staff_user, outcome="returned", reason="予算を直してください。"
    )
    member_context, member = signed_in_context(chromium_browser, live_server, proposer)
    member.goto(f"/projects/proposals/{proposal.pk}/")
    member.get_by_role("button", name="提出する").click()
    expect(member.get_by_text("提案を提出しました。")).to_be_visible()
    proposal.refresh_from_db()
    assert proposal.review_round == 2 and proposal.status == ProposalStatus.SUBMITTED
    staff.goto(f"/projects/proposals/{proposal.pk}/")
    staff.get_by_role("button", name="審査を開始する").click()
    expect(staff.get_by_text("第2回審査・書類審査の審査状況")).to_be_visible()
    expect(staff.get_by_text("第1回審査", exact=True)).to_be_visible()  # the earlier round, collapsed
    staff.goto(f"/projects/staff/proposals/{proposal.pk}/decide/")
    staff.get_by_label("採択", exact=True).check()
    staff.get_by_label("理由").fill("改善されたため。")
    staff.get_by_role("button", name="決定を記録する").click()
    expect(staff.get_by_text(re.compile("第2回審査の合計点がまだ出ていない")).first).to_be_visible()

    # Round 2: everyone scores afresh (the official again declares the conflict), staff decide.
    official.goto(f"/projects/proposals/{proposal.pk}/review/")
    official.get_by_text("利害関係がある場合（該当する方だけ）").click()
    official.get_by_label("利害関係の内容").fill("提案団体の会員として活動しているため")
    official.get_by_role("button", name="利害関係を申告する").click()
    proposal.refresh_from_db()
    score_page(reviewer, proposal, 5, "予算が明確になりました。")
    score_page(center, proposal, 4, "よくなりました。")
    staff.goto(f"/projects/proposals/{proposal.pk}/")
    staff.get_by_label("残る側の平均点を合計点とする").check()
    staff.get_by_role("button", name="記録する").click()
    expect(staff.locator(".review-round--current .score-total")).to_contain_text("90.00点")
    assert_accessible(staff, "第2回審査（職員）")
    staff.goto(f"/projects/staff/proposals/{proposal.pk}/decide/")
    staff.get_by_label("採択", exact=True).check()
    staff.get_by_label("理由").fill("改善されたため。")
    staff.get_by_role("button", name="決定を記録する").click()
    expect(staff.get_by_text("決定を記録し、提案者に知らせました。")).to_be_visible()

    # The 審査委員 finds the proposal under 審査済み and prints the 審査票.
    reviewer.goto("/projects/reviews/")
    finished = reviewer.get_by_role("table", name=re.compile("審査済みの提案"))
    expect(finished).to_contain_text("第2回審査")
    expect(finished).to_contain_text("採択")
    assert_accessible(reviewer, "審査済み（審査委員）")
    finished.get_by_role("link", name=re.compile("親子のたまり場")).first.click()
    expect(reviewer.get_by_role("heading", name="審査票", level=1)).to_be_visible()
    expect(reviewer.get_by_text("予算が明確になりました。")).to_be_visible()
    assert_accessible(reviewer, "審査票")
    reviewer.emulate_media(media="print")
    expect(reviewer.locator(".site-nav")).to_be_hidden()
    expect(reviewer.locator(".back-link")).to_be_hidden()
    expect(reviewer.get_by_role("table", name=re.compile("評価項目ごとの評点"))).to_be_visible()
    pdf = reviewer.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    reviewer.goto("/projects/reviews/")
    for context in (staff_context, external_context, official_context, center_context, member_context):
        context.close()
