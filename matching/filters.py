"""Filters of the needs and offers list (/matching/?kind=pro_bono&theme=13&area=1&q=チラシ)."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from core.filters import KeywordFilter
from core.models import Area, Theme
from matching.models import ExchangeKind, Need, PartyKind, ProBonoDeliverable


class ItemFilter(django_filters.FilterSet):
    q = KeywordFilter(lookups=["title__icontains", "description__icontains"], normalize=str)
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
