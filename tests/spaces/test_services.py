"""The booking rules, each refusal naming its rule; series; cancellation; no-shows; event blocks; fees."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError

from spaces import calendar, selectors, services
from spaces.models import Booking, Closure, Resource
from tests.events.factories import EventFactory
from tests.groups.factories import GroupFactory
from tests.spaces.conftest import TODAY
from tests.spaces.factories import BookingFactory, MachineFactory, at

pytestmark = pytest.mark.django_db

TUESDAY = dt.date(2026, 12, 8)


def book(room, group, by, day=TUESDAY, start=18, end=20, people=6, **extra):
    return services.booking_create(
        resource=room,
        group=group,
        by=by,
        starts_at=at(day, start),
        ends_at=at(day, end),
        purpose="定例会",
        people=people,
        **extra,
    )


def book_weekly(room, group, by, *, weeks, people=8, all_or_nothing=False):
    """Tuesdays 18:00-20:00 from TUESDAY on, for `weeks` weeks."""
    return services.booking_series_create(
        resource=room,
        group=group,
        by=by,
        first_start=at(TUESDAY, 18),
        duration=dt.timedelta(hours=2),
        weeks=weeks,
        purpose="定例会",
        people=people,
        all_or_nothing=all_or_nothing,
    )


def refusal(excinfo) -> str:
    return " ".join(excinfo.value.messages)


def test_an_editor_books_a_free_slot_and_gets_an_email_with_an_ics(
    room, group, editor, django_capture_on_commit_callbacks
):
    """The booking is confirmed and the editor receives a mail with booking.ics attached."""
    with django_capture_on_commit_callbacks(execute=True):
        booking = book(room, group, editor)
    assert booking.status == Booking.Status.CONFIRMED
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["editor@example.jp"]
    assert "会議室Aの予約が確定しました" in message.subject
    assert "2026年12月8日（火）18:00〜20:00" in message.body
    name, content, mimetype = message.attachments[0]
    assert name == "booking.ics" and mimetype == "text/calendar"
    assert "DTSTART:20261208T090000Z" in str(content)
    # The outbox row names the bookings; the .ics was made when the mail was sent.
    from core.models import OutboxMessage

    (stored,) = OutboxMessage.objects.get(kind="spaces.booked").attachments
    assert stored["arguments"] == {"ids": [booking.pk]} and "content" not in stored


@pytest.mark.parametrize(
    ("kwargs", "rule", "words"),
    [
        ({"day": dt.date(2027, 3, 9)}, "【受付期間】", "90日先（2027年3月1日（月））まで"),
        ({"day": dt.date(2026, 11, 24)}, "【受付期間】", "過ぎた時間"),
        ({"day": dt.date(2026, 12, 7)}, "【休館日】", "月曜休館"),
        ({"day": dt.date(2026, 12, 29)}, "【休館日】", "年末年始"),
        ({"start": 8, "end": 10}, "【利用時間】", "9:00〜21:00"),
        ({"start": 20, "end": 22}, "【利用時間】", "9:00〜21:00"),
        ({"people": 13}, "【定員】", "12人"),
    ],
)
def test_each_refusal_names_its_rule(room, group, editor, kwargs, rule, words):
    with pytest.raises(ValidationError) as excinfo:
        book(room, group, editor, **kwargs)
    text = refusal(excinfo)
    assert rule in text
    assert words.replace("9:00", "09:00") in text or words in text
    assert not Booking.objects.exists()


def test_a_public_holiday_is_closed_with_its_name(room, group, editor):
    with pytest.raises(ValidationError) as excinfo:
        book(room, group, editor, day=dt.date(2027, 2, 11))
    assert "【休館日】" in refusal(excinfo) and "建国記念の日" in refusal(excinfo)


def test_a_closure_staff_added_refuses_with_its_reason(room, group, editor):
    Closure.objects.create(date=TUESDAY, reason="設備点検のため")
    assert not calendar.center_is_open(TUESDAY)
    with pytest.raises(ValidationError) as excinfo:
        book(room, group, editor)
    assert "【休館日】2026年12月8日（火）は休館日です（設備点検のため）。" in refusal(excinfo)


def test_slots_follow_the_rooms_unit(room, group, editor):
    with pytest.raises(ValidationError) as excinfo:
        services.booking_create(
            resource=room,
            group=group,
            by=editor,
            starts_at=at(TUESDAY, 18, 30),
            ends_at=at(TUESDAY, 19, 30),
            purpose="定例会",
            people=3,
        )
    assert "【予約の単位】会議室Aは09:00から60分単位で予約できます。" in refusal(excinfo)


def test_only_registered_groups_and_only_their_editors(room, group, editor, make_user):
    paused = GroupFactory(paused=True, owner=editor, name="休止中の会")
    with pytest.raises(ValidationError) as excinfo:
        book(room, paused, editor)
    assert (
        "【予約できる人】会議室Aを予約できるのは登録団体だけです（「休止中の会」は登録中ではありません）。"
        in refusal(excinfo)
    )
    stranger = make_user(email="stranger@example.jp")
    with pytest.raises(ValidationError) as excinfo:
        book(room, group, stranger)
    assert "【予約できる人】「ひまわりの会」の編集者だけ" in refusal(excinfo)


def test_a_room_open_to_anyone_takes_a_personal_booking(room, make_user):
    room.eligibility = Resource.Eligibility.SIGNED_IN
    room.save()
    person = make_user(email="person@example.jp")
    booking = book(room, None, person)
    assert booking.group is None and booking.holder_label == "個人の予約"


def test_hours_per_group_per_month(room, group, editor):
    room.max_hours_per_month = 4
    room.save()
    book(room, group, editor, day=dt.date(2026, 12, 8), start=18, end=21)
    with pytest.raises(ValidationError) as excinfo:
        book(room, group, editor, day=dt.date(2026, 12, 10), start=18, end=20)
    assert "【月の上限】会議室Aは1団体につき月4時間までです（12月はすでに3時間）。" in refusal(excinfo)
    # January is another month.
    book(room, group, editor, day=dt.date(2027, 1, 7), start=18, end=20)


def test_no_double_booking_on_any_database(room, group, other_group, editor):
    book(room, group, editor, start=18, end=20)
    owner_b = other_group.memberships.get().user
    with pytest.raises(ValidationError) as excinfo:
        book(room, other_group, owner_b, start=19, end=21)
    assert "【重複】この時間はすでに予約が入っています。" in refusal(excinfo)
    # Back to back is fine.
    book(room, other_group, owner_b, start=20, end=21)


def test_the_database_refusing_a_date_of_a_series_books_none_of_it(
    room, group, other_group, editor, monkeypatch
):
    """A booking the service's check missed (a writer that did not lock the room) is refused by
    PostgreSQL's exclusion constraint as the 【重複】 rule, and the series it was in books nothing."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the exclusion constraint is PostgreSQL's")
    BookingFactory(resource=room, group=other_group, starts_at=at(TUESDAY + dt.timedelta(weeks=1), 18))
    monkeypatch.setattr(services, "booking_refusals", lambda **kwargs: [])
    with pytest.raises(ValidationError) as excinfo:
        book_weekly(room, group, editor, weeks=3, people=6)
    assert refusal(excinfo).startswith("【重複】")
    assert not Booking.objects.filter(group=group).exists()


