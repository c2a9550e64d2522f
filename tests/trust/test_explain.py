"""PostgreSQL: no page the bench measures, and no report figure, reads a whole large table.

The demo data is seeded once for the module (rolled back at its end), the clock held at a fixed
day. Every bench page (the bench_pages hooks, as `manage.py bench` loads them) is requested with an
empty cache and again with a warm one, and every SELECT it sent is explained with sequential scans
switched off (tests/explain.py): a sequential scan left in such a plan is a table no index can
serve, which at scale 10 is a whole table read for every request. The report task's queries (the
contents of a program's report and of the all-programs report) are checked the same way.
"""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.explain import full_scans_of, sequential_scans
from tests.services import require_postgres

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

# A weekday in June: the demo's events, bookings and consultations fall around it.
DAY = dt.datetime(2026, 6, 15, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo data of every app (seed_demo at scale 1) and the report bench's top-up, inside a
    transaction rolled back after the module's last test."""
    if connection.vendor != "postgresql":
        yield None
        return
    from ops.demo import seed_all
    from reports.demo import bench_fiscal_year, bench_top_up

    with django_db_blocker.unblock(), time_machine.travel(DAY, tick=True):
        name = str(connection.settings_dict["NAME"])
        assert name.startswith("test_"), f"not a test database ({name})"
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            seed_all(scale=1, seed=2025, app_scales={}, out=io.StringIO())
            bench_top_up(fiscal_year=bench_fiscal_year())
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            yield True
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            for each in connections.all():
                each.close()


def test_the_check_finds_a_large_table_no_index_serves():
    require_postgres()
    scans = sequential_scans("""SELECT "id" FROM "events_event" WHERE "title" = 'ミライ対話'""")
    assert [scan.table for scan in scans] == ["events_event"]


def test_the_check_lets_an_index_and_a_small_table_through():
    require_postgres()
    assert sequential_scans("""SELECT "id" FROM "events_event" WHERE "id" = 1""") == []
    assert sequential_scans("""SELECT "id" FROM "core_area" WHERE "name_kana" = 'ちゅうおう'""") == []


@pytest.fixture
def at_day():
    with time_machine.travel(DAY, tick=True):
        yield


def bench_pages() -> dict:
    from ops.management.commands.bench import collect_pages

    return collect_pages()


BENCH_PAGE_NAMES = (
    "home",
    "group_directory",
    "group_directory_search",
    "group_detail",
    "matching_index",
    "matching_suggestions",
    "event_calendar",
    "event_feed",
    "event_month",
    "event_detail",
    "project_list",
    "project_detail",
    "consultation_list",
    "consultation_statistics",
    "consultation_follow_ups",
    "space_week",
    "space_index",
    "space_book",
    "grant_list",
    "grant_list_filtered",
    "reports_index",
)


def test_the_bench_measures_these_pages(demo, at_day):
    require_postgres()
    assert set(bench_pages()) == set(BENCH_PAGE_NAMES)


@pytest.mark.parametrize("name", BENCH_PAGE_NAMES)
def test_bench_page_reads_no_large_table_whole(demo, at_day, settings, name):
    require_postgres()
    from core.models import User

    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    page = bench_pages()[name]
    client = Client()
    if page.as_user:
        client.force_login(User.objects.get(email=page.as_user))
    # The bench's forms are made before it measures (finding free slots is not the page).
    forms = page.post_data(2) if page.post_data is not None else None
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        if forms is not None:
            for path, form in forms:
                response = client.post(path, form)
                assert response.status_code in (200, 302, 303)
        else:
            for _ in range(2):  # an empty cache, then a warm one
                response = client.get(page.path)
                assert response.status_code == 200
    scans = full_scans_of(queries)
    assert not scans, "\n\n".join(str(scan) for scan in scans)


@pytest.mark.parametrize("program_code", ["mirai_taiwa", None], ids=["report_program", "report_all"])
def test_report_contents_read_no_large_table_whole(demo, at_day, program_code):
    require_postgres()
    from reports.demo import bench_fiscal_year
    from reports.selectors import report_content

    with CaptureQueriesContext(connection) as queries:
        report_content(program_code=program_code, fiscal_year=bench_fiscal_year())
    scans = full_scans_of(queries)
    assert not scans, "\n\n".join(str(scan) for scan in scans)
