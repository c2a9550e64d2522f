"""The public directory's filters. Every filter lives in the query string, so a link shares a search."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from core.models import Area, Theme
from core.text import KANA_ROWS, normalize_for_search
from groups.models import LegalForm
from matching.models import ExchangeKind, Need

KANA_ROW_CHOICES = [(row, _("%(row)s行") % {"row": row}) for row, _letters in KANA_ROWS] + [
    ("その他", _("英数字・その他"))
]


class GroupDirectoryFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("キーワード"),
        method="filter_keyword",
        help_text=_("団体名・ふりがな・活動内容から探します（例: こども食堂）"),
    )
    theme = django_filters.ModelChoiceFilter(
        label=_("活動分野"),
        field_name="themes",
        queryset=Theme.objects.active(),
        empty_label=_("すべて"),
        distinct=False,
    )
    area = django_filters.ModelChoiceFilter(
        label=_("活動地域"),
        field_name="areas",
        queryset=Area.objects.all(),
        empty_label=_("すべて"),
        distinct=False,
    )
    legal_form = django_filters.ChoiceFilter(
        label=_("法人格・団体の種類"), choices=LegalForm.choices, empty_label=_("すべて")
    )
    need = django_filters.ChoiceFilter(
        label=_("募集中のニーズ"),
        choices=ExchangeKind.choices,
        method="filter_need",
        empty_label=_("すべて"),
        help_text=_("人材・場所などを募集している団体"),
    )
    row = django_filters.ChoiceFilter(
        label=_("五十音"), field_name="kana_row", choices=KANA_ROW_CHOICES, empty_label=_("すべて")
    )

    def filter_keyword(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # search_text is normalised the same way (NFKC, katakana → hiragana, lower case), so
        # ＮＰＯ/NPO, ３/3 and こども/コドモ/ｺﾄﾞﾓ all match. Each word must appear.
        for word in normalize_for_search(value).split():
            queryset = queryset.filter(search_text__contains=word)
        return queryset

    def filter_need(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        open_needs = Need.objects.filter(group=OuterRef("pk"), kind=value, is_open=True)
        return queryset.filter(Exists(open_needs))
