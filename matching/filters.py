"""Filters of the needs and offers list (/matching/?kind=pro_bono&theme=13&area=1&q=チラシ)."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from core.filters import KeywordFilter, ModelChoiceFilter
from core.fiscal import current_fiscal_year, fiscal_year_choices, fiscal_year_options
from core.models import Area, Theme
from events.models import Program
from matching.models import ExchangeKind, Match, Need, PartyKind, ProBonoDeliverable


class ItemFilter(django_filters.FilterSet):
    q = KeywordFilter(lookups=["search_text__contains"])
    kind = django_filters.ChoiceFilter(label=_("種類"), choices=ExchangeKind.choices, empty_label=_("すべて"))
    deliverable = django_filters.ChoiceFilter(
        label=_("プロボノの成果物"), choices=ProBonoDeliverable.choices, empty_label=_("すべて")
    )
    theme = django_filters.ModelChoiceFilter(
        label=_("活動分野"), field_name="themes", queryset=Theme.objects.active(), empty_label=_("すべて")
    )
    area = django_filters.ModelChoiceFilter(
        label=_("地域"), field_name="areas", queryset=Area.objects.all(), empty_label=_("すべて")
    )
    party = django_filters.ChoiceFilter(
        label=_("登録者の種類"), choices=PartyKind.choices, empty_label=_("すべて"), method="filter_party"
    )

    def filter_party(self, queryset, name, value):
        return queryset.filter(**{f"{value}__isnull": False})


def groups_with_open_need(queryset: QuerySet, name: str, value: str) -> QuerySet:
    """The groups of `queryset` that have an open need of kind `value` (the group directory's filter)."""
    open_needs = Need.objects.filter(group=OuterRef("pk"), kind=value, is_open=True)
    return queryset.filter(Exists(open_needs))


def group_directory_need_filter() -> django_filters.ChoiceFilter:
    return django_filters.ChoiceFilter(
        label=_("募集中のニーズ"),
        choices=ExchangeKind.choices,
        method=groups_with_open_need,
        empty_label=_("すべて"),
        help_text=_("人材・場所などを募集している団体"),
    )


# The stored, normalised column of each kind of party that the pipeline's keyword searches.
PARTY_KEYS = (("group", "name_key"), ("business", "search_text"), ("department", "search_text"))


class PipelineFilter(django_filters.FilterSet):
    """マッチングのパイプライン through the shared search component: the keyword (a party, the need
    or the offer) first; 年度 (this fiscal year unless chosen) and 事業 under 詳しい条件."""

    # Stored, normalised columns (widths, kana, ヶ/ケ, 法人格, synonyms) only.
    q = KeywordFilter(
        lookups=[f"{party}_{side}__{column}__contains" for side in ("a", "b") for party, column in PARTY_KEYS]
        + ["need__search_text__contains", "offer__search_text__contains"],
        help_text=_("団体・企業・担当課の名前、企業の事業内容、ニーズや提供の題名・内容の一部。例: みどり"),
    )
    fiscal_year = django_filters.ChoiceFilter(
        label=_("年度"),
        method="filter_fiscal_year",
        empty_label=_("すべて"),
        help_text=_("成立・不成立は、その年度に決まったものだけを表示します。"),
    )
    program = ModelChoiceFilter(
        label=_("事業"), queryset=Program.objects.order_by("order", "id"), empty_label=_("すべて")
    )

    class Meta:
        model = Match
        fields = ["q", "fiscal_year", "program"]

    def __init__(self, data=None, *args, **kwargs):
        data = data.copy() if data is not None else {}
        if "fiscal_year" not in data:  # absent: this year; chosen empty: すべて
            data["fiscal_year"] = str(current_fiscal_year())
        super().__init__(data, *args, **kwargs)
        recent = (year for year, _label in fiscal_year_choices())
        self.filters["fiscal_year"].extra["choices"] = fiscal_year_options(recent, data.get("fiscal_year"))

    def filter_fiscal_year(self, queryset, name, value):
        from matching.selectors import in_pipeline_year

        return in_pipeline_year(queryset, int(value))
