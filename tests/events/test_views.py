"""Pages: calendar, event page, iCalendar, registration, cancellation, certificate, survey, staff pages."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from core.models import Area, OutboxMessage, Theme
from core.roles import Role
from events import selectors, services
from events.models import Attendance, Program, Registration, SurveyResponse
from tests.admin_actions import run_admin_action
from tests.events.factories import EventFactory, PersonFactory, ProgramFactory, RegistrationFactory, attend

pytestmark = pytest.mark.django_db
Status = Registration.Status


def make_events(n: int, **kwargs) -> list:
    """n public events with themes, an area, sessions and registrations (data that could cause N+1)."""
    theme = Theme.objects.first()
    area, _ = Area.objects.get_or_create(name="本町")
    events = []
    for i in range(n):
        event = EventFactory(
            area=area,
            sessions=1 + i % 3,
            wheelchair_accessible=True,
            childcare=bool(i % 2),
            starts_at=timezone.now() + dt.timedelta(days=1 + i),
            **kwargs,
        )
        event.themes.set([theme])
        for _ in range(i % 3 + 1):
            RegistrationFactory(event=event)
        events.append(event)
    return events


# --- Query counts: the same at two data sizes ------------------------------------------------------


def assert_fixed_queries(django_assert_num_queries, client, url, expected, grow):
    """The page runs `expected` queries with little data, and again after `grow()` adds more.
    For staff pages the count includes the session and the user with their roles (one query); a first request
    records the session's last-seen time (for the staff idle timeout) and is not counted."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    counts = []
    for step in (None, grow):
        if step:
            step()
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        counts.append(len(captured))
    assert counts == [expected, expected], counts


def test_calendar_list_queries_are_fixed(client, no_page_cache, django_assert_num_queries):
    make_events(3)
    # count, page of events, themes prefetch, filter choices (program, theme, area)
    assert_fixed_queries(
        django_assert_num_queries, client, reverse("events:index"), 6, lambda: make_events(15)
    )


def test_calendar_month_queries_are_fixed(client, no_page_cache, django_assert_num_queries):
    make_events(2)
    month = f"{timezone.localdate() + dt.timedelta(days=3):%Y-%m}"
    url = reverse("events:index") + f"?view=month&month={month}"
    # sessions of the month, filter choices (program, theme, area)
    assert_fixed_queries(django_assert_num_queries, client, url, 4, lambda: make_events(12))


def test_event_page_queries_are_fixed(client, member, django_assert_num_queries):
    event = EventFactory(sessions=2)
    RegistrationFactory(event=event)
    client.force_login(member)

    def grow():
        for _ in range(10):
            RegistrationFactory(event=event)
        for days in (30, 37, 44):
            event.sessions.create(
                starts_at=timezone.now() + dt.timedelta(days=days),
                ends_at=timezone.now() + dt.timedelta(days=days, hours=2),
            )
        event.themes.set(Theme.objects.all()[:4])

    # session, user with their roles; event, themes, sessions; own registration
    assert_fixed_queries(django_assert_num_queries, client, event.get_absolute_url(), 6, grow)


def test_home_upcoming_events_expose_first_start_without_n_plus_one(django_assert_num_queries):
    from events.selectors import upcoming_public_events

    make_events(2)
    with django_assert_num_queries(2):
        events = upcoming_public_events(limit=5)
        assert all(e.first_starts_at for e in events)
    make_events(6)
    with django_assert_num_queries(2):
        events = upcoming_public_events(limit=5)
        assert [e.first_starts_at for e in events] == sorted(e.first_starts_at for e in events)
        assert len(events) == 5


def test_home_cards_are_the_upcoming_events_in_one_query(django_assert_num_queries):
    """The home page's cards list the same events, soonest first, in one query at any size, and
    read only what a card shows."""
    from events.selectors import upcoming_event_cards, upcoming_public_events

    make_events(2)
    EventFactory(past=True)
    EventFactory(is_public=False)
    for more in (0, 8):
        make_events(more)
        with django_assert_num_queries(1):
            cards = upcoming_event_cards(limit=5)
            shown = [(e.pk, e.title, e.program.name, e.first_starts_at) for e in cards]
        expected = upcoming_public_events(limit=5)
        assert shown == [(e.pk, e.title, e.program.name, e.first_starts_at) for e in expected]
        assert cards[0].get_deferred_fields() >= {"description", "venue"}


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def test_staff_event_list_queries_are_fixed(staff_client, django_assert_num_queries):
    make_events(2)
    assert_fixed_queries(
        django_assert_num_queries, staff_client, reverse("events:staff_index"), 5, lambda: make_events(10)
    )


