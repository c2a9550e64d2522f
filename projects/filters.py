"""Filters of the project lists (query string: theme, kind, department, fiscal_year, status, q)."""

from __future__ import annotations

import django_filters
from django.db.models import Min
from django.utils.translation import gettext_lazy as _

from core.filters import KeywordFilter
from core.fiscal import current_fiscal_year, fiscal_year_of, fiscal_year_options
from core.models import Department, Theme
from groups.filters import legal_form_match
from projects.models import Project, ProjectKind, ProjectStatus, SupportKind, SupportLog

FIRST_FISCAL_YEAR = 2019


def _recent_and(recorded) -> list[tuple[int, str]]:
    """The fiscal years since FIRST_FISCAL_YEAR up to the next one, and every older year that the
    records have (projects were registered long before the portal: 平成の事業も年度で探せる)."""
    recent = range(current_fiscal_year() + 1, FIRST_FISCAL_YEAR - 1, -1)
    return fiscal_year_options([*recent, *recorded], None)


def fiscal_year_filter_choices() -> list[tuple[int, str]]:
    """The projects' fiscal years, read in one query."""
    return _recent_and(Project.objects.order_by().values_list("fiscal_year", flat=True).distinct())


def support_log_fiscal_year_choices() -> list[tuple[int, str]]:
    """Fiscal years from the oldest support record's (one query) on."""
    oldest = SupportLog.objects.aggregate(oldest=Min("held_on"))["oldest"]
    first = fiscal_year_of(oldest) if oldest else FIRST_FISCAL_YEAR
    return _recent_and(range(first, FIRST_FISCAL_YEAR))


class PublicStatus:
    """The public groups the statuses in three: 採択（準備中）, 実施中, 完了."""

    CHOICES = [("adopted", _("採択・準備中")), ("running", _("実施中")), ("done", _("完了"))]
    STATUSES = {
        "adopted": [ProjectStatus.PREPARING, ProjectStatus.AGREED],
        "running": [ProjectStatus.RUNNING, ProjectStatus.EVALUATING],
        "done": [ProjectStatus.DONE],
    }


class ProjectFilterBase(django_filters.FilterSet):
    # Stored, normalised columns: widths, kana, ヶ/ケ, 法人格 and synonyms (子ども/こども) alike.
    # The lead group's name_key leaves its 法人格 out, so a 法人格 alone asks its legal form.
    q = KeywordFilter(
        lookups=["search_text__contains", "lead_group__name_key__contains"],
        or_matches=legal_form_match("lead_group__legal_form"),
        help_text=_("例: 子育て"),
    )
    theme = django_filters.ModelChoiceFilter(
        label=_("活動分野"), field_name="themes", queryset=Theme.objects.active(), empty_label=_("すべて")
    )
    kind = django_filters.ChoiceFilter(
        label=_("事業の種類"), choices=ProjectKind.choices, empty_label=_("すべて")
    )
    department = django_filters.ModelChoiceFilter(
        label=_("担当課"), queryset=Department.objects.filter(is_active=True), empty_label=_("すべて")
    )
    fiscal_year = django_filters.ChoiceFilter(
        label=_("年度"), choices=fiscal_year_filter_choices, empty_label=_("すべて")
    )


class PublicProjectFilter(ProjectFilterBase):
    status = django_filters.ChoiceFilter(
        label=_("状況"), choices=PublicStatus.CHOICES, method="filter_status", empty_label=_("すべて")
    )

    class Meta:
        fields: list[str] = []

    def filter_status(self, queryset, name, value):
        return queryset.filter(status__in=PublicStatus.STATUSES.get(value, []))


class StaffProjectFilter(ProjectFilterBase):
    status = django_filters.ChoiceFilter(
        label=_("状態"), choices=ProjectStatus.choices, empty_label=_("すべて")
    )

    class Meta:
        fields: list[str] = []


class SupportLogFilter(django_filters.FilterSet):
    """支援記録: the staff list through the shared search component (keyword, 種類, 年度)."""

    # Stored, normalised columns: the record's content and supporters, its project's title and summary.
    q = KeywordFilter(
        lookups=["search_text__contains", "project__search_text__contains"],
        help_text=_("内容・支援した人、協働事業の事業名・概要の一部。例: 収支計画"),
    )
    kind = django_filters.ChoiceFilter(
        label=_("支援の種類"), choices=SupportKind.choices, empty_label=_("すべて")
    )
    fiscal_year = django_filters.ChoiceFilter(
        label=_("年度"),
        choices=support_log_fiscal_year_choices,
        method="filter_fiscal_year",
        empty_label=_("すべて"),
    )

    class Meta:
        model = SupportLog
        fields = ["q", "kind", "fiscal_year"]

    def filter_fiscal_year(self, queryset, name, value):
        from core.fiscal import fiscal_year_range

        return queryset.filter(held_on__range=fiscal_year_range(int(value)))
