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
