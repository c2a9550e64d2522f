"""consultations' contributions to shared features (see core.app_hooks)."""

from __future__ import annotations

import datetime as dt

from celery.schedules import crontab
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from core.app_hooks import Figure, Link, Panel, Series, hook, register

# Yearly, on 1 April at 03:30 (the start of the fiscal year): anonymise what is past retention.
BEAT_SCHEDULE = {
    "consultations-anonymise-expired-yearly": {
        "task": "consultations.anonymise_expired",
        "schedule": crontab(minute=30, hour=3, day_of_month=1, month_of_year=4),
    }
}
register("beat_schedule", BEAT_SCHEDULE, module=__name__)


@hook("staff_links")
def staff_links(request) -> list[Link]:
    from consultations.rules import user_can_access, user_can_audit
    from consultations.selectors import follow_ups_due_count

    if not user_can_access(request.user):
        return []
    links = [
        Link(
            title=gettext("相談を記録する"),
            url=reverse("consultations:create"),
            description=gettext("来所・電話・メールなどの相談を記録します。"),
        ),
        Link(
            title=gettext("相談記録一覧"),
            url=reverse("consultations:index"),
            description=gettext("期間・分野・方法・職員・団体でさがし、CSVに書き出します。"),
        ),
        Link(
            title=gettext("フォローアップ（期限切れ・今週）"),
            url=reverse("consultations:follow_ups"),
            description=gettext("期限を過ぎたもの、今週が期限のもの。"),
            count=follow_ups_due_count(),
        ),
        Link(
            title=gettext("団体の相談履歴"),
            url=reverse("consultations:search"),
            description=gettext("団体をさがして、これまでの相談を見ます。"),
        ),
        Link(
            title=gettext("相談の集計"),
            url=reverse("consultations:statistics"),
            description=gettext("月別・年度別、分野別・方法別の件数とグラフ。"),
        ),
    ]
    if user_can_audit(request.user):
        links.append(
            Link(
                title=gettext("相談記録のアクセスログ"),
                url=reverse("consultations:access_log"),
                description=gettext("閲覧・変更・書き出しの記録（監査）。"),
            )
        )
    return links


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


REFERRAL_NOTE = (
    "つなぎ先（担当課・団体・企業）を記録した件数。"
    "結果は後日、職員が「つながった／つながらなかった」を記録する。"
)


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
        return [
            Figure(
                key="consultations.collaboration",
                label=gettext("協働・連携に関する相談"),
                value=count,
                unit=gettext("件"),
                note=gettext("相談記録のうち分野「協働・連携」を含むもの。"),
                axis=gettext("プロセス支援"),
            )
        ]
    figures = [
        Figure(
            key="consultations.total",
            label=gettext("相談件数"),
            value=summary["total"],
            unit=gettext("件"),
            note=gettext("相談記録の件数（来所・電話・メール・オンライン・訪問）。"),
            axis=gettext("問題解決提示"),
        ),
        Figure(
            key="consultations.minutes",
            label=gettext("相談対応時間"),
            value=summary["minutes"],
            unit=gettext("分"),
            note=gettext("相談記録の所要時間の合計。"),
        ),
        Figure(
            key="consultations.groups",
            label=gettext("相談のあった団体"),
            value=summary["groups"],
            unit=gettext("団体"),
            note=gettext("相談記録に団体が記録されたものの団体数（重複なし）。"),
        ),
    ]
    for channel, n in summary["by_channel"].items():
        figures.append(
            Figure(
                key=f"consultations.channel.{channel.value}",
                label=f"相談件数（{channel.label}）",
                value=n,
                unit=gettext("件"),
            )
        )
    for topic, n in summary["by_topic"]:
        figures.append(
            Figure(
                key=f"consultations.topic.{topic.code}",
                label=f"相談件数（{topic.name}）",
                value=n,
                unit=gettext("件"),
                note=gettext("1件に複数の分野があるときはそれぞれに数える。"),
            )
        )
    figures.append(
        Figure(
            key="consultations.referrals",
            label=gettext("つなぎ先"),
            value=summary["referrals"],
            unit=gettext("件"),
            note=REFERRAL_NOTE,
            axis=gettext("資源連結"),
        )
    )
    figures.append(
        Figure(
            key="consultations.referrals_connected",
            label=gettext("つなぎ先（つながった）"),
            value=summary["referrals_by_result"].get("connected", 0),
            unit=gettext("件"),
            note=REFERRAL_NOTE,
            axis=gettext("資源連結"),
        )
    )
    return figures


@hook("report_series")
def report_series(*, program_code: str | None, fiscal_year: int) -> dict[str, Series]:
    from consultations.selectors import fiscal_year_summary, monthly_counts

    if program_code is not None:
        return {}
    summary = fiscal_year_summary(fiscal_year=fiscal_year)
    monthly = monthly_counts(fiscal_year=fiscal_year)["channel"]
    return {
        "consultations_by_topic": Series(
            title=gettext("分野別の相談件数"),
            labels=tuple(t.name for t, _n in summary["by_topic"]),
            values=tuple(n for _t, n in summary["by_topic"]),
            unit=gettext("件"),
            note=gettext("1件に複数の分野があるときはそれぞれに数える。"),
        ),
        "consultations_by_channel": Series(
            title=gettext("相談方法別の相談件数"),
            labels=tuple(str(c.label) for c in summary["by_channel"]),
            values=tuple(summary["by_channel"].values()),
            unit=gettext("件"),
        ),
        "consultations_by_month": Series(
            title=gettext("月別の相談件数"),
            labels=tuple(monthly.column_labels),
            values=tuple(monthly.column_totals),
            unit=gettext("件"),
        ),
    }


@hook("person_merged")
def person_merged(*, keep, duplicate, by=None) -> None:
    """When staff merge duplicate person records, the consultations follow the kept one."""
    from consultations import services

    services.consultations_move_person(keep=keep, duplicate=duplicate, by=by)


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