def test_approval_makes_a_pending_booking_until_staff_approve(room, group, editor, staff_user):
    room.requires_approval = True
    room.save()
    booking = book(room, group, editor)
    assert booking.status == Booking.Status.PENDING
    assert services.booking_approve(booking=booking, by=staff_user).status == Booking.Status.CONFIRMED
    # A pending booking already holds the time.
    room.requires_approval = False
    room.save()


def test_a_booking_s_history_starts_at_its_first_change_made_any_way(room, group, editor, staff_user):
    """A booking is made without a history row; its first change (an approval here, the admin
    alike) first records it as booked, by the person who booked, and then the change, by whom."""
    room.requires_approval = True
    room.save()
    booking = book(room, group, editor)
    assert not booking.history.exists()
    services.booking_approve(booking=booking, by=staff_user)
    records = booking.history.order_by("history_id")
    assert [(r.history_type, r.status, r.history_user) for r in records] == [
        ("+", Booking.Status.PENDING, editor),
        ("~", Booking.Status.CONFIRMED, staff_user),
    ]
    assert records[0].history_date == booking.created_at
    [entry] = selectors.booking_history(booking)
    assert entry.who == staff_user.full_name
    assert [(c.label, c.old, c.new) for c in entry.changes] == [("状態", "承認待ち", "予約済み")]
    # A change saved straight on the model (as the admin does) finds the baseline there already.
    booking.purpose = "総会"
    booking.save()
    assert booking.history.count() == 3


