"""EXPLAIN on PostgreSQL: does a query read the whole of a large table?

The queries of a page are captured as the test client sends them, then each SELECT is explained
with sequential scans switched off for the planner. With `enable_seqscan = off` PostgreSQL still
plans a sequential scan when no index can serve the query (it is only made to look expensive), so
on a small test database a "Seq Scan" node in that plan means a missing index, whatever the
table's size today. A bounded query (LIMIT over an index order) plans as an index scan and passes;
a LIMIT over a sequential scan does not, since it may read the whole table before its first row.

Tables that stay small whatever the scale (reference data the centre edits by hand) are allowed
to be read whole; they are listed in SMALL_TABLES with the reason. Every other table grows with
the number of groups, events, consultations and bookings.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

# Reference data that a centre keeps by hand: tens of rows at scale 1, the same at scale 10.
SMALL_TABLES = frozenset(
    {
        "core_theme",  # 活動分野 (about twenty)
        "core_area",  # 地区
        "core_searchsynonym",  # the search's synonyms, kept by hand
        "core_demodataset",  # one row per app
        "consultations_topic",  # 相談の分野
        "events_program",  # 事業 (about ten)
        "projects_proposalcall",  # 募集: a few calls a year
        "info_newsletterissue",  # 情報紙: one issue a month
        "reports_report",  # 成果報告書 that staff asked for: tens a year
        "spaces_resource",  # 会議室・備品
        "spaces_closure",  # closures of a room: a handful a year
        "django_content_type",
        "auth_group",  # roles
        "auth_permission",
        "auth_group_permissions",
    }
)

# Plan nodes that read a relation.
SCAN_NODES = frozenset({"Seq Scan", "Index Scan", "Index Only Scan", "Bitmap Heap Scan"})


@dataclass(frozen=True)
class FullScan:
    table: str
    sql: str

    def __str__(self) -> str:
        return f"{self.table}: {self.sql}"


def captured_selects(queries: CaptureQueriesContext) -> list[str]:
    """The SELECTs among captured queries (not savepoints, not writes), each once."""
    seen: dict[str, None] = {}
    for query in queries.captured_queries:
        sql = query["sql"]
        if sql.lstrip().upper().startswith(("SELECT", "WITH")) and sql not in seen:
            seen[sql] = None
    return list(seen)


def explain(sql: str) -> dict:
    """The plan of `sql` (FORMAT JSON) when sequential scans are switched off; nothing is run."""
    with transaction.atomic(), connection.cursor() as cursor:
        # SET LOCAL is undone with the savepoint.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
        (plan,) = cursor.fetchone()
        transaction.set_rollback(True)
    if isinstance(plan, str):
        plan = json.loads(plan)
    return plan[0]["Plan"]


def _nodes(plan: dict) -> Iterator[dict]:
    yield plan
    for child in plan.get("Plans", ()):
        yield from _nodes(child)


def sequential_scans(sql: str) -> list[FullScan]:
    """The large tables that `sql` can only read whole (a Seq Scan with sequential scans off)."""
    return [
        FullScan(node["Relation Name"], sql)
        for node in _nodes(explain(sql))
        if node["Node Type"] == "Seq Scan" and node["Relation Name"] not in SMALL_TABLES
    ]


def full_scans_of(queries: CaptureQueriesContext) -> list[FullScan]:
    found: list[FullScan] = []
    for sql in captured_selects(queries):
        found.extend(sequential_scans(sql))
    return found
