"""Reports through the real broker: a worker renders them, a killed worker or a restarted Redis
loses no request (the Report row is the source of truth and the sweeper re-queues from it).

Run with your own Redis database and PostgreSQL database, e.g.
    REDIS_URL=redis://127.0.0.1:6379/7 DATABASE_URL=postgres://postgres@127.0.0.1:5432/kyodo_reports \
        .venv/bin/pytest tests/reports/test_worker.py
and the Redis restart with KYODO_FAULTS=1 (or CI=true) and `-m faults`.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from reports import services
from reports.models import Report, ReportStatus
from tests import services as test_services
from tests.faults.helpers import REDIS_START, database_url
from tests.reports.factories import OutcomeRecordFactory, program

ROOT = Path(settings.BASE_DIR)


def wait_for(predicate, *, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def status_of(report: Report) -> str:
    return Report.objects.values_list("status", flat=True).get(pk=report.pk)


def pdf_files() -> list[Path]:
    root = Path(settings.PRIVATE_MEDIA_ROOT) / "reports"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.mark.redis
def test_a_report_requested_through_redis_is_rendered_by_the_worker(celery_redis_worker):
    """With a real worker, a request goes 待機中 → 作成中 → 完了 and the worker writes the PDF."""
    from config.celery import app

    task = app.tasks["reports.render_report"]
    assert task.acks_late and task.reject_on_worker_lost
    assert task.soft_time_limit < task.time_limit < services.REPORT_RUNNING_STALE_AFTER.total_seconds()
    assert {"reports.sweep_reports", "reports.request_annual_reports"} <= set(app.tasks)
    OutcomeRecordFactory(fiscal_year=2025)
    report, created = services.report_request(program=program(), fiscal_year=2025)
    assert created
    wait_for(lambda: status_of(report) in {ReportStatus.DONE, ReportStatus.FAILED}, timeout=90, what="完了")
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE, report.error
    assert report.task_id  # the task id of the message the worker ran
    assert Path(report.pdf.path).read_bytes().startswith(b"%PDF")


# --- A worker process that can be killed ----------------------------------------------------------


class WorkerProcess:
    """`celery -A config worker --pool=prefork -c 1` on the test database, in its own process group."""

    def __init__(self, log: Path):
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "DEBUG": "false",
            "DATABASE_URL": database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT),
        }
        self.log = log
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "celery"),
                "-A",
                "config",
                "worker",
                "--pool=prefork",
                "-c",
                "1",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=env,
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self) -> None:
        """SIGKILL to the whole group: the main process and its pool child die at once."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def broker(transactional_db):
    """The test process sends through Redis (not eagerly) to worker processes; the queue starts empty."""
    test_services.require_redis()
    test_services.require_postgres()
    from config.celery import app

    previous = {key: app.conf[key] for key in ("task_always_eager", "broker_url", "result_backend")}
    app.conf.update(task_always_eager=False, broker_url=settings.REDIS_URL, result_backend=settings.REDIS_URL)
    app.control.purge()
    workers: list[WorkerProcess] = []
    yield workers
    for worker in workers:
        worker.stop()
    app.control.purge()
    app.conf.update(previous)


def sweep_later() -> dict:
    """The periodic sweeper, run as if the longest report's time had passed."""
    later = timezone.now() + services.REPORT_RUNNING_STALE_AFTER + dt.timedelta(minutes=1)
    return services.report_sweep(now=later)


@pytest.mark.redis
@pytest.mark.postgres
def test_a_worker_killed_mid_task_leaves_a_request_that_ends_done_exactly_once(broker, tmp_path):
    """SIGKILL the worker while it renders: the row stays 作成中, another worker and the sweeper
    finish it: 完了, one PDF, never stuck in 作成中."""
    OutcomeRecordFactory.create_batch(300, fiscal_year=2025)  # a few seconds of rendering
    first = WorkerProcess(tmp_path / "worker1.log")
    broker.append(first)
    report, _created = services.report_request(program=program(), fiscal_year=2025)
    wait_for(lambda: status_of(report) == ReportStatus.RUNNING, timeout=90, what="作成中 (worker 1)")
    first.kill()
    time.sleep(1)
    report.refresh_from_db()
    assert report.status == ReportStatus.RUNNING and not report.pdf
    assert pdf_files() == []

    second = WorkerProcess(tmp_path / "worker2.log")
    broker.append(second)
    assert sweep_later() == {"requeued": 1, "failed": 0}
    wait_for(lambda: status_of(report) in {ReportStatus.DONE, ReportStatus.FAILED}, timeout=120, what="完了")
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE, report.error
    assert report.attempts == 2
    assert pdf_files() == [Path(report.pdf.path)]
    # The message the killed worker held may come back later: running it again changes nothing.
    services.report_generate(report_id=report.pk, task_id="redelivered")
    assert Report.objects.get(pk=report.pk).finished_at == report.finished_at


def faults_allowed() -> None:
    if not (test_services.running_in_ci() or os.environ.get("KYODO_FAULTS") == "1"):
        pytest.skip("restarts the local Redis: set KYODO_FAULTS=1 (or CI=true) to run it")


def restart_redis() -> None:
    subprocess.run(
        ["redis-cli", "-h", "127.0.0.1", "-p", "6379", "shutdown", "nosave"],
        check=False,
        capture_output=True,
        timeout=20,
    )
    wait_for(lambda: not test_services.redis_answers(), timeout=20, what="Redis to stop")
    subprocess.run(REDIS_START, check=True, timeout=20)
    wait_for(test_services.redis_answers, timeout=20, what="Redis to start")


@pytest.mark.faults
@pytest.mark.redis
@pytest.mark.postgres
def test_requests_queued_when_redis_restarts_are_requeued_from_the_database(broker, tmp_path):
    """Redis keeps nothing on disk: a restart loses the queued messages. The rows stay 待機中 and
    the sweeper queues them again; a worker then renders each exactly once."""
    faults_allowed()
    reports = [
        services.report_request(program=program(code), fiscal_year=2025)[0] for code in ("alp", "festa")
    ]
    restart_redis()
    worker = WorkerProcess(tmp_path / "worker.log")
    broker.append(worker)
    time.sleep(3)
    assert {status_of(r) for r in reports} == {ReportStatus.QUEUED}  # the messages are gone
    later = timezone.now() + services.REPORT_QUEUED_STALE_AFTER + dt.timedelta(minutes=1)
    assert services.report_sweep(now=later) == {"requeued": 2, "failed": 0}
    for report in reports:
        wait_for(
            lambda r=report: status_of(r) in {ReportStatus.DONE, ReportStatus.FAILED},
            timeout=120,
            what="完了",
        )
        report.refresh_from_db()
        assert report.status == ReportStatus.DONE, report.error
    assert len(pdf_files()) == 2
