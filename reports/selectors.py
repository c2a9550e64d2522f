"""Reads for the reports: what an outcome report says, and the lists of the reports page.

`report_content` gathers everything one PDF prints. Figures and chart data come from the other
apps through their hooks (core.app_hooks: report_figures, report_series); the 担い手育成 flow and
the lists of events held and projects of the year through the apps' selectors, so each figure
has one formula wherever it is printed.
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import groupby

from django.apps import apps
from django.conf import settings
from django.db.models import Case, Prefetch, Q, Value, When
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.app_hooks import Figure, Series, collect
from core.fiscal import fiscal_year_label, fiscal_year_of, fiscal_year_range, wareki_date
from events.models import Program
from reports import labels
from reports.models import (
    OUTCOME_AXIS_DESCRIPTIONS,
    Assessment,
    OutcomeAxis,
    OutcomeRecord,
    Report,
    ReportStatus,
)

logger = logging.getLogger("kyodo")

# Charts the report always shows, in this order, by the series name the apps use; other series
# an app provides follow them.
CHART_ORDER = ("participants_by_month", "consultations_by_topic")
CHART_FALLBACK_TITLES = {
    "participants_by_month": gettext_lazy("月別の参加者数"),
    "consultations_by_topic": gettext_lazy("分野別の相談件数"),
}
PROJECT_LISTING_PROGRAMS = (None, "project_support")


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
    scope: str = ""  # この事業 or センター全体 (figure_scope)

    @property
    def change(self) -> int | float | None:
        """The change from last year (None when either year has no data)."""
        last, current = self.values[-2], self.values[-1]
        return None if last is None or current is None else round(current - last, 2)

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


# Key figures are printed app by app in this order (the others after them, in PROJECT_APPS order).
FIGURE_APP_ORDER = ("events", "projects", "consultations", "matching", "groups", "reports")


def _figure_app_order(app_label: str) -> tuple[int, int]:
    """Where an app's figures go: every app's rows stay together under its one heading (two apps
    outside FIGURE_APP_ORDER, spaces and info, once shared a place and their rows alternated)."""
    if app_label in FIGURE_APP_ORDER:
        return (FIGURE_APP_ORDER.index(app_label), 0)
    others = list(settings.PROJECT_APPS)
    return (len(FIGURE_APP_ORDER), others.index(app_label) if app_label in others else len(others))


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
    position: dict[str, tuple[tuple[int, int], int, int]] = {}
    for index, year in enumerate(years):
        answers = _call_hooks("report_figures", gaps, program_code=program_code, fiscal_year=year)
        for app_label, figures in answers:
            for rank, figure in enumerate(figures or ()):
                if not isinstance(figure, Figure):
                    continue
                label, unit, note = labels.figure_text(figure, program_code=program_code, fiscal_year=year)
                row = rows.get(figure.key)
                if row is None:
                    row = rows[figure.key] = FigureRow(
                        key=figure.key,
                        label=label,
                        unit=unit,
                        note=note,
                        values=[None] * 3,
                        section=_app_name(app_label),
                    )
                if year == fiscal_year:  # the current year's wording and place win
                    row.label, row.unit, row.note = label, unit, note or row.note
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
    # Charts of three fiscal years: the year labels (oldest first) and, per year, its values by
    # label; `values` stays the report's own year.
    years: tuple[str, ...] = ()
    year_values: tuple[tuple[int | float, ...], ...] = ()

    @property
    def is_empty(self) -> bool:
        every = self.year_values or (self.values,)
        return not any(any(values) for values in every)

    @property
    def rows(self) -> list[tuple[str, int | float]]:
        return list(zip(self.labels, self.values, strict=False))

    @property
    def image_uri(self) -> str:
        return svg_data_uri(self.svg)

    @property
    def alt(self) -> str:
        if not self.years:
            return chart_alt(self.title, self.rows, self.unit)
        from reports.templatetags.report_tags import format_figure

        per_year = (
            f"{year} "
            + "、".join(
                f"{label} {format_figure(value)}{self.unit}"
                for label, value in zip(self.labels, values, strict=False)
            )
            for year, values in zip(self.years, self.year_values, strict=True)
        )
        return f"{self.title}: " + "。".join(per_year)


def report_series(*, program_code: str | None, fiscal_year: int, gaps: list[HookGap]) -> dict[str, Chart]:
    """The apps' chart data, worded (reports/labels.py), by chart name."""
    series: dict[str, Chart] = {}
    for _app_label, answer in _call_hooks(
        "report_series", gaps, program_code=program_code, fiscal_year=fiscal_year
    ):
        for name, value in (answer or {}).items():
            if isinstance(value, Series) and name not in series:
                title, categories, unit, note = labels.series_text(name, value, fiscal_year=fiscal_year)
                series[name] = Chart(
                    name=name,
                    title=title,
                    labels=categories,
                    values=tuple(value.values),
                    unit=unit,
                    note=note,
                    horizontal=any(len(category) > 3 for category in categories),
                )
    return series


