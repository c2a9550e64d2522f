"""Writes for the reports: outcome episodes, and the life of a report request.

A report request (Report row) is the source of truth. Its life:

    report_request  → 待機中 (queued; the task is sent after the transaction commits)
    report_claim    → 作成中 (a worker took it; attempts are counted per dispatch)
    report_complete → 完了  (the PDF was moved into place atomically, then the row points at it)
    report_fail     → 失敗  (with a Japanese error; staff may retry)

`report_sweep` (periodic) re-queues requests left 待機中 or 作成中 too long (a lost Redis queue,
a killed worker) and fails them after REPORT_MAX_ATTEMPTS dispatches.
"""

from __future__ import annotations

import datetime as dt
import errno
import logging
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.fiscal import current_fiscal_year, fiscal_year_label
from core.models import User
from core.services import save_validated
from events.models import Program
from reports.models import REPORT_WORKFLOW, Assessment, OutcomeAxis, OutcomeRecord, Report, ReportStatus

logger = logging.getLogger("kyodo")

# Longer than the longest report (the task's hard time limit), so a running report is never
# re-queued while its worker is still on it.
REPORT_TIME_LIMIT = settings.REPORT_TIME_LIMIT
REPORT_SOFT_TIME_LIMIT = REPORT_TIME_LIMIT - 60
REPORT_RUNNING_STALE_AFTER = dt.timedelta(seconds=REPORT_TIME_LIMIT + 5 * 60)
# A queued request whose message was lost (Redis restarted without persistence).
REPORT_QUEUED_STALE_AFTER = dt.timedelta(minutes=10)
REPORT_MAX_ATTEMPTS = 3
# The fiscal years staff may request (the request form) or finalise a report for: the last ten,
# this one and the next. The command line and the April run are not limited.
REPORT_YEARS_BACK, REPORT_YEARS_FORWARD = 10, 1


def report_request_years() -> list[int]:
    """The fiscal years a report can be requested or finalised for, newest first."""
    current = current_fiscal_year()
    return list(range(current + REPORT_YEARS_FORWARD, current - REPORT_YEARS_BACK - 1, -1))


def report_years_text() -> str:
    """「平成28年度〜令和9年度」: the years of report_request_years, for messages."""
    years = report_request_years()
    first, last = fiscal_year_label(years[-1]), fiscal_year_label(years[0])
    return _("%(first)s〜%(last)s") % {"first": first, "last": last}


def report_year_refusal(fiscal_year: int) -> str:
    """Why a report of `fiscal_year` cannot be requested or finalised, or "" when it can."""
    if fiscal_year in report_request_years():
        return ""
    return _("%(year)sの報告書は作成・確定できません（できるのは%(years)sです）。") % {
        "year": fiscal_year_label(fiscal_year),
        "years": report_years_text(),
    }


def _refuse_year_outside_requests(fiscal_year: int) -> None:
    if refusal := report_year_refusal(fiscal_year):
        raise ValidationError(refusal)


# --- Outcome episodes ---------------------------------------------------------------------------


@transaction.atomic
def outcome_record_create(
    *,
    fiscal_year: int,
    axis: str,
    category: str,
    episode: str,
    source: str,
    program: Program | None = None,
    recorded_by: User | None = None,
    groups=(),
    events=(),
    projects=(),
    order: int = 100,
) -> OutcomeRecord:
    record = OutcomeRecord(
        program=program,
        fiscal_year=fiscal_year,
        axis=axis,
        category=_strip_marker(category, "○"),
        episode=_strip_marker(episode, "・"),
        source=source,
        recorded_by=recorded_by,
        order=order,
    )
    record.full_clean()
    record.save()
    if groups:
        record.groups.set(groups)
    if events:
        record.events.set(events)
    if projects:
        record.projects.set(projects)
    return record


