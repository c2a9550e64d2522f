"""In Chromium: a group posts a need, staff see the fitting business first and introduce it."""

import re

import pytest
from django.core import mail

from matching.models import Match, MatchStatus, PartyRef, ProBonoDeliverable
from tests.browser import sign_in_as
from tests.matching.factories import BusinessFactory, OfferFactory, theme

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_group_need_is_brokered_to_the_design_company(
    page, live_server, assert_accessible, editor, group, design_company, staff_user, kodomo, honmachi
):
    OfferFactory(business=design_company, title="チラシ制作/デザイン", deliverable=ProBonoDeliverable.FLYER)
    # A business sharing more themes and the district, but offering nothing that fulfils the need.
    BusinessFactory(name="あおば商店", themes=[kodomo, theme("まちづくり")], areas=[honmachi])

    # The group's editor posts a need for a flyer.
    sign_in_as(page, editor, live_server)
    page.goto("/matching/needs/new/")
    assert_accessible(page, "ニーズの登録")
    page.get_by_label("タイトル").fill("子ども食堂のチラシ制作")
    page.get_by_label("種類").select_option(label="プロボノ")
    page.get_by_label("プロボノの成果物").select_option(label="チラシ制作")
    page.get_by_label("子どもの健全育成").check()
    page.get_by_role("button", name="登録する").click()
    page.get_by_role("heading", level=1, name="子ども食堂のチラシ制作").wait_for()
    assert_accessible(page, "ニーズの詳細")

    # The editor sees the suggestions for their own group: the design company first.
    page.get_by_role("link", name=re.compile("への提案を見る")).click()
    first = page.locator(".suggestion").first
    assert first.get_by_role("heading").inner_text() == "みらいデザイン工房"
    assert "ニーズ「子ども食堂のチラシ制作」↔ 提供「チラシ制作/デザイン」" in first.inner_text()
    assert_accessible(page, "マッチングの提案")

    # Staff see the same first suggestion and introduce it with a note.
    sign_in_as(page, staff_user, live_server)
    page.goto(f"/matching/suggestions/{PartyRef.of(group).key}/")
    first = page.locator(".suggestion").first
    assert first.get_by_role("heading").inner_text() == "みらいデザイン工房"
    first.get_by_role("link", name="みらいデザイン工房を紹介する").click()
    assert_accessible(page, "紹介")
    page.get_by_label("紹介のひとこと").fill("チラシの件で、ぜひ一度お話しください。")
    page.get_by_role("button", name="紹介してメールを送る").click()
    page.get_by_text("紹介しました。").wait_for()
    assert_accessible(page, "マッチングの記録")

    match = Match.objects.get()
    assert (match.party_a, match.party_b, match.status) == (group, design_company, MatchStatus.INTRODUCED)
    assert sorted(len(m.to) for m in mail.outbox) == [2, 2]
    recipients = {address for message in mail.outbox for address in message.to}
    assert {editor.email, group.email, design_company.email} <= recipients
    assert all("チラシの件で、ぜひ一度お話しください。" in m.body for m in mail.outbox)

    # The pipeline shows it under 紹介済, and staff move it on to 協議中.
    page.goto("/matching/staff/pipeline/")
    column = page.locator(
        "section.pipeline__column", has=page.get_by_role("heading", name=re.compile("紹介済"))
    )
    assert "みらい子ども食堂 ↔ みらいデザイン工房" in column.inner_text()
    assert_accessible(page, "マッチングのパイプライン")
    column.get_by_role("button", name="変更する").first.click()
    page.get_by_text("「協議中」にしました。").wait_for()
    match.refresh_from_db()
    assert match.status == MatchStatus.NEGOTIATING


def test_the_matching_pages_read_well_on_a_phone(phone_page, assert_accessible, group, design_company):
    """The public needs and offers list works at 360px and passes axe."""
    OfferFactory(business=design_company, title="チラシ制作/デザイン")
    phone_page.goto("/matching/?type=offer")
    assert phone_page.get_by_role("link", name="チラシ制作/デザイン").is_visible()
    assert_accessible(phone_page, "マッチング（提供の一覧）")


def test_business_pages_and_the_staff_queue_pass_axe(
    page, live_server, assert_accessible, member, staff_user, official_user, kodomo
):
    """A person registers a business (errors in words), staff approve it, officials see their department."""
    sign_in_as(page, member, live_server)
    page.goto("/matching/businesses/new/")
    page.get_by_role("button", name="登録して承認を申請する").click()
    assert page.get_by_role("alert").is_visible()
    assert_accessible(page, "企業・事業者の登録（入力エラー）")
    page.locator("#id_name").fill("あおば工務店")
    page.locator("#id_name_kana").fill("あおばこうむてん")
    page.get_by_label("子どもの健全育成").check()
    page.get_by_role("button", name="登録して承認を申請する").click()
    page.get_by_text("センター職員の承認をお待ちください").wait_for()
    assert_accessible(page, "企業・事業者のプロフィール")

    sign_in_as(page, staff_user, live_server)
    page.goto("/matching/staff/businesses/")
    assert_accessible(page, "企業・事業者の承認待ち")
    page.get_by_role("button", name="承認する").click()
    page.get_by_text("「あおば工務店」を承認しました。").wait_for()

    from core.models import Department

    department = Department.objects.get(name="子ども家庭支援課")
    department.themes.set([kodomo])
    sign_in_as(page, official_user, live_server)
    page.goto(f"/matching/departments/{department.pk}/")
    assert_accessible(page, "担当課のページ")
    page.get_by_role("link", name="この担当課への提案を見る").click()
    assert "あおば工務店" in page.locator(".suggestion-list").inner_text()