def add_earlier_years(series: dict[str, Chart], *, program_code: str | None, fiscal_year: int) -> None:
    """Give the charts drawn over three fiscal years (reports/labels.py) the two years before."""
    names = [name for name in series if labels.series_spans_three_years(name)]
    if not names:
        return
    earlier = [
        report_series(program_code=program_code, fiscal_year=year, gaps=[])
        for year in (fiscal_year - 2, fiscal_year - 1)
    ]
    for name in names:
        chart = series[name]
        previous = []
        for year_series in earlier:
            other = year_series.get(name)
            # Categories are the twelve months in order, the same every year; a year without
            # data (or another shape) counts as zeros rather than shifting the bars.
            if other is None or other.labels != chart.labels:
                previous.append((0,) * len(chart.values))
            else:
                previous.append(tuple(other.values))
        chart.years = tuple(
            fiscal_year_label(year) for year in (fiscal_year - 2, fiscal_year - 1, fiscal_year)
        )
        chart.year_values = (*previous, tuple(chart.values))


def charts_from_series(series: dict[str, Chart]) -> list[Chart]:
    names = [name for name in CHART_ORDER] + sorted(name for name in series if name not in CHART_ORDER)
    charts = []
    for name in names:
        item = series.get(name)
        if item is None:
            charts.append(
                Chart(
                    name=name,
                    title=str(CHART_FALLBACK_TITLES.get(name, name)),
                    labels=(),
                    values=(),
                    unit="",
                    note="",
                )
            )
            continue
        charts.append(item)
    return charts


# --- 担い手育成の流れ: the same people followed from ミライ対話 -----------------------------------------

MIRAI = "mirai_taiwa"
ALP = "alp"
FESTA = "festa"
# Reports that print the flow (全事業, ミライ対話 and ALP only).
JOURNEY_PROGRAMS = (None, MIRAI, ALP)


@dataclass
class JourneyStep:
    key: str
    label: str
    unit: str  # 人 or 団体
    values: list[int]  # one per cohort year, oldest first
    of_cohort: bool = True  # a share of step 1 is meaningful (people only)


@dataclass
class Journey:
    """担い手育成の流れ for three cohorts: the people who attended ミライ対話 in each fiscal year,
    and what the same people (and the groups they edit) did in that year or later."""

    years: list[int]
    steps: list[JourneyStep]
    svg: str = ""

    @property
    def year_labels(self) -> list[str]:
        return [fiscal_year_label(year) for year in self.years]

    @property
    def cohort(self) -> list[int]:
        return self.steps[0].values

    @property
    def is_empty(self) -> bool:
        """Nobody attended ミライ対話 in any of the three years: there is no flow to follow."""
        return not any(self.cohort)

    def share(self, step: JourneyStep) -> list[str]:
        """Each value as a share of that year's ミライ対話 participants (people steps only)."""
        if not step.of_cohort or step is self.steps[0]:
            return ["" for _ in step.values]
        return [
            f"{value / base * 100:.0f}%" if base else "—"
            for value, base in zip(step.values, self.cohort, strict=True)
        ]

    @property
    def image_uri(self) -> str:
        return svg_data_uri(self.svg)

    @property
    def alt(self) -> str:
        years = [
            f"{label} " + "、".join(f"{step.label} {step.values[i]:,}{step.unit}" for step in self.steps)
            for i, label in enumerate(self.year_labels)
        ]
        return _("担い手育成の流れ") + ": " + "。".join(years)

    @property
    def notes(self) -> list[str]:
        return [
            _(
                "「ミライ対話に出席した人」は、その年度にミライ対話の回に1回以上出席した人の実人数で、"
                "ミライ対話の報告書の「参加者数（実人数）」と同じ数です。以下の段階は、同じ人がその年度"
                "以降に何をしたかを数えています（割合は、その年度にミライ対話に出席した人に対するもの）。"
            ),
            _("ALPの修了は、修了の記録がある参加申込（取消を除く）で数えています。"),
            _("社会起業フェスタは、発表者の記録がないため、フェスタの回に出席した人を数えています。"),
            _(
                "団体の段階は人ではなく団体の数です。ミライ対話に出席した人のうちアカウントを持つ人が"
                "編集者になっている団体について、その年度以降の団体登録・プロジェクト登録（中止を除く）・"
                "プロジェクト支援（中止を除く）を数えています。アカウントのない参加者の団体は数えられません。"
            ),
            _("新しい年度ほど、その後の段階に進むための時間が短いため、数が小さく出ます。"),
        ]


