"""Reads for the reports: what an outcome report says, and the lists of the reports page.

`report_content` gathers everything one PDF prints. Figures and chart data come from the other
apps through their hooks (core.app_hooks: report_figures, report_series); the journey funnel
and the lists of events held and projects supported are read here from the apps' models, and
every part degrades to an explained gap when an app has no data or no model for it.
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import groupby

from django.apps import apps
from django.db.models import Case, Count, Min, Prefetch, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from core.app_hooks import Figure, Series, collect
from core.fiscal import fiscal_year_label, fiscal_year_range
from reports.models import (
    OUTCOME_AXIS_DESCRIPTIONS,
    OutcomeAxis,
    OutcomeRecord,
    Report,
)

logger = logging.getLogger("kyodo")

# Charts the report always shows, in this order, by the series name the apps use; other series
# an app provides follow them.
CHART_ORDER = ("participants_by_month", "consultations_by_topic")
CHART_FALLBACK_TITLES = {
    "participants_by_month": "月別の参加者数",
    "consultations_by_topic": "分野別の相談件数",
}
PROJECT_LISTING_PROGRAMS = (None, "project_support")
JOURNEY_STEPS = ("ミライ対話", "ALP", "プロジェクト登録", "プロジェクト支援")


# --- Fiscal years as aware datetimes ---------------------------------------------------------------


def fiscal_year_datetimes(fiscal_year: int) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of the fiscal year in local time (Asia/Tokyo)."""
    start, end = fiscal_year_range(fiscal_year)
    tz = timezone.get_current_timezone()
    return (
        timezone.make_aware(dt.datetime.combine(start, dt.time.min), tz),
        timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min), tz),
    )


# --- Figures from the apps' hooks ----------------------------------------------------------------------


@dataclass
class FigureRow:
    key: str
    label: str
    unit: str
    note: str
    values: list[int | float | None]  # oldest year first: [fy-2, fy-1, fy]
    section: str = ""  # the app's name (催し・講座, 相談記録, ...): rows are grouped under it

    @property
    def current(self) -> int | float | None:
        return self.values[-1]


@dataclass
class HookGap:
    app_label: str
    hook: str


def _call_hooks(name: str, gaps: list[HookGap], **kwargs) -> list[tuple[str, object]]:
    """Each app's answer to a report hook; an app that fails is logged and named in the notes."""
    answers = []
    for app_label, hook in collect(name):
        try:
            answers.append((app_label, hook(**kwargs)))
        except Exception:
            logger.exception("reports: %s.%s failed for %s", app_label, name, kwargs)
            gaps.append(HookGap(app_label=app_label, hook=name))
    return answers


# Key figures are printed app by app in this order (the others after them).
FIGURE_APP_ORDER = ("events", "projects", "consultations", "matching", "groups", "reports")


def _figure_app_order(app_label: str) -> int:
    return FIGURE_APP_ORDER.index(app_label) if app_label in FIGURE_APP_ORDER else len(FIGURE_APP_ORDER)


def _app_name(app_label: str) -> str:
    try:
        return str(apps.get_app_config(app_label).verbose_name)
    except LookupError:
        return app_label


@dataclass
class Note:
    labels: list[str]
    text: str


def figure_notes(rows: list[FigureRow]) -> list[Note]:
    """How each figure was counted; figures counted the same way share one note."""
    notes: dict[str, Note] = {}
    for row in rows:
        if row.note:
            notes.setdefault(row.note, Note(labels=[], text=row.note)).labels.append(row.label)
    return list(notes.values())


def key_figures(*, program_code: str | None, fiscal_year: int, gaps: list[HookGap]) -> list[FigureRow]:
    """Every app's key figures for the year and the two years before, app by app
    (FIGURE_APP_ORDER), each app's figures in the order it gives them."""
    years = (fiscal_year - 2, fiscal_year - 1, fiscal_year)
    rows: dict[str, FigureRow] = {}
    position: dict[str, tuple[int, int, int]] = {}
    for index, year in enumerate(years):
        answers = _call_hooks("report_figures", gaps, program_code=program_code, fiscal_year=year)
        for app_label, figures in answers:
            for rank, figure in enumerate(figures or ()):
                if not isinstance(figure, Figure):
                    continue
                row = rows.get(figure.key)
                if row is None:
                    row = rows[figure.key] = FigureRow(
                        key=figure.key,
                        label=figure.label,
                        unit=figure.unit,
                        note=figure.note,
                        values=[None] * 3,
                        section=_app_name(app_label),
                    )
                if year == fiscal_year:  # the current year's wording and place win
                    row.label, row.unit, row.note = figure.label, figure.unit, figure.note or row.note
                    position[figure.key] = (_figure_app_order(app_label), -1, rank)
                position.setdefault(figure.key, (_figure_app_order(app_label), index, rank))
                row.values[index] = figure.value
    return sorted(rows.values(), key=lambda row: position[row.key])