def test_repeated_weekly_booking_refuses_per_date_with_reasons(
    room, group, editor, django_capture_on_commit_callbacks
):
    """毎週火曜 18-20 × 8: the centre's event on 12 January and 年末年始 on 29 December are refused,
    the six other Tuesdays are booked, and one mail lists both."""
    event = EventFactory(
        title="ミライ対話「まちのこれから」",
        venue="市民活動プラザ 2階 会議室A",
        starts_at=at(dt.date(2027, 1, 12), 18, 30),
    )
    assert Booking.objects.get(event_session__event=event).is_block
    with django_capture_on_commit_callbacks(execute=True):
        result = book_weekly(room, group, editor, weeks=8)
    assert [b.starts_at.date() for b in result.booked] == [
        dt.date(2026, 12, 8),
        dt.date(2026, 12, 15),
        dt.date(2026, 12, 22),
        dt.date(2027, 1, 5),
        dt.date(2027, 1, 19),
        dt.date(2027, 1, 26),
    ]
    refused = dict(result.refused)
    assert list(refused) == [dt.date(2026, 12, 29), dt.date(2027, 1, 12)]
    assert refused[dt.date(2026, 12, 29)] == ["【休館日】2026年12月29日（火）は休館日です（年末年始）。"]
    assert refused[dt.date(2027, 1, 12)] == [
        "【重複】この時間はセンターの催し「ミライ対話「まちのこれから」」で使います。"
    ]
    assert len({b.series for b in result.booked}) == 1
    assert len(mail.outbox) == 1
    assert "予約できなかった日" in mail.outbox[0].body and "2027年1月12日（火）" in mail.outbox[0].body


def test_repeated_booking_as_a_whole_books_nothing_when_a_date_is_refused(room, group, editor):
    result = book_weekly(room, group, editor, weeks=4, all_or_nothing=True)
    assert result.booked == []
    assert [day for day, _reasons in result.refused] == [dt.date(2026, 12, 29)]
    assert not Booking.objects.exists()


def test_cancel_before_the_deadline_only(room, group, editor, staff_user):
    booking = book(room, group, editor, day=dt.date(2026, 12, 2), start=18, end=19)
    with time_machine.travel(at(dt.date(2026, 12, 1), 17, 59), tick=False):
        assert services.user_may_cancel(user=editor, booking=booking)
    with time_machine.travel(at(dt.date(2026, 12, 1), 18, 0), tick=False):
        with pytest.raises(ValidationError) as excinfo:
            services.booking_cancel(booking=booking, by=editor)
        assert "【取消期限】ウェブでの取消は利用開始の24時間前（12月1日 18:00）まで" in refusal(excinfo)
        # Staff at the counter still may.
        assert services.booking_cancel(booking=booking, by=staff_user).status == Booking.Status.CANCELLED
    # The time is free again.
    book(room, group, editor, day=dt.date(2026, 12, 2), start=18, end=19)


def _vevent_of(booking: Booking):
    from icalendar import Calendar

    from spaces.ical import bookings_calendar

    fresh = Booking.objects.select_related("resource").get(pk=booking.pk)
    return Calendar.from_ical(bookings_calendar([fresh])).walk("VEVENT")[0]


