"""consultations' contributions to shared features (see core.app_hooks)."""

from __future__ import annotations

import datetime as dt

from celery.schedules import crontab
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from consultations.selectors import follow_ups_due_count
from core.app_hooks import (
    DashboardItem,
    Figure,
    MenuEntry,
    Panel,
    PersonEntry,
    PersonSection,
    Series,
    StaffMenu,
    Urgency,
    dashboard_items_to,
    hook,
    register,
)

# Yearly, on 1 April at 03:30 (the start of the fiscal year): anonymise what is past retention.
BEAT_SCHEDULE = {
    "consultations-anonymise-expired-yearly": {
        "task": "consultations.anonymise_expired",
        "schedule": crontab(minute=30, hour=3, day_of_month=1, month_of_year=4),
    }
}
register("beat_schedule", BEAT_SCHEDULE, module=__name__)


staff_links = StaffMenu(
    "consultations",
    [
        MenuEntry(
            "consultations:create", _("相談を記録する"), _("来所・電話・メールなどの相談を記録します。")
        ),
        MenuEntry(
            "consultations:index",
            _("相談記録一覧"),
            _("期間・分野・方法・職員・団体でさがし、CSVに書き出します。"),
        ),
        MenuEntry(
            "consultations:follow_ups",
            _("フォローアップ（期限切れ・今週）"),
            _("期限を過ぎたもの、今週が期限のもの。"),
            count=follow_ups_due_count,
        ),
        MenuEntry("consultations:search", _("団体の相談履歴"), _("団体をさがして、これまでの相談を見ます。")),
        MenuEntry(
            "consultations:statistics", _("相談の集計"), _("月別・年度別、分野別・方法別の件数とグラフ。")
        ),
        MenuEntry(
            "consultations:access_log",
            _("相談記録のアクセスログ"),
            _("閲覧・変更・書き出しの記録（監査）。"),
            permission="consultations.audit",
        ),
    ],
    permission="consultations.access",
)
register("staff_links", staff_links, module=__name__)


@hook("dashboard_items")
def dashboard_items(request) -> list[DashboardItem]:
    """Follow-ups past their date (urgent) and due by the end of this week (one query)."""
    from consultations.rules import user_can_access
    from consultations.selectors import follow_up_counts

    if not user_can_access(request.user):
        return []
    counts = follow_up_counts()
    rows = [
        (gettext("期限を過ぎた相談のフォローアップ"), counts["overdue"], Urgency.URGENT),
        (gettext("今週が期限の相談のフォローアップ"), counts["this_week"], Urgency.SOON),
    ]
    return dashboard_items_to(reverse("consultations:follow_ups"), rows)


@hook("mypage_panels")
def mypage_panels(request) -> list[Panel]:
    """Staff who may see consultations: how many of their follow-ups are overdue or due this week."""
    from consultations.models import FollowUp
    from consultations.rules import user_can_access

    if not user_can_access(request.user):
        return []
    today = timezone.localdate()
    week_end = today + dt.timedelta(days=6 - today.weekday())
    mine = FollowUp.objects.pending().filter(owner=request.user, due_on__lte=week_end)
    counts = {
        "overdue": mine.filter(due_on__lt=today).count(),
        "this_week": mine.filter(due_on__gte=today).count(),
    }
    return [
        Panel(
            title=gettext("相談のフォローアップ"),
            template="consultations/panels/follow_ups.html",
            context=counts,
        )
    ]


@hook("report_figures")
def report_figures(*, program_code: str | None, fiscal_year: int) -> list[Figure]:
    """All programs: consultations by channel and topic, referrals.

    プロジェクト支援 (project_support): the consultations about 協働・連携. Other programs: none.
    """
    from consultations.selectors import fiscal_year_summary

    if program_code not in (None, "project_support"):
        return []
    summary = fiscal_year_summary(fiscal_year=fiscal_year)
    if program_code == "project_support":
        count = next((n for topic, n in summary["by_topic"] if topic.code == "collaboration"), 0)
        return [Figure("consultations.collaboration", count)]
    return [
        Figure("consultations.total", summary["total"]),
        Figure("consultations.minutes", summary["minutes"]),
        Figure("consultations.groups", summary["groups"]),
        *[
            Figure(f"consultations.channel.{channel.value}", n, words={"name": channel.label})
            for channel, n in summary["by_channel"].items()
        ],
        *[
            Figure(f"consultations.topic.{topic.code}", n, words={"name": topic.name})
            for topic, n in summary["by_topic"]
        ],
        Figure("consultations.referrals", summary["referrals"]),
        Figure("consultations.referrals_connected", summary["referrals_by_result"].get("connected", 0)),
    ]


@hook("report_series")
def report_series(*, program_code: str | None, fiscal_year: int) -> dict[str, Series]:
    from consultations.selectors import fiscal_year_summary, monthly_counts

    if program_code is not None:
        return {}
    summary = fiscal_year_summary(fiscal_year=fiscal_year)
    monthly = monthly_counts(fiscal_year=fiscal_year)["channel"]
    return {
        "consultations_by_topic": Series(
            categories=tuple(t.name for t, _n in summary["by_topic"]),
            values=tuple(n for _t, n in summary["by_topic"]),
        ),
        "consultations_by_channel": Series(
            categories=tuple(str(c.label) for c in summary["by_channel"]),
            values=tuple(summary["by_channel"].values()),
        ),
        "consultations_by_month": Series(
            categories=tuple(monthly.column_labels), values=tuple(monthly.column_totals)
        ),
    }


@hook("person_merged")
def person_merged(*, keep, duplicate, by=None) -> None:
    """When staff merge duplicate person records, the consultations follow the kept one."""
    from consultations import services

    services.consultations_move_person(keep=keep, duplicate=duplicate, by=by)


@hook("person_page_sections")
def person_page_sections(request, person) -> list[PersonSection]:
    """For staff allowed to read consultations: the person's consultations (date, channel, topics,
    a link to each). The listing is written to the access log like any other."""
    from consultations import selectors, services
    from consultations.models import AccessAction
    from core.permissions import may

    if not may(request.user, "consultations.access"):
        return []
    consultations = selectors.person_consultations(person=person)
    if consultations:
        services.access_log_write(
            user=request.user,
            action=AccessAction.VIEW,
            consultations=consultations,
            path=request.get_full_path(),
        )
    entries = tuple(
        PersonEntry(
            on=c.consulted_on,
            title=gettext("相談（%(channel)s）") % {"channel": c.get_channel_display()},
            url=c.get_absolute_url(),
            details=tuple(
                part
                for part in (
                    "・".join(topic.name for topic in c.topics.all()),
                    c.group.name if c.group_id else "",
                    gettext("対応: %(staff)s") % {"staff": c.staff} if c.staff_id else "",
                )
                if part
            ),
        )
        for c in consultations
    )
    return [
        PersonSection(
            title=gettext("相談の記録"),
            entries=entries,
            note=gettext("相談の記録は、相談記録を見られる職員にだけ表示し、閲覧は記録されます。"),
        )
    ]


@hook("group_page_sections")
def group_page_sections(request, group) -> list[Panel]:
    """For staff allowed to read consultations: the link to the group's consultation history."""
    from consultations.rules import user_can_access

    if not user_can_access(request.user):
        return []
    return [
        Panel(title=gettext("相談の記録（職員のみ）"), template="consultations/panels/group_history.html")
    ]


@hook("ensure_reference_data")
def ensure_reference_data() -> None:
    """The consultation topics (after migrate, and again after a flush empties the table)."""
    from consultations.reference import ensure_topics

    ensure_topics()
