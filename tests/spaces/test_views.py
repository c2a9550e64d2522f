"""The pages: week view (fixed queries at two sizes), booking with refusals that keep the input,
staff counter, machine use, the monthly statement as PDF and CSV."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from core.roles import Role
from spaces.models import Booking, MachineUse
from tests.forms import assert_refused_keeping_input
from tests.groups.factories import GroupFactory
from tests.spaces.factories import BookingFactory, at

pytestmark = pytest.mark.django_db

WEEK = dt.date(2026, 12, 7)  # Monday (closed); Tuesday 8 December onwards are open


def _fill(room, *, weeks: int) -> None:
    groups = [GroupFactory() for _ in range(3)]
    bookings = []
    for w in range(weeks):
        for d in range(1, 7):
            day = WEEK + dt.timedelta(days=7 * w + d)
            for hour in range(9, 21):
                bookings.append(
                    Booking(
                        resource=room,
                        group=groups[hour % 3],
                        starts_at=at(day, hour),
                        ends_at=at(day, hour + 1),
                        purpose="定例会",
                        people=3,
                    )
                )
    Booking.objects.bulk_create(bookings)


@pytest.mark.parametrize("weeks", [1, 6])
def test_week_view_queries_do_not_grow_with_the_bookings(
    client, no_page_cache, room, weeks, django_assert_num_queries
):
    _fill(room, weeks=weeks)
    url = reverse("spaces:week", args=[room.pk]) + "?week=2026-12-07"
    client.get(url)
    # room, bookings of the week, closures of the week (anonymous: no session, no user)
    with django_assert_num_queries(3):
        response = client.get(url)
    assert response.status_code == 200
    text = response.content.decode()
    assert "12月7日（月）" in text and "月曜休館" in text
    assert "予約済み" in text
    assert "ひまわり" not in text  # holders are shown to staff only


def booking_form(group, **changes) -> dict:
    """What the booking form sends: one evening, 8 December 2026 18:00–20:00, changed by `changes`."""
    return {
        "group": group.pk,
        "date": "2026-12-08",
        "start": "18:00",
        "end": "20:00",
        "purpose": "定例会",
        "people": 8,
        "weeks": 1,
        "all_or_nothing": "0",
        **changes,
    }


def test_week_view_links_free_slots_to_the_booking_form(client, room):
    response = client.get(reverse("spaces:week", args=[room.pk]) + "?week=2026-12-07")
    text = response.content.decode()
    assert f"{reverse('spaces:book', args=[room.pk])}?start=2026-12-08T18:00" in text
    assert "受付外" not in text  # every slot of the week is in the future and within 90 days


def test_an_invalid_week_falls_back_to_this_week(client, room):
    response = client.get(reverse("spaces:week", args=[room.pk]) + "?week=nonsense")
    assert "2026年11月30日（月）〜12月6日（日）" in response.content.decode()


@pytest.mark.parametrize(
    ("week", "message"),
    [
        ("0001-01-01", "「週」: 1989年から2100年までの日付を指定してください。今週を表示しています。"),
        ("9999-12-27", "「週」: 1989年から2100年までの日付を指定してください。今週を表示しています。"),
        ("2026/12/07", "「週」: 日付を 2026-04-06 の形で指定してください。今週を表示しています。"),
    ],
)
def test_a_week_out_of_range_is_told_apart_from_a_mistyped_one(client, room, week, message):
    """A well-formed but far-off date is not blamed on its format: the page says which years it
    shows (and shows this week, 400); a mistyped date is still asked in the 2026-04-06 form."""
    response = client.get(reverse("spaces:week", args=[room.pk]) + f"?week={week}")
    text = response.content.decode()
    assert response.status_code == 400
    assert message in text
    assert "2026年11月30日（月）〜12月6日（日）" in text


def test_editor_books_from_a_slot_and_sees_the_booking(
    client, room, group, editor, django_capture_on_commit_callbacks
):
    client.force_login(editor)
    url = reverse("spaces:book", args=[room.pk])
    form = client.get(url + "?start=2026-12-08T18:00").content.decode()
    assert 'value="2026-12-08"' in form and 'value="18:00"' in form and 'value="19:00"' in form
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            booking_form(group),
        )
    booking = Booking.objects.get()
    assert response.status_code == 302 and response["Location"] == booking.get_absolute_url()
    page = client.get(booking.get_absolute_url()).content.decode()
    assert "2026年12月8日（火）18:00〜20:00" in page
    assert len(mail.outbox) == 1
    ics = client.get(reverse("spaces:booking_ics", args=[booking.pk]))
    assert ics["Content-Type"].startswith("text/calendar")


def test_a_refused_booking_says_the_rule_and_keeps_what_was_typed(client, room, group, editor):
    client.force_login(editor)
    response = client.post(
        reverse("spaces:book", args=[room.pk]),
        booking_form(group, date="2026-12-29", purpose="忘年会の打合せ"),
    )
    assert_refused_keeping_input(
        response, message="【休館日】2026年12月29日（火）は休館日です（年末年始）。", typed="忘年会の打合せ"
    )
    assert not Booking.objects.exists()


def test_series_result_lists_each_refused_date(client, room, group, editor):
    client.force_login(editor)
    response = client.post(
        reverse("spaces:book", args=[room.pk]),
        booking_form(group, weeks=8),
    )
    text = response.content.decode()
    assert "予約した日（7件）" in text
    assert "予約できなかった日（1件）" in text and "2026年12月29日（火）" in text


def test_a_person_without_a_registered_group_is_told_how_to_register(client, room, make_user):
    client.force_login(make_user(email="nogroup@example.jp"))
    response = client.get(reverse("spaces:book", args=[room.pk]))
    assert "登録した団体の編集者だけ" in response.content.decode()


def test_my_bookings_lists_the_groups_upcoming_bookings(
    client, room, group, editor, django_assert_max_num_queries
):
    from spaces.models import Allotment, Resource

    for day in range(8, 12):
        BookingFactory(resource=room, group=group, starts_at=at(dt.date(2026, 12, day), 18))
    locker = Resource.objects.create(kind=Resource.Kind.LOCKER, name="ロッカー3")
    Allotment.objects.create(resource=locker, group=group, fiscal_year=2026)
    client.force_login(editor)
    response = client.get(reverse("spaces:my_bookings"))
    text = response.content.decode()
    assert text.count("会議室A</a>") == 4
    assert "ひまわりの会：ロッカー3" in text
    assert "取り消す" in text


def test_my_bookings_offers_last_months_statement_and_this_months(client, group, editor):
    """The month just finished is the one a group pays: its statement is offered (PDF and CSV)
    next to the current month's, which is still growing."""
    from django.utils import timezone

    this_month = timezone.localdate().replace(day=1)
    last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
    client.force_login(editor)
    text = client.get(reverse("spaces:my_bookings")).content.decode()
    for month in (last_month, this_month):
        for name in ("spaces:statement_pdf", "spaces:statement_csv"):
            assert reverse(name, args=[group.pk, month.year, month.month]) in text
    assert f"{last_month.year}年{last_month.month}月の明細（PDF）" in text
    assert f"{this_month.year}年{this_month.month}月（今月・途中まで）の明細（PDF）" in text