def test_a_moved_or_cancelled_bookings_ics_has_a_higher_sequence_and_a_fresh_dtstamp(
    room, group, editor, staff_user
):
    """Calendars take a booking's newer .ics by its SEQUENCE and DTSTAMP (RFC 5545): each move and
    the cancellation raise the SEQUENCE, DTSTAMP is when the file was made (not when the booking
    was), and a cancelled booking is STATUS:CANCELLED."""
    booking = book(room, group, editor)
    event = _vevent_of(booking)
    assert (event["sequence"], str(event["status"])) == (0, "CONFIRMED")

    moved_at = (booking.created_at + dt.timedelta(hours=1)).replace(microsecond=0)
    with time_machine.travel(moved_at, tick=False):
        services.booking_move(
            booking=booking, resource=room, starts_at=at(TUESDAY, 13), ends_at=at(TUESDAY, 15), by=staff_user
        )
        event = _vevent_of(booking)
    assert (event["sequence"], str(event["status"])) == (1, "CONFIRMED")
    assert event.decoded("dtstamp") == moved_at

    cancelled_at = moved_at + dt.timedelta(hours=1)
    with time_machine.travel(cancelled_at, tick=False):
        services.booking_cancel(booking=booking, by=staff_user)
        event = _vevent_of(booking)
    assert (event["sequence"], str(event["status"])) == (2, "CANCELLED")
    assert event.decoded("dtstamp") == cancelled_at


def test_staff_book_by_phone_for_any_group_and_mark_no_shows(
    room, group, staff_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        booking = book(room, group, staff_user, channel=Booking.Channel.PHONE)
    assert booking.channel == Booking.Channel.PHONE
    assert mail.outbox[0].to == ["editor@example.jp"]  # the group's owner
    with pytest.raises(ValidationError):
        services.booking_mark_no_show(booking=booking, by=staff_user)
    with time_machine.travel(at(TUESDAY, 18, 30), tick=False):
        assert services.booking_mark_no_show(booking=booking, by=staff_user).status == Booking.Status.NO_SHOW


def test_only_staff_book_at_the_counter(room, group, editor):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        book(room, group, editor, channel=Booking.Channel.PHONE)


def test_event_session_blocks_its_room_and_the_block_follows_it(room):
    event = EventFactory(venue="市民活動プラザ 2階 会議室A", starts_at=at(TUESDAY, 13))
    session = event.sessions.get()
    block = Booking.objects.get(event_session=session)
    assert (block.resource, block.starts_at, block.is_block) == (room, at(TUESDAY, 13), True)
    session.starts_at, session.ends_at = at(TUESDAY, 15), at(TUESDAY, 17)
    session.save()
    assert Booking.objects.get(event_session=session).starts_at == at(TUESDAY, 15)
    event.venue = "中央公民館 大ホール"
    event.save()
    assert not Booking.objects.filter(event_session=session).exists()
    event.venue = "会議室A"
    event.save()
    session.delete()
    assert not Booking.objects.exists()


def test_an_event_session_on_a_booked_slot_keeps_the_groups_booking(room, group, editor, caplog):
    booking = book(room, group, editor, start=13, end=15)
    event = EventFactory(venue="会議室A", starts_at=at(TUESDAY, 14))
    assert not Booking.objects.filter(event_session__event=event).exists()
    assert Booking.objects.get().pk == booking.pk
    assert "could not block 会議室A" in caplog.text


def test_machine_use_fee_is_computed_from_the_unit_prices(printer, group, staff_user):
    use = services.machine_use_log(machine=printer, group=group, used_on=TODAY, count=500, by=staff_user)
    assert use.fee == 500 * 1 + 50
    printer.unit_price = 2
    printer.save()
    use.refresh_from_db()
    assert use.fee == 550  # kept as logged
    assert services.machine_use_total(group=group, year=2026, month=12) == 550


@pytest.mark.parametrize("typed", ["枚 ", "まい", "部", "シート"])
def test_a_machine_s_unit_is_one_of_the_choices_not_typed_by_hand(typed):
    """A unit typed by hand (「枚 」) dropped the machine's uses out of the printed sheets: the
    unit is chosen, and anything else is refused in Japanese."""
    machine = Resource(kind=Resource.Kind.MACHINE, name="コピー機", unit=typed, unit_price=10)
    with pytest.raises(ValidationError) as excinfo:
        machine.full_clean()
    assert excinfo.value.message_dict["unit"] == ["数える単位は「枚」か「回」から選んでください。"]


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("unit_price", "単価は1万円以下で入力してください。"),
        ("use_price", "1回あたりの料金は1万円以下で入力してください。"),
    ],
)
def test_a_machine_s_price_has_an_upper_bound(field, message):
    """10000000円／枚 is a slip of the keyboard, and 単価 × 1,000,000枚 would overflow the fee."""
    machine = Resource(kind=Resource.Kind.MACHINE, name="印刷機", unit="枚", **{field: 10_001})
    with pytest.raises(ValidationError) as excinfo:
        machine.full_clean()
    assert excinfo.value.message_dict[field] == [message]
    setattr(machine, field, 10_000)
    machine.full_clean()


