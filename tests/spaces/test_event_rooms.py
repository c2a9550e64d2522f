"""An event session takes its room: staff who put a session on a room already booked are told by
whom and when (in the event's admin page), and either choose another room or time, or take the
time back from the booking, which is cancelled with an e-mail to the group through the outbox."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import OutboxMessage
from spaces.models import Booking
from tests.events.factories import EventFactory
from tests.spaces.factories import BookingFactory, RoomFactory, at

pytestmark = pytest.mark.django_db

TUESDAY = dt.date(2026, 12, 8)


def admin_data(
    event, *, venue: str | None = None, start: dt.datetime, end: dt.datetime, release: bool = False
):
    """The event's admin form as staff send it, with its one session moved to start–end."""
    session = event.sessions.get()
    start, end = timezone.localtime(start), timezone.localtime(end)
    data = {
        "program": event.program_id,
        "title": event.title,
        "description": event.description,
        "is_public": "on",
        "venue": event.venue if venue is None else venue,
        "area": "",
        "capacity": event.capacity or "",
        "registration_opens_at_0": "",
        "registration_opens_at_1": "",
        "registration_closes_at_0": "",
        "registration_closes_at_1": "",
        "completion_min_sessions": "",
        "accessibility_note": "",
        "sessions-TOTAL_FORMS": "1",
        "sessions-INITIAL_FORMS": "1",
        "sessions-MIN_NUM_FORMS": "0",
        "sessions-MAX_NUM_FORMS": "1000",
        "sessions-0-id": session.pk,
        "sessions-0-event": event.pk,
        "sessions-0-starts_at_0": start.date().isoformat(),
        "sessions-0-starts_at_1": start.strftime("%H:%M"),
        "sessions-0-ends_at_0": end.date().isoformat(),
        "sessions-0-ends_at_1": end.strftime("%H:%M"),
        "sessions-0-title": session.title,
        "sessions-0-venue": session.venue,
    }
    if release:
        data["sessions-0-release_bookings"] = "on"
    return data


@pytest.fixture
def event(room):
    """ミライ対話 in 会議室A on Tuesday 8 December 10:00–12:00 (its room is blocked)."""
    event = EventFactory(
        title="ミライ対話 さくら地区", venue="市民活動プラザ 2階 会議室A", starts_at=at(TUESDAY, 10)
    )
    assert Booking.objects.filter(event_session__event=event, resource=room).exists()
    return event


@pytest.fixture
def groups_booking(room, group):
    return BookingFactory(resource=room, group=group, starts_at=at(TUESDAY, 13), ends_at=at(TUESDAY, 15))


def change_url(event) -> str:
    return reverse("admin:events_event_change", args=[event.pk])


def test_moving_a_session_onto_a_booked_slot_names_the_booking_and_saves_nothing(
    client_for, staff_user, event, groups_booking
):
    response = client_for(staff_user).post(
        change_url(event), admin_data(event, start=at(TUESDAY, 14), end=at(TUESDAY, 16))
    )
    assert response.status_code == 200  # the form again, with the error
    body = response.content.decode()
    assert "会議室Aの2026年12月8日 13:00〜15:00は、「ひまわりの会」の予約（定例会）が入っています。" in body
    assert "別の部屋（会場）か時間を選んでください。" in body and "重なる予約を取り消す" in body
    session = event.sessions.get()
    assert session.starts_at == at(TUESDAY, 10)  # not moved
    groups_booking.refresh_from_db()
    assert groups_booking.status == Booking.Status.CONFIRMED
    assert not OutboxMessage.objects.exists()


def test_another_room_is_free_and_the_session_takes_it(client_for, staff_user, event, groups_booking):
    other = RoomFactory(name="会議室B", venue_keyword="会議室B", max_hours_per_month=None)
    response = client_for(staff_user).post(
        change_url(event),
        admin_data(event, venue="市民活動プラザ 2階 会議室B", start=at(TUESDAY, 14), end=at(TUESDAY, 16)),
    )
    assert response.status_code == 302
    block = Booking.objects.get(event_session__event=event)
    assert (block.resource, block.starts_at) == (other, at(TUESDAY, 14))
    groups_booking.refresh_from_db()
    assert groups_booking.status == Booking.Status.CONFIRMED


def test_staff_take_the_time_back_and_the_group_is_told_through_the_outbox(
    client_for, staff_user, event, groups_booking, editor
):
    response = client_for(staff_user).post(
        change_url(event), admin_data(event, start=at(TUESDAY, 14), end=at(TUESDAY, 16), release=True)
    )
    assert response.status_code == 302
    groups_booking.refresh_from_db()
    assert groups_booking.status == Booking.Status.CANCELLED
    block = Booking.objects.get(event_session__event=event)
    assert (block.starts_at, block.ends_at, block.is_block) == (at(TUESDAY, 14), at(TUESDAY, 16), True)
    # The change made in the admin is in the session's history, by the staff member who made it.
    assert event.sessions.get().history.latest().history_user == staff_user
    message = OutboxMessage.objects.get(kind="spaces.cancelled")
    assert message.to == [editor.email]
    assert (
        "センターの催し「ミライ対話 さくら地区」（12月8日 14:00〜16:00）の会場として使うため" in message.body
    )
    assert "会議室A" in message.subject


def test_another_events_room_cannot_be_taken_back(client_for, staff_user, event):
    """A session of another event in the way: only another room or time will do."""
    other = EventFactory(title="ALP 第3回", venue="会議室A", starts_at=at(TUESDAY, 13))
    response = client_for(staff_user).post(
        change_url(event), admin_data(event, start=at(TUESDAY, 14), end=at(TUESDAY, 16), release=True)
    )
    assert response.status_code == 200
    assert "センターの催し「ALP 第3回」の会場です" in response.content.decode()
    assert Booking.objects.get(event_session__event=other).status == Booking.Status.CONFIRMED


def test_an_unchanged_session_is_not_checked_again(client_for, staff_user, event, room, group):
    """A clash from before (the group booked first, the session kept no block) does not stop staff
    from editing the event's other details."""
    Booking.objects.filter(event_session__event=event).delete()
    BookingFactory(resource=room, group=group, starts_at=at(TUESDAY, 10), ends_at=at(TUESDAY, 12))
    data = admin_data(event, start=at(TUESDAY, 10), end=at(TUESDAY, 12))
    data["description"] = "内容を書き直しました。"
    assert client_for(staff_user).post(change_url(event), data).status_code == 302


def test_a_booking_by_a_person_without_a_name_is_named_unnamed_to_staff(make_user, room):
    """A booking of a person (no group) who has not given a name reads 「（氏名未登録）」 to staff,
    as lists do, not the greeting 「ご利用者」 nor the address."""
    from spaces.services import event_session_conflict_message

    booker = make_user(email="nameless-booker@example.jp", full_name="")
    booking = BookingFactory(
        resource=room, group=None, booked_by=booker, starts_at=at(TUESDAY, 13), ends_at=at(TUESDAY, 15)
    )
    message = event_session_conflict_message(booking)
    assert "「（氏名未登録）」の予約（定例会）" in message
    assert "ご利用者" not in message and booker.email not in message
