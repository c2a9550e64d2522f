"""An event session needs a room that groups have booked: staff move each booking to a free room
or time (or cancel it when nothing is free). The rules of a counter booking apply to the move,
the group is told through the outbox with a new .ics, the move is in the booking's history, and
the session takes its room once nothing is in the way."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from icalendar import Calendar

from core.models import OutboxMessage
from spaces import selectors, services
from spaces.models import Booking, Closure
from tests.events.factories import EventFactory
from tests.spaces.factories import BookingFactory, RoomFactory, at

pytestmark = pytest.mark.django_db

TUESDAY = dt.date(2026, 12, 8)


@pytest.fixture
def groups_booking(room, group, editor):
    """ひまわりの会 in 会議室A on Tuesday 8 December 13:00–15:00, 6 people, booked on the web."""
    return BookingFactory(
        resource=room,
        group=group,
        booked_by=editor,
        people=6,
        starts_at=at(TUESDAY, 13),
        ends_at=at(TUESDAY, 15),
    )


@pytest.fixture
def session(room, groups_booking):
    """ミライ対話 put on 会議室A 14:00–16:00 after the group booked: it could not block the room."""
    event = EventFactory(
        title="ミライ対話 さくら地区", venue="市民活動プラザ 2階 会議室A", starts_at=at(TUESDAY, 14)
    )
    session = event.sessions.get()
    session.ends_at = at(TUESDAY, 16)
    session.save()
    assert not Booking.objects.filter(event_session=session).exists()
    return session


@pytest.fixture
def room_b(db):
    return RoomFactory(name="会議室B", venue_keyword="会議室B", capacity=8, max_hours_per_month=None)


def page(session) -> str:
    return reverse("spaces:staff_session_clashes", args=[session.pk])


def move_url(session, booking) -> str:
    return reverse("spaces:staff_session_move", args=[session.pk, booking.pk])


def option_data(resource, starts_at, ends_at) -> dict:
    return {"resource": resource.pk, "starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat()}


# --- Where a booking could go -------------------------------------------------------------------


def test_options_are_other_rooms_at_the_same_time_then_the_nearest_free_slots_of_the_room(
    staff_user, session, groups_booking, room_b
):
    RoomFactory(name="小部屋", venue_keyword="小部屋", capacity=4)  # too small for 6 people
    options = services.move_options(booking=groups_booking, session=session, by=staff_user)
    same_time = [o for o in options if o.same_time]
    assert [(o.resource, o.starts_at) for o in same_time] == [(room_b, at(TUESDAY, 13))]
    later = [o for o in options if not o.same_time]
    assert len(later) == services.MOVE_SAME_ROOM_OPTIONS
    # Never in the session's time (14–16), same length, nearest first.
    for option in later:
        assert option.resource == groups_booking.resource
        assert option.ends_at - option.starts_at == dt.timedelta(hours=2)
        assert option.ends_at <= at(TUESDAY, 14) or option.starts_at >= at(TUESDAY, 16)
    assert [o.starts_at for o in later] == [at(TUESDAY, 12), at(TUESDAY, 11), at(TUESDAY, 16)]


def test_a_room_booked_at_that_time_and_closed_days_are_not_offered(
    staff_user, session, groups_booking, room_b, other_group
):
    BookingFactory(resource=room_b, group=other_group, starts_at=at(TUESDAY, 12), ends_at=at(TUESDAY, 14))
    options = services.move_options(booking=groups_booking, session=session, by=staff_user)
    assert not [o for o in options if o.resource == room_b]
    # Monday 7 December is the weekly closing day: no slot then.
    assert all(o.starts_at.date() != dt.date(2026, 12, 7) for o in options)


# --- The move and its rules ---------------------------------------------------------------------


def test_staff_move_a_booking_the_group_is_told_the_history_keeps_it_and_the_session_takes_the_room(
    client_for, staff_user, session, groups_booking, room_b, editor, room
):
    client = client_for(staff_user)
    body = client.get(page(session)).content.decode()
    assert "「ひまわりの会」の予約（定例会）が入っています" in body
    assert "会議室B 2026年12月8日（火） 13:00〜15:00へ移す" in body

    response = client.post(
        move_url(session, groups_booking), option_data(room_b, at(TUESDAY, 13), at(TUESDAY, 15))
    )
    assert response.status_code == 302
    groups_booking.refresh_from_db()
    assert (groups_booking.resource, groups_booking.starts_at, groups_booking.status) == (
        room_b,
        at(TUESDAY, 13),
        Booking.Status.CONFIRMED,
    )
    # The group is told through the outbox, with the new room and time and a new .ics.
    message = OutboxMessage.objects.get(kind="spaces.moved")
    assert message.to == [editor.email]
    assert "会議室B" in message.subject
    assert "■ 変更後: 会議室B 2026年12月8日（火）13:00〜15:00" in message.body
    assert "■ 変更前: 会議室A 2026年12月8日（火）13:00〜15:00" in message.body
    assert (
        "センターの催し「ミライ対話 さくら地区」（12月8日 14:00〜16:00）の会場として使うため" in message.body
    )
    ics = _ics_of(message)
    event = Calendar.from_ical(ics).walk("VEVENT")[0]
    assert event.decoded("dtstart") == at(TUESDAY, 13)
    assert "会議室B" in str(event["location"])
    # The booking's history: who moved it, why, from where to where.
    history = selectors.booking_history(groups_booking)
    assert len(history) == 1
    entry = history[0]
    assert entry.who == staff_user.full_name
    assert entry.reason.startswith("センターの催し「ミライ対話 さくら地区」")
    assert {change.label: (change.old, change.new) for change in entry.changes}["部屋"] == (
        "会議室A",
        "会議室B",
    )
    # Nothing in the way any more: the session blocks 会議室A.
    block = Booking.objects.get(event_session=session)
    assert (block.resource, block.starts_at, block.ends_at) == (room, at(TUESDAY, 14), at(TUESDAY, 16))
    body = client.get(page(session)).content.decode()
    assert "重なる予約はありません。" in body and "この催しの会場として押さえています" in body
    # The group's page of the booking shows the change.
    body = client_for(editor).get(groups_booking.get_absolute_url()).content.decode()
    assert "変更の記録" in body and "会議室B" in body


def move_on_tuesday(booking, resource, start_hour: int, end_hour: int, *, by, **extra):
    """The service moves the booking to `resource` on Tuesday from `start_hour` to `end_hour`."""
    return services.booking_move(
        booking=booking,
        resource=resource,
        starts_at=at(TUESDAY, start_hour),
        ends_at=at(TUESDAY, end_hour),
        by=by,
        **extra,
    )


def _ics_of(message) -> bytes:
    from core.outbox import attachment_files

    ((filename, content, mimetype),) = attachment_files(message)
    assert (filename, mimetype) == ("booking.ics", "text/calendar")
    return content


@pytest.mark.parametrize(
    ("where", "rule"),
    [
        ("small_room", "【定員】"),
        ("night", "【利用時間】"),
        ("closed_day", "【休館日】"),
        ("taken", "【重複】"),
        ("session_time", "【重複】"),
        ("too_far", "【受付期間】"),
    ],
)
def test_the_rules_of_a_booking_apply_to_the_move(
    staff_user, session, groups_booking, room, other_group, where, rule
):
    small = RoomFactory(name="小部屋", venue_keyword="小部屋", capacity=4)
    Closure.objects.create(date=dt.date(2026, 12, 10), reason="設備点検のため")
    BookingFactory(resource=room, group=other_group, starts_at=at(TUESDAY, 17), ends_at=at(TUESDAY, 19))
    target = {
        "small_room": (small, at(TUESDAY, 13), at(TUESDAY, 15)),
        "night": (room, at(TUESDAY, 20), at(TUESDAY, 22)),
        "closed_day": (room, at(dt.date(2026, 12, 10), 13), at(dt.date(2026, 12, 10), 15)),
        "taken": (room, at(TUESDAY, 16), at(TUESDAY, 18)),
        "session_time": (room, at(TUESDAY, 15), at(TUESDAY, 17)),
        "too_far": (room, at(dt.date(2027, 6, 8), 13), at(dt.date(2027, 6, 8), 15)),
    }[where]
    with pytest.raises(ValidationError) as refused:
        services.booking_move(
            booking=groups_booking,
            resource=target[0],
            starts_at=target[1],
            ends_at=target[2],
            by=staff_user,
            session=session,
        )
    assert any(message.startswith(rule) for message in refused.value.messages)
    groups_booking.refresh_from_db()
    assert (groups_booking.resource, groups_booking.starts_at) == (room, at(TUESDAY, 13))
    assert not OutboxMessage.objects.exists()


def test_a_refused_move_from_the_page_says_which_rule(client_for, staff_user, session, groups_booking, room):
    client = client_for(staff_user)
    response = client.post(
        move_url(session, groups_booking), option_data(room, at(TUESDAY, 15), at(TUESDAY, 17)), follow=True
    )
    assert (
        "【重複】この時間はセンターの催し「ミライ対話 さくら地区」で使います。" in response.content.decode()
    )
    groups_booking.refresh_from_db()
    assert groups_booking.starts_at == at(TUESDAY, 13)


@pytest.mark.parametrize(
    ("starts_at", "ends_at"),
    [("9999-12-31T22:00", "9999-12-31T23:00"), ("0001-01-01T10:00", "0001-01-01T11:00")],
)
def test_a_move_to_an_absurd_year_is_refused_in_words(
    client_for, staff_user, session, groups_booking, room_b, starts_at, ends_at
):
    """A hand-made post to the move (year 9999 or 1) was a 500 (the month's bounds overflow): it is
    told to choose a room and a time, and the booking stays."""
    client = client_for(staff_user)
    response = client.post(
        move_url(session, groups_booking),
        {"resource": room_b.pk, "starts_at": starts_at, "ends_at": ends_at},
        follow=True,
    )
    assert response.status_code == 200
    assert "移し先の部屋と日時を選んでください。" in response.content.decode()
    groups_booking.refresh_from_db()
    assert groups_booking.starts_at == at(TUESDAY, 13)


def test_the_exclusion_constraint_refuses_a_move_onto_a_booked_time(
    staff_user, session, groups_booking, room, other_group, monkeypatch
):
    """Even if the service's own check missed it (two moves at once), PostgreSQL refuses the overlap
    and the refusal is the 【重複】 rule."""
    if connection.vendor != "postgresql":
        pytest.skip("the exclusion constraint is PostgreSQL's")
    BookingFactory(resource=room, group=other_group, starts_at=at(TUESDAY, 17), ends_at=at(TUESDAY, 19))
    monkeypatch.setattr(services, "booking_refusals", lambda **kwargs: [])
    with pytest.raises(ValidationError) as refused:
        move_on_tuesday(groups_booking, room, 16, 18, by=staff_user)
    assert refused.value.messages[0].startswith("【重複】")


# --- Nothing free: cancel with an e-mail --------------------------------------------------------


def test_when_nothing_is_free_the_page_says_so_and_cancels_with_an_email(
    client_for, staff_user, session, groups_booking, room, other_group, editor
):
    # Every other slot of 会議室A in the week around is booked, and there is no other room.
    for offset in range(-8, 9):
        day = TUESDAY + dt.timedelta(days=offset)
        for hour in range(9, 21):
            start = at(day, hour)
            if start < at(TUESDAY, 16) and start + dt.timedelta(hours=1) > at(TUESDAY, 13):
                continue
            Booking.objects.create(
                resource=room,
                group=other_group,
                starts_at=start,
                ends_at=start + dt.timedelta(hours=1),
                purpose="x",
            )
    client = client_for(staff_user)
    body = client.get(page(session)).content.decode()
    assert "移せる空きがありません" in body
    assert "へ移す</button>" not in body
    cancel = reverse("spaces:staff_session_cancel", args=[session.pk, groups_booking.pk])
    assert cancel in body
    assert client.post(cancel).status_code == 302
    groups_booking.refresh_from_db()
    assert groups_booking.status == Booking.Status.CANCELLED
    message = OutboxMessage.objects.get(kind="spaces.cancelled")
    assert message.to == [editor.email]
    assert "センターの催し「ミライ対話 さくら地区」" in message.body
    assert Booking.objects.get(event_session=session).resource == room
    assert selectors.booking_history(groups_booking)[0].who == staff_user.full_name


def test_another_events_session_is_not_movable_here(client_for, staff_user, room):
    EventFactory(title="ALP 第3回", venue="会議室A", starts_at=at(TUESDAY, 13))
    event = EventFactory(title="ミライ対話", venue="会議室A", starts_at=at(TUESDAY, 14))
    session = event.sessions.get()
    body = client_for(staff_user).get(page(session)).content.decode()
    assert "センターの催し「ALP 第3回」の会場です" in body
    assert "ここでは移せません" in body and "へ移す</button>" not in body


# --- Where staff find it ------------------------------------------------------------------------


def test_the_desk_lists_the_sessions_waiting_for_their_room(client_for, staff_user, session, groups_booking):
    body = client_for(staff_user).get(reverse("spaces:staff_index")).content.decode()
    assert "催しの回と重なる予約（1回）" in body
    assert page(session) in body and "重なる予約1件" in body


def test_only_staff_open_or_move(client_for, editor, session, groups_booking, room_b):
    client = client_for(editor)
    assert client.get(page(session)).status_code in (302, 403)
    client.post(move_url(session, groups_booking), option_data(room_b, at(TUESDAY, 13), at(TUESDAY, 15)))
    groups_booking.refresh_from_db()
    assert groups_booking.resource != room_b


def test_the_event_admin_saves_the_session_and_opens_the_move_page(
    client_for, staff_user, room, groups_booking, room_b
):
    from tests.spaces.test_event_rooms import admin_data, change_url

    event = EventFactory(
        title="ミライ対話 さくら地区", venue="市民活動プラザ 2階 会議室A", starts_at=at(TUESDAY, 10)
    )
    data = admin_data(event, start=at(TUESDAY, 14), end=at(TUESDAY, 16))
    data["sessions-0-move_bookings"] = "on"
    response = client_for(staff_user).post(change_url(event), data)
    session = event.sessions.get()
    assert response.status_code == 302 and response.url == page(session)
    assert session.starts_at == at(TUESDAY, 14)
    assert not Booking.objects.filter(event_session=session).exists()  # until the booking moves
    groups_booking.refresh_from_db()
    assert groups_booking.status == Booking.Status.CONFIRMED


def test_a_booking_written_in_bulk_still_shows_who_moved_it_and_why(
    staff_user, session, groups_booking, room_b
):
    """seed_demo and imports write bookings without history: the move is still a change in it."""
    groups_booking.history.all().delete()
    move_on_tuesday(
        groups_booking,
        room_b,
        13,
        15,
        by=staff_user,
        session=session,
        reason=services.session_move_reason(session),
    )
    [entry] = selectors.booking_history(groups_booking)
    assert entry.who == staff_user.full_name and entry.reason.startswith("センターの催し")
    assert {c.label: (c.old, c.new) for c in entry.changes}["部屋"] == ("会議室A", "会議室B")
