"""Each role starts where its work is: the login redirect, the header (氏名（役割） and the role's
links), staff's 今日の対応 built from the apps' dashboard_items, the grouped staff menu, and a
マイページ that shows only what applies to the person."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.app_hooks import DashboardItem, Link, Urgency
from core.roles import Role
from core.selectors import staff_menu_sections, staff_today_context
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

JST = ZoneInfo("Asia/Tokyo")
# A Wednesday in term time: the dashboard's "today" is this day, never the day the tests run.
MORNING = dt.datetime(2027, 1, 13, 8, 30, tzinfo=JST)


def _log_in(client, user, **extra):
    return client.post(
        reverse("account_login") + extra.get("query", ""), {"login": user.email, "password": PASSWORD}
    )


@pytest.mark.parametrize(
    ("roles", "landing"),
    [
        ((Role.STAFF,), "/staff/today/"),
        ((Role.OFFICIAL,), "/projects/reviews/"),
        ((Role.COMMITTEE,), "/reports/"),
        ((Role.REVIEWER,), "/projects/reviews/"),
        ((), "/mypage/"),
        ((Role.STAFF, Role.COMMITTEE), "/staff/today/"),
    ],
)
def test_each_role_lands_where_its_work_is(client, make_user, roles, landing):
    user = make_user(roles=roles, email="landing@example.jp")
    response = _log_in(client, user)
    assert response.status_code == 302
    assert response["Location"] == landing


def test_a_next_address_still_wins_over_the_role_landing(client, make_user):
    user = make_user(roles=(Role.STAFF,), email="next@example.jp")
    response = _log_in(client, user, query="?next=/groups/")
    assert response["Location"] == "/groups/"


@pytest.mark.parametrize(
    ("roles", "label", "links", "absent"),
    [
        ((Role.STAFF,), "センター職員", ["今日の対応", "職員メニュー", "管理画面"], []),
        ((Role.OFFICIAL,), "市職員", ["審査する提案", "マイページ"], ["職員メニュー"]),
        ((Role.COMMITTEE,), "委員", ["成果報告書", "マイページ"], ["職員メニュー", "審査する提案"]),
        ((Role.REVIEWER,), "審査委員", ["審査する提案", "マイページ"], ["職員メニュー", "成果報告書"]),
        ((), "利用者", ["マイページ"], ["職員メニュー", "審査する提案"]),
    ],
)
def test_header_names_the_person_and_role_and_offers_the_roles_links(
    client_for, make_user, roles, label, links, absent
):
    user = make_user(roles=roles, full_name="協働 太郎", email="header@example.jp")
    page = client_for(user).get("/").content.decode()
    nav = re.search(r'<nav aria-label="アカウント">(.*?)</nav>', page, re.S).group(1)
    assert f'協働 太郎<span class="account-nav__role">（{label}）</span>' in nav
    texts = re.findall(r"<a [^>]*>([^<]+)</a>", nav)
    for title in links:
        assert title in texts
    for title in absent:
        assert title not in texts
    assert user.email not in nav, "an e-mail address is never shown as the name"


def test_header_never_shows_the_email_as_a_name(client_for, make_user):
    user = make_user(full_name="", email="noname@example.jp")
    nav = re.search(
        r'<nav aria-label="アカウント">(.*?)</nav>', client_for(user).get("/").content.decode(), re.S
    )
    assert user.email not in nav.group(1) and "（氏名未登録）" in nav.group(1)


# --- 今日の対応 ---------------------------------------------------------------------------------------


def _today_data(n: int, staff):
    """n of each kind of waiting thing, plus n sessions today."""
    from consultations.models import FollowUp
    from events.models import EventSession
    from tests.consultations.factories import ConsultationFactory
    from tests.events.factories import EventFactory, RegistrationFactory
    from tests.groups.factories import GroupFactory

    today = MORNING.date()
    GroupFactory.create_batch(n, pending=True)
    for i in range(n):
        consultation = ConsultationFactory(staff=staff)
        FollowUp.objects.create(
            consultation=consultation,
            due_on=today - dt.timedelta(days=3),
            owner=staff,
            description="電話する",
        )
        event = EventFactory(starts_at=MORNING.replace(hour=10 + i % 8), title=f"ミライ対話 今日の回{i}")
        RegistrationFactory.create_batch(2, event=event)
        RegistrationFactory(event=event, cancelled=True)
    # A session tomorrow is not today's.
    EventFactory(starts_at=MORNING + dt.timedelta(days=1), title="明日の講座")
    return EventSession.objects.filter(event__title__startswith="ミライ対話 今日の回")


def test_staff_today_lists_what_waits_most_urgent_first_and_hides_zero(client_for, staff_user):
    with time_machine.travel(MORNING, tick=False):
        sessions = _today_data(2, staff_user)
        page = client_for(staff_user).get("/staff/today/").content.decode()
    assert "<h1>今日の対応</h1>" in page
    urgent = page.index("至急（期限切れ・失敗）")
    soon = page.index("確認・承認を待っているもの")
    info = page.index("今日の予定・進行中")
    assert urgent < soon < info
    assert page.index("期限を過ぎた相談のフォローアップ") < soon
    assert soon < page.index("団体登録の申請（確認待ち）") < info
    for session in sessions:
        assert reverse("events:staff_checkin", args=[session.pk]) in page
    assert "明日の講座" not in page
    # Nothing failed and no business waits: those items are not shown at all.
    assert "送信に失敗したメール" not in page
    assert "企業・事業者の承認待ち" not in page
    assert re.search(r"<strong>2</strong>件</span>\s*<span class=\"today-item__title\">団体登録の申請", page)
    assert re.search(
        r"<strong>2</strong>人</span>\s*<span class=\"today-item__title\">受付名簿: ミライ対話 今日の回0",
        page,
    )


def test_staff_today_says_so_when_nothing_waits(client_for, staff_user):
    with time_machine.travel(MORNING, tick=False):
        page = client_for(staff_user).get("/staff/today/").content.decode()
    assert "いま対応を待っているものはありません。" in page


def test_staff_today_query_count_does_not_grow_with_the_data(client_for, staff_user):
    counts = []
    with time_machine.travel(MORNING, tick=False):
        client = client_for(staff_user)
        client.get("/staff/today/")  # the first page after login also writes the session
        for n in (1, 4):
            _today_data(n, staff_user)
            with CaptureQueriesContext(connection) as queries:
                assert client.get("/staff/today/").status_code == 200
            counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 20, counts


def test_staff_today_orders_by_urgency_and_drops_empty_items():
    items = [
        DashboardItem(title="info", url="/i", count=3, urgency=Urgency.INFO),
        DashboardItem(title="none", url="/n", count=0, urgency=Urgency.URGENT),
        DashboardItem(title="soon", url="/s", count=1, urgency=Urgency.SOON),
        DashboardItem(title="urgent", url="/u", count=2, urgency=Urgency.URGENT),
    ]
    context = staff_today_context(items)
    assert [item.title for item in context["items"]] == ["urgent", "soon", "info"]
    assert context["urgent_count"] == 1


# --- The staff menu -----------------------------------------------------------------------------------


def test_staff_menu_sections_follow_the_heading_order_and_leave_out_empty_ones():
    links = [
        Link(title="報告", url="/r", section="settings"),
        Link(title="団体A", url="/a", section="groups"),
        Link(title="迷子", url="/x", section="no-such-section"),
        Link(title="相談", url="/c", section="consultations"),
    ]
    sections = staff_menu_sections(links)
    assert [s["key"] for s in sections] == ["groups", "consultations", "settings"]
    assert [link.title for link in sections[-1]["links"]] == ["報告", "迷子"]


def test_staff_menu_is_grouped_and_mutes_zero_counts(client_for, staff_user):
    from tests.groups.factories import GroupFactory

    GroupFactory.create_batch(3, pending=True)
    page = client_for(staff_user).get("/staff/").content.decode()
    headings = re.findall(r'<h2 id="staff-[a-z]+">([^<]+)</h2>', page)
    assert headings[:5] == ["団体", "催し", "協働事業", "相談", "マッチング"]
    assert headings[-1] == "報告・設定"
    groups_section = page[page.index('id="staff-groups"') : page.index('id="staff-events"')]
    assert "団体登録の申請（確認待ち）" in groups_section
    assert '<span class="count count--waiting">3件</span>' in groups_section
    assert '<span class="count count--none">0件</span>' in page  # e.g. no waitlist
    assert reverse("admin:index") in page[page.index('id="staff-settings"') :]


# --- マイページ -------------------------------------------------------------------------------------------


def test_official_mypage_offers_no_citizen_entrances(client_for, official_user):
    page = client_for(official_user).get("/mypage/").content.decode()
    assert "団体登録を申請する" not in page
    assert "企業・事業者のプロフィールを登録する" not in page
    assert "申し込んだ催し" not in page


def test_external_reviewer_lands_on_the_calls_proposals_deadline_first(client, make_user):
    """A 審査委員 who accepted two calls' invitations signs in and sees both calls' proposals, the
    nearer review deadline first, each with its deadline; the header says 氏名（審査委員）."""
    from projects import services as project_services
    from tests.projects.factories import CallFactory, ProposalFactory

    staff = make_user(roles=(Role.STAFF,), email="invites@example.jp")
    reviewer = make_user(email="outside@example.jp", full_name="山川 道子")
    today = dt.date(2027, 1, 13)
    with time_machine.travel(MORNING, tick=False):
        for title, days in (("後の締切の提案", 30), ("先の締切の提案", 7)):
            call = CallFactory(review_deadline=today + dt.timedelta(days=days))
            project_services.external_reviewer_accept(
                token=project_services.external_reviewer_token(
                    project_services.external_reviewer_invite(
                        call=call, email=reviewer.email, full_name="山川 道子", by=staff
                    )
                ),
                user=reviewer,
            )
            ProposalFactory(call=call, under_review=True, title=title)
        response = _log_in(client, reviewer)
        assert response["Location"] == "/projects/reviews/"
        page = client.get("/projects/reviews/").content.decode()
    nav = re.search(r'<nav aria-label="アカウント">(.*?)</nav>', page, re.S).group(1)
    assert '山川 道子<span class="account-nav__role">（審査委員）</span>' in nav
    assert page.index("先の締切の提案") < page.index("後の締切の提案")
    assert "2027年1月20日" in page and "2027年2月12日" in page
    assert "団体登録を申請する" not in client.get("/mypage/").content.decode()


def test_citizen_mypage_offers_both_entrances(client_for, member):
    page = client_for(member).get("/mypage/").content.decode()
    assert "団体登録を申請する" in page
    assert "企業・事業者のプロフィールを登録する" in page


def test_business_member_mypage_shows_the_business_not_a_group_application(client_for, make_user):
    from tests.matching.factories import BusinessFactory

    user = make_user(email="biz-person@example.jp")
    business = BusinessFactory(members=[user], name="みらい印刷")
    page = client_for(user).get("/mypage/").content.decode()
    assert business.name in page
    assert "団体登録を申請する" not in page


@pytest.mark.parametrize("who", ["business", "official", "citizen"])
def test_a_waiting_invitation_is_offered_without_the_group_application_to_those_not_offered_it(
    client_for, make_user, who
):
    """An invitation to co-edit a group shows on マイページ for anyone it was sent to; it does not
    bring 団体登録を申請する to a business member or an official, whose my page leaves it out."""
    from groups.services import invitation_create
    from tests.groups.factories import GroupFactory
    from tests.matching.factories import BusinessFactory

    owner = make_user(email="group-owner@example.jp")
    group = GroupFactory(name="ひだまりの会", owner=owner)
    user = make_user(email="invited@example.jp", roles=(Role.OFFICIAL,) if who == "official" else ())
    if who == "business":
        BusinessFactory(members=[user], name="みらい印刷")
    invitation_create(group=group, email=user.email, invited_by=owner)
    page = client_for(user).get("/mypage/").content.decode()
    assert "「ひだまりの会」への招待を確認する" in page
    assert ("団体登録を申請する" in page) is (who == "citizen")
    assert ("まだ団体を登録していません。" in page) is (who == "citizen")


def test_group_editor_mypage_keeps_the_group_entrance_but_not_the_business_one(client_for, make_user):
    from groups.models import GroupMembership
    from tests.groups.factories import GroupFactory

    user = make_user(email="editor@example.jp")
    group = GroupFactory(name="ひだまりの会")
    GroupMembership.objects.create(group=group, user=user, role="owner")
    page = client_for(user).get("/mypage/").content.decode()
    assert "ひだまりの会" in page and "団体登録を申請する" in page
    assert "企業・事業者のプロフィールを登録する" not in page
