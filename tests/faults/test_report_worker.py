"""(a) and (b): report workers and the broker fail while reports are being made.

The reports app's own tests (tests/reports/test_worker.py) already cover killing the WHOLE
worker (main process and pool child at once, then another worker and the sweeper) and a Redis
restart with requests queued and no worker running. This module covers what they leave out:

(a) only the pool child is killed (the OOM killer's favourite): the main process must give the
    message back (acks_late + reject_on_worker_lost) and the report must end in exactly one PDF
    without anybody sweeping;
(b) Redis restarts while a live worker is rendering one report and others wait in the queue:
    the worker reconnects by itself, the report it was rendering ends 完了, and the sweeper
    re-queues the lost ones from the database; every request ends in exactly one PDF.

Both use a real `celery worker` process on the local Redis and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import time

import pytest
from django.utils import timezone

from reports import services
from reports.models import Report, ReportStatus
from tests.faults.helpers import children_of, ensure_redis_running, files_under, restart_redis, wait_for
from tests.reports.factories import OutcomeRecordFactory, program
from tests.reports.test_worker import WorkerProcess

pytestmark = [pytest.mark.faults, pytest.mark.redis, pytest.mark.postgres]

FINISHED = {ReportStatus.DONE, ReportStatus.FAILED}


def status_of(report: Report) -> str:
    return Report.objects.values_list("status", flat=True).get(pk=report.pk)


def outcome(reports: list[Report], root) -> dict[str, int]:
    """What became of the requests: the counts printed by each case."""
    rows = list(Report.objects.filter(pk__in=[r.pk for r in reports]))
    files = files_under(root)
    pdfs = {row.pdf.path for row in rows if row.pdf}
    return {
        "requests": len(rows),
        "done": sum(row.status == ReportStatus.DONE for row in rows),
        "failed_visibly": sum(row.status == ReportStatus.FAILED and bool(row.error) for row in rows),
        "stuck": sum(row.status not in FINISHED for row in rows),
        "pdf_files": len(files),
        "extra_or_partial_files": len([f for f in files if str(f) not in pdfs]),
        "rows_without_file": sum(1 for row in rows if row.pdf and not os.path.exists(row.pdf.path)),
    }


def lost_count(counts: dict[str, int]) -> int:
    return (
        (counts["requests"] - counts["done"] - counts["failed_visibly"])
        + counts["stuck"]
        + counts["extra_or_partial_files"]
        + counts["rows_without_file"]
    )


def test_a_pool_child_killed_mid_report_gives_the_message_back_and_one_pdf_is_made(
    broker, tmp_path, private_reports_root, lost
):
    """SIGKILL the prefork child while it renders: the worker's main process sees the child die,
    rejects the message back to Redis, a new child renders it: 完了, exactly one PDF, no partial
    file, no sweep needed (attempts stays 1)."""
    OutcomeRecordFactory.create_batch(300, fiscal_year=2025)  # several seconds of rendering
    worker = WorkerProcess(tmp_path / "worker.log")
    broker.append(worker)
    report, _created = services.report_request(program=program(), fiscal_year=2025)
    wait_for(lambda: status_of(report) == ReportStatus.RUNNING, timeout=90, what="作成中")
    children = children_of(worker.process.pid)
    assert len(children) == 1, f"one pool child expected, found {children}"
    os.kill(children[0], signal.SIGKILL)
    wait_for(
        lambda: set(children_of(worker.process.pid)) - set(children), timeout=30, what="a new pool child"
    )
    assert worker.process.poll() is None, "the main process survives its child"

    wait_for(lambda: status_of(report) in FINISHED, timeout=180, what="完了 or 失敗", interval=0.3)
    report.refresh_from_db()
    counts = outcome([report], private_reports_root)
    lost("(a) report pool child SIGKILL", lost=lost_count(counts), **counts, attempts=report.attempts)
    assert report.status == ReportStatus.DONE, report.error
    assert report.attempts == 1, "given back by the worker itself, not re-queued by the sweeper"
    assert "SIGKILL" in worker.log.read_text(errors="replace"), "the worker saw its child killed mid-task"
    assert counts["pdf_files"] == 1 and lost_count(counts) == 0
    # The sweeper, run later, has nothing to do.
    later = timezone.now() + services.REPORT_RUNNING_STALE_AFTER + dt.timedelta(minutes=1)
    assert services.report_sweep(now=later) == {"requeued": 0, "failed": 0}


def test_redis_restarted_under_a_live_worker_loses_no_request(broker, tmp_path, private_reports_root, lost):
    """A worker renders one report while two wait in Redis; Redis restarts and forgets the
    queue. The worker reconnects on its own and finishes the one it held; the sweeper (run as
    if their time had passed) re-queues the two from the database; all three end 完了, one PDF
    each, nothing partial, nothing stuck."""
    OutcomeRecordFactory.create_batch(300, fiscal_year=2025)
    worker = WorkerProcess(tmp_path / "worker.log")
    broker.append(worker)
    reports = [
        services.report_request(program=program(code), fiscal_year=2025)[0]
        for code in ("mirai_taiwa", "alp", "festa")
    ]
    wait_for(lambda: status_of(reports[0]) == ReportStatus.RUNNING, timeout=90, what="the first 作成中")
    try:
        outage = restart_redis()
    finally:
        ensure_redis_running()
    queued_after_restart = sum(status_of(r) == ReportStatus.QUEUED for r in reports)

    # The report the worker held is finished by that worker after it reconnects.
    wait_for(lambda: status_of(reports[0]) in FINISHED, timeout=180, what="the first 完了", interval=0.3)
    time.sleep(3)  # whatever the worker could still take from Redis, it has taken
    later = timezone.now() + services.REPORT_QUEUED_STALE_AFTER + dt.timedelta(minutes=1)
    swept = services.report_sweep(now=later)
    for report in reports:
        wait_for(lambda r=report: status_of(r) in FINISHED, timeout=180, what="完了", interval=0.3)
    counts = outcome(reports, private_reports_root)
    lost(
        "(b) Redis restart under a live worker",
        lost=lost_count(counts),
        **counts,
        queued_when_redis_came_back=queued_after_restart,
        requeued_by_sweeper=swept["requeued"],
        redis_outage_s=round(outage, 2),
    )
    assert worker.process.poll() is None, "the worker survived the broker restart"
    assert counts["done"] == 3, [(r.pk, status_of(r)) for r in reports]
    assert counts["pdf_files"] == 3 and lost_count(counts) == 0
    assert swept["failed"] == 0