def test_staff_event_page_queries_are_fixed(staff_client, staff_user, django_assert_num_queries):
    event = EventFactory(course=True, capacity=5)
    RegistrationFactory(event=event, registered_by=staff_user)

    def grow():
        for i in range(8):
            r = services.registration_create(event=event, person=PersonFactory(), notify=False)
            if r.status == Status.CONFIRMED:
                attend(registration=r, session=event.sessions.first(), present=True)
            if i == 0:
                SurveyResponse.objects.create(registration=r, satisfaction=4)

    assert_fixed_queries(
        django_assert_num_queries, staff_client, reverse("events:staff_event", args=[event.pk]), 8, grow
    )  # 5, and the change history: the event's rows, its themes, its sessions' rows


def test_checkin_list_queries_are_fixed(staff_client, django_assert_num_queries):
    event = EventFactory(capacity=None)
    session = event.sessions.first()
    RegistrationFactory(event=event)

    def grow():
        for _ in range(12):
            r = RegistrationFactory(event=event)
            Attendance.objects.create(session=session, registration=r)

    assert_fixed_queries(
        django_assert_num_queries, staff_client, reverse("events:staff_checkin", args=[session.pk]), 5, grow
    )


def test_survey_summary_queries_are_fixed(staff_client, django_assert_num_queries):
    event = EventFactory(past=True, capacity=None)

    def answer(n):
        for i in range(n):
            r = RegistrationFactory(event=event)
            Attendance.objects.create(session=event.sessions.first(), registration=r)
            SurveyResponse.objects.create(registration=r, satisfaction=1 + i % 5, comment=f"感想{i}")

    answer(2)
    assert_fixed_queries(
        django_assert_num_queries,
        staff_client,
        reverse("events:staff_survey", args=[event.pk]),
        6,
        lambda: answer(10),
    )


def test_merge_candidates_queries_are_fixed(staff_client, django_assert_num_queries):
    def duplicates(n):
        for i in range(n):
            phone = f"000-100-{i:04d}"
            PersonFactory(name=f"重複 太郎{i}", name_kana=f"ちょうふく たろう{i}", phone=phone)
            PersonFactory(name=f"重複 太郎{i}", name_kana=f"ちょうふく たろう{i}", email="", phone=phone)

    duplicates(1)
    assert_fixed_queries(
        django_assert_num_queries, staff_client, reverse("events:staff_merge"), 4, lambda: duplicates(6)
    )


def test_mypage_panel_queries_are_fixed(client, member, django_assert_num_queries):
    from events.hooks import mypage_panels

    person = services.person_for_user(user=member)
    RegistrationFactory(person=person)
    request = type("R", (), {"user": member})()
    with django_assert_num_queries(1):
        assert len(mypage_panels(request)[0].context["registrations"]) == 1
    for _ in range(5):
        RegistrationFactory(person=person)
    with django_assert_num_queries(1):
        assert len(mypage_panels(request)[0].context["registrations"]) == 6


# --- Calendar filters and content ------------------------------------------------------------------------


def test_filters_live_in_the_url(client):
    """program (by its stable code), theme and area narrow the calendar; past events are apart."""
    theme = Theme.objects.get(short_name="環境の保全")
    area = Area.objects.create(name="港町")
    EventFactory(course=True, title="ALPの講座")
    mirai = EventFactory(title="ミライ対話 港町")
    mirai.themes.set([theme])
    mirai.area = area
    mirai.save()
    EventFactory(past=True, title="終わった対話")

    def titles(query):
        return {e.title for e in client.get(reverse("events:index") + query).context["page_obj"]}

    assert titles("") == {"ALPの講座", "ミライ対話 港町"}
    assert titles("?program=alp") == {"ALPの講座"}
    assert titles(f"?theme={theme.pk}") == {"ミライ対話 港町"}
    assert titles(f"?area={area.pk}") == {"ミライ対話 港町"}
    assert titles("?when=past") == {"終わった対話"}
    assert titles("?q=講座") == {"ALPの講座"}


