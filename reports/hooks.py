"""reports' contributions to shared features (see core.app_hooks)."""

from __future__ import annotations

from celery.schedules import crontab
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.app_hooks import (
    DashboardItem,
    Figure,
    MenuEntry,
    StaffMenu,
    Urgency,
    dashboard_counts,
    hook,
    register,
)

# Celery beat (CELERY_TIMEZONE is Asia/Tokyo, so these are JST).
BEAT_SCHEDULE = {
    "reports-sweep": {"task": "reports.sweep_reports", "schedule": 5 * 60.0},
    "reports-annual": {
        "task": "reports.request_annual_reports",
        "schedule": crontab(minute=0, hour=6, day_of_month=1, month_of_year=4),
    },
}
register("beat_schedule", BEAT_SCHEDULE, module=__name__)


def _failed_report_count() -> int | None:
    from reports.models import Report, ReportStatus

    # A count only when a report failed: nothing else waits there.
    return Report.objects.filter(status=ReportStatus.FAILED).count() or None


staff_links = StaffMenu(
    "settings",
    [
        MenuEntry(
            "reports:index",
            gettext_lazy("成果報告書"),
            gettext_lazy("事業ごと・年度ごとの成果報告書（PDF）の作成とダウンロード"),
            count=_failed_report_count,
        ),
        MenuEntry(
            "reports:outcome_list",
            gettext_lazy("成果の記録"),
            gettext_lazy("事業の成果（○見出しと・エピソード）を記録する"),
        ),
    ],
)
register("staff_links", staff_links, module=__name__)


@hook("dashboard_items")
def dashboard_items(request) -> list[DashboardItem]:
    """Reports that failed (urgent) and reports waiting or being made (one query)."""
    from django.db.models import Q

    from reports.models import ACTIVE_REPORT_STATUSES, Report, ReportStatus

    rows = [
        (_("作成に失敗した成果報告書"), Q(status=ReportStatus.FAILED), Urgency.URGENT),
        (_("作成中の成果報告書"), Q(status__in=ACTIVE_REPORT_STATUSES), Urgency.INFO),
    ]
    return dashboard_counts(reverse("reports:index"), Report.objects.all(), rows)


@hook("report_figures")
def report_figures(*, program_code: str | None, fiscal_year: int) -> list[Figure]:
    from reports.models import OutcomeRecord

    records = OutcomeRecord.objects.for_report(program_code=program_code, fiscal_year=fiscal_year)
    return [Figure("reports.outcome_records", records.count())]


# --- Bench: a program report with 200 events, 5,000 registrations and 300 episodes ---------------