@transaction.atomic
def outcome_record_update(
    *, record: OutcomeRecord, groups=None, events=None, projects=None, **fields
) -> OutcomeRecord:
    for name, value in fields.items():
        if name == "category":
            value = _strip_marker(value, "○")
        elif name == "episode":
            value = _strip_marker(value, "・")
        setattr(record, name, value)
    return save_validated(record, groups=groups, events=events, projects=projects)


def _strip_marker(text: str, marker: str) -> str:
    """The report prints ○ and ・ itself: staff who type them do not get them twice."""
    text = (text or "").strip()
    while text.startswith(marker):
        text = text[len(marker) :].strip()
    return text


# --- Report requests ------------------------------------------------------------------------------


def _dispatch(report: Report) -> None:
    """Sends the task once the transaction that queued the row has committed."""
    from reports.tasks import render_report

    report_id = report.pk

    def send() -> None:
        try:
            result = render_report.delay(report_id)
        except Exception:
            logger.exception("reports: could not queue report %s; the sweeper will retry", report_id)
            return
        if not render_report.app.conf.task_always_eager:
            Report.objects.filter(pk=report_id, status=ReportStatus.QUEUED).update(task_id=result.id or "")

    transaction.on_commit(send)


def report_request(
    *, program: Program | None, fiscal_year: int, requested_by: User | None = None, version: int | None = None
) -> tuple[Report, bool]:
    """Asks for a report (a draft, or with `version` the 第N版 of report_finalize). While one for
    the same program and year is waiting or running, that one is returned (created False) and
    nothing new starts."""
    existing = Report.objects.active().for_scope(program=program, fiscal_year=fiscal_year).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            report = Report(
                program=program,
                fiscal_year=fiscal_year,
                requested_by=requested_by,
                requested_at=timezone.now(),
                status=ReportStatus.QUEUED,
                attempts=1,
                version=version,
            )
            report.full_clean(validate_constraints=False)
            report.save()
            _dispatch(report)
    except IntegrityError:
        # Another request for the same program and year won the race (the DB constraint).
        existing = Report.objects.active().for_scope(program=program, fiscal_year=fiscal_year).first()
        if existing is None:
            raise
        return existing, False
    return report, True


def report_finalize(*, program: Program | None, fiscal_year: int, requested_by: User | None = None) -> Report:
    """確定: makes the next 第N版 of the report, once its content passes the check
    (selectors.report_findings). The PDF and figures of a 確定版 are kept as made; a later change
    to the data or the assessment is printed only by the next 版."""
    from reports.selectors import report_findings

    _refuse_year_outside_requests(fiscal_year)
    findings = report_findings(program=program, fiscal_year=fiscal_year)
    if findings:
        raise ValidationError([finding.text for finding in findings])
    if Report.objects.active().for_scope(program=program, fiscal_year=fiscal_year).exists():
        raise ValidationError(_("同じ事業・年度の報告書を作成中です。完了してから確定してください。"))
    last = (
        Report.objects.for_scope(program=program, fiscal_year=fiscal_year)
        .filter(version__isnull=False)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )
    report, created = report_request(
        program=program, fiscal_year=fiscal_year, requested_by=requested_by, version=(last or 0) + 1
    )
    if not created:
        raise ValidationError(_("同じ事業・年度の報告書を作成中です。完了してから確定してください。"))
    return report


# --- The assessment (総括, 目標, 課題と次年度の方針) ------------------------------------------------------


@transaction.atomic
def assessment_save(
    *,
    program: Program | None,
    fiscal_year: int,
    summary: str,
    targets: dict[str, int | None],
    issues: str,
    axis_notes: dict[str, str],
    updated_by: User | None = None,
) -> Assessment:
    """Creates or updates the assessment of a program and year. A 確定版 already made keeps its
    PDF: the change appears in the next 版."""
    from reports.labels import TARGET_FIGURES

    known = set(TARGET_FIGURES)
    assessment = Assessment.objects.select_for_update().for_scope(
        program=program, fiscal_year=fiscal_year
    ).first() or Assessment(program=program, fiscal_year=fiscal_year)
    assessment.summary = summary.strip()
    assessment.issues = issues.strip()
    assessment.targets = {
        key: int(value) for key, value in targets.items() if key in known and value is not None
    }
    assessment.axis_notes = {
        axis: text.strip() for axis, text in axis_notes.items() if axis in OutcomeAxis.values and text.strip()
    }
    assessment.updated_by = updated_by
    assessment.full_clean(validate_constraints=False)
    assessment.save()
    return assessment


