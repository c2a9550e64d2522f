"""The public directory's filters. Every filter lives in the query string, so a link shares a search."""

from __future__ import annotations

from collections.abc import Callable
from functools import reduce
from operator import and_

import django_filters
from django.core.cache import cache
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.app_hooks import collect
from core.filters import KeywordFilter
from core.models import Area, Theme
from core.search import KeywordSearch
from core.text import KANA_ROWS
from groups.models import LEGAL_FORM_OF_SEARCH_WORD, LegalForm

# Themes and districts change a few times a year: their choices are kept in the cache (cleared
# when staff edit them, see groups.apps), which saves the directory four queries per request.
CHOICES_CACHE_KEYS = ("groups:directory:themes", "groups:directory:areas")
CHOICES_CACHE_SECONDS = 10 * 60


def _cached(key: str, build) -> list[tuple[str, str]]:
    choices = cache.get(key)
    if choices is None:
        choices = build()
        cache.set(key, choices, CHOICES_CACHE_SECONDS)
    return choices


def theme_choices() -> list[tuple[str, str]]:
    return _cached(CHOICES_CACHE_KEYS[0], lambda: [(str(t.pk), str(t)) for t in Theme.objects.active()])


def area_choices() -> list[tuple[str, str]]:
    return _cached(CHOICES_CACHE_KEYS[1], lambda: [(str(a.pk), a.name) for a in Area.objects.all()])


def clear_choices_cache(**kwargs) -> None:
    cache.delete_many(CHOICES_CACHE_KEYS)


KANA_ROW_CHOICES = [(row, _("%(row)s行") % {"row": row}) for row, _letters in KANA_ROWS] + [
    ("その他", _("英数字・その他"))  # data, not UI text
]


def legal_form_match(field: str) -> Callable[[KeywordSearch], Q | None]:
    """For ``KeywordFilter(or_matches=…)``: a search of 法人格 only (「NPO法人」, 「特定非営利活動法人」)
    also finds the groups recorded with that legal form, whose names need not write it. ``field``
    leads to Group.legal_form. Any other word leaves the search to the columns."""

    def match(search: KeywordSearch) -> Q | None:
        forms = [LEGAL_FORM_OF_SEARCH_WORD.get(word.word) for word in search.words]
        if not forms or None in forms:
            return None
        return reduce(and_, (Q(**{field: form}) for form in forms))

    return match


class GroupDirectoryFilter(django_filters.FilterSet):
    q = KeywordFilter(
        lookups=["search_text__contains"],
        or_matches=legal_form_match("legal_form"),
        help_text=_("団体名・ふりがな・活動内容から探します（例: こども食堂）"),
    )
    theme = django_filters.ChoiceFilter(
        label=_("活動分野"),
        field_name="themes",
        choices=theme_choices,
        empty_label=_("すべて"),
        distinct=False,
    )
    area = django_filters.ChoiceFilter(
        label=_("地域"), field_name="areas", choices=area_choices, empty_label=_("すべて"), distinct=False
    )
    legal_form = django_filters.ChoiceFilter(
        label=_("法人格・団体の種類"), choices=LegalForm.choices, empty_label=_("すべて")
    )
    row = django_filters.ChoiceFilter(
        label=_("五十音"), field_name="kana_row", choices=KANA_ROW_CHOICES, empty_label=_("すべて")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Filters of other apps (matching: groups with an open need of a kind) come through the
        # group_directory_filters hook, so the directory imports no app. They go before the
        # 五十音 row, in the order of the apps.
        row = self.filters.pop("row")
        for _app, contribute in collect("group_directory_filters"):
            for name, filter_ in contribute().items():
                filter_.model = self.queryset.model
                filter_.parent = self
                self.filters[name] = filter_
        self.filters["row"] = row
