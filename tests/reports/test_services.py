"""The life of a report request: 待機中 → 作成中 → 完了 / 失敗, idempotency, the sweeper, a full disk."""

from __future__ import annotations

import datetime as dt
import errno
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from reports import services
from reports.models import OutcomeRecord, Report, ReportStatus, private_storage
from tests.reports.factories import program

pytestmark = pytest.mark.django_db

FAKE_PDF = b"%PDF-1.7\n% test\n%%EOF\n"


@pytest.fixture
def fake_render(monkeypatch):
    """Rendering replaced by fixed bytes: these tests are about the request's life, not the PDF."""
    calls = []

    def render(*, program_code, fiscal_year, progress=None, **kwargs):
        calls.append((program_code, fiscal_year))
        if progress:
            progress(50)
        return FAKE_PDF

    monkeypatch.setattr(services, "report_render_pdf", render)
    return calls


def pdf_files() -> list[Path]:
    root = Path(private_storage().location)
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_a_request_is_queued_then_rendered_once_committed(
    staff_user, fake_render, django_capture_on_commit_callbacks
):
    """report_request makes a 待機中 row; after commit the (eager) task renders it to 完了 with a PDF."""
    with django_capture_on_commit_callbacks(execute=True):
        report, created = services.report_request(
            program=program(), fiscal_year=2025, requested_by=staff_user
        )
        assert created
        assert report.status == ReportStatus.QUEUED
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE
    assert report.progress == 100
    assert report.attempts == 1
    assert report.started_at and report.finished_at
    assert report.pdf.name == f"reports/2025/report-{report.pk}.pdf"
    assert Path(report.pdf.path).read_bytes() == FAKE_PDF
    assert report.pdf_size == len(FAKE_PDF)
    assert fake_render == [("mirai_taiwa", 2025)]


def test_a_second_request_while_one_is_active_returns_the_existing_one(staff_user, report_factory):
    """While a request for the same program and year is 待機中 or 作成中, no second one starts."""
    for trait in ({}, {"running": True}):
        Report.objects.all().delete()
        active = report_factory(**trait)
        again, created = services.report_request(program=program(), fiscal_year=2025, requested_by=staff_user)
        assert not created
        assert again.pk == active.pk
        assert Report.objects.count() == 1


def test_other_programs_years_and_finished_reports_do_not_block(staff_user, report_factory):
    """The rule is per program and year (all programs counting as one); finished ones do not count."""
    report_factory(done=True)
    report_factory(failed=True)
    report_factory(program=None)
    _r, created_same = services.report_request(program=program(), fiscal_year=2025)
    _r, created_other_year = services.report_request(program=program(), fiscal_year=2024)
    _r, created_other_program = services.report_request(program=program("alp"), fiscal_year=2025)
    _r, created_all = services.report_request(program=None, fiscal_year=2025)
    assert (created_same, created_other_year, created_other_program, created_all) == (True, True, True, False)