def test_month_view_shows_sessions_on_their_days_with_japanese_weekdays(client):
    start = timezone.make_aware(dt.datetime(2030, 5, 11, 14, 0))  # a Saturday
    EventFactory(title="五月の対話", starts_at=start)
    response = client.get(reverse("events:index") + "?view=month&month=2030-05")
    html = response.content.decode()
    assert "2030年5月" in html and "五月の対話" in html
    assert "5月11日（土）" in html
    assert "こどもの日" in html  # holidays named in words


def test_month_view_names_the_months_it_links_to_in_japanese(client):
    """The links around 2026年12月 read 前の月（2026年11月） and 次の月（2027年1月）, and keep the
    month in the address as 2026-11 and 2027-01 (across the new year)."""
    html = client.get(reverse("events:index"), {"view": "month", "month": "2026-12"}).content.decode()
    text = re.sub(r"<[^>]+>", "", html)
    assert "前の月（2026年11月）" in text and "次の月（2027年1月）" in text
    assert "2026-11）" not in text and "2027-01）" not in text
    assert "month=2026-11" in html and "month=2027-01" in html


def test_event_page_shows_dates_in_japanese_and_accessibility_in_words(client):
    start = timezone.make_aware(dt.datetime(2030, 4, 6, 13, 30))
    event = EventFactory(course=True, starts_at=start, sign_language=True, captioning=True, online=True)
    html = client.get(event.get_absolute_url()).content.decode()
    assert "2030年4月6日（土）13:30〜15:30" in re.sub(r"<[^>]+>", "", html)
    assert "第5回" in html and "全5回のうち4回以上" in html
    for label in ("手話通訳あり", "要約筆記あり", "オンライン参加可"):
        assert label in html
    assert "車いす対応" not in html.split("参加しやすくするための配慮")[1].split("</ul>")[0]


def test_private_events_are_hidden_from_the_public(client, staff_user):
    event = EventFactory(is_public=False)
    assert client.get(event.get_absolute_url()).status_code == 404
    assert client.get(reverse("events:ics", args=[event.pk])).status_code == 404
    client.force_login(staff_user)
    assert client.get(event.get_absolute_url()).status_code == 200


# --- iCalendar ----------------------------------------------------------------------------------------


def test_event_ics_is_a_valid_calendar_with_stable_uids(client):
    """One VEVENT per session, UTC times, DTSTAMP, and the same UIDs on every download."""
    event = EventFactory(course=True, venue="中央公民館")
    url = reverse("events:ics", args=[event.pk])
    response = client.get(url)
    assert response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    assert cal.name == "VCALENDAR"
    assert str(cal["VERSION"]) == "2.0" and cal["PRODID"]
    vevents = [c for c in cal.walk("VEVENT")]
    assert len(vevents) == 5
    sessions = list(event.sessions.order_by("starts_at"))
    for vevent, session in zip(vevents, sessions, strict=True):
        assert vevent["DTSTART"].dt == session.starts_at.replace(microsecond=0)
        assert vevent["DTSTART"].dt.utcoffset() == dt.timedelta(0)
        assert vevent["DTEND"].dt == session.ends_at.replace(microsecond=0)
        assert vevent["DTSTAMP"].dt.tzinfo is not None
        assert str(vevent["LOCATION"]) == "中央公民館"
        assert "（第" in str(vevent["SUMMARY"])
    again = Calendar.from_ical(client.get(url).content)
    assert [str(v["UID"]) for v in again.walk("VEVENT")] == [str(v["UID"]) for v in vevents]
    assert len({str(v["UID"]) for v in vevents}) == 5


def test_feed_lists_public_events_only(client, django_assert_num_queries):
    make_events(2)
    EventFactory(is_public=False, title="非公開の会議")
    with django_assert_num_queries(3):
        response = client.get(reverse("events:feed"))
    cal = Calendar.from_ical(response.content)
    summaries = [str(v["SUMMARY"]) for v in cal.walk("VEVENT")]
    assert summaries and not any("非公開" in s for s in summaries)
    make_events(5)
    with django_assert_num_queries(3):
        client.get(reverse("events:feed"))


