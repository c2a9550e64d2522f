"""In Chromium: register → another person is waitlisted → the first cancels → the second is confirmed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.browser import sign_in_as
from tests.events.factories import EventFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_waitlisted_person_is_confirmed_when_the_first_cancels(
    chromium_browser, live_server, make_user, assert_accessible
):
    event = EventFactory(
        capacity=1, title="ミライ対話「子育てしやすいまち」", childcare=True, sign_language=True
    )
    first = make_user(email="first@example.jp", full_name="佐藤 陽子")
    second = make_user(email="second@example.jp", full_name="鈴木 健太")
    contexts = []

    def browser_for(user):
        context = chromium_browser.new_context(
            locale="ja-JP", timezone_id="Asia/Tokyo", base_url=live_server.url
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        sign_in_as(page, user, live_server)
        return page

    try:
        a = browser_for(first)
        a.goto("/events/")
        assert_accessible(a, "催し・講座（一覧）")
        a.get_by_role("link", name=event.title).click()
        assert a.get_by_role("heading", level=1).inner_text() == event.title
        assert a.get_by_text("残り1人").is_visible()
        assert_accessible(a, "催しのページ")
        a.get_by_role("link", name="この催しに申し込む").click()
        assert_accessible(a, "催しの申し込み")
        a.get_by_label("必要な配慮").fill("託児を希望します（3歳1人）")
        a.get_by_role("button", name="申し込む").click()
        assert a.get_by_text("参加確定", exact=True).is_visible()

        b = browser_for(second)
        b.goto(f"/events/{event.pk}/")
        assert b.get_by_text("満席").first.is_visible()
        b.get_by_role("link", name="キャンセル待ちで申し込む").click()
        b.get_by_role("button", name="キャンセル待ちで申し込む").click()
        assert b.get_by_text("キャンセル待ち", exact=True).first.is_visible()
        assert_accessible(b, "催しのページ（キャンセル待ち）")

        a.goto("/mypage/")
        a.locator(".my-registrations").get_by_role("link", name="取り消す").click()
        assert_accessible(a, "申し込みの取り消し")
        a.get_by_role("button", name="取り消す").click()
        assert a.get_by_text("申し込みを取り消しました。").is_visible()

        b.reload()
        assert b.get_by_text("参加確定", exact=True).is_visible()
        b.goto("/mypage/")
        assert b.locator(".my-registrations").get_by_text("参加確定").is_visible()
        assert_accessible(b, "マイページ（申し込んだ催し）")
    finally:
        for context in contexts:
            context.close()


def test_event_page_and_month_view_fit_a_phone(phone_page, assert_accessible):
    """At 360 px nothing scrolls sideways; the registration box comes before the schedule."""
    event = EventFactory(course=True, wheelchair_accessible=True, online=True)
    phone_page.goto(f"/events/{event.pk}/")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360
    box = phone_page.locator(".register-box").bounding_box()
    assert box["y"] < phone_page.get_by_role("heading", name="日程（全5回）").bounding_box()["y"]
    assert phone_page.get_by_role("link", name="ログインして申し込む").bounding_box()["height"] >= 44
    assert_accessible(phone_page, "催しのページ（スマートフォン）")
    month = event.sessions.first().starts_at.strftime("%Y-%m")
    phone_page.goto(f"/events/?view=month&month={month}")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360
    assert phone_page.get_by_role("link", name=event.title).first.is_visible()
    assert_accessible(phone_page, "催しの月表示（スマートフォン）")


def test_staff_check_in_on_a_tablet(chromium_browser, live_server, make_user, assert_accessible):
    """One tap per person marks attendance; the page works as plain form posts too."""
    from core.roles import Role
    from tests.events.factories import PersonFactory, RegistrationFactory

    staff = make_user(roles=(Role.STAFF,), email="staff-tablet@example.jp")
    # The session began an hour ago: attendance is taken from the session's day on.
    event = EventFactory(capacity=None, starts_at=timezone.now() - dt.timedelta(hours=1))
    for name in ("青木 誠", "石川 舞"):
        RegistrationFactory(event=event, person=PersonFactory(name=name))
    context = chromium_browser.new_context(
        locale="ja-JP", base_url=live_server.url, viewport={"width": 768, "height": 1024}, has_touch=True
    )
    try:
        page = context.new_page()
        sign_in_as(page, staff, live_server)
        page.goto(f"/events/staff/sessions/{event.sessions.first().pk}/checkin/")
        button = page.get_by_role("button", name="青木 誠")
        assert button.bounding_box()["height"] >= 64
        button.tap()
        page.get_by_role("button", name="青木 誠").filter(has_text="出席").wait_for()
        assert page.get_by_role("button", name="青木 誠").get_attribute("aria-pressed") == "true"
        assert page.locator("#present-count").inner_text() == "1"
        assert_accessible(page, "受付名簿（タブレット）")
        page.reload()
        assert page.locator("#present-count").inner_text() == "1"
    finally:
        context.close()


def test_staff_register_a_known_caller_at_the_counter_on_a_phone(
    chromium_browser, live_server, make_user, assert_accessible
):
    """On a phone-sized screen staff find a known person, choose 窓口 beside them and register
    them: the registration is recorded as 窓口, and the page passes the accessibility check."""
    from core.roles import Role
    from events.models import Registration
    from tests.events.factories import PersonFactory

    staff = make_user(roles=(Role.STAFF,), email="staff-counter@example.jp")
    event = EventFactory(capacity=None, starts_at=timezone.now() + dt.timedelta(days=7))
    known = PersonFactory(name="木村 彩", name_kana="きむら あや", phone="000-555-6666")
    context = chromium_browser.new_context(
        locale="ja-JP", base_url=live_server.url, viewport={"width": 375, "height": 800}
    )
    try:
        page = context.new_page()
        sign_in_as(page, staff, live_server)
        page.goto(f"/events/staff/{event.pk}/register/?q=きむら")
        match = page.locator(".person-matches li").filter(has_text="木村 彩")
        match.get_by_label("申込方法").select_option(label="窓口")
        assert_accessible(page, "電話・窓口の申し込み（見つかった方）")
        match.get_by_role("button").click()
        page.wait_for_url(f"**/events/staff/{event.pk}/")
        assert Registration.objects.get(event=event, person=known).channel == Registration.Channel.COUNTER
    finally:
        context.close()
