"""events' contributions to shared features (see core.app_hooks)."""

from __future__ import annotations

from celery.schedules import crontab
from django.db.models import Avg, Count
from django.db.models.functions import ExtractMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from core.app_hooks import Figure, Link, Panel, Series, hook, register
from core.fiscal import fiscal_year_label
from events import selectors
from events.models import Registration, SurveyResponse

BEAT_SCHEDULE = {
    "events-session-reminders": {"task": "events.send_session_reminders", "schedule": crontab(minute=5)},
    "events-surveys": {"task": "events.send_event_surveys", "schedule": crontab(minute=35, hour="*/3")},
}
register("beat_schedule", BEAT_SCHEDULE, module=__name__)


# --- Pages for the signed-in person and for staff ------------------------------------------------------


@hook("mypage_panels")
def mypage_panels(request) -> list[Panel]:
    registrations = list(selectors.registrations_of_user(request.user)[:30])
    now = timezone.now()
    for registration in registrations:
        registration.may_cancel = registration.status != Registration.Status.CANCELLED and (
            registration.first_starts_at is None or now < registration.first_starts_at
        )
    visible = [r for r in registrations if r.status != Registration.Status.CANCELLED]
    return [
        Panel(
            title=gettext("申し込んだ催し"),
            template="events/includes/mypage_panel.html",
            context={"registrations": visible},
        )
    ]


@hook("staff_links")
def staff_links(request) -> list[Link]:
    waiting = Registration.objects.filter(status=Registration.Status.WAITLISTED).count()
    links = [
        Link(
            title=gettext("催しの運営"),
            url=reverse("events:staff_index"),
            description=gettext("申込者・キャンセル待ち、電話での申し込み、受付名簿（出席）、アンケート集計"),
            count=waiting,
        ),
        Link(
            title=gettext("重複した参加者の統合"),
            url=reverse("events:staff_merge"),
            description=gettext("同じ方の記録が2件あるときに1件にまとめます"),
        ),
        Link(
            title=gettext("事業（プログラム）"),
            url=reverse("admin:events_program_changelist"),
            description=gettext("事業の名称・説明・担い手育成の段階"),
        ),
    ]
    return links


# --- Report figures -----------------------------------------------------------------------------------------


@hook("report_figures")
def report_figures(*, program_code: str | None, fiscal_year: int) -> list[Figure]:
    events = selectors.events_in_fiscal_year(program_code=program_code, fiscal_year=fiscal_year)
    sessions = selectors.held_sessions(program_code=program_code, fiscal_year=fiscal_year)
    registrations = Registration.objects.filter(event__in=events.values("pk")).exclude(
        status=Registration.Status.CANCELLED
    )
    attendance = selectors.attendances(program_code=program_code, fiscal_year=fiscal_year)
    satisfaction = SurveyResponse.objects.filter(registration__event__in=events.values("pk")).aggregate(
        average=Avg("satisfaction"), count=Count("pk")
    )
    completions = selectors.completed_registrations(
        program_code=program_code, fiscal_year=fiscal_year
    ).count()
    scope = gettext("この事業") if program_code else gettext("すべての事業")
    figures = [
        Figure(
            key="events.events_held",
            label=gettext("開催した催し"),
            unit=gettext("件"),
            value=sessions.values("event").distinct().count(),
            note=f"{scope}で、年度内に1回以上開催した催しの数（連続講座は1件）。",
        ),
        Figure(
            key="events.sessions_held",
            label=gettext("開催回数"),
            unit=gettext("回"),
            value=sessions.count(),
            note=gettext("年度内に開始した回（連続講座の各回を数える）。"),
        ),
        Figure(
            key="events.registrations",
            label=gettext("申込数"),
            unit=gettext("件"),
            value=registrations.count(),
            note=gettext("初回が年度内の催しへの申込（参加確定とキャンセル待ち。取消は除く）。"),
        ),
        Figure(
            key="events.attendance",
            label=gettext("参加者数（延べ）"),
            unit=gettext("人"),
            value=attendance.count(),
            note=gettext("年度内の各回の出席者を回ごとに数えた延べ人数。"),
            axis=gettext("社会的学習"),
        ),
        Figure(
            key="events.unique_participants",
            label=gettext("参加者数（実人数）"),
            unit=gettext("人"),
            value=selectors.participants(program_code=program_code, fiscal_year=fiscal_year).count(),
            note=gettext("年度内に1回以上出席した人の数。アカウントと統合した記録で同じ人を1人と数える。"),
        ),
        Figure(
            key="events.first_time_participants",
            label=gettext("初めての参加者"),
            unit=gettext("人"),
            value=selectors.first_time_participants(
                program_code=program_code, fiscal_year=fiscal_year
            ).count(),
            note=f"年度内に出席し、それ以前に{scope}へ出席したことのない人の数（担い手育成の入口）。",
            axis=gettext("変革促進"),
        ),
        Figure(
            key="events.satisfaction",
            label=gettext("満足度の平均"),
            unit=gettext("点（5点満点）"),
            value=round(satisfaction["average"], 2) if satisfaction["average"] is not None else 0,
            note=f"初回が年度内の催しのアンケート回答 {satisfaction['count']} 件の平均（1〜5）。",
        ),
        Figure(
            key="events.completions",
            label=gettext("修了者数"),
            unit=gettext("人"),
            value=completions,
            note=gettext("修了条件（例: 全5回のうち4回以上の出席）を満たした人の数。初回が年度内の講座。"),
        ),
    ]
    if program_code in (None, "alp"):
        figures.append(
            Figure(
                key="events.journey_mirai_to_alp",
                label=gettext("ミライ対話からALPへ進んだ人"),
                unit=gettext("人"),
                value=selectors.journey_path(from_step=1, to_step=2, fiscal_year=fiscal_year).count(),
                note=gettext(
                    "年度内に初めてALPに出席した人のうち、それ以前にミライ対話に出席していた人の数。"
                ),
                axis=gettext("プロセス支援"),
            )
        )
    return figures


MONTHS = (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)


@hook("report_series")
def report_series(*, program_code: str | None, fiscal_year: int) -> dict[str, Series]:
    counts = dict(
        selectors.attendances(program_code=program_code, fiscal_year=fiscal_year)
        .annotate(month=ExtractMonth("session__starts_at"))
        .values("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    )
    return {
        "participants_by_month": Series(
            title=f"{fiscal_year_label(fiscal_year)} 月別の参加者数（延べ）",
            labels=tuple(f"{m}月" for m in MONTHS),
            values=tuple(counts.get(m, 0) for m in MONTHS),
            unit=gettext("人"),
            note=gettext("各月に開始した回の出席者を回ごとに数えた延べ人数。"),
        )
    }


# --- Benchmark pages ---------------------------------------------------------------------------------------


# --- Demo data ----------------------------------------------------------------------------------------------


@hook("ensure_reference_data")
def ensure_reference_data() -> None:
    """The center's programs (after migrate, and again after a flush empties the table)."""
    from events.reference import ensure_programs

    ensure_programs()


@hook("home_context")
def home_context() -> dict:
    """The home page's upcoming public events."""
    return {"upcoming_events": selectors.upcoming_event_cards(limit=5)}