@transaction.atomic
def report_retry(*, report: Report, requested_by: User | None = None) -> Report:
    """Queues a failed request again (the error is cleared when it starts)."""
    report = Report.objects.locked().get(pk=report.pk)
    if not REPORT_WORKFLOW.can(report.status, "retry"):
        raise ValidationError(_("再試行できるのは「失敗」の報告書だけです。"))
    if Report.objects.active().for_scope(program=report.program, fiscal_year=report.fiscal_year).exists():
        raise ValidationError(_("同じ事業・年度の報告書を作成中です。終わるまでお待ちください。"))
    report.status = REPORT_WORKFLOW.apply(report.status, "retry")
    report.progress = 0
    report.attempts = 1
    report.requested_at = timezone.now()
    report.requested_by = requested_by or report.requested_by
    report.started_at = report.finished_at = None
    report.task_id = ""
    report.save()
    _dispatch(report)
    return report


def report_claim(*, report_id: int, task_id: str) -> Report | None:
    """The worker takes the request: 作成中. None when there is nothing to do (already 完了 or
    失敗, gone, or another live worker is on it) — running a task twice makes one PDF."""
    with transaction.atomic():
        report = Report.objects.locked().filter(pk=report_id).first()
        if report is None or not REPORT_WORKFLOW.can(report.status, "claim"):
            return None
        if (
            report.status == ReportStatus.RUNNING
            and report.task_id != task_id
            and report.started_at
            and report.started_at > timezone.now() - REPORT_RUNNING_STALE_AFTER
        ):
            return None
        report.status = REPORT_WORKFLOW.apply(report.status, "claim")
        report.started_at = timezone.now()
        report.progress = 0
        report.task_id = task_id
        report.save(update_fields=["status", "started_at", "progress", "task_id"])
    return report


def report_progress(*, report_id: int, percent: int) -> None:
    Report.objects.filter(pk=report_id, status=ReportStatus.RUNNING).update(progress=max(0, min(99, percent)))


def report_render_pdf(
    *,
    program_code: str | None,
    fiscal_year: int,
    progress=None,
    version: int | None = None,
    snapshot: dict | None = None,
) -> bytes:
    """The PDF of one report (the same function for the worker, the command and the bench).
    `snapshot`, when given, receives the figures printed and the moment the data was read."""
    from core.pdf import render_pdf
    from reports.selectors import report_content

    content = report_content(
        program_code=program_code, fiscal_year=fiscal_year, progress=progress, version=version
    )
    pdf = render_pdf(
        template_name="reports/pdf/report.html", context={"report": content}, title=content.title
    )
    if snapshot is not None:
        from reports.selectors import figure_table

        snapshot["data_as_of"] = content.edition.data_as_of
        snapshot["figures"] = figure_table(content)
    if progress is not None:
        progress(90)
    return pdf


def report_write_pdf(*, path: Path, pdf: bytes) -> None:
    from core.pdf import write_file_atomically

    write_file_atomically(path, pdf)


def report_generate(*, report_id: int, task_id: str = "") -> Report | None:
    """Renders a claimed request and records the outcome. Called by the task only."""
    report = report_claim(report_id=report_id, task_id=task_id)
    if report is None:
        return None
    snapshot: dict = {}
    try:
        pdf = report_render_pdf(
            program_code=report.program_code,
            fiscal_year=report.fiscal_year,
            progress=lambda percent: report_progress(report_id=report_id, percent=percent),
            version=report.version,
            snapshot=snapshot,
        )
        name = report.pdf_storage_name()
        report_write_pdf(path=Path(report.pdf.storage.path(name)), pdf=pdf)
    except Exception as exc:
        logger.exception("reports: report %s failed", report_id)
        return report_fail(report_id=report_id, error=describe_error(exc))
    return report_complete(report_id=report_id, name=name, size=len(pdf), snapshot=snapshot)