def svg_data_uri(svg: str) -> str:
    """The SVG as an image address: WeasyPrint draws it as vector, its text in the PDF's font."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def chart_alt(title: str, rows, unit: str) -> str:
    """The chart in words, for the tagged PDF's alternative text."""
    from reports.templatetags.report_tags import format_figure

    return f"{title}: " + "、".join(f"{label} {format_figure(value)}{unit}" for label, value in rows)


# --- Charts ---------------------------------------------------------------------------------------------


@dataclass
class Chart:
    name: str
    title: str
    labels: tuple[str, ...]
    values: tuple[int | float, ...]
    unit: str
    note: str
    svg: str = ""
    horizontal: bool = False

    @property
    def is_empty(self) -> bool:
        return not self.values or not any(self.values)

    @property
    def rows(self) -> list[tuple[str, int | float]]:
        return list(zip(self.labels, self.values, strict=False))

    @property
    def image_uri(self) -> str:
        return svg_data_uri(self.svg)

    @property
    def alt(self) -> str:
        return chart_alt(self.title, self.rows, self.unit)


def report_series(*, program_code: str | None, fiscal_year: int, gaps: list[HookGap]) -> dict[str, Series]:
    series: dict[str, Series] = {}
    for _app_label, answer in _call_hooks(
        "report_series", gaps, program_code=program_code, fiscal_year=fiscal_year
    ):
        for name, value in (answer or {}).items():
            if isinstance(value, Series) and name not in series:
                series[name] = value
    return series


def charts_from_series(series: dict[str, Series]) -> list[Chart]:
    names = [name for name in CHART_ORDER] + sorted(name for name in series if name not in CHART_ORDER)
    charts = []
    for name in names:
        item = series.get(name)
        if item is None:
            charts.append(
                Chart(
                    name=name,
                    title=CHART_FALLBACK_TITLES.get(name, name),
                    labels=(),
                    values=(),
                    unit="",
                    note="",
                )
            )
            continue
        charts.append(
            Chart(
                name=name,
                title=item.title,
                labels=tuple(item.labels),
                values=tuple(item.values),
                unit=item.unit,
                note=item.note,
                horizontal=any(len(str(label)) > 3 for label in item.labels),
            )
        )
    return charts


# --- The journey funnel ----------------------------------------------------------------------------------


@dataclass
class Funnel:
    labels: tuple[str, ...]
    values: tuple[int, ...]
    notes: list[str] = field(default_factory=list)
    svg: str = ""

    @property
    def rows(self) -> list[tuple[str, int]]:
        return list(zip(self.labels, self.values, strict=True))

    @property
    def image_uri(self) -> str:
        return svg_data_uri(self.svg)

    @property
    def alt(self) -> str:
        return chart_alt(_("担い手育成の流れ"), self.rows, "")


def _model(app_label: str, name: str):
    try:
        return apps.get_model(app_label, name)
    except LookupError:
        return None


def _journey_participants(*, step: int, fiscal_year: int) -> int | None:
    """Distinct people (duplicates merged) with a confirmed registration for an event of a program
    at this journey step whose first session falls in the fiscal year."""
    registration_model = _model("events", "Registration")
    if registration_model is None:
        return None
    start, end = fiscal_year_datetimes(fiscal_year)
    events = (
        _model("events", "Event")
        .objects.annotate(first=Min("sessions__starts_at"))
        .filter(program__journey_step=step, first__gte=start, first__lt=end)
    )
    return (
        registration_model.objects.filter(event__in=events.values("pk"), status="confirmed")
        .annotate(who=Coalesce("person__merged_into", "person"))
        .values("who")
        .distinct()
        .count()
    )


