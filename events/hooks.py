"""events' contributions to shared features (see core.app_hooks)."""

from __future__ import annotations

from celery.schedules import crontab
from django.db.models import Avg, Count
from django.db.models.functions import ExtractMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.app_hooks import DashboardItem, Figure, MenuEntry, Panel, Series, StaffMenu, Urgency, hook, register
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
    from core.workspace import has_role_workspace

    registrations = list(selectors.registrations_of_user(request.user)[:30])
    now = timezone.now()
    for registration in registrations:
        registration.may_cancel = registration.status != Registration.Status.CANCELLED and (
            registration.first_starts_at is None or now < registration.first_starts_at
        )
    visible = [r for r in registrations if r.status != Registration.Status.CANCELLED]
    if not visible and has_role_workspace(request.user):
        return []  # staff, officials and the committee: no empty 「申し込んだ催し」
    return [
        Panel(
            title=gettext("申し込んだ催し"),
            template="events/includes/mypage_panel.html",
            context={"registrations": visible},
        )
    ]


staff_links = StaffMenu(
    "events",
    [
        MenuEntry(
            "events:staff_index",
            _("催しの運営"),
            _("申込者・キャンセル待ち、電話での申し込み、受付名簿（出席）、アンケート集計"),
            count=Registration.objects.filter(status=Registration.Status.WAITLISTED),
        ),
        MenuEntry(
            "events:staff_merge",
            _("重複した参加者の統合"),
            _("同じ方の記録が2件あるときに1件にまとめます"),
        ),
        MenuEntry(
            "admin:events_program_changelist",
            _("事業（プログラム）"),
            _("事業の名称・説明・担い手育成の段階"),
        ),
        # A person's page gathers more than events (consultations, matches): listed under 報告・設定.
        MenuEntry(
            "events:staff_people",
            _("参加者・相談者をさがす"),
            _("一人ひとりの参加・出席・修了・アンケート・相談・マッチングを年度ごとに"),
            section="settings",
        ),
    ],
)
register("staff_links", staff_links, module=__name__)


@hook("dashboard_items")
def dashboard_items(request) -> list[DashboardItem]:
    """Today's sessions, each with its check-in roster and how many are registered (one query)."""
    items = []
    for session in selectors.sessions_on(timezone.localdate()):
        start = timezone.localtime(session.starts_at)
        end = timezone.localtime(session.ends_at)
        items.append(
            DashboardItem(
                title=gettext("受付名簿: %(event)s%(session)s")
                % {
                    "event": session.event.title,
                    "session": gettext("（%(title)s）") % {"title": session.title} if session.title else "",
                },
                url=reverse("events:staff_checkin", args=[session.pk]),
                count=session.confirmed_count,
                urgency=Urgency.INFO,
                unit=gettext("人"),
                note=gettext("%(start)s〜%(end)s %(venue)s")
                % {
                    "start": start.strftime("%H:%M"),
                    "end": end.strftime("%H:%M"),
                    "venue": session.venue or session.event.venue,
                },
            )
        )
    return items


# --- Report figures -----------------------------------------------------------------------------------------


@hook("report_figures")
def report_figures(*, program_code: str | None, fiscal_year: int) -> list[Figure]:
    """The program's events of the year (all programs: None), counted by events.selectors."""
    scope = {"program_code": program_code, "fiscal_year": fiscal_year}
    events = selectors.events_in_fiscal_year(**scope)
    sessions = selectors.held_sessions(**scope)
    registrations = Registration.objects.filter(event__in=events.values("pk")).exclude(
        status=Registration.Status.CANCELLED
    )
    satisfaction = SurveyResponse.objects.filter(registration__event__in=events.values("pk")).aggregate(
        average=Avg("satisfaction"), count=Count("pk")
    )
    average = satisfaction["average"]
    figures = [
        Figure("events.events_held", sessions.values("event").distinct().count()),
        Figure("events.sessions_held", sessions.count()),
        Figure("events.registrations", registrations.count()),
        Figure("events.attendance", selectors.attendances(**scope).count()),
        Figure("events.unique_participants", selectors.participants(**scope).count()),
        Figure("events.first_time_participants", selectors.first_time_participants(**scope).count()),
        Figure("events.completions", selectors.completed_registrations(**scope).count()),
    ]
    if average is not None:
        # No answers is no average (the report prints 「—」), not an average of 0.
        figures.insert(
            -1, Figure("events.satisfaction", round(average, 2), words={"responses": satisfaction["count"]})
        )
    if program_code in (None, "alp"):
        journey = selectors.journey_path(from_step=1, to_step=2, fiscal_year=fiscal_year)
        figures.append(Figure("events.journey_mirai_to_alp", journey.count()))
    return figures


MONTHS = (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)


@hook("report_series")
def report_series(*, program_code: str | None, fiscal_year: int) -> dict[str, Series]:
    """Attendance by the month the session began, April first."""
    counts = dict(
        selectors.attendances(program_code=program_code, fiscal_year=fiscal_year)
        .annotate(month=ExtractMonth("session__starts_at"))
        .values("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    )
    return {
        "participants_by_month": Series(categories=MONTHS, values=tuple(counts.get(m, 0) for m in MONTHS))
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
