"""seed_demo's year of bookings and machine use; the figures for the report of all programs."""

from __future__ import annotations

import datetime as dt
import io
import random
from itertools import pairwise

import pytest

from spaces import demo, hooks
from spaces.models import Booking, MachineUse, Resource
from tests.groups.factories import GroupFactory
from tests.reports.factories import ensure_programs

pytestmark = pytest.mark.django_db


def test_demo_year_has_no_double_booking_and_leaves_tuesday_evenings_for_the_member():
    ensure_programs()
    for _ in range(6):
        GroupFactory()
    out = io.StringIO()
    demo.seed(scale=1, rng=random.Random("spaces"), out=out)
    assert "予約" in out.getvalue()
    assert Booking.objects.count() > 500 and MachineUse.objects.exists()
    for room in Resource.objects.filter(kind=Resource.Kind.ROOM):
        spans = list(
            Booking.objects.filter(resource=room, status__in=Booking.HOLDING)
            .order_by("starts_at")
            .values_list("starts_at", "ends_at")
        )
        assert all(a_end <= b_start for (_a, a_end), (b_start, _b) in pairwise(spans)), room
    roundtable = Booking.objects.get(event_session__event__title__startswith="地域円卓会議")
    assert roundtable.resource.name == "会議室A" and roundtable.starts_at.astimezone().weekday() == 1
    assert not Booking.objects.filter(
        resource__name="会議室A",
        is_block=False,
        starts_at__gt=dt.datetime(2026, 12, 2, tzinfo=dt.UTC),
        starts_at__week_day=3,
        starts_at__hour__gte=18,  # Tuesday evenings (lookups are in Japan time)
    ).exists()
    demo.seed(scale=1, rng=random.Random("spaces"), out=out)  # a second run changes nothing
    assert "すでにあります" in out.getvalue()


def test_report_figures_only_in_the_report_of_all_programs(room, group):
    from tests.spaces.factories import BookingFactory, at

    BookingFactory(
        resource=room, group=group, starts_at=at(dt.date(2026, 6, 2), 18), ends_at=at(dt.date(2026, 6, 2), 20)
    )
    assert hooks.report_figures(program_code="alp", fiscal_year=2026) == []
    figures = {f.key: f.value for f in hooks.report_figures(program_code=None, fiscal_year=2026)}
    assert {k: v for k, v in figures.items() if ".rate." not in k} == {
        "spaces.bookings": 1,
        "spaces.hours": 2.0,
        "spaces.groups": 1,
        "spaces.no_shows": 0,
        "spaces.printed_sheets": 0,
    }
    assert figures["spaces.rate.会議室A.午前"] == 0
    assert 0 < figures["spaces.rate.会議室A.夜間"] < 1  # 2 of about 900 evening hours


def test_bench_task_books_twenty_slots_through_the_booking_page(make_user):
    """The bench's space_book_x20 posts 20 bookings, one per group, and every one is accepted
    (a group's monthly hours limit never refuses it)."""
    from tests.spaces.factories import RoomFactory

    room = RoomFactory(name="会議室A", venue_keyword="会議室A", max_hours_per_month=2)
    for number in range(demo.BENCH_BOOKINGS):
        GroupFactory(owner=make_user(email=f"bench{number}@example.jp"))
    [task] = demo.bench_tasks().values()
    task()
    bookings = Booking.objects.filter(resource=room, is_block=False)
    assert bookings.count() == demo.BENCH_BOOKINGS
    assert bookings.values("group").distinct().count() == demo.BENCH_BOOKINGS