def _project_model():
    """projects.Project when that app's table exists (None while the app is not installed yet)."""
    from django.db import connection

    model = _model("projects", "Project")
    if model is None or model._meta.db_table not in connection.introspection.table_names():
        return None
    return model


def _project_kinds(project_model, labels: tuple[str, ...]) -> list[str]:
    """The kind values whose Japanese labels are given (プロジェクト登録, プロジェクト支援)."""
    choices = project_model._meta.get_field("kind").choices or []
    return [value for value, label in choices if str(label) in labels]


def _journey_groups(*, kind_label: str, fiscal_year: int) -> int | None:
    """Distinct lead groups of projects of the given kind (プロジェクト登録, プロジェクト支援) in the year."""
    project_model = _project_model()
    if project_model is None:
        return None
    return (
        project_model.objects.filter(
            kind__in=_project_kinds(project_model, (kind_label,)),
            fiscal_year=fiscal_year,
            lead_group__isnull=False,
        )
        .values("lead_group")
        .distinct()
        .count()
    )


def journey_funnel(*, fiscal_year: int) -> Funnel:
    """ミライ対話 → ALP → プロジェクト登録 → プロジェクト支援 for the whole center in the year."""
    values: list[int] = []
    notes = [
        _(
            "ミライ対話・ALP: その年度に初回が開かれた、担い手育成の段階1・2の事業の催しに参加が確定した人数"
            "（同じ人は1人と数え、統合された重複登録は統合先で数えています）。"
        ),
        _(
            "プロジェクト登録・プロジェクト支援: その年度の種別「プロジェクト登録」「プロジェクト支援」の"
            "協働事業の主たる団体の数（同じ団体は1つと数えています）。"
        ),
        _("段階ごとの人・団体は同じとは限らず、前段からの割合は規模の目安です。"),
    ]
    for step in (1, 2):
        count = _journey_participants(step=step, fiscal_year=fiscal_year)
        if count is None:
            notes.append(
                _("%(step)sの人数は、催しの参加申込のデータがないため0としています。")
                % {"step": JOURNEY_STEPS[step - 1]}
            )
        values.append(count or 0)
    for label in JOURNEY_STEPS[2:]:
        count = _journey_groups(kind_label=label, fiscal_year=fiscal_year)
        if count is None:
            notes.append(_("%(step)sの団体数は、協働事業のデータがないため0としています。") % {"step": label})
        values.append(count or 0)
    return Funnel(labels=JOURNEY_STEPS, values=tuple(values), notes=notes)


# --- Outcome episodes -------------------------------------------------------------------------------------


@dataclass
class Category:
    heading: str
    episodes: list[OutcomeRecord]


@dataclass
class ProgramOutcomes:
    name: str  # empty in a one-program report
    categories: list[Category]


@dataclass
class AxisSection:
    number: str
    title: str
    axis: str
    description: str
    programs: list[ProgramOutcomes]
    subsections: list[AxisSection] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.programs and all(sub.is_empty for sub in self.subsections)


def outcome_records(*, program_code: str | None, fiscal_year: int) -> list[OutcomeRecord]:
    return list(
        OutcomeRecord.objects.for_report(program_code=program_code, fiscal_year=fiscal_year)
        .select_related("program")
        .order_by("axis", "program__order", "program__id", "category", "order", "id")
    )


def _programs_outcomes(records: list[OutcomeRecord], *, with_program_names: bool) -> list[ProgramOutcomes]:
    def program_key(record: OutcomeRecord):
        # Records of no program (事業全体) come last, under 全体を通じて (as in seed 000).
        return (1, 0, 0) if record.program is None else (0, record.program.order, record.program.pk)

    result = []
    for _key, program_records in groupby(
        sorted(records, key=lambda r: (program_key(r), r.category, r.order, r.pk)), key=program_key
    ):
        program_records = list(program_records)
        program = program_records[0].program
        categories = [
            Category(heading=heading, episodes=list(items))
            for heading, items in groupby(program_records, key=lambda r: r.category)
        ]
        name = (program.name if program else _("全体を通じて")) if with_program_names else ""
        result.append(ProgramOutcomes(name=name, categories=categories))
    return result


