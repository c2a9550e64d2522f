"""No double booking under simultaneous requests (PostgreSQL: real parallel transactions)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import IntegrityError
from django.test import Client
from django.urls import reverse

from spaces.models import Booking
from tests.concurrency import run_at_once
from tests.groups.factories import GroupFactory
from tests.services import require_postgres
from tests.spaces.factories import BookingFactory, RoomFactory, at

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TUESDAY = dt.date(2026, 12, 8)


def test_twenty_simultaneous_requests_for_one_slot_make_one_booking(make_user):
    """20 editors of 20 groups press 予約する for 会議室A, Tuesday 18-20, at the same moment: exactly
    one booking, 19 pages that say 【重複】, and no server error."""
    require_postgres()
    room = RoomFactory(name="会議室A")
    editors = []
    for n in range(20):
        user = make_user(email=f"editor{n}@example.jp")
        client = Client(raise_request_exception=True)
        client.force_login(user)
        editors.append((client, GroupFactory(owner=user)))
    statuses: list[tuple[int, str]] = []
    lock = threading.Lock()

    def press(client, group):
        response = client.post(
            reverse("spaces:book", args=[room.pk]),
            {
                "group": group.pk,
                "date": f"{TUESDAY:%Y-%m-%d}",
                "start": "18:00",
                "end": "20:00",
                "purpose": "定例会",
                "people": 5,
                "weeks": 1,
                "all_or_nothing": "0",
            },
        )
        with lock:
            statuses.append((response.status_code, response.content.decode()))

    errors = run_at_once(press, editors, timeout=90)
    assert not errors, errors
    assert Booking.objects.filter(resource=room).count() == 1
    assert sorted(code for code, _body in statuses) == [200] * 19 + [302]
    refusals = [body for code, body in statuses if code == 200]
    assert all("【重複】この時間はすでに予約が入っています。" in body for body in refusals)


def test_the_database_itself_refuses_an_overlap():
    """Even a write that skips the service (a script, a bug) cannot double-book: the exclusion
    constraint refuses it; a cancelled booking does not count."""
    require_postgres()
    room = RoomFactory(name="会議室B")
    BookingFactory(resource=room, starts_at=at(TUESDAY, 18), ends_at=at(TUESDAY, 20))
    with pytest.raises(IntegrityError, match="spaces_booking_no_overlap"):
        BookingFactory(resource=room, starts_at=at(TUESDAY, 19), ends_at=at(TUESDAY, 21))
    BookingFactory(resource=room, starts_at=at(TUESDAY, 20), ends_at=at(TUESDAY, 21))
    BookingFactory(
        resource=room, starts_at=at(TUESDAY, 18), ends_at=at(TUESDAY, 19), status=Booking.Status.CANCELLED
    )


def _waits_for(room, days) -> bool:
    """Whether locking the room's days would wait (for longer than 300 ms) for another transaction."""
    from django.db import OperationalError, connection, transaction

    from spaces import services

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '300ms'")
        try:
            with transaction.atomic():
                services._lock_days(room, days)
        except OperationalError:
            return True
    return False


@pytest.mark.parametrize(
    ("held", "monthly_limit", "asked", "waits"),
    [
        ("tuesday", False, [TUESDAY + dt.timedelta(days=1)], False),  # another day: no wait
        ("tuesday", False, [TUESDAY], True),
        ("tuesday", False, [TUESDAY + dt.timedelta(weeks=n) for n in range(3)], True),  # a series
        ("tuesday", True, [TUESDAY + dt.timedelta(days=1)], True),  # the month's hours are summed
        ("tuesday", True, [dt.date(2027, 1, 5)], False),  # another month
        ("room", False, [TUESDAY + dt.timedelta(days=1)], True),  # a block or a move holds the room
    ],
)
def test_bookings_wait_only_for_what_they_could_clash_with(held, monthly_limit, asked, waits):
    """Two people booking one room on different days do not wait for each other; the same day
    (or, in a room with a monthly limit, the same month) waits, and so does every day while a
    block or a move holds the whole room."""
    from django.db import connection, transaction

    from spaces import services

    require_postgres()
    room = RoomFactory(max_hours_per_month=10 if monthly_limit else None)
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic():
                if held == "room":
                    services._lock(room)
                else:
                    services._lock_days(room, [TUESDAY])
                holding.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert holding.wait(timeout=30)
        assert _waits_for(room, asked) is waits
    finally:
        release.set()
        holder.join(timeout=30)
    assert not _waits_for(room, asked)  # released with the holder's transaction