# --- Registration and cancellation through the pages ----------------------------------------------------


def test_member_registers_and_sees_the_status(client, member):
    event = EventFactory(capacity=1)
    client.force_login(member)
    response = client.post(
        reverse("events:register", args=[event.pk]), {"needs": "車いすで参加します"}, follow=True
    )
    assert "参加が確定" in response.content.decode()
    registration = Registration.objects.get(event=event)
    assert registration.person.user == member and registration.needs == "車いすで参加します"


def test_anonymous_visitors_are_sent_to_login_to_register(client, event):
    response = client.get(reverse("events:register", args=[event.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_cancel_page_refuses_other_people(client, event, member, make_user):
    registration = services.registration_create(event=event, person=services.person_for_user(user=member))
    client.force_login(make_user(email="someone@example.jp"))
    assert client.get(reverse("events:cancel", args=[registration.pk])).status_code == 403
    assert client.post(reverse("events:cancel", args=[registration.pk])).status_code == 403
    client.force_login(member)
    client.post(reverse("events:cancel", args=[registration.pk]))
    registration.refresh_from_db()
    assert registration.status == Status.CANCELLED


def test_cancelling_again_sends_the_participant_back_with_a_message(client, event, member, make_user):
    """The back button or an old link to a cancelled registration: the participant is sent back to
    `next` (or the event) and told it is already cancelled; anyone else is still refused."""
    registration = services.registration_create(event=event, person=services.person_for_user(user=member))
    url = reverse("events:cancel", args=[registration.pk])
    client.force_login(member)
    client.post(url)
    for response in (client.get(url, {"next": "/mypage/"}), client.post(url, {"next": "/mypage/"})):
        assert response.status_code == 302 and response["Location"] == "/mypage/"
    response = client.get(url, follow=True)
    assert response.redirect_chain[-1][0] == event.get_absolute_url()
    assert "この申し込みはすでに取り消されています。" in response.content.decode()
    client.force_login(make_user(email="someone@example.jp"))
    assert client.get(url).status_code == 403


def test_cancelling_after_the_start_tells_the_participant_why(client, member, make_user):
    """Once the first session has begun the participant may not cancel: they are sent back with
    the reason, the registration stays, and other people still get 403."""
    event = EventFactory(starts_at=timezone.now() - dt.timedelta(hours=1))
    registration = RegistrationFactory(event=event, person=services.person_for_user(user=member))
    url = reverse("events:cancel", args=[registration.pk])
    client.force_login(member)
    response = client.post(url, {"next": "/mypage/"}, follow=True)
    assert response.redirect_chain[0] == ("/mypage/", 302)
    body = response.content.decode()
    assert "始まったため、ご自身では申し込みを取り消せません" in body and "センターへご連絡ください" in body
    registration.refresh_from_db()
    assert registration.status != Status.CANCELLED
    client.force_login(make_user(email="someone@example.jp"))
    assert client.get(url).status_code == 403


def test_certificate_for_the_participant_and_staff_only(client, member, staff_user, make_user):
    course = EventFactory(course=True, past=True)
    registration = RegistrationFactory(event=course, person=services.person_for_user(user=member))
    url = reverse("events:certificate", args=[registration.pk])
    client.force_login(member)
    assert client.get(url).status_code == 403  # not completed yet
    for session in course.sessions.all():
        attend(registration=registration, session=session, present=True)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    client.force_login(make_user(email="other@example.jp"))
    assert client.get(url).status_code == 403
    client.force_login(staff_user)
    assert client.get(url).status_code == 200


def test_survey_link_works_without_signing_in(client):
    registration = RegistrationFactory(event=EventFactory(past=True))
    url = reverse("events:survey", args=[services.survey_token(registration)])
    assert "満足度" in client.get(url).content.decode()
    response = client.post(url, {"satisfaction": "4", "comment": "参考になりました"})
    assert "ありがとうございました" in response.content.decode()
    assert SurveyResponse.objects.get(registration=registration).satisfaction == 4
    bad = client.post(url, {"satisfaction": "9"})
    assert "満足度" in bad.content.decode() and bad.status_code == 200
    assert client.get(reverse("events:survey", args=["forged"])).status_code == 404


# --- Staff pages ----------------------------------------------------------------------------------------


STAFF_PAGES = [
    ("events:staff_index", lambda ctx: []),
    ("events:staff_event", lambda ctx: [ctx["event"].pk]),
    ("events:staff_register", lambda ctx: [ctx["event"].pk]),
    ("events:staff_survey", lambda ctx: [ctx["event"].pk]),
    ("events:staff_checkin", lambda ctx: [ctx["event"].sessions.first().pk]),
    ("events:staff_merge", lambda ctx: []),
]


@pytest.mark.parametrize(("name", "args"), STAFF_PAGES)
@pytest.mark.parametrize("role", ["anonymous", "member", "official", "committee", "staff"])
def test_staff_pages_are_for_staff_only(client, make_user, event, name, args, role):
    """Every staff page: anonymous → login; member, official, committee → 403; staff → 200."""
    url = reverse(name, args=args({"event": event}))
    roles = {
        "member": (),
        "official": (Role.OFFICIAL,),
        "committee": (Role.COMMITTEE,),
        "staff": (Role.STAFF,),
    }
    if role != "anonymous":
        client.force_login(make_user(roles=roles[role], email=f"{role}@example.jp"))
    response = client.get(url)
    expected = {"anonymous": 302, "staff": 200}.get(role, 403)
    assert response.status_code == expected


def test_checkin_mark_requires_staff(client, member, event):
    registration = RegistrationFactory(event=event)
    url = reverse("events:staff_checkin_mark", args=[event.sessions.first().pk, registration.pk])
    client.force_login(member)
    assert client.post(url, {"present": "1"}).status_code == 403
    assert not Attendance.objects.exists()


def test_checkin_one_tap_without_and_with_htmx(client, staff_user, event):
    registration = RegistrationFactory(event=event)
    session = event.sessions.first()
    url = reverse("events:staff_checkin_mark", args=[session.pk, registration.pk])
    traveller = time_machine.travel(session.starts_at, tick=True)
    traveller.start()
    client.force_login(staff_user)
    staff_client = client
    response = staff_client.post(url, {"present": "1"})
    assert response.status_code == 302 and response["Location"].endswith(f"#r-{registration.pk}")
    assert Attendance.objects.filter(session=session, registration=registration).exists()
    response = staff_client.post(url, {"present": "0"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'aria-pressed="false"' in response.content.decode()
    assert '<span id="present-count" hx-swap-oob="true">0</span>' in response.content.decode()
    assert not Attendance.objects.exists()
    traveller.stop()


def test_checkin_of_a_future_session_says_when_and_records_nothing(staff_client, event):
    """A week before the session the roster opens, says from when attendance can be taken, and a tap
    is refused with that reason."""
    registration = RegistrationFactory(event=event)
    session = event.sessions.first()
    page = staff_client.get(reverse("events:staff_checkin", args=[session.pk])).content.decode()
    assert "出席はその日から記録できます" not in page
    assert "出席は開催日から記録できます" in page
    url = reverse("events:staff_checkin_mark", args=[session.pk, registration.pk])
    response = staff_client.post(url, {"present": "1"}, follow=True)
    assert "出席は開催日から記録できます" in response.content.decode()
    assert not Attendance.objects.exists()


def test_staff_register_a_caller_as_a_new_guest(staff_client, staff_user, event):
    response = staff_client.post(
        reverse("events:staff_register", args=[event.pk]),
        {
            "name": "山田 和夫",
            "name_kana": "やまだ かずお",
            "phone": "000-222-3333",
            "email": "",
            "channel": "phone",
            "needs": "手話通訳を希望",
        },
    )
    assert response.status_code == 302
    registration = Registration.objects.get(event=event)
    assert registration.person.name == "山田 和夫" and registration.person.user is None
    assert registration.channel == "phone" and registration.registered_by == staff_user
    assert registration.needs == "手話通訳を希望"


def test_staff_register_stores_the_guests_name_as_the_profile_does(staff_client, event):
    """A name typed with a full-width space, spaces around it or half-width kana is stored in the
    one spelling of names (「山田 太郎」), as a profile's name is."""
    url = reverse("events:staff_register", args=[event.pk])
    for typed, phone in (("  山田　　太郎 ", "03-1234-5678"), ("ｻﾄｳ　ﾖｳｺ", "03-1234-0000")):
        response = staff_client.post(url, {"name": typed, "phone": phone, "channel": "counter"})
        assert response.status_code == 302
    names = sorted(Registration.objects.values_list("person__name", flat=True))
    assert names == ["サトウ ヨウコ", "山田 太郎"]


@pytest.mark.parametrize("picked", ["", "abc", "1.5", "1\x00", "99999999"])
def test_staff_register_a_picked_person_that_is_no_record_is_told_not_a_500(staff_client, event, picked):
    """A tampered or stale pick says in Japanese that the person was not found; nothing is saved."""
    response = staff_client.post(reverse("events:staff_register", args=[event.pk]), {"person": picked})
    assert response.status_code == 400
    body = response.content.decode()
    told = ("申し込む方を選んでください", "選んだ方の記録が見つかりません", "NUL 文字は使えません")
    assert any(words in body for words in told)
    assert not Registration.objects.exists()


def test_staff_register_a_person_picked_on_a_page_left_open_across_a_merge(staff_client, event):
    """The pick names a record merged since: the registration goes to the record it was merged into."""
    keep, duplicate = PersonFactory(), PersonFactory()
    services.person_merge(keep=keep, duplicate=duplicate)
    response = staff_client.post(reverse("events:staff_register", args=[event.pk]), {"person": duplicate.pk})
    assert response.status_code == 302
    assert Registration.objects.get(event=event).person_id == keep.pk


def test_staff_register_requires_a_way_to_contact(staff_client, event):
    response = staff_client.post(
        reverse("events:staff_register", args=[event.pk]), {"name": "山田 和夫", "channel": "phone"}
    )
    assert response.status_code == 200
    assert "電話番号かメールアドレス" in response.content.decode()
    assert not Registration.objects.exists()


def test_staff_register_finds_a_known_person(staff_client, event):
    known = PersonFactory(name="木村 彩", name_kana="きむら あや", phone="000-555-6666")
    response = staff_client.get(reverse("events:staff_register", args=[event.pk]) + "?q=キムラ")
    assert "木村 彩" in response.content.decode()
    staff_client.post(
        reverse("events:staff_register", args=[event.pk]), {"person": known.pk, "channel": "phone"}
    )
    assert Registration.objects.get(event=event).person == known


@pytest.mark.parametrize("chosen", ["counter", "phone"])
def test_staff_register_a_known_person_records_the_channel_chosen(staff_client, event, chosen):
    """A known person who came to the counter is recorded as 窓口, one who phoned as 電話: the
    channel is the one staff chose, so the counts per channel in the reports are right."""
    known = PersonFactory(name="木村 彩", name_kana="きむら あや", phone="000-555-6666")
    url = reverse("events:staff_register", args=[event.pk])
    page = staff_client.get(url, {"q": "キムラ"}).content.decode()
    assert 'name="channel"' in page and "窓口" in page
    response = staff_client.post(url, {"person": known.pk, "channel": chosen})
    assert response.status_code == 302
    assert Registration.objects.get(event=event).channel == chosen


def test_staff_register_a_known_person_with_a_channel_that_is_no_choice_is_refused(staff_client, event):
    """A tampered channel is refused in Japanese; nothing is saved, and no web registration is made
    up in its place."""
    known = PersonFactory()
    url = reverse("events:staff_register", args=[event.pk])
    response = staff_client.post(url, {"person": known.pk, "channel": "web"})
    assert response.status_code == 400
    assert "申込方法" in response.content.decode()
    assert not Registration.objects.exists()


def test_staff_merge_page_merges_a_guest(staff_client, member):
    keep = services.person_for_user(user=member)
    namesake = PersonFactory(name="別人 花子", name_kana="べつじん はなこ", email="", phone="000-9")
    PersonFactory(name="別人 花子", name_kana="べつじん はなこ", email="", phone="000-8")
    guest = PersonFactory(name=keep.name, name_kana="しけん りようしゃ", email=keep.email)
    keep.name_kana = guest.name_kana
    keep.save()
    page = staff_client.get(reverse("events:staff_merge")).content.decode()
    assert f'name="duplicate" value="{guest.pk}"' in page
    # Namesakes without a shared phone or e-mail are listed only when staff search for them.
    assert f'name="duplicate" value="{namesake.pk}"' not in page
    page = staff_client.get(reverse("events:staff_merge") + "?q=べつじん").content.decode()
    assert "別人 花子" in page
    staff_client.post(reverse("events:staff_merge"), {"keep": keep.pk, "duplicate": guest.pk})
    guest.refresh_from_db()
    assert guest.merged_into == keep


def test_staff_merge_page_finds_e_mail_addresses_that_differ_only_in_case_or_spaces(staff_client):
    """「Taro@Example.jp」 and 「 taro@example.jp」 are one address: the two records are offered
    for merging, and each record's page lists the other as a possible duplicate."""
    kana = "やまもと たろう"
    signed_up = PersonFactory(name="山本 太郎", name_kana=kana, email="Taro@Example.jp")
    phoned_in = PersonFactory(name="山本 太郎", name_kana=kana, email=" taro@example.jp ")
    PersonFactory(name="山本 太郎", name_kana=kana, email="jiro@example.jp")  # a namesake
    page = staff_client.get(reverse("events:staff_merge")).content.decode()
    assert f'name="duplicate" value="{phoned_in.pk}"' in page
    assert f'value="{signed_up.pk}"' in page
    # Another reading of the name (a typo): the shared address alone makes them candidates.
    hanako = PersonFactory(name="川口 花子", name_kana="かわぐち はなこ", email="Hanako@Example.jp")
    typo = PersonFactory(name="川口 花子", name_kana="かわくち はなこ", email=" hanako@example.jp")
    assert selectors.person_duplicate_candidates(hanako) == [typo]
    assert selectors.person_duplicate_candidates(typo) == [hanako]


def test_admin_cancel_action_uses_the_service(client, event, django_capture_on_commit_callbacks):
    from core.services import user_create

    admin_user = user_create(
        email="admin@example.jp", password="x-long-password-1", is_superuser=True, roles=(Role.STAFF,)
    )
    client.force_login(admin_user)
    first = RegistrationFactory(event=event)
    RegistrationFactory(event=event)
    waiting = services.registration_create(event=event, person=PersonFactory(), notify=False)
    with django_capture_on_commit_callbacks(execute=True):
        run_admin_action(client, "events_registration", "cancel_registrations", [first])
    waiting.refresh_from_db()
    assert waiting.status == Status.CONFIRMED
    assert OutboxMessage.objects.filter(
        content_type__model="registration", object_id=waiting.pk, kind="events.promoted"
    ).exists()


def test_programs_keep_their_stable_codes():
    codes = set(Program.objects.values_list("code", flat=True))
    assert {
        "mirai_taiwa",
        "alp",
        "social_startup",
        "festa",
        "project_support",
        "pr_fair",
        "networking",
        "roundtable",
    } <= codes
    assert Program.objects.get(code="mirai_taiwa").journey_step == 1
    assert Program.objects.get(code="alp").journey_step == 2
    assert ProgramFactory(code="alp").pk == Program.objects.get(code="alp").pk


def test_unknown_filter_values_show_an_error_not_a_crash(client):
    response = client.get(reverse("events:index") + "?program=nope")
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    month = client.get(reverse("events:index") + "?view=month&month=abc")
    assert month.status_code == 400 and "「月」" in month.content.decode()  # this month, with the error


def test_staff_register_search_queries_are_fixed(staff_client):
    event = EventFactory()
    url = reverse("events:staff_register", args=[event.pk]) + "?q=さとう"
    PersonFactory()
    assert_fixed_queries(None, staff_client, url, 4, lambda: [PersonFactory() for _ in range(8)])


def test_staff_edit_programs_and_events_in_the_admin(staff_client):
    """Programs are editable by staff (their stable code is read-only once created)."""
    program = Program.objects.get(code="alp")
    response = staff_client.get(reverse("admin:events_program_change", args=[program.pk]))
    assert response.status_code == 200
    assert 'name="code"' not in response.content.decode()
    assert staff_client.get(reverse("admin:events_event_add")).status_code == 200


def test_setting_the_completion_rule_in_the_admin_after_the_course_settles_completion(
    staff_client, time_machine
):
    """Staff set 「修了に必要な出席回数」 only once the course is over: those who attended enough
    are 修了 at once (their certificate is offered), not only after another attendance change."""
    from tests.admin_actions import admin_change_data

    jst = zoneinfo.ZoneInfo("Asia/Tokyo")
    time_machine.move_to(dt.datetime(2026, 3, 20, 12, tzinfo=jst), tick=False)
    course = EventFactory(
        course=True, completion_min_sessions=None, starts_at=dt.datetime(2026, 2, 1, 10, tzinfo=jst)
    )
    enough, too_few = RegistrationFactory(event=course), RegistrationFactory(event=course)
    sessions = list(course.sessions.order_by("starts_at"))
    for session in sessions[:4]:
        attend(registration=enough, session=session)
    attend(registration=too_few, session=sessions[0])
    assert enough.completed_at is None

    url = reverse("admin:events_event_change", args=[course.pk])
    response = staff_client.post(
        url, admin_change_data(staff_client.get(url)) | {"completion_min_sessions": "4"}
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    enough.refresh_from_db()
    too_few.refresh_from_db()
    assert enough.completed_at == sessions[-1].ends_at
    assert too_few.completed_at is None


def test_register_page_of_a_closed_event_sends_back_to_the_event(client, member):
    event = EventFactory(past=True)
    client.force_login(member)
    response = client.get(reverse("events:register", args=[event.pk]))
    assert response.status_code == 302 and response["Location"] == event.get_absolute_url()
    client.post(reverse("events:register", args=[event.pk]))
    assert not Registration.objects.exists()


def test_a_refused_guest_registration_leaves_no_guest_record(staff_client):
    """For an ended event the registration is refused, and no stray guest Person is left behind."""
    from core.models import Person

    event = EventFactory(past=True)
    before = Person.objects.count()
    response = staff_client.post(
        reverse("events:staff_register", args=[event.pk]),
        {"name": "山田 和夫", "phone": "000-222-3333", "channel": "phone"},
        follow=True,
    )
    assert "終了した催しには申し込めません" in response.content.decode()
    assert Person.objects.count() == before


@pytest.mark.parametrize("query", ["西ヶ丘", "西ケ丘", "ﾆｼｹﾞｵｶ", "円卓\u3000会議", "子ども"])
def test_the_calendar_keyword_finds_events_however_they_were_typed(client, no_page_cache, query):
    """Widths, kana, ヶ/ケ and synonyms (子ども/こども) are one, in the title and the description."""
    EventFactory(
        title="地域円卓会議「西ケ丘の居場所づくり」", description="ニシゲオカ地区のこども食堂と話します。"
    )
    EventFactory(title="ミライ対話 港町", description="")
    page = client.get(reverse("events:index"), {"q": query})
    assert [e.title for e in page.context["page_obj"]] == ["地域円卓会議「西ケ丘の居場所づくり」"]


def test_staff_register_a_search_too_long_is_a_400_as_on_the_people_page(staff_client, event):
    """The person search on the phone registration page refuses a keyword over 100 characters
    with the same status as the people page: an error is never a 200."""
    PersonFactory(name="木村 彩", name_kana="きむら あや")
    long = "き" * 101
    people = staff_client.get(reverse("events:staff_people"), {"q": long})
    register = staff_client.get(reverse("events:staff_register", args=[event.pk]), {"q": long})
    assert people.status_code == register.status_code == 400
    assert "100" in register.content.decode()  # the form says the limit
    assert "木村 彩" not in register.content.decode()


def test_staff_merge_a_search_too_long_is_refused_not_cut(staff_client):
    """A keyword over 100 characters is refused in words (400) and lists nobody; before, it was
    cut to 100 characters silently and searched."""
    PersonFactory(name="別人 花子", name_kana="べつじん はなこ", email="", phone="000-9")
    response = staff_client.get(reverse("events:staff_merge"), {"q": "べつじん" + "x" * 100})
    assert response.status_code == 400
    page = response.content.decode()
    assert "文字" in page and 'aria-invalid="true"' in page
    assert "別人 花子" not in page
    assert staff_client.get(reverse("events:staff_merge"), {"q": "べつじん"}).status_code == 200