def outcome_sections(records: list[OutcomeRecord], *, with_program_names: bool) -> list[AxisSection]:
    """Episodes grouped by axis (①〜④, 中間支援機能 with its four functions) and ○ category."""
    by_axis: dict[str, list[OutcomeRecord]] = {}
    for record in records:
        by_axis.setdefault(record.axis, []).append(record)

    def section(number: str, axis: OutcomeAxis) -> AxisSection:
        return AxisSection(
            number=number,
            title=str(axis.label),
            axis=axis.value,
            description=str(OUTCOME_AXIS_DESCRIPTIONS[axis]),
            programs=_programs_outcomes(by_axis.get(axis.value, []), with_program_names=with_program_names),
        )

    intermediary = AxisSection(
        number="②",
        title=_("中間支援機能"),
        axis="intermediary",
        description=_(
            "事務局（市・センター）が事業構築のために、変革促進・プロセス支援・資源連結・"
            "問題解決提示の機能を提供したり、促す場づくりができたか"
        ),
        programs=[],
        subsections=[section("", axis) for axis in OutcomeAxis.intermediary()],
    )
    return [
        section("①", OutcomeAxis.GOVERNANCE),
        intermediary,
        section("③", OutcomeAxis.LEARNING),
        section("④", OutcomeAxis.COMMUNITY),
    ]


# --- Events held and projects supported --------------------------------------------------------------------


@dataclass
class EventRow:
    first_day: dt.date
    title: str
    program: str
    sessions: int
    participants: int


def events_held(*, program_code: str | None, fiscal_year: int) -> list[EventRow] | None:
    """Events whose first session is in the year, with sessions and confirmed registrations."""
    event_model = _model("events", "Event")
    if _model("events", "EventSession") is None or _model("events", "Registration") is None:
        return None
    start, end = fiscal_year_datetimes(fiscal_year)
    qs = event_model.objects.all()
    if program_code:
        qs = qs.filter(program__code=program_code)
    qs = (
        qs.annotate(first=Min("sessions__starts_at"))
        .filter(first__gte=start, first__lt=end)
        .annotate(
            session_count=Count("sessions", distinct=True),
            participant_count=Count(
                "registrations", filter=Q(registrations__status="confirmed"), distinct=True
            ),
        )
        .select_related("program")
        .order_by("first", "id")
    )
    return [
        EventRow(
            first_day=timezone.localtime(event.first).date(),
            title=event.title,
            program=event.program.name,
            sessions=event.session_count,
            participants=event.participant_count,
        )
        for event in qs
    ]


@dataclass
class ProjectRow:
    title: str
    group: str
    kind: str
    status: str


def projects_supported(*, program_code: str | None, fiscal_year: int) -> list[ProjectRow] | None:
    """Projects of the kinds プロジェクト登録 and プロジェクト支援 in the year (None: no projects app).

    Projects are not tied to a program: every report lists the center's supported projects."""
    project_model = _project_model()
    if project_model is None:
        return None
    qs = (
        project_model.objects.filter(
            kind__in=_project_kinds(project_model, JOURNEY_STEPS[2:]), fiscal_year=fiscal_year
        )
        .select_related("lead_group")
        .order_by("kind", "title", "pk")
    )
    return [
        ProjectRow(
            title=project.title,
            group=str(project.lead_group or "—"),
            kind=project.get_kind_display(),
            status=project.get_status_display(),
        )
        for project in qs
    ]


# --- The whole report -------------------------------------------------------------------------------------


@dataclass
class ReportContent:
    program_code: str | None
    program_name: str
    program_description: str
    fiscal_year: int
    figures: list[FigureRow]
    charts: list[Chart]
    funnel: Funnel
    outcome_sections: list[AxisSection]
    outcome_count: int
    events: list[EventRow] | None
    projects: list[ProjectRow] | None
    gaps: list[HookGap]
    programs: list = field(default_factory=list)

    @property
    def title(self) -> str:
        return _("%(year)s %(program)s 成果報告書") % {
            "year": self.fiscal_year_label,
            "program": self.program_name,
        }

    @property
    def fiscal_year_label(self) -> str:
        return fiscal_year_label(self.fiscal_year)

    @property
    def year_labels(self) -> list[str]:
        return [
            fiscal_year_label(year) for year in (self.fiscal_year - 2, self.fiscal_year - 1, self.fiscal_year)
        ]

    @property
    def period(self) -> tuple[dt.date, dt.date]:
        return fiscal_year_range(self.fiscal_year)

    @property
    def is_all_programs(self) -> bool:
        return self.program_code is None

    @property
    def figure_notes(self) -> list[Note]:
        return figure_notes(self.figures)

    @property
    def lists_projects(self) -> bool:
        """Projects are listed in the reports of プロジェクト支援 and of all programs."""
        return self.program_code in PROJECT_LISTING_PROGRAMS