def journey(*, fiscal_year: int) -> Journey:
    """The flow for the cohorts of the year and the two before (a fixed number of queries)."""
    from events import selectors as events
    from groups import selectors as groups
    from projects import selectors as projects
    from projects.models import ProjectKind

    years = [fiscal_year - 2, fiscal_year - 1, fiscal_year]
    steps = [
        JourneyStep("mirai", _("ミライ対話に出席した人"), _("人"), []),
        JourneyStep("alp", _("うち、ALPに出席した人"), _("人"), []),
        JourneyStep("alp_completed", _("うち、ALPを修了した人"), _("人"), []),
        JourneyStep("festa", _("うち、社会起業フェスタに出席した人"), _("人"), []),
        JourneyStep(
            "groups", _("ミライ対話に出席した人が編集者になっている団体"), _("団体"), [], of_cohort=False
        ),
        JourneyStep(
            "registered", _("うち、団体登録またはプロジェクト登録をした団体"), _("団体"), [], of_cohort=False
        ),
        JourneyStep("supported", _("うち、プロジェクト支援を受けた団体"), _("団体"), [], of_cohort=False),
    ]
    for year in years:
        cohort = events.participants(program_code=MIRAI, fiscal_year=year)
        cohort_ids = cohort.values("pk")
        their_groups = groups.groups_edited_by_people(cohort)
        registered = their_groups.filter(
            Q(pk__in=groups.groups_registered_since(fiscal_year=year).values("pk"))
            | Q(
                pk__in=projects.groups_with_project_kind(
                    kind=ProjectKind.REGISTRATION, since_fiscal_year=year
                ).values("pk")
            )
        )
        supported = their_groups.filter(
            pk__in=projects.groups_with_project_kind(kind=ProjectKind.SUPPORT, since_fiscal_year=year).values(
                "pk"
            )
        )
        counts = [
            cohort.count(),
            events.people_attending_since(program_code=ALP, since_fiscal_year=year)
            .filter(pk__in=cohort_ids)
            .count(),
            events.completed_registrations(program_code=ALP, since_fiscal_year=year)
            .filter(person__in=cohort_ids)
            .values("person")
            .distinct()
            .count(),
            events.people_attending_since(program_code=FESTA, since_fiscal_year=year)
            .filter(pk__in=cohort_ids)
            .count(),
            their_groups.count(),
            registered.count(),
            supported.count(),
        ]
        for step, count in zip(steps, counts, strict=True):
            step.values.append(count)
    return Journey(years=years, steps=steps)


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
        # Records of no program (事業全体) come last, under 全体を通じて.
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


def events_held(*, program_code: str | None, fiscal_year: int) -> list[EventRow]:
    """Events whose first session is in the year and has begun (events.selectors.held_events),
    with sessions and confirmed registrations."""
    from events.selectors import held_events

    qs = (
        held_events(program_code=program_code, fiscal_year=fiscal_year)
        .select_related("program")
        .order_by("first_starts_at", "id")
    )
    return [
        EventRow(
            first_day=timezone.localtime(event.first_starts_at).date(),
            title=event.title,
            program=event.program.name,
            sessions=event.session_count,
            participants=event.confirmed_count,
        )
        for event in qs
    ]


@dataclass
class ProjectRow:
    title: str
    group: str
    kind: str
    department: str
    status: str
    support_sessions: int


