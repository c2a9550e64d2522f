"""Each demo role signs in through the login page and starts where its work is, at 1280 px and on a
360 px phone, then does its main task from there without typing an address. Screenshots go to
/tmp/workspace-<role>-<width>.png; axe finds no serious or critical violation on the pages passed."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from core.roles import Role
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 360, "height": 740}}


@pytest.fixture(params=list(SIZES))
def sized_page(request, chromium_browser, live_server):
    size = SIZES[request.param]
    context = chromium_browser.new_context(
        locale="ja-JP",
        timezone_id="Asia/Tokyo",
        base_url=live_server.url,
        viewport=size,
        is_mobile=request.param == "phone",
        has_touch=request.param == "phone",
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def log_in(page, user):
    page.goto("/")
    page.locator("header").get_by_role("link", name="ログイン").click()
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")


def check_page(page, assert_accessible, name):
    page.screenshot(path=f"/tmp/workspace-{name}-{page.viewport_size['width']}.png", full_page=True)
    assert_accessible(page, f"{name}（{page.viewport_size['width']}px）")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width}px wide"


def header_who(page) -> str:
    return page.locator(".account-nav__who").inner_text()


def test_staff_start_on_todays_work_and_open_the_roster(sized_page, make_user, assert_accessible):
    from tests.events.factories import EventFactory, RegistrationFactory
    from tests.groups.factories import GroupFactory

    page = sized_page
    staff = make_user(roles=(Role.STAFF,), email="today-staff@example.jp", full_name="協働 花子")
    GroupFactory(pending=True, name="申請中のひだまりの会")
    today = timezone.localdate()
    start = dt.datetime.combine(today, dt.time(0, 1), tzinfo=timezone.get_current_timezone())
    event = EventFactory(starts_at=start, title="ミライ対話 今日の回")
    event.sessions.update(ends_at=start + dt.timedelta(hours=23, minutes=58))
    RegistrationFactory.create_batch(3, event=event)

    log_in(page, staff)
    page.wait_for_url(re.compile(r"/staff/today/$"))
    expect(page.get_by_role("heading", name="今日の対応", level=1)).to_be_visible()
    assert header_who(page) == "協働 花子（センター職員）"
    expect(page.locator(".today-item--soon", has_text="団体登録の申請（確認待ち）")).to_contain_text("1件")
    check_page(page, assert_accessible, "staff-today")

    page.get_by_role("link", name=re.compile("受付名簿: ミライ対話 今日の回")).click()
    page.wait_for_url(re.compile(r"/events/staff/sessions/\d+/checkin/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("受付名簿")

    page.locator("header").get_by_role("link", name="職員メニュー").click()
    expect(page.get_by_role("heading", name="団体", level=2)).to_be_visible()
    check_page(page, assert_accessible, "staff-menu")


def test_official_starts_on_the_reviews_and_opens_one(
    sized_page, official_user, make_user, assert_accessible
):
    from tests.projects.factories import CallFactory, ProjectGroupFactory, ProposalFactory

    page = sized_page
    official_user.full_name = "市役 一郎"
    official_user.save()
    call = CallFactory(departments=[official_user.departments.get()])
    group = ProjectGroupFactory(owner=make_user(email="proposer@example.jp"), name="さくらんぼの会")
    ProposalFactory(call=call, group=group, under_review=True, title="親子のたまり場")

    log_in(page, official_user)
    page.wait_for_url(re.compile(r"/projects/reviews/$"))
    assert header_who(page) == "市役 一郎（市職員）"
    check_page(page, assert_accessible, "official-reviews")
    page.get_by_role("link", name="親子のたまり場").click()
    expect(page.get_by_role("heading", name="採点", level=2)).to_be_visible()

    page.locator("header").get_by_role("link", name="マイページ").click()
    expect(page.get_by_role("heading", name="マイページ", level=1)).to_be_visible()
    expect(page.get_by_text("団体登録を申請する")).to_have_count(0)
    expect(page.get_by_text("企業・事業者のプロフィールを登録する")).to_have_count(0)
    check_page(page, assert_accessible, "official-mypage")


def test_external_reviewer_starts_on_the_reviews_with_the_deadline_and_opens_one(
    sized_page, make_user, assert_accessible
):
    from projects import services as project_services
    from tests.projects.factories import CallFactory, ProposalFactory

    page = sized_page
    staff = make_user(roles=(Role.STAFF,), email="invites@example.jp")
    reviewer = make_user(email="reviewer@example.jp", full_name="山川 道子")
    deadline = timezone.localdate() + dt.timedelta(days=10)
    call = CallFactory(review_deadline=max(deadline, dt.date(2026, 11, 30)))
    project_services.external_reviewer_accept(
        token=project_services.external_reviewer_token(
            project_services.external_reviewer_invite(
                call=call, email=reviewer.email, full_name="山川 道子", by=staff
            )
        ),
        user=reviewer,
    )
    ProposalFactory(call=call, under_review=True, title="親子のたまり場")

    log_in(page, reviewer)
    page.wait_for_url(re.compile(r"/projects/reviews/$"))
    assert header_who(page) == "山川 道子（審査委員）"
    expect(page.get_by_role("row", name=re.compile("親子のたまり場"))).to_contain_text(
        f"{call.review_deadline.year}年{call.review_deadline.month}月{call.review_deadline.day}日"
    )
    check_page(page, assert_accessible, "reviewer-reviews")
    page.get_by_role("link", name="親子のたまり場").click()
    expect(page.get_by_role("heading", name="採点", level=2)).to_be_visible()


def test_committee_starts_on_the_reports(sized_page, committee_user, assert_accessible):
    page = sized_page
    committee_user.full_name = "評価 京子"
    committee_user.save()
    log_in(page, committee_user)
    page.wait_for_url(re.compile(r"/reports/$"))
    assert header_who(page) == "評価 京子（委員）"
    check_page(page, assert_accessible, "committee-reports")


def test_citizen_starts_on_mypage_and_finds_the_group_application(sized_page, make_user, assert_accessible):
    page = sized_page
    citizen = make_user(email="citizen@example.jp", full_name="市民 さくら")
    log_in(page, citizen)
    page.wait_for_url(re.compile(r"/mypage/$"))
    assert header_who(page) == "市民 さくら（利用者）"
    check_page(page, assert_accessible, "citizen-mypage")
    page.get_by_role("link", name="団体登録を申請する").click()
    page.wait_for_url(re.compile(r"/groups/"))