def test_staff_take_a_phone_booking_and_log_500_sheets(client, room, printer, group, staff_user):
    client.force_login(staff_user)
    response = client.post(
        reverse("spaces:staff_book", args=[room.pk]),
        booking_form(
            group,
            channel="phone",
            date="2026-12-10",
            start="13:00",
            end="15:00",
            purpose="会報の発送作業",
            people=4,
        ),
    )
    booking = Booking.objects.get()
    assert response.status_code == 302 and booking.channel == Booking.Channel.PHONE
    response = client.post(
        reverse("spaces:staff_machine_use"),
        {"machine": printer.pk, "group": group.pk, "used_on": "2026-12-01", "count": 500, "uses": 1},
        follow=True,
    )
    assert "ひまわりの会：印刷機 500枚、利用料 550円を記録しました。" in response.content.decode()
    assert MachineUse.objects.get().fee == 550


def test_staff_form_refusal_keeps_the_input(client, printer, group, staff_user):
    client.force_login(staff_user)
    response = client.post(
        reverse("spaces:staff_machine_use"),
        {"machine": printer.pk, "group": group.pk, "used_on": "2026-12-02", "count": 500, "uses": 1},
    )
    text = response.content.decode()
    assert "利用日に先の日付は入れられません。" in text and 'value="500"' in text