def test_the_database_allows_only_one_active_request_per_program_and_year(report_factory):
    """The constraint holds even when the service is bypassed (two workers racing)."""
    report_factory(program=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        report_factory(program=None, running=True)
    report_factory()
    with pytest.raises(IntegrityError), transaction.atomic():
        report_factory()


def test_running_the_task_twice_makes_one_pdf(report_factory, fake_render):
    """A redelivered task finds the report 完了 and does nothing: one render, one file."""
    from reports.tasks import render_report

    report = report_factory()
    render_report.apply(args=[report.pk], task_id="t-1")
    render_report.apply(args=[report.pk], task_id="t-2")
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE
    assert len(fake_render) == 1
    assert pdf_files() == [Path(report.pdf.path)]


def test_a_task_does_not_take_a_report_another_live_worker_is_running(report_factory, fake_render):
    """作成中 by another task that started recently: skipped (no second render)."""
    report = report_factory(running=True)
    assert services.report_generate(report_id=report.pk, task_id="another") is None
    assert fake_render == []
    # The same task redelivered after its worker died takes it again.
    assert services.report_generate(report_id=report.pk, task_id="task-running").status == ReportStatus.DONE


def test_an_os_error_shows_a_plain_reason_and_its_detail_goes_to_the_log_only(
    report_factory, monkeypatch, caplog
):
    """A server path or errno text never reaches the page; the traceback is in the log."""

    def unwritable(**kwargs):
        raise PermissionError(13, "Permission denied", "/srv/kyodo/media/reports/2025/all.pdf")

    monkeypatch.setattr(services, "report_write_pdf", unwritable)
    monkeypatch.setattr(services, "report_render_pdf", lambda **kwargs: FAKE_PDF)
    report = report_factory()
    with caplog.at_level("ERROR", logger="kyodo"):
        services.report_generate(report_id=report.pk, task_id="t")
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED
    assert report.error == "PDFをサーバーに保存できませんでした。"
    assert "/srv/" not in report.error and "Permission" not in report.error
    assert "/srv/kyodo/media/reports/2025/all.pdf" in caplog.text


def test_a_failure_is_recorded_with_its_error_and_can_be_retried(
    report_factory, monkeypatch, staff_user, django_capture_on_commit_callbacks
):
    """An exception while rendering leaves 失敗 with a Japanese error; retry queues it and it completes."""

    def broken(**kwargs):
        raise RuntimeError("テンプレートが壊れています")

    monkeypatch.setattr(services, "report_render_pdf", broken)
    report = report_factory()
    services.report_generate(report_id=report.pk, task_id="t")
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED
    assert report.error == "報告書の作成中にシステムのエラーが発生しました。"
    assert not report.pdf

    monkeypatch.setattr(services, "report_render_pdf", lambda **kwargs: FAKE_PDF)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_retry(report=report, requested_by=staff_user)
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE
    assert report.error == ""


def test_only_failed_reports_can_be_retried(report_factory):
    for trait in ({"done": True}, {"running": True}):
        report = report_factory(**trait, fiscal_year=2020 + len(trait))
        with pytest.raises(ValidationError):
            services.report_retry(report=report)


def test_a_full_disk_leaves_no_partial_file_and_no_row_pointing_at_one(
    report_factory, fake_render, monkeypatch
):
    """ENOSPC while writing: the temporary file is removed, the PDF path never appears, the row says 失敗."""
    import os as os_module

    from core import pdf as pdf_module

    real_fdopen = os_module.fdopen

    class FullDisk:
        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()
            return False

        def write(self, data):
            self.handle.write(data[: len(data) // 2])  # half of it reached the disk
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pdf_module.os, "fdopen", lambda fd, mode: FullDisk(real_fdopen(fd, mode)))
    report = report_factory()
    services.report_generate(report_id=report.pk, task_id="t")
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED
    assert "ディスクに空きがない" in report.error
    assert not report.pdf
    assert pdf_files() == []  # neither the PDF nor the temporary file


def test_a_full_disk_keeps_the_previous_pdf_intact(tmp_path, monkeypatch):
    """write_file_atomically replaces a file whole or not at all."""
    from core import pdf as pdf_module

    target = tmp_path / "report.pdf"
    target.write_bytes(b"old")

    def boom(src, dst):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pdf_module.os, "replace", boom)
    with pytest.raises(OSError):
        pdf_module.write_file_atomically(target, b"new content")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.pdf"]


def test_the_sweeper_requeues_stale_requests_and_fails_them_after_max_attempts(
    report_factory, fake_render, django_capture_on_commit_callbacks
):
    """待機中 longer than the queued limit or 作成中 longer than the longest report: queued again
    (attempts + 1) and rendered; at REPORT_MAX_ATTEMPTS: 失敗 with the reason."""
    now = timezone.now()
    lost_queue = report_factory(
        requested_at=now - services.REPORT_QUEUED_STALE_AFTER - dt.timedelta(minutes=1)
    )
    dead_worker = report_factory(
        program=program("alp"),
        running=True,
        started_at=now - services.REPORT_RUNNING_STALE_AFTER - dt.timedelta(minutes=1),
    )
    given_up = report_factory(
        program=program("festa"),
        running=True,
        attempts=services.REPORT_MAX_ATTEMPTS,
        started_at=now - services.REPORT_RUNNING_STALE_AFTER - dt.timedelta(minutes=1),
    )
    fresh = report_factory(program=None)
    with django_capture_on_commit_callbacks(execute=True):
        result = services.report_sweep(now=now)
    assert result == {"requeued": 2, "failed": 1}
    for report in (lost_queue, dead_worker, given_up, fresh):
        report.refresh_from_db()
    assert lost_queue.status == dead_worker.status == ReportStatus.DONE
    assert lost_queue.attempts == dead_worker.attempts == 2
    assert given_up.status == ReportStatus.FAILED
    assert "3回依頼しましたが" in given_up.error
    assert fresh.status == ReportStatus.QUEUED


def test_a_running_report_is_not_swept_before_the_longest_report_could_end(report_factory):
    report = report_factory(running=True, started_at=timezone.now() - dt.timedelta(minutes=5))
    assert services.report_sweep() == {"requeued": 0, "failed": 0}
    report.refresh_from_db()
    assert report.status == ReportStatus.RUNNING


def test_annual_requests_cover_every_active_program_and_all_programs(fake_render, time_machine):
    """Each April the fiscal year that has just ended gets one report per active program and one for all."""
    from events.models import Program

    time_machine.move_to(dt.datetime(2026, 4, 1, 6, 0, tzinfo=dt.timezone(dt.timedelta(hours=9))))
    reports = services.reports_request_annual()
    assert {r.fiscal_year for r in reports} == {2025}
    assert len(reports) == Program.objects.filter(is_active=True).count() + 1
    assert Report.objects.filter(program=None, fiscal_year=2025).count() == 1


def test_outcome_markers_typed_by_staff_are_not_doubled(staff_user):
    record = services.outcome_record_create(
        program=program(),
        fiscal_year=2025,
        axis="learning",
        category="○自己変容のきっかけ",
        episode="・仲間がいるからこそ活動ができることを体感した",
        source="interview",
        recorded_by=staff_user,
    )
    assert (record.category, record.episode) == (
        "自己変容のきっかけ",
        "仲間がいるからこそ活動ができることを体感した",
    )
    with pytest.raises(ValidationError):
        services.outcome_record_create(
            program=None, fiscal_year=2025, axis="nope", category="x", episode="y", source="interview"
        )
    assert OutcomeRecord.objects.count() == 1


def test_a_broker_that_is_down_leaves_the_request_waiting_for_the_sweeper(
    staff_user, monkeypatch, django_capture_on_commit_callbacks
):
    """Queueing fails (Redis down): the person still gets their request, 待機中, and the sweeper
    re-queues it later from the database."""
    from reports import tasks

    def refuse(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(tasks.render_report, "delay", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        report, created = services.report_request(
            program=program(), fiscal_year=2025, requested_by=staff_user
        )
    report.refresh_from_db()
    assert created and report.status == ReportStatus.QUEUED and report.attempts == 1
