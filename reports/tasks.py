"""Thin tasks: they take ids and call reports.services, where the rules live."""

from __future__ import annotations

from celery import shared_task

from reports import services


@shared_task(
    name="reports.render_report",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=services.REPORT_TIME_LIMIT,
    soft_time_limit=services.REPORT_SOFT_TIME_LIMIT,
)
def render_report(self, report_id: int) -> str:
    """Renders one requested report. Idempotent: a report already 完了 or 失敗 is left alone."""
    report = services.report_generate(report_id=report_id, task_id=self.request.id or "")
    return report.status if report is not None else "skipped"


@shared_task(name="reports.sweep_reports", time_limit=120)
def sweep_reports() -> dict[str, int]:
    """Re-queues report requests left waiting or running too long (see services.report_sweep)."""
    return services.report_sweep()


@shared_task(name="reports.request_annual_reports", time_limit=300)
def request_annual_reports() -> int:
    """Each April: the reports of the fiscal year that has just ended."""
    return len(services.reports_request_annual())