def test_existing_units_are_spelled_as_the_choices_and_counted_as_sheets(group, staff_user):
    """The migration writes 「枚 」「ﾏｲ」 as 枚, so those uses count among the printed sheets of the
    year; a unit that is neither is left for staff to choose."""
    from importlib import import_module

    from django.apps import apps

    from spaces.selectors import usage_figures

    migration = import_module("spaces.migrations.0007_machine_unit_choices_and_price_bounds")
    copier = MachineFactory(name="コピー機", unit="枚", unit_price=10, use_price=0)
    folder = MachineFactory(name="紙折り機", unit="回", unit_price=100, use_price=0)
    Resource.objects.filter(pk=copier.pk).update(unit=" 枚 ")
    odd = MachineFactory(name="ラミネーター", unit="枚")
    Resource.objects.filter(pk=odd.pk).update(unit="ﾏｲ")
    other = MachineFactory(name="裁断機", unit="枚")
    Resource.objects.filter(pk=other.pk).update(unit="部")
    for machine, count in ((copier, 300), (folder, 2), (odd, 20)):
        services.machine_use_log(machine=machine, group=group, used_on=TODAY, count=count, by=staff_user)

    migration.spell_units_as_the_choices(apps, None)

    units = dict(Resource.objects.values_list("name", "unit"))
    assert units == {"コピー機": "枚", "紙折り機": "回", "ラミネーター": "枚", "裁断機": "部"}
    assert usage_figures(fiscal_year=2026).printed_sheets == 320


def test_machine_use_cannot_be_in_the_future(printer, group, staff_user):
    with pytest.raises(ValidationError) as excinfo:
        services.machine_use_log(
            machine=printer, group=group, used_on=TODAY + dt.timedelta(days=1), count=1, by=staff_user
        )
    assert "先の日付" in refusal(excinfo)


def test_week_data_for_the_figures(room, group):
    BookingFactory(
        resource=room, group=group, starts_at=at(dt.date(2026, 6, 2), 18), ends_at=at(dt.date(2026, 6, 2), 21)
    )
    BookingFactory(
        resource=room,
        group=group,
        starts_at=at(dt.date(2026, 6, 3), 10),
        ends_at=at(dt.date(2026, 6, 3), 12),
        status=Booking.Status.CANCELLED,
    )
    BookingFactory(
        resource=room,
        group=None,
        is_block=True,
        starts_at=at(dt.date(2026, 6, 4), 10),
        ends_at=at(dt.date(2026, 6, 4), 12),
    )
    from spaces.selectors import usage_figures, usage_three_years

    figures = usage_figures(fiscal_year=2026)
    assert (figures.bookings, figures.hours, figures.groups) == (1, 3.0, 1)
    [usage] = figures.rooms
    assert usage.rate_by_band["午前"] == 0
    assert 0 < usage.rate_by_band["夜間"] < 0.02
    assert [f.fiscal_year for f in usage_three_years(fiscal_year=2026)] == [2024, 2025, 2026]