def describe_error(exc: BaseException) -> str:
    """The reason shown on the reports page, in plain Japanese. It never quotes the exception:
    an OSError carries a server path and a Python message means nothing to a reader; both are
    in the log (report_generate logs the traceback). Whether to retry is the page's to offer,
    and only to people who may (reports.request_report)."""
    from celery.exceptions import SoftTimeLimitExceeded

    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return _("保存先のディスクに空きがないため、PDFを保存できませんでした。")
    if isinstance(exc, OSError):
        return _("PDFをサーバーに保存できませんでした。")
    if isinstance(exc, SoftTimeLimitExceeded):
        return _("制限時間内に作成が終わりませんでした。")
    return _("報告書の作成中にシステムのエラーが発生しました。")


@transaction.atomic
def report_complete(*, report_id: int, name: str, size: int, snapshot: dict | None = None) -> Report:
    report = Report.objects.locked().get(pk=report_id)
    if snapshot:
        report.data_as_of = snapshot.get("data_as_of")
        report.figures = snapshot.get("figures", {})
    report.status = REPORT_WORKFLOW.apply(report.status, "complete")
    report.progress = 100
    report.pdf.name = name
    report.pdf_size = size
    report.error = ""
    report.finished_at = timezone.now()
    report.save()
    return report


@transaction.atomic
def report_fail(*, report_id: int, error: str) -> Report:
    report = Report.objects.locked().get(pk=report_id)
    if not REPORT_WORKFLOW.can(report.status, "fail"):  # a finished report stays finished
        return report
    report.status = REPORT_WORKFLOW.apply(report.status, "fail")
    report.error = error
    report.finished_at = timezone.now()
    report.save()
    return report


def report_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Re-queues requests left 待機中 or 作成中 too long; fails them after REPORT_MAX_ATTEMPTS."""
    now = now or timezone.now()
    requeued = failed = 0
    stale_ids = list(
        Report.objects.filter(
            status=ReportStatus.QUEUED, requested_at__lt=now - REPORT_QUEUED_STALE_AFTER
        ).values_list("pk", flat=True)
    ) + list(
        Report.objects.filter(
            status=ReportStatus.RUNNING, started_at__lt=now - REPORT_RUNNING_STALE_AFTER
        ).values_list("pk", flat=True)
    )
    for report_id in stale_ids:
        with transaction.atomic():
            report = Report.objects.locked().get(pk=report_id)
            if not REPORT_WORKFLOW.can(report.status, "requeue"):  # finished meanwhile
                continue
            if report.attempts >= REPORT_MAX_ATTEMPTS:
                report.status = REPORT_WORKFLOW.apply(report.status, "fail")
                report.finished_at = now
                report.error = _("%(attempts)s回依頼しましたが作成が終わりませんでした。") % {
                    "attempts": report.attempts
                }
                report.save()
                failed += 1
                continue
            report.status = REPORT_WORKFLOW.apply(report.status, "requeue")
            report.attempts += 1
            report.progress = 0
            report.requested_at = now
            report.save()
            _dispatch(report)
            requeued += 1
    return {"requeued": requeued, "failed": failed}


def reports_request_annual(*, fiscal_year: int | None = None) -> list[Report]:
    """Every active program's report and the all-programs report for a year (by default: the
    fiscal year that has just ended). Called each April by beat."""
    from core.fiscal import current_fiscal_year

    year = fiscal_year if fiscal_year is not None else current_fiscal_year() - 1
    reports = []
    for program in [None, *Program.objects.filter(is_active=True).order_by("order", "id")]:
        report, _created = report_request(program=program, fiscal_year=year)
        reports.append(report)
    return reports