def projects_of_year(*, fiscal_year: int) -> list[ProjectRow]:
    """Every 協働事業 of the year (citizen and city proposals, プロジェクト登録 and 支援 alike)."""
    from projects.selectors import projects_of_year as project_rows

    return [
        ProjectRow(
            title=project.title,
            group=str(project.lead_group or "—"),
            kind=project.get_kind_display(),
            department=str(project.department or "—"),
            status=project.get_status_display(),
            support_sessions=project.support_sessions,
        )
        for project in project_rows(fiscal_year=fiscal_year)
    ]


# --- The whole report -------------------------------------------------------------------------------------


KEY_CHART_FIGURES = (
    "events.sessions_held",
    "events.unique_participants",
    "events.first_time_participants",
    "events.completions",
)


@dataclass
class ProgramSection:
    """One program in the 全事業 report: its assessment, targets and key figures."""

    name: str
    description: str
    assessment: object | None
    targets: list
    figures: list


@dataclass
class Edition:
    """Which printing this is: 案 or 第N版, made on which day from the data of which moment."""

    version: int | None
    made_at: dt.datetime
    data_as_of: dt.datetime
    history: list[Report]  # the 確定版 made before this one

    @property
    def label(self) -> str:
        return _("第%(n)s版") % {"n": self.version} if self.version else _("案（確定前）")


