"""Filters of the public grants list (/info/grants/?q=子ども食堂&theme=13&amount=300000&soon=1)."""

from __future__ import annotations

import datetime as dt

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.filters import CheckboxFilter, KeywordFilter
from core.models import Theme
from groups.models import LegalForm
from info.models import Grant

# 「締切が近い」: the deadline falls within this many days.
CLOSING_SOON_DAYS = 30
AMOUNT_CHOICES = [
    ("100000", _("10万円以上")),
    ("500000", _("50万円以上")),
    ("1000000", _("100万円以上")),
]


class GrantFilter(django_filters.FilterSet):
    q = KeywordFilter(
        lookups=["search_text__contains"],
        help_text=_("制度の名前・実施団体・内容の一部。例: 子ども食堂"),
    )
    theme = django_filters.ModelChoiceFilter(
        label=_("活動分野"),
        queryset=Theme.objects.active(),
        method="filter_theme",
        empty_label=_("すべて"),
        help_text=_("分野を問わない制度も表示します。"),
    )
    legal_form = django_filters.ChoiceFilter(
        label=_("法人格・団体の種類"),
        choices=LegalForm.choices,
        method="filter_legal_form",
        empty_label=_("すべて"),
        help_text=_("この種類の団体が応募できる制度"),
    )
    amount = django_filters.ChoiceFilter(
        label=_("金額"), choices=AMOUNT_CHOICES, method="filter_amount", empty_label=_("すべて")
    )
    soon = CheckboxFilter(
        label=_("締切が近い（%(days)s日以内）") % {"days": CLOSING_SOON_DAYS}, method="filter_soon"
    )

    def __init__(self, *args, today: dt.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()

    def filter_theme(self, queryset, name, value):
        # A grant for no particular field fits every theme.
        through = Grant.themes.through.objects.filter(grant=OuterRef("pk"))
        return queryset.filter(Q(Exists(through.filter(theme=value))) | ~Exists(through))

    def filter_legal_form(self, queryset, name, value):
        return queryset.filter(Q(legal_forms="") | Q(legal_forms__contains=f",{value},"))

    def filter_amount(self, queryset, name, value):
        # A grant without an upper limit may give this much too.
        return queryset.filter(Q(amount_max__isnull=True) | Q(amount_max__gte=int(value)))

    def filter_soon(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(
            closes_on__gte=self.today, closes_on__lte=self.today + dt.timedelta(days=CLOSING_SOON_DAYS)
        )
