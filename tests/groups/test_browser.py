"""As a citizen and as staff, in Chromium: apply → approve → find the group by half-width katakana."""

from __future__ import annotations

import re

import pytest

from core.models import Area, Theme
from tests.browser import sign_in_with_form

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_out(page) -> None:
    page.get_by_role("button", name="ログアウト").click()
    page.wait_for_load_state()


@pytest.fixture
def reference_data(db):
    # Transactional tests flush the tables, so the seeded themes may be gone: make sure they exist.
    theme, _ = Theme.objects.get_or_create(
        name="子どもの健全育成を図る活動",
        defaults={"short_name": "子どもの健全育成", "is_npo_act_field": True},
    )
    Theme.objects.get_or_create(name="まちづくりの推進を図る活動", defaults={"short_name": "まちづくり"})
    area, _ = Area.objects.get_or_create(name="本町", defaults={"name_kana": "ほんまち"})
    return theme, area


def test_apply_approve_and_find_by_half_width_katakana(
    page, member, staff_user, reference_data, assert_accessible
):
    """A citizen applies (a failed submit keeps what was typed), staff approve it in the queue, and
    the directory finds it when the name is typed as ｶﾓﾒｺﾄﾞﾓ; no serious axe violation on the way."""
    sign_in_with_form(page, member.email)
    page.goto("/groups/apply/")
    assert_accessible(page, "団体登録の申請")
    page.fill("#id_name", "かもめ子ども食堂")
    page.fill("#id_name_kana", "カモメコドモショクドウ")
    page.select_option("#id_legal_form", label="NPO法人")
    page.fill("#id_corporate_number", "7000012050003")  # one digit wrong
    page.fill("#id_purpose", "港町の子どもたちに温かい食事と居場所を届けます。")
    page.fill("#id_email", "kamome@example.jp")
    page.get_by_role("button", name="この内容で申請する").click()
    page.wait_for_load_state()
    # Errors in Japanese, summarised at the top and next to the fields; nothing typed is lost.
    assert page.get_by_role("alert").is_visible()
    assert "確認用の数字が一致しません" in page.locator("#id_corporate_number_error").inner_text()
    assert "活動分野を1つ以上選んでください" in page.content()
    assert page.locator("#id_name").input_value() == "かもめ子ども食堂"
    assert page.locator("#id_purpose").input_value() == "港町の子どもたちに温かい食事と居場所を届けます。"
    assert_accessible(page, "団体登録の申請（エラー表示）")
    page.fill("#id_corporate_number", "7000012050002")
    page.get_by_label(re.compile("子どもの健全育成")).check()
    page.get_by_label("本町").check()
    page.get_by_role("button", name="この内容で申請する").click()
    page.wait_for_load_state()
    assert "団体登録を申請しました" in page.content()
    sign_out(page)

    sign_in_with_form(page, staff_user.email)
    page.goto("/groups/staff/queue/")
    assert_accessible(page, "団体登録の申請（職員）")
    page.get_by_role("link", name="かもめ子ども食堂").click()
    page.get_by_role("button", name="承認する").click()
    page.wait_for_load_state()
    assert re.search(r"登録番号 R\d+-0001", page.content())
    sign_out(page)

    page.goto("/groups/")
    page.fill("#id_q", "ｶﾓﾒｺﾄﾞﾓ")
    page.get_by_role("button", name="この条件で探す").click()
    page.wait_for_load_state()
    assert "q=" in page.url
    result = page.get_by_role("link", name="かもめ子ども食堂")
    assert result.is_visible()
    assert_accessible(page, "団体をさがす")
    result.click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "かもめ子ども食堂"
    assert "kamome@example.jp" not in page.content()  # e-mail is private by default
    assert page.get_by_role("heading", name="この団体へのお問い合わせ").is_visible()
    assert_accessible(page, "団体のページ")
    page.screenshot(path="/tmp/groups-detail.png", full_page=True)


def test_directory_on_a_phone_does_not_scroll_sideways(phone_page, reference_data, assert_accessible):
    from tests.groups.factories import GroupFactory

    GroupFactory.create_batch(3)
    phone_page.goto("/groups/")
    width = phone_page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 360
    phone_page.screenshot(path="/tmp/groups-phone.png", full_page=True)


def test_owner_and_staff_pages_are_accessible(page, member, staff_user, reference_data, assert_accessible):
    """The manage page, the change history, the renewal status and the import preview pass axe."""
    from groups.services import group_update
    from tests.groups.factories import GroupFactory

    theme, area = reference_data
    group = GroupFactory(owner=member, themes=[theme], areas=[area], last_renewed_fiscal_year=2020)
    group_update(group=group, user=member, fields={"purpose": "新しい目的です"})
    sign_in_with_form(page, member.email)
    page.goto(f"/groups/{group.pk}/manage/")
    assert page.get_by_role("link", name="内容を確認して更新する").is_visible()
    assert_accessible(page, "団体の管理")
    sign_out(page)

    sign_in_with_form(page, staff_user.email)
    page.goto(f"/groups/staff/{group.pk}/history/")
    assert "新しい目的です" in page.content()
    assert_accessible(page, "団体の変更履歴")
    page.goto("/groups/staff/renewal/")
    assert group.name in page.content()
    assert_accessible(page, "団体の年次更新の状況")
    page.goto("/groups/staff/import/")
    bad = "団体名,ふりがな,法人格\r\n,なし,株式会社\r\n".encode("cp932")
    page.set_input_files("#id_file", files=[{"name": "bad.csv", "mimeType": "text/csv", "buffer": bad}])
    page.get_by_role("button", name="内容を確認する").click()
    page.wait_for_load_state()
    assert "団体名が空です" in page.content() and "法人格「株式会社」" in page.content()
    assert_accessible(page, "団体のCSV取り込み（エラー表示）")
