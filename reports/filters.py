"""The outcome list's conditions (成果の記録), drawn by the shared search component."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from core.filters import KeywordFilter
from core.fiscal import current_fiscal_year, fiscal_year_options
from events.models import Program
from reports.models import OutcomeAxis, OutcomeRecord


class OutcomeFilter(django_filters.FilterSet):
    """Keyword first; 年度 (this fiscal year unless chosen), 事業 and 評価の軸 under 詳しい条件."""

    q = KeywordFilter(  # the stored, normalised search_text of the heading and the episode
        lookups=["search_text__contains"], help_text=_("見出し（○）やエピソードの一部。例: 居場所")
    )
    year = django_filters.ChoiceFilter(label=_("年度"), method="filter_year", empty_label=None)
    program = django_filters.ModelChoiceFilter(
        label=_("事業"),
        queryset=Program.objects.order_by("order", "id"),
        to_field_name="code",
        empty_label=_("すべて"),
    )
    axis = django_filters.ChoiceFilter(
        label=_("評価の軸"), choices=OutcomeAxis.choices, empty_label=_("すべて")
    )

    class Meta:
        model = OutcomeRecord
        fields = ["q", "year", "program", "axis"]

    def __init__(self, data=None, *args, years=(), **kwargs):
        data = data.copy() if data is not None else {}
        if not data.get("year"):
            data["year"] = str(current_fiscal_year())
        super().__init__(data, *args, **kwargs)
        self.filters["year"].extra["choices"] = fiscal_year_options(years, data.get("year"))

    def filter_year(self, queryset, name, value):
        return queryset.filter(fiscal_year=int(value))

    @property
    def chosen_year(self) -> int:
        """The fiscal year shown (0 when the conditions are invalid)."""
        return int(self.form.cleaned_data.get("year") or current_fiscal_year()) if self.is_valid() else 0
