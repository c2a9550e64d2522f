"""Filters of the public calendar: all of them live in the query string, so a filtered calendar
can be bookmarked and shared."""

from __future__ import annotations

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.filters import KeywordFilter
from core.models import Area, Person, Theme
from events.forms import PeopleSearchForm
from events.models import Event, Program
from events.selectors import not_ended


class EventFilter(django_filters.FilterSet):
    WHEN_CHOICES = [("upcoming", _("これから")), ("past", _("終了した催し")), ("all", _("すべて"))]

    q = KeywordFilter(lookups=["search_text__contains"], help_text=_("例: 子育て"))
    program = django_filters.ModelChoiceFilter(
        label=_("事業"),
        queryset=Program.objects.filter(is_active=True),
        to_field_name="code",
        empty_label=_("すべて"),
    )
    theme = django_filters.ModelChoiceFilter(
        label=_("活動分野"), queryset=Theme.objects.active(), field_name="themes", empty_label=_("すべて")
    )
    area = django_filters.ModelChoiceFilter(
        label=_("地域"), queryset=Area.objects.all(), empty_label=_("すべて")
    )
    when = django_filters.ChoiceFilter(
        label=_("時期"), choices=WHEN_CHOICES, method="filter_when", empty_label=None
    )

    class Meta:
        model = Event
        fields = ["q", "program", "theme", "area", "when"]

    def __init__(self, data=None, *args, month_view: bool = False, **kwargs):
        data = data.copy() if data is not None else {}
        if not data.get("when"):
            data["when"] = "upcoming"
        super().__init__(data, *args, **kwargs)
        if month_view:
            # The month chosen decides the dates; "when" does not apply.
            del self.filters["when"]

    def filter_when(self, queryset, name, value):
        now = timezone.now()
        if value == "upcoming":
            return queryset.filter(not_ended(now))
        if value == "past":
            return queryset.filter(last_ends_at__lt=now)
        return queryset


def _staff_fiscal_years():
    from core.fiscal import fiscal_year_choices

    return fiscal_year_choices(back=6)


class StaffEventFilter(django_filters.FilterSet):
    """催しの運営: the staff list, through the shared search component (keyword, 事業, 年度)."""

    q = KeywordFilter(lookups=["search_text__contains"], help_text=_("例: ミライ対話"))
    program = django_filters.ModelChoiceFilter(
        label=_("事業"), queryset=Program.objects.all(), to_field_name="code", empty_label=_("すべて")
    )
    fy = django_filters.ChoiceFilter(
        label=_("年度"), choices=_staff_fiscal_years, method="filter_fiscal_year", empty_label=_("すべて")
    )

    class Meta:
        model = Event
        fields = ["q", "program", "fy"]

    def filter_fiscal_year(self, queryset, name, value):
        from events.selectors import fiscal_year_bounds

        start, end = fiscal_year_bounds(int(value))
        return queryset.filter(first_starts_at__gte=start, first_starts_at__lt=end)


class PeopleFilter(django_filters.FilterSet):
    """参加者・相談者をさがす through the shared search component: one keyword (氏名・ふりがな・
    電話番号・メールアドレス); events.selectors.people_list finds the people."""

    q = django_filters.CharFilter(
        label=_("氏名・ふりがな・電話番号・メールアドレス"),
        max_length=100,
        help_text=_("一部だけでも探せます。例: さとう、090-1234"),
        method="filter_keyword",
    )

    class Meta:
        model = Person
        fields = ["q"]
        form = PeopleSearchForm

    def filter_keyword(self, queryset, name, value):
        return queryset  # the search itself is events.selectors.people_list (one query)
