"""A newcomer signs up, verifies the e-mail address from the outbox and logs in."""

import re

import pytest
from django.core import mail

from tests.browser import fill_by_label

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_up_verify_and_log_in(page, live_server, assert_accessible, settings):
    """Sign-up, verification and login work in Chromium, in Japanese, without accessibility faults."""
    settings.SITE_URL = live_server.url
    page.goto("/")
    page.get_by_role("navigation", name="アカウント").get_by_role("link", name="新規登録").click()
    assert_accessible(page, "新規登録")
    main = page.locator("main")
    # One sentence for the password rules, a word about the confirmation mail, the privacy page.
    assert main.get_by_text("10文字以上で、数字だけのもの").count() == 1
    assert main.get_by_text("確認のメールが届きます").count() == 1
    assert main.get_by_role("link", name="個人情報の取り扱い").is_visible()

    # Labels read "メールアドレス 必須": the required mark is part of the accessible name.
    fill_by_label(page, {"氏名": "日向 陽", "ふりがな": "ヒナタ ヨウ", "メールアドレス": "hinata@example.jp"})
    page.locator("#id_password1").fill("yuuhi-no-oka-2025")
    page.get_by_label("パスワード（確認のため、もう一度）").fill("yuuhi-no-oka-2025")
    page.get_by_role("button", name="新規登録する").click()
    page.wait_for_url(re.compile(r"/accounts/confirm-email/"))
    assert_accessible(page, "確認メール送信")

    assert len(mail.outbox) == 1
    assert mail.outbox[0].body.startswith("日向 陽 様")
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    page.goto(link)
    assert_accessible(page, "メールアドレスの確認")
    page.get_by_role("button", name="確認する").click()

    page.goto("/accounts/login/")
    assert_accessible(page, "ログイン")
    page.get_by_label("メールアドレス").fill("hinata@example.jp")
    # Tab follows the visual order: email → password → 「パスワードをお忘れですか？」.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_password"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "パスワードをお忘れですか？"
    page.locator("#id_password").fill("yuuhi-no-oka-2025")
    page.locator("main").get_by_role("button", name="ログイン").click()
    page.wait_for_url(re.compile(r"/mypage/$"))
    assert page.get_by_role("heading", name="マイページ").is_visible()
    assert page.get_by_text("日向 陽（ひなた よう）さん").is_visible()
    assert_accessible(page, "マイページ")


def test_pages_fit_a_small_phone(phone_page, assert_accessible):
    """At 360 px wide the home and login pages do not scroll sideways."""
    for path in ("/", "/accounts/login/"):
        phone_page.goto(path)
        width = phone_page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{path} is {width}px wide"
    assert_accessible(phone_page, "ログイン（スマートフォン）")