@dataclass
class ReportContent:
    program_code: str | None
    program_name: str
    program_description: str
    fiscal_year: int
    figures: list[FigureRow]
    charts: list[Chart]
    journey: Journey | None
    outcome_sections: list[AxisSection]
    outcome_count: int
    events: list[EventRow]
    projects: list[ProjectRow]
    gaps: list[HookGap]
    programs: list = field(default_factory=list)
    assessment: object | None = None
    targets: list[TargetRow] = field(default_factory=list)
    edition: Edition | None = None
    key_chart: str = ""  # three years side by side, SVG
    matrix: list = field(default_factory=list)  # 全事業: MatrixTable per figure
    reconciliations: list = field(default_factory=list)
    program_sections: list = field(default_factory=list)  # 全事業: ProgramSection per program
    partners: list = field(default_factory=list)
    figures_until: dt.date | None = None  # the year is still in progress: its figures run to this day

    @property
    def in_progress_note(self) -> str:
        """Said on the cover, in the header and by the figures of a year that has not ended yet, so
        a part year's figures are not read as a decline from last year's full year."""
        if self.figures_until is None:
            return ""
        return _("%(year)sは年度途中のため、%(day)sまでの数値です。前年度との比較は参考値です。") % {
            "year": self.fiscal_year_label,
            "day": wareki_date(self.figures_until),
        }

    @property
    def in_progress_mark(self) -> str:
        """The same, short, for the header of every page."""
        if self.figures_until is None:
            return ""
        return _("（年度途中・%(day)sまでの数値）") % {"day": wareki_date(self.figures_until)}

    @property
    def key_chart_uri(self) -> str:
        return svg_data_uri(self.key_chart) if self.key_chart else ""

    @property
    def charts_with_data(self) -> list[Chart]:
        return [chart for chart in self.charts if not chart.is_empty]

    @property
    def axis_notes(self) -> dict:
        return self.assessment.axis_notes if self.assessment else {}

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
    *,
    program_code: str | None,
    fiscal_year: int,
    progress: Callable[[int], None] | None = None,
    version: int | None = None,
) -> ReportContent:
    """Everything one outcome report prints. `progress(percent)` is told how far it got."""
    from reports import charts

    data_as_of = timezone.now()
    as_of_day = timezone.localdate(data_as_of)

    def step(percent: int) -> None:
        if progress is not None:
            progress(percent)

    program = Program.objects.get(code=program_code) if program_code else None
    gaps: list[HookGap] = []
    figures = key_figures(program_code=program_code, fiscal_year=fiscal_year, gaps=gaps)
    step(20)
    series = report_series(program_code=program_code, fiscal_year=fiscal_year, gaps=gaps)
    add_earlier_years(series, program_code=program_code, fiscal_year=fiscal_year)
    chart_list = charts_from_series(series)
    for chart in chart_list:
        if chart.is_empty:
            continue
        if chart.years:
            chart.svg = charts.months_chart(
                labels=list(chart.labels),
                years=list(chart.years),
                values=[list(column) for column in zip(*chart.year_values, strict=True)],
            )
        else:
            chart.svg = charts.bar_chart(
                labels=chart.labels, values=chart.values, unit=chart.unit, horizontal=chart.horizontal
            )
    for row in figures:
        row.scope = figure_scope(row.key, program_code=program_code)
    if program is not None:
        # A program report shows only what the program has: a row with no count in any of the
        # three years (matching for a course that brokers none) is left out.
        figures = [row for row in figures if any(row.values)]
    key_rows = [row for row in figures if row.key in KEY_CHART_FIGURES and any(row.values)]
    key_chart = (
        charts.years_chart(
            labels=[row.label for row in key_rows],
            years=[fiscal_year_label(y) for y in (fiscal_year - 2, fiscal_year - 1, fiscal_year)],
            values=[[value or 0 for value in row.values] for row in key_rows],
            units=[row.unit for row in key_rows],
        )
        if key_rows
        else ""
    )
    matrix, notes, program_sections = [], [], []
    programs = list(Program.objects.filter(is_active=True).order_by("order", "id")) if program is None else []
    if program is None:
        per_program = program_figures(programs=programs, fiscal_year=fiscal_year, gaps=gaps)
        matrix = program_matrix(programs=programs, per_program=per_program, center=figures)
        notes = reconciliations(per_program=per_program, center=figures)
        assessments = {
            a.program_id: a for a in Assessment.objects.filter(fiscal_year=fiscal_year, program__in=programs)
        }
        program_sections = [
            ProgramSection(
                name=p.name,
                description=p.description,
                assessment=assessments.get(p.pk),
                targets=target_rows(assessments.get(p.pk), per_program[p.code]),
                figures=[row for row in per_program[p.code] if row.key in MATRIX_FIGURES and any(row.values)],
            )
            for p in programs
        ]
    flow = None
    if program_code in JOURNEY_PROGRAMS:
        flow = journey(fiscal_year=fiscal_year)
        flow.svg = (
            ""
            if flow.is_empty
            else charts.journey_chart(
                labels=[step.label for step in flow.steps],
                years=flow.year_labels,
                values=[step.values for step in flow.steps],
                units=[step.unit for step in flow.steps],
            )
        )
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
        journey=flow,
        outcome_sections=sections,
        outcome_count=len(records),
        events=events_held(program_code=program_code, fiscal_year=fiscal_year),
        projects=(
            projects_of_year(fiscal_year=fiscal_year) if program_code in PROJECT_LISTING_PROGRAMS else []
        ),
        gaps=list({(gap.app_label, gap.hook): gap for gap in gaps}.values()),
        programs=programs,
        key_chart=key_chart,
        matrix=matrix,
        reconciliations=notes,
        program_sections=program_sections,
        partners=partner_rows(fiscal_year=fiscal_year) if program is None else [],
        figures_until=as_of_day if fiscal_year_of(as_of_day) == fiscal_year else None,
        assessment=(assessment := assessment_of(program=program, fiscal_year=fiscal_year)),
        targets=target_rows(assessment, figures),
        edition=Edition(
            version=version,
            made_at=timezone.now(),
            data_as_of=data_as_of,
            history=[
                report
                for report in report_versions(program=program, fiscal_year=fiscal_year)
                if version is None or report.version < version
            ],
        ),
    )


# --- The reports page -------------------------------------------------------------------------------------


@dataclass
class ReportLine:
    """One row of the reports page: a program (or all programs) in a year, with its latest request."""

    program: object | None
    fiscal_year: int
    report: Report | None
    previous_done: Report | None  # the last finished PDF, still downloadable while a new one runs
    # The newest 確定版 when the latest request is not it (a draft made after finalising): the
    # version the committee reads must stay downloadable beside any newer 案.
    final: Report | None = None


