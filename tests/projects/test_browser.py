"""In a real browser: a member submits a proposal, an official reviews it in another session, staff
adopt it, and the public page shows it. No serious or critical axe violation on the pages passed."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from projects.models import Project, Proposal, ProposalStatus
from tests import browser
from tests.projects.factories import CallFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def signed_in_context(chromium_browser, live_server, user):
    context, page = browser.signed_in_context(chromium_browser, live_server, user)
    page.on("dialog", lambda dialog: dialog.accept())  # the data-confirm prompts
    return context, page


def test_submit_review_adopt_and_publish(
    chromium_browser,
    live_server,
    page,
    assert_accessible,
    group,
    proposer,
    official_user,
    department,
    staff_user,
):
    today = timezone.localdate()
    call = CallFactory(
        opens_on=today - dt.timedelta(days=10),
        closes_on=today + dt.timedelta(days=10),
        departments=[department],
        title="令和9年度 市民提案型協働事業の提案募集",
    )

    # 1. The member writes and submits the proposal.
    member_context, member = signed_in_context(chromium_browser, live_server, proposer)
    member.goto(f"/projects/calls/{call.pk}/")
    assert_accessible(member, "協働事業の提案募集")
    member.get_by_role("link", name="この募集に提案する").click()
    member.get_by_label("事業名").fill("親子のたまり場「さくらんぼひろば」")
    member.get_by_label("事業の概要").fill("転入して間もない親子が気軽に立ち寄れるひろばを開きます。")
    member.get_by_label("協働を希望する担当課").select_option(label=department.name)
    browser.fill_by_label(
        member,
        {
            "誰が（実施体制）": "会員10名と保健師",
            "誰に（対象）": "0〜3歳の子の親子",
            "どこで（場所）": "本町地区センター",
            "何を（事業内容）": "毎週水曜のひろば",
            "なぜ（課題と目的）": "孤立しがちな親を支えるため",
            "いつまでに（期間・スケジュール）": "2028年2月まで",
            "いくらで（費用の考え方）": "会場費は市、消耗品は団体",
            "どのように（進め方・役割分担）": "団体が運営し市が広報",
        },
    )
    assert_accessible(member, "提案書を書く")
    member.get_by_role("button", name="下書きを保存する").click()
    expect(member.get_by_role("heading", name="提案書の編集", level=1)).to_be_visible()
    member.locator("#id_partners-0-name").fill("桜川小学校PTA")
    member.locator("#id_partners-0-role").fill("参加者への周知")
    member.locator("#id_budget-0-item").fill("会場使用料")
    member.locator("#id_budget-0-amount").fill("48000")
    member.locator("#id_budget-0-payer").select_option("city")
    member.get_by_role("button", name="下書きを保存する").click()
    expect(member.get_by_text("提案を保存しました。")).to_be_visible()
    assert_accessible(member, "提案書の編集")
    member.get_by_role("link", name=re.compile("提案「親子のたまり場")).click()
    member.get_by_role("button", name="提出する").click()
    expect(member.get_by_text("提案を提出しました。")).to_be_visible()
    assert_accessible(member, "提案の詳細（提案者）")
    proposal = Proposal.objects.get()
    assert proposal.status == ProposalStatus.SUBMITTED

    # 2. Staff start the review.
    staff_context, staff = signed_in_context(chromium_browser, live_server, staff_user)
    staff.goto(f"/projects/proposals/{proposal.pk}/")
    staff.get_by_role("button", name="審査を開始する").click()
    expect(staff.get_by_text("審査を開始しました。")).to_be_visible()
    assert_accessible(staff, "提案の詳細（職員）")

    # 3. The official scores it in another browser session.
    official_context, official = signed_in_context(chromium_browser, live_server, official_user)
    official.goto("/projects/reviews/")
    assert_accessible(official, "審査する提案")
    official.get_by_role("link", name="親子のたまり場「さくらんぼひろば」").click()
    for criterion in proposal.call.stages.get().criteria.all():
        official.locator(f"input[name='score_{criterion.pk}'][value='4']").check()
    official.get_by_label("採択がふさわしい", exact=True).check()
    official.get_by_label("総評").fill("地域の課題がよく捉えられています。")
    assert_accessible(official, "審査（採点）")
    official.get_by_role("button", name="審査を完了する").click()
    expect(official.get_by_text("審査を完了しました。")).to_be_visible()

    # 4. Staff see the total and the ranking, and adopt.
    staff.goto(f"/projects/staff/calls/{call.pk}/")
    ranking = staff.get_by_role("table", name=re.compile("合計点の高い順"))
    expect(ranking).to_contain_text("80.00")
    assert_accessible(staff, "募集の審査状況と順位")
    staff.goto(f"/projects/staff/proposals/{proposal.pk}/decide/")
    staff.get_by_label("採択", exact=True).check()
    staff.get_by_label("理由").fill(
        "地域の子育て世帯の孤立という課題が明確で、担当課との役割分担も具体的であるため。"
    )
    assert_accessible(staff, "決定の記録")
    staff.get_by_role("button", name="決定を記録する").click()
    expect(staff.get_by_text("決定を記録し、提案者に知らせました。")).to_be_visible()
    assert_accessible(staff, "協働事業の管理ページ")
    project = Project.objects.get(proposal=proposal)

    # 5. The public page shows the adopted project and the reason.
    page.goto("/projects/")
    page.get_by_role("link", name="親子のたまり場「さくらんぼひろば」").click()
    expect(page).to_have_url(re.compile(f"/projects/{project.pk}/$"))
    expect(page.get_by_role("heading", name="採択の理由")).to_be_visible()
    expect(page.get_by_text("担当課との役割分担も具体的であるため。")).to_be_visible()
    assert_accessible(page, "協働事業（公開ページ）")
    page.goto("/projects/")
    assert_accessible(page, "協働事業の一覧")

    # The member sees the decision on the proposal.
    member.goto(f"/projects/proposals/{proposal.pk}/")
    expect(member.get_by_role("heading", name="審査結果: 採択")).to_be_visible()
    for context in (member_context, staff_context, official_context):
        context.close()


def test_staff_and_partner_pages_are_accessible(
    chromium_browser, live_server, phone_page, assert_accessible, group, proposer, department, staff_user
):
    """The life-cycle pages (workspace, records, evaluation, agreement, support logs, lists) pass axe."""
    from projects import services
    from tests.projects.factories import ProjectFactory, log_support

    project = ProjectFactory(preparing=True, lead_group=group, department=department, title="親子のたまり場")
    support = services.project_register(
        title="認知症カフェの立ち上げ", kind="support", lead_group=group, fiscal_year=2026, by=staff_user
    )
    log_support(support, by=staff_user)
    staff_context, staff = signed_in_context(chromium_browser, live_server, staff_user)
    for url, name in [
        ("/projects/staff/projects/", "協働事業の管理"),
        ("/projects/staff/projects/new/", "プロジェクトの登録"),
        (f"/projects/staff/projects/{project.pk}/agreement/", "協働協定書の編集"),
        (f"/projects/manage/{support.pk}/", "管理ページ（プロジェクト支援）"),
        (f"/projects/manage/{support.pk}/add/support/", "支援記録の追加"),
        (f"/projects/manage/{support.pk}/evaluation/group/", "相互評価"),
        ("/projects/staff/support-logs/", "支援記録の一覧"),
        ("/projects/staff/calls/", "募集の一覧"),
        ("/projects/staff/calls/new/", "募集の作成"),
        ("/staff/outbox/", "送信メール"),
    ]:
        staff.goto(url)
        assert_accessible(staff, name)
    # The agreement is written, signed and the project moves on, through the pages.
    staff.goto(f"/projects/staff/projects/{project.pk}/agreement/")
    for field, text in [
        ("purpose", "子育て中の親子の孤立を防ぐ。"),
        ("group_role", "ひろばの運営"),
        ("department_role", "広報と保健師の派遣"),
        ("method", "毎週水曜に開く。"),
        ("cost_sharing", "会場費は市、消耗品は団体が負担する。"),
    ]:
        staff.locator(f"#id_{field}").fill(text)
    staff.locator("#id_signed_on").fill("2026-04-20")
    staff.get_by_role("button", name="保存する").click()
    expect(staff.get_by_text("協働協定書を保存しました。")).to_be_visible()
    staff.get_by_role("button", name="「協定締結」にする").click()
    expect(staff.get_by_text("状態を「協定締結」にしました。")).to_be_visible()
    assert_accessible(staff, "管理ページ（協定締結）")
    staff_context.close()

    member_context, member = signed_in_context(chromium_browser, live_server, proposer)
    member.goto("/projects/proposals/")
    assert_accessible(member, "団体の提案")
    member.goto(f"/projects/manage/{project.pk}/add/progress/")
    assert_accessible(member, "進捗報告")
    member_context.close()

    phone_page.goto("/projects/")
    assert_accessible(phone_page, "協働事業の一覧（スマートフォン）")
    phone_page.goto(f"/projects/{project.pk}/")
    assert_accessible(phone_page, "協働事業（スマートフォン）")
