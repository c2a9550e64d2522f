"""seed_demo's year of bookings and machine use; the figures for the report of all programs."""

from __future__ import annotations

import datetime as dt
import io
import random
from itertools import pairwise

import pytest
from django.core.cache import cache

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


@pytest.fixture
def bench_world(make_user):
    """The bench's spaces data (scale 2) with the demo member, editor of a registered group."""
    ensure_programs()
    member = make_user(email=demo.BENCH_EDITOR, full_name="会員 花子")
    GroupFactory(owner=member, name="ひまわりの会")
    for _ in range(5):
        GroupFactory()
    demo.seed(scale=2, rng=random.Random("bench"), out=io.StringIO())
    return member


def test_bench_room_has_over_10000_bookings_in_its_year_and_no_double_booking(bench_world):
    room = Resource.objects.get(name="会議室A")
    assert room.slot_minutes == demo.BUSY_SLOT_MINUTES
    holding = Booking.objects.filter(resource=room, status__in=Booking.HOLDING)
    assert holding.count() >= 10_000
    spans = list(holding.order_by("starts_at").values_list("starts_at", "ends_at"))
    assert (spans[-1][0] - spans[0][0]).days <= 365
    assert all(a_end <= b_start for (_a, a_end), (b_start, _b) in pairwise(spans))


def test_space_week_is_measured_as_an_editor_with_fixed_queries(bench_world, client):
    """Signed in (no page cache): free slots are links to the booking form, taken ones say so;
    the queries are the same whatever the week holds (a full past week, the measured one)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    page = demo.bench_pages(scale=1)["space_week"]
    assert page.as_user == demo.BENCH_EDITOR
    client.force_login(bench_world)
    past = page.path.split("?")[0] + "?week=2026-06-01"
    counts = {}
    for path in (past, page.path):
        client.get(path)
        cache.clear()  # the week's grid as first built, not as kept by the request before
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200
        counts[path] = [q["sql"][:120] for q in queries]
    # session, user, the user's roles (header and staff links), room, the week's bookings, closures ...
    assert [len(q) for q in counts.values()] == [WEEK_QUERIES, WEEK_QUERIES], counts
    body = response.content.decode()
    assert body.count("空き・予約する") >= 40 and body.count("予約済み") >= 150

    # The grid is then kept for every editor (the room, bookings and closures are not read again) ...
    with CaptureQueriesContext(connection) as queries:
        again = client.get(page.path)
    assert len(queries) == WEEK_QUERIES - 3
    kept_body = again.content.decode()
    for words in ("空き・予約する", "予約済み"):
        assert kept_body.count(words) == body.count(words)
    # ... until something of the spaces changes (a booking, a block, a room): then it is built anew.
    Resource.objects.get(name="会議室A").save()
    with CaptureQueriesContext(connection) as queries:
        client.get(page.path)
    assert len(queries) == WEEK_QUERIES


def test_space_book_posts_a_different_free_slot_each_time_with_fixed_queries(bench_world, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    page = demo.bench_pages(scale=1)["space_book"]
    assert page.as_user == demo.BENCH_EDITOR
    forms = page.post_data(40)
    assert len(forms) == 40
    assert len({(path, f["date"], f["start"]) for path, f in forms}) == 40
    # Spread: neighbouring requests go to different rooms or days.
    assert all(a[0] != b[0] or a[1]["date"] != b[1]["date"] for a, b in pairwise(forms))
    client.force_login(bench_world)
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()  # as in a fresh process, whatever tests ran before
    counts, expected, rooms_read = [], [], set()
    for number, (path, form) in enumerate(forms):
        with CaptureQueriesContext(connection) as queries:
            response = client.post(path, form)
        assert response.status_code == 302, response.content.decode()[:2000]
        counts.append(len(queries))
        # The first booking also caches what every later one reuses (the outbox's content type);
        # the first of each room reads the room, which is then kept (selectors.room).
        expected.append(BOOK_QUERIES + (number == 0) + (path not in rooms_read))
        rooms_read.add(path)
    assert len(rooms_read) > 1
    assert counts == expected, (counts, [q["sql"][:120] for q in queries])
    assert Booking.objects.filter(purpose=demo.BENCH_PURPOSE).count() == 40
    # The next run removes the bench's bookings first and finds the same free slots.
    assert page.post_data(40) == forms
    assert not Booking.objects.filter(purpose=demo.BENCH_PURPOSE).exists()


WEEK_QUERIES = 5
# The booking POST: session, user, the editor's groups, the locks, the rules' facts, the booking,
# its mail (the room is kept in the cache; no history row until the booking's first change; the
# bench counts 4 more: without Redis it sends the outbox's mail after commit, in the request; a
# test's transaction never commits).
BOOK_QUERIES = 9


def test_a_year_before_any_spaces_record_has_no_figures_but_a_year_nobody_booked_has_zeros(room, group):
    """The bookings began in 令和6年度 (a cancelled one); nobody booked in 令和7年度. The report
    printed 0 for 令和5年度, before any record; it prints 「—」 there (no change), and 0 for 令和7年度."""
    from reports.selectors import key_figures
    from tests.spaces.factories import BookingFactory, at

    cancelled, confirmed = Booking.Status.CANCELLED, Booking.Status.CONFIRMED
    for day, status in ((dt.date(2025, 2, 4), cancelled), (dt.date(2026, 6, 2), confirmed)):
        BookingFactory(resource=room, group=group, starts_at=at(day, 18), ends_at=at(day, 20), status=status)

    assert hooks.report_figures(program_code=None, fiscal_year=2023) == []
    assert {f.key: f.value for f in hooks.report_figures(program_code=None, fiscal_year=2025)}[
        "spaces.bookings"
    ] == 0
    rows = {row.key: row for row in key_figures(program_code=None, fiscal_year=2025, gaps=[])}
    assert rows["spaces.bookings"].values == [None, 0, 0]
    assert rows["spaces.printed_sheets"].values == [None, 0, 0]
    assert rows["spaces.rate.会議室A.夜間"].values == [None, 0, 0]
    rows = {row.key: row for row in key_figures(program_code=None, fiscal_year=2024, gaps=[])}
    assert rows["spaces.bookings"].values == [None, None, 0]
    assert rows["spaces.bookings"].change is None


def test_rooms_with_nothing_recorded_yet_count_zero_this_year_only(room, time_machine):
    """Rooms set up, not yet booked: this year (by the Japan date, 令和8年度 from 00:30 on 1 April
    while UTC is still in March) is a real 0; last year has no data."""
    time_machine.move_to(
        dt.datetime(2026, 4, 1, 0, 30, tzinfo=dt.timezone(dt.timedelta(hours=9))), tick=False
    )

    assert hooks.report_figures(program_code=None, fiscal_year=2025) == []
    assert {f.key: f.value for f in hooks.report_figures(program_code=None, fiscal_year=2026)}[
        "spaces.bookings"
    ] == 0
    Resource.objects.all().delete()
    assert hooks.report_figures(program_code=None, fiscal_year=2026) == []
