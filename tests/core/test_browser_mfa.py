"""In Chromium: staff issue a one-time TOTP set-up link, the committee member opens it and reaches
the set-up page; the pages pass axe, and an invalid statistics year shows its error."""

from __future__ import annotations

import re

import pytest

from core.models import OutboxMessage
from tests.browser import sign_in_with_form

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_issue_a_link_and_the_committee_member_enrols(
    page, chromium_browser, live_server, staff_user, committee_user, assert_accessible, settings
):
    settings.SITE_URL = live_server.url
    sign_in_with_form(page, staff_user.email)
    page.goto("/staff/mfa/")
    assert_accessible(page, "二段階認証の設定状況")
    row = page.locator("tr", has_text=committee_user.email)
    assert "未設定" in row.inner_text()
    row.get_by_role("button", name=re.compile("設定用リンクを送る")).click()
    page.wait_for_load_state()
    assert "設定用リンクを送りました" in page.locator("main").inner_text()

    body = OutboxMessage.objects.get(kind="core.mfa_enrol_staff").body
    link = re.search(re.escape(live_server.url) + r"(/mfa/enrol/\S+/)", body).group(1)
    context = chromium_browser.new_context(locale="ja-JP", base_url=live_server.url)
    member_page = context.new_page()
    sign_in_with_form(member_page, committee_user.email)
    member_page.goto("/accounts/2fa/totp/activate/")
    assert member_page.url.endswith("/mfa/enrol/")  # the password alone does not open it
    assert_accessible(member_page, "二段階認証の設定を始める")
    member_page.goto(link)
    member_page.wait_for_load_state()
    assert "/accounts/" in member_page.url  # allauth's TOTP page (after asking the password again)
    context.close()


def test_an_invalid_statistics_year_is_shown_next_to_the_field(page, staff_user, assert_accessible):
    sign_in_with_form(page, staff_user.email)
    response = page.goto("/consultations/stats/?fiscal_year=1999")
    assert response.status == 400
    assert "入力内容を確認してください" in page.locator("main").inner_text()
    assert page.locator("#id_fiscal_year").is_visible()
    assert_accessible(page, "相談の集計（年度の誤り）")