def report_content(
    *, program_code: str | None, fiscal_year: int, progress: Callable[[int], None] | None = None
) -> ReportContent:
    """Everything one outcome report prints. `progress(percent)` is told how far it got."""
    from reports import charts

    def step(percent: int) -> None:
        if progress is not None:
            progress(percent)

    program_model = _model("events", "Program")
    program = program_model.objects.get(code=program_code) if program_code else None
    gaps: list[HookGap] = []
    figures = key_figures(program_code=program_code, fiscal_year=fiscal_year, gaps=gaps)
    step(20)
    chart_list = charts_from_series(
        report_series(program_code=program_code, fiscal_year=fiscal_year, gaps=gaps)
    )
    for chart in chart_list:
        if not chart.is_empty:
            chart.svg = charts.bar_chart(
                labels=chart.labels, values=chart.values, unit=chart.unit, horizontal=chart.horizontal
            )
    funnel = journey_funnel(fiscal_year=fiscal_year)
    funnel.svg = charts.funnel_chart(labels=funnel.labels, values=funnel.values)
    step(40)
    records = outcome_records(program_code=program_code, fiscal_year=fiscal_year)
    sections = outcome_sections(records, with_program_names=program_code is None)
    step(50)
    return ReportContent(
        program_code=program_code,
        program_name=program.name if program else _("全事業"),
        program_description=program.description if program else "",
        fiscal_year=fiscal_year,
        figures=figures,
        charts=chart_list,
        funnel=funnel,
        outcome_sections=sections,
        outcome_count=len(records),
        events=events_held(program_code=program_code, fiscal_year=fiscal_year),
        projects=(
            projects_supported(program_code=program_code, fiscal_year=fiscal_year)
            if program_code in PROJECT_LISTING_PROGRAMS
            else []
        ),
        gaps=list({(gap.app_label, gap.hook): gap for gap in gaps}.values()),
        programs=list(program_model.objects.filter(is_active=True)) if program is None else [],
    )


# --- The reports page -------------------------------------------------------------------------------------


@dataclass
class ReportLine:
    """One row of the reports page: a program (or all programs) in a year, with its latest request."""

    program: object | None
    fiscal_year: int
    report: Report | None
    previous_done: Report | None  # the last finished PDF, still downloadable while a new one runs


def report_lines(*, fiscal_year: int) -> list[ReportLine]:
    """All programs and 全事業 for the year, each with its latest report request (2 queries)."""
    program_model = _model("events", "Program")
    programs = list(program_model.objects.filter(is_active=True).order_by("order", "id"))
    reports = list(
        Report.objects.filter(fiscal_year=fiscal_year)
        .select_related("program", "requested_by")
        .order_by("-requested_at", "-id")
    )
    lines = []
    for program in [None, *programs]:
        own = [r for r in reports if r.program_id == (program.pk if program else None)]
        latest = own[0] if own else None
        done = next((r for r in own if r.status == "done" and r.pdf), None)
        lines.append(
            ReportLine(
                program=program,
                fiscal_year=fiscal_year,
                report=latest,
                previous_done=done if done is not latest else None,
            )
        )
    return lines


def report_years() -> list[int]:
    """Years the page offers: the current one, the five before, and any year with a report."""
    from core.fiscal import current_fiscal_year

    current = current_fiscal_year()
    years = set(range(current - 5, current + 1))
    years.update(Report.objects.order_by().values_list("fiscal_year", flat=True).distinct())
    return sorted(years, reverse=True)


def outcome_records_for_staff(*, fiscal_year: int, program_code: str | None = None):
    qs = (
        OutcomeRecord.objects.filter(fiscal_year=fiscal_year)
        .select_related("program")
        .prefetch_related(Prefetch("groups"), Prefetch("events"), Prefetch("projects"))
    )
    if program_code:
        qs = qs.filter(program__code=program_code)
    axis_order = Case(
        *[When(axis=value, then=Value(index)) for index, value in enumerate(OutcomeAxis.values)]
    )
    return qs.order_by("program__order", axis_order, "category", "order", "id")