def test_a_fee_beyond_what_a_use_can_cost_is_refused_next_to_the_count(client, printer, group, staff_user):
    """1万円／枚 × 1,000,000枚 is 100億円: a slip of the count, refused in Japanese with the count
    kept (on PostgreSQL it did not even fit the fee's column)."""
    printer.unit_price = 10_000
    printer.save()
    client.force_login(staff_user)
    response = client.post(
        reverse("spaces:staff_machine_use"),
        {"machine": printer.pk, "group": group.pk, "used_on": "2026-12-01", "count": 1_000_000, "uses": 1},
    )
    assert response.context["form"].errors["count"] == [
        "利用料が10,000,000,050円になります。枚数・回数を確かめてください（1回の記録は1,000万円まで）。"
    ]
    assert 'value="1000000"' in response.content.decode()
    assert not MachineUse.objects.exists()


def test_monthly_statement_pdf_and_csv(client, printer, group, editor, staff_user, tmp_path):
    from spaces import services

    services.machine_use_log(
        machine=printer, group=group, used_on=dt.date(2026, 12, 1), count=500, by=staff_user
    )
    services.machine_use_log(
        machine=printer,
        group=group,
        used_on=dt.date(2026, 12, 1),
        count=30,
        note="=HYPERLINK(1)",
        by=staff_user,
    )
    client.force_login(editor)
    pdf = client.get(reverse("spaces:statement_pdf", args=[group.pk, 2026, 12]))
    assert pdf["Content-Type"] == "application/pdf"
    path = tmp_path / "statement.pdf"
    path.write_bytes(pdf.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "利用料のご案内（2026年12月分）" in text and "ひまわりの会 御中" in text
    # Dated in the Japanese era as well, like the other PDFs of the portal.
    from django.utils import timezone

    from core.fiscal import wareki_date

    assert wareki_date(timezone.localdate()) in text
    assert "（令和8年12月1日〜令和8年12月31日）" in text
    assert "合計 630円" in text
    csv = client.get(reverse("spaces:statement_csv", args=[group.pk, 2026, 12])).content.decode("utf-8-sig")
    lines = csv.splitlines()
    assert lines[0].startswith("利用日,機器,枚数・回数")
    assert lines[1] == "2026-12-01,印刷機,500,枚,1,1,50,550,"
    assert "'=HYPERLINK(1)" in csv
    assert lines[-1].startswith("合計") and ",630," in lines[-1]


def test_staff_see_the_monthly_fees_with_a_thousands_separator(client, printer, group, staff_user):
    """The 月ごとの利用料 page writes 1,550円 as the PDF does, not 1550円."""
    from django.utils import timezone

    from spaces import services

    today = timezone.localdate()
    services.machine_use_log(machine=printer, group=group, used_on=today, count=1500, by=staff_user)
    client.force_login(staff_user)
    text = client.get(reverse("spaces:staff_statements") + f"?month={today:%Y-%m}").content.decode()
    assert "1,550円" in text and "1550円" not in text


def test_another_groups_statement_is_not_found(client, group, make_user):
    client.force_login(make_user(email="outsider@example.jp"))
    assert client.get(reverse("spaces:statement_pdf", args=[group.pk, 2026, 12])).status_code == 404


def test_a_cancelled_booking_offers_no_cancel_even_to_a_superuser(client, room, group, editor, make_user):
    """Whether a booking can still be cancelled is its state, asked of the rules: a superuser (the
    demo's staff account is one) is not offered to cancel what no longer holds time."""
    starts_at = at(dt.date(2026, 12, 15), 18)
    booking = BookingFactory(resource=room, group=group, booked_by=editor, starts_at=starts_at)
    admin = make_user(roles=(Role.STAFF,), email="admin@example.jp", is_superuser=True)
    client.force_login(admin)
    page = reverse("spaces:booking", args=[booking.pk])
    assert "取り消す" in client.get(page).content.decode()
    booking.status = Booking.Status.CANCELLED
    booking.save()
    assert "取り消す" not in client.get(page).content.decode()
    response = client.get(reverse("spaces:cancel", args=[booking.pk]), follow=True)
    assert response.redirect_chain[-1][0] == page
    assert "この予約は取り消せません（取消）。" in response.content.decode()


def test_a_room_changed_by_staff_is_seen_at_once_though_rooms_are_kept(client, room, group, editor):
    """The booking and week pages keep the room in the cache; a change of it (renamed, closed to
    bookings) is on the next page, not a minute later."""
    client.force_login(editor)
    url = reverse("spaces:book", args=[room.pk])
    assert "会議室A" in client.get(url).content.decode()
    room.name = "会議室A（改装後）"
    room.save()
    assert "会議室A（改装後）" in client.get(url).content.decode()
    room.is_active = False
    room.save()
    assert client.get(url).status_code == 404
    assert client.get(reverse("spaces:week", args=[room.pk])).status_code == 404


def test_staff_see_who_booked_for_themselves_by_name(client, room, make_user, staff_user):
    """A booking of no group names its booker (氏名, not the e-mail address) on the staff desk and
    the booking's page; a group's booking names the group."""
    person = make_user(email="kojin-yoyaku@example.jp", full_name="山田 一郎")
    own = BookingFactory(resource=room, group=None, booked_by=person, status=Booking.Status.PENDING)
    BookingFactory(group__name="みどりの会", status=Booking.Status.PENDING)  # another room
    client.force_login(staff_user)
    desk = client.get(reverse("spaces:staff_index")).content.decode()
    assert "個人：山田 一郎" in desk and "みどりの会" in desk
    page = client.get(reverse("spaces:booking", args=[own.pk])).content.decode()
    assert "個人：山田 一郎" in page
    assert "kojin-yoyaku@example.jp" not in desk + page


def test_staff_keep_time_for_the_center_from_the_block_form(client, room, staff_user):
    """The block form saves the center's own use and goes back to that week; an end before the
    start is refused next to the field, keeping what was typed (the form was a 500 either way)."""
    client.force_login(staff_user)
    url = reverse("spaces:staff_block", args=[room.pk])
    response = client.post(
        url, {"date": "2026-12-10", "start": "13:00", "end": "15:00", "purpose": "設備点検"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("spaces:week", args=[room.pk]) + "?week=2026-12-07"
    block = Booking.objects.get()
    assert block.is_block and block.purpose == "設備点検"
    assert (block.starts_at, block.ends_at) == (at(dt.date(2026, 12, 10), 13), at(dt.date(2026, 12, 10), 15))
    response = client.post(url, {"date": "2026-12-11", "start": "15:00", "end": "13:00", "purpose": "講座"})
    assert_refused_keeping_input(response, message="終了時刻は開始時刻より後にしてください。", typed="講座")
    assert Booking.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "fields"),
    [
        ("booking", {"date": "9999-12-20", "weeks": 12}),
        ("booking", {"date": "1900-01-02"}),
        ("block", {"date": "9999-12-31", "start": "10:00", "end": "12:00", "purpose": "設備点検"}),
        ("machine_use", {"used_on": "0001-01-01", "count": 500, "uses": 1}),
    ],
)
def test_a_date_in_an_absurd_year_is_refused_in_words_keeping_the_input(
    client, room, printer, group, staff_user, name, fields
):
    """A mistyped year (9999, 0001) is an error next to the date, never a 500 (a weekly series
    from 9999-12-20 overflowed) and never a machine use recorded in year 1."""
    client.force_login(staff_user)
    url, data = {
        "booking": (reverse("spaces:staff_book", args=[room.pk]), booking_form(group, channel="phone")),
        "block": (reverse("spaces:staff_block", args=[room.pk]), {}),
        "machine_use": (reverse("spaces:staff_machine_use"), {"machine": printer.pk, "group": group.pk}),
    }[name]
    data.update(fields)
    typed = fields.get("date") or fields["used_on"]
    response = client.post(url, data)
    assert_refused_keeping_input(
        response, message="2000年から2100年までの日付を入力してください。", typed=typed
    )
    assert not Booking.objects.exists() and not MachineUse.objects.exists()


@pytest.mark.parametrize("month", ["0000-01", "1999-12", "2101-01"])
def test_staff_statements_of_a_month_out_of_range_say_so(client, staff_user, month):
    """?month=0000-01 was a 500 (year 0 overflows the date lookup): a 400 naming the range, the
    typed month kept in the field."""
    client.force_login(staff_user)
    response = client.get(reverse("spaces:staff_statements") + f"?month={month}")
    assert response.status_code == 400
    text = response.content.decode()
    assert "2000年から2100年までの月を入力してください。" in text and f'value="{month}"' in text


def test_my_bookings_queries_do_not_grow_with_the_bookings(client, room, group, editor, make_user):
    """Whether each booking may still be cancelled asks once which groups the person edits, not
    once per booking (a co-editor's bookings were one membership query each)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    co_editor = make_user(email="co@example.jp")
    client.force_login(editor)
    counts = []
    for size in (2, 8):
        Booking.objects.all().delete()
        for n in range(size):
            BookingFactory(
                resource=room, group=group, booked_by=co_editor, starts_at=at(dt.date(2026, 12, 8 + n), 18)
            )
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("spaces:my_bookings"))
        assert response.content.decode().count("取り消す") >= size
        counts.append(len(queries))
    assert counts[0] == counts[1]


@pytest.mark.parametrize(
    ("field", "too_much", "most"),
    [("book_ahead_days", 3_000_000, 730), ("cancel_deadline_hours", 2_000_000_000, 2160)],
)
def test_a_rooms_settings_are_bounded_so_its_pages_always_open(
    client, room, group, editor, field, too_much, most
):
    """Saved in the admin, 3,000,000 days ahead or 2,000,000,000 hours' notice made the public week
    page and 'my bookings' 500s (the dates overflow): the admin refuses them next to the field, and
    the largest value it takes still opens both pages."""
    from django.core.exceptions import ValidationError

    BookingFactory(resource=room, group=group, starts_at=at(dt.date(2026, 12, 8), 18))
    setattr(room, field, too_much)
    with pytest.raises(ValidationError) as refused:
        room.full_clean()
    assert field in refused.value.message_dict
    setattr(room, field, most)
    room.full_clean()
    room.save()
    client.force_login(editor)
    assert client.get(reverse("spaces:week", args=[room.pk])).status_code == 200
    assert client.get(reverse("spaces:my_bookings")).status_code == 200


def test_the_desk_counts_every_booking_waiting_and_lists_the_soonest(client, room, staff_user, monkeypatch):
    """The heading counts all the bookings waiting for approval, not the ones the list shows, and
    the list holds the soonest (they must be decided before the day)."""
    from spaces import views

    monkeypatch.setattr(views, "PENDING_SHOWN", 2)
    day = timezone.localdate() + dt.timedelta(days=10)
    for offset, purpose in ((3, "三番目"), (1, "一番目"), (2, "二番目")):
        BookingFactory(
            resource=room, status=Booking.Status.PENDING, purpose=purpose, starts_at=at(day, 9 + offset * 2)
        )
    client.force_login(staff_user)
    desk = client.get(reverse("spaces:staff_index")).content.decode()
    assert "承認待ち（3件）" in desk
    assert "利用日の近い2件を表示しています。" in desk
    assert desk.index("一番目") < desk.index("二番目") and "三番目" not in desk


@pytest.mark.parametrize("start", ["9999-12-31T23:30", "2026-13-01T10:00", "あした"])
def test_a_start_in_the_address_that_cannot_be_read_is_said_not_a_500(client, room, group, editor, start):
    """?start= only fills in the form: one of year 9999 (its end overflowed: a 500) or one not
    read at all leaves the date empty, and the page says so."""
    client.force_login(editor)
    response = client.get(reverse("spaces:book", args=[room.pk]), {"start": start})
    assert response.status_code == 200
    body = response.content.decode()
    assert "開始日時の指定が読み取れない" in body and 'name="date"' in body
