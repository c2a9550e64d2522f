"""As staff, in Chromium: edit a project, then read who changed what on its page (axe passes);
put an event session on a booked room in the admin and read which booking is in the way."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from core.roles import Role
from tests.browser import sign_in_with_form

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_edit_a_project_and_read_the_change_on_its_page(page, make_user, assert_accessible):
    from tests.projects.factories import ProjectFactory

    staff = make_user(roles=(Role.STAFF,), email="history-staff@example.jp", full_name="履歴 確子")
    project = ProjectFactory(title="親子ひろば", summary="転入した親子の居場所をつくる。")
    sign_in_with_form(page, staff.email)
    page.goto(f"/projects/staff/projects/{project.pk}/edit/")
    page.fill("#id_title", "親子ひろば さくら")
    page.get_by_role("button", name="保存する").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/projects/manage/{project.pk}/")
    history = page.locator("#history")
    text = history.inner_text()
    assert "履歴 確子" in text and "事業名" in text and "親子ひろば さくら" in text
    assert "history-staff@example.jp" not in text
    assert timezone.localtime().strftime("%Y年%-m月%-d日") in text  # Japan date of the change
    history.screenshot(path="/tmp/history-project.png")
    assert_accessible(page, "協働事業の管理（変更履歴つき）")


def test_an_event_session_on_a_booked_room_names_the_booking_in_the_admin(page, make_user):
    from tests.events.factories import EventFactory
    from tests.groups.factories import GroupFactory
    from tests.spaces.factories import BookingFactory, RoomFactory, at

    staff = make_user(roles=(Role.STAFF,), email="events-staff@example.jp", full_name="催し 担当")
    room = RoomFactory(name="会議室A", venue_keyword="会議室A", max_hours_per_month=None)
    day = timezone.localdate() + dt.timedelta(days=14)
    event = EventFactory(title="ミライ対話 さくら地区", venue="会議室A", starts_at=at(day, 10))
    BookingFactory(
        resource=room, group=GroupFactory(name="ひまわりの会"), starts_at=at(day, 13), ends_at=at(day, 15)
    )
    sign_in_with_form(page, staff.email)
    page.goto(f"/admin/events/event/{event.pk}/change/")
    page.fill("#id_sessions-0-starts_at_1", "14:00")
    page.fill("#id_sessions-0-ends_at_1", "16:00")
    page.locator("input[name=_save]").click()
    page.wait_for_load_state()
    errors = page.locator(".errorlist").first.inner_text()
    assert "「ひまわりの会」の予約" in errors and "13:00〜15:00" in errors
    page.screenshot(path="/tmp/history-admin-conflict.png", full_page=True)
    page.check("#id_sessions-0-release_bookings")
    page.locator("input[name=_save]").click()
    page.wait_for_load_state()
    assert "重なっていた予約 1 件を取り消し" in page.content()