def report_lines(*, fiscal_year: int) -> list[ReportLine]:
    """All programs and 全事業 for the year, each with its latest report request (2 queries)."""
    programs = list(Program.objects.filter(is_active=True).order_by("order", "id"))
    reports = list(
        Report.objects.filter(fiscal_year=fiscal_year)
        .select_related("program", "requested_by")
        .order_by("-requested_at", "-id")
    )
    lines = []
    for program in [None, *programs]:
        own = [r for r in reports if r.program_id == (program.pk if program else None)]
        latest = own[0] if own else None
        finished = [r for r in own if r.status == ReportStatus.DONE and r.pdf]
        final = max((r for r in finished if r.is_final), key=lambda r: r.version, default=None)
        done = next((r for r in finished if r is not final), None)
        lines.append(
            ReportLine(
                program=program,
                fiscal_year=fiscal_year,
                report=latest,
                # The finalised version is offered on its own; this is only the last other PDF.
                previous_done=done if done is not latest else None,
                final=final if final is not latest else None,
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


def outcome_records_for_staff(*, data=None):
    """成果の記録 and its conditions (the shared search component): (filterset, records)."""
    from core.filters import valid_or_empty
    from reports.filters import OutcomeFilter

    qs = (
        OutcomeRecord.objects.select_related("program")
        .prefetch_related(Prefetch("groups"), Prefetch("events"), Prefetch("projects"))
        .defer("search_text")
    )
    filterset = OutcomeFilter(data=data, queryset=qs, years=report_years())
    valid_or_empty(filterset)
    axis_order = Case(
        *[When(axis=value, then=Value(index)) for index, value in enumerate(OutcomeAxis.values)]
    )
    return filterset, filterset.qs.order_by("program__order", axis_order, "category", "order", "id")


# --- The assessment staff write (総括, 目標と実績, 課題と次年度の方針) -------------------------------------


@dataclass
class TargetRow:
    key: str
    label: str
    unit: str
    target: int
    actual: int | float | None

    @property
    def difference(self) -> int | float | None:
        return None if self.actual is None else self.actual - self.target

    @property
    def difference_text(self) -> str:
        from reports.templatetags.report_tags import format_figure

        if self.difference is None:
            return "—"
        sign = "+" if self.difference > 0 else ("±" if self.difference == 0 else "−")
        return f"{sign}{format_figure(abs(self.difference))}"

    @property
    def rate_text(self) -> str:
        if self.actual is None or not self.target:
            return "—"
        return f"{self.actual / self.target * 100:.0f}%"


def assessment_of(*, program: Program | None, fiscal_year: int):
    from reports.models import Assessment

    return Assessment.objects.for_scope(program=program, fiscal_year=fiscal_year).first()


def target_rows(assessment, figures: list[FigureRow]) -> list[TargetRow]:
    """Targets against results: each target the assessment sets, with the figure the report prints."""
    if assessment is None:
        return []
    actual = {row.key: row.current for row in figures}
    return [
        TargetRow(
            key=key, label=str(label), unit=str(unit), target=assessment.targets[key], actual=actual.get(key)
        )
        for key, label, unit in labels.target_figures()
        if assessment.targets.get(key) not in (None, "")
    ]


# --- The check before 確定 ---------------------------------------------------------------------------


@dataclass
class Finding:
    kind: str  # duplicate, axis, assessment
    text: str


def report_findings(*, program: Program | None, fiscal_year: int) -> list[Finding]:
    """What must be put right before the report can be 確定: the same episode text twice in the
    year, an evaluation axis with neither an episode nor a note saying why, and an empty
    総括, 課題と次年度の方針 or no target (an empty list: ready)."""
    program_code = program.code if program else None
    findings: list[Finding] = []
    seen: dict[str, OutcomeRecord] = {}
    for record in outcome_records(program_code=program_code, fiscal_year=fiscal_year):
        text = "".join(record.episode.split())
        if text in seen:
            findings.append(
                Finding(
                    "duplicate",
                    _("同じエピソードが2回記録されています: 「%(text)s」（%(axis)s）")
                    % {"text": record.episode[:40], "axis": record.get_axis_display()},
                )
            )
        else:
            seen[text] = record
    assessment = assessment_of(program=program, fiscal_year=fiscal_year)
    notes = assessment.axis_notes if assessment else {}
    recorded_axes = {record.axis for record in seen.values()}
    for axis in OutcomeAxis:
        if axis.value not in recorded_axes and not (notes.get(axis.value) or "").strip():
            findings.append(
                Finding(
                    "axis",
                    _(
                        "「%(axis)s」の成果（エピソード）がありません。記録するか、ない理由を評価に書いてください。"
                    )
                    % {"axis": axis.label},
                )
            )
    if assessment is None or not assessment.summary.strip():
        findings.append(Finding("assessment", _("総括が書かれていません。")))
    if assessment is None or not any(value not in (None, "") for value in assessment.targets.values()):
        findings.append(Finding("assessment", _("目標が1つも入力されていません。")))
    if assessment is None or not assessment.issues.strip():
        findings.append(Finding("assessment", _("課題と次年度の方針が書かれていません。")))
    return findings


def report_versions(*, program: Program | None, fiscal_year: int) -> list[Report]:
    """The 確定版 of a program and year, the first version first."""
    return list(
        Report.objects.for_scope(program=program, fiscal_year=fiscal_year)
        .filter(version__isnull=False)
        .select_related("requested_by")
        .order_by("version")
    )


# --- Scopes, the program × figure table of 全事業, and notes that reconcile the sums ------------------

# Figures that count the whole center even in one program's report (projects and consultations are
# not tied to a program): a program report labels them センター全体, every other one この事業.
CENTER_WIDE_PREFIXES = ("projects.", "consultations.")
SCOPE_PROGRAM = gettext_lazy("この事業")
SCOPE_CENTER = gettext_lazy("センター全体")

# The figures of the 全事業 table, one small table each: programs × three years.
MATRIX_FIGURES = (
    "events.sessions_held",
    "events.unique_participants",
    "events.first_time_participants",
    "events.completions",
    "matching.concluded",
)

# Why a program sum may differ from the center total, by figure.
RECONCILIATION_REASONS = {
    "events.unique_participants": gettext_lazy(
        "同じ人が複数の事業に参加すると、事業ごとには1人ずつ、センター全体では1人と数えるため"
    ),
    "events.first_time_participants": gettext_lazy(
        "事業ごとには「その事業に初めて参加した人」、センター全体では「センターのどの事業にも初めて"
        "参加した人」を数えるため（他の事業の経験者は、事業ごとには初めてでも全体では初めてではありません）"
    ),
    "matching.proposed": gettext_lazy("事業に結び付けていないマッチングは、センター全体にだけ数えるため"),
    "matching.introduced": gettext_lazy("事業に結び付けていないマッチングは、センター全体にだけ数えるため"),
    "matching.concluded": gettext_lazy("事業に結び付けていないマッチングは、センター全体にだけ数えるため"),
    "reports.outcome_records": gettext_lazy(
        "特定の事業に結び付かない成果（全体を通じて）は、センター全体にだけ数えるため"
    ),
}
DEFAULT_RECONCILIATION_REASON = gettext_lazy(
    "事業に結び付かない記録があるため、または同じ人・団体を複数の事業で数えるため"
)


def figure_scope(key: str, *, program_code: str | None) -> str:
    if program_code is None or key.startswith(CENTER_WIDE_PREFIXES):
        return str(SCOPE_CENTER)
    return str(SCOPE_PROGRAM)


@dataclass
class MatrixRow:
    name: str
    values: list[int | float | None]

    @property
    def change(self) -> int | float | None:
        last, current = self.values[-2], self.values[-1]
        return None if last is None or current is None else round(current - last, 2)


@dataclass
class MatrixTable:
    key: str
    label: str
    unit: str
    rows: list[MatrixRow]  # programs
    total: MatrixRow  # the sum of the programs
    center: MatrixRow  # センター全体


@dataclass
class Reconciliation:
    label: str
    program_sum: int | float
    center: int | float
    reason: str


def program_figures(*, programs: list, fiscal_year: int, gaps: list[HookGap]) -> dict[str, list[FigureRow]]:
    """Each program's key figures (three years), by program code."""
    return {
        program.code: key_figures(program_code=program.code, fiscal_year=fiscal_year, gaps=gaps)
        for program in programs
    }


def _sum(values) -> int | float | None:
    present = [v for v in values if v is not None]
    return sum(present) if present else None


def program_matrix(
    *, programs: list, per_program: dict[str, list[FigureRow]], center: list[FigureRow]
) -> list[MatrixTable]:
    """The 全事業 table: for each figure of MATRIX_FIGURES, every program for three years, their
    sum and the center total."""
    center_rows = {row.key: row for row in center}
    tables = []
    for key in MATRIX_FIGURES:
        if key not in center_rows:
            continue
        rows = []
        for program in programs:
            row = next((r for r in per_program.get(program.code, []) if r.key == key), None)
            rows.append(MatrixRow(name=program.name, values=list(row.values) if row else [None] * 3))
        total = MatrixRow(name=_("事業の合計"), values=[_sum(r.values[i] for r in rows) for i in range(3)])
        whole = center_rows[key]
        tables.append(
            MatrixTable(
                key=key,
                label=whole.label,
                unit=whole.unit,
                rows=rows,
                total=total,
                center=MatrixRow(name=_("センター全体"), values=list(whole.values)),
            )
        )
    return tables


def reconciliations(
    *, per_program: dict[str, list[FigureRow]], center: list[FigureRow]
) -> list[Reconciliation]:
    """Every figure (this year) whose program sum differs from the center total, with why."""
    notes = []
    for row in center:
        values = [r.current for rows in per_program.values() for r in rows if r.key == row.key]
        if not values or row.current is None or row.key.startswith(CENTER_WIDE_PREFIXES):
            continue
        total = _sum(values)
        if total is None or total == row.current or row.key == "events.satisfaction":
            continue
        notes.append(
            Reconciliation(
                label=row.label,
                program_sum=total,
                center=row.current,
                reason=str(RECONCILIATION_REASONS.get(row.key, DEFAULT_RECONCILIATION_REASON)),
            )
        )
    return notes


# --- 関係機関との連携 -----------------------------------------------------------------------------------


@dataclass
class PartnerRow:
    name: str
    projects: int
    referrals: int
    matches: int

    @property
    def total(self) -> int:
        return self.projects + self.referrals + self.matches


def partner_rows(*, fiscal_year: int) -> list[PartnerRow]:
    """Each department or public partner (関係課, 社協, 経済課 ...) recorded as the counterpart of the
    year's 協働事業 (担当課), consultation referrals (つなぎ先) and matches, most involved first."""
    from consultations.selectors import referrals_by_department
    from core.models import Department
    from matching.selectors import matches_by_department
    from projects.selectors import projects_by_department

    projects = projects_by_department(fiscal_year=fiscal_year)
    referrals = referrals_by_department(fiscal_year=fiscal_year)
    matches = matches_by_department(fiscal_year=fiscal_year)
    ids = set(projects) | set(referrals) | set(matches)
    rows = [
        PartnerRow(
            name=department.name,
            projects=projects.get(department.pk, 0),
            referrals=referrals.get(department.pk, 0),
            matches=matches.get(department.pk, 0),
        )
        for department in Department.objects.filter(pk__in=ids)
    ]
    return sorted(rows, key=lambda row: (-row.total, row.name))


# --- The figures behind a report, as a table for Excel (CSV and .xlsx) ---------------------------------


def figure_table(content: ReportContent) -> dict:
    """The figures a report prints, with the same labels and scopes: one row per figure, journey
    step and target. Stored with the report when it is made (Report.figures), so a 確定版's
    download gives the figures as printed."""
    years = content.year_labels
    header = [_("表"), _("区分"), _("項目"), _("単位"), _("範囲"), *years, _("前年度からの増減")]
    rows: list[list] = []
    for row in content.figures:
        rows.append([_("主要な数値"), row.section, row.label, row.unit, row.scope, *row.values, row.change])
    if content.journey:
        for step in content.journey.steps:
            last, current = step.values[-2], step.values[-1]
            rows.append(
                [
                    _("担い手育成の流れ"),
                    _("ミライ対話の出席者の年度"),
                    step.label,
                    step.unit,
                    SCOPE_CENTER,
                    *list(step.values),
                    current - last,
                ]
            )
    for table in content.matrix:
        for matrix_row in [*table.rows, table.total, table.center]:
            rows.append(
                [
                    _("事業ごとの数値"),
                    table.label,
                    matrix_row.name,
                    table.unit,
                    "",
                    *list(matrix_row.values),
                    matrix_row.change,
                ]
            )
    scope = str(SCOPE_CENTER if content.is_all_programs else SCOPE_PROGRAM)
    for target in content.targets:
        rows.append(
            [_("目標と実績"), _("目標"), target.label, target.unit, scope, None, None, target.target, None]
        )
        rows.append(
            [
                _("目標と実績"),
                _("実績"),
                target.label,
                target.unit,
                scope,
                None,
                None,
                target.actual,
                target.difference,
            ]
        )
    # Stored as JSON: labels an app gives lazily (gettext_lazy) become plain text here.
    return {
        "title": str(content.title),
        "header": [str(cell) for cell in header],
        "rows": [[str(cell) if isinstance(cell, Promise) else cell for cell in row] for row in rows],
    }
