"""Keyword search over a stored search column (see core.text.search_document), with synonyms.

``keyword_search(q)`` turns what was typed into words (core.text.query_words) and each word into
its spellings from the synonym table; ``.filter(queryset, "search_text")`` keeps the rows that
contain every word in one of its spellings, and ``.notes()`` tells the page which spellings it
added, e.g. 「こども」は「子ども」「子供」でも検索しました.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from core.text import SearchWord, expand_synonyms, query_words, search_document


def keyword_q(words: Sequence[Sequence[str]], lookups: Sequence[str]) -> Q:
    """Each word (given as its spellings) in at least one lookup; Q() when there are no words."""
    condition = Q()
    for spellings in words:
        either = Q()
        for spelling in spellings:
            for lookup in lookups:
                either |= Q(**{lookup: spelling})
        condition &= either
    return condition


_CACHE_KEY = "core.search.synonyms.v1"


def synonym_sets() -> list[tuple[str, ...]]:
    """The synonym table, read once and kept in the cache until staff change it."""
    sets = cache.get(_CACHE_KEY)
    if sets is None:
        from core.models import SearchSynonym

        sets = [tuple(row.spellings()) for row in SearchSynonym.objects.all()]
        cache.set(_CACHE_KEY, sets, 60 * 60)
    return sets


def forget_synonyms() -> None:
    cache.delete(_CACHE_KEY)


@dataclass(frozen=True)
class KeywordSearch:
    words: tuple[SearchWord, ...]

    def __bool__(self) -> bool:
        return bool(self.words)

    def q(self, lookups: Sequence[str]) -> Q:
        """Every word, in one of its spellings, in one of the lookups: one AND of ORs."""
        return keyword_q([word.variants for word in self.words], lookups)

    def filter(self, queryset: QuerySet, field: str = "search_text") -> QuerySet:
        return queryset.filter(self.q([f"{field}__contains"])) if self.words else queryset

    def matches(self, document: str) -> bool:
        """The same test in Python, for rows already in memory."""
        return all(any(v in document for v in word.variants) for word in self.words)

    def notes(self) -> list[str]:
        return [
            _("「%(word)s」は%(others)sでも検索しました。")
            % {"word": spelling, "others": "".join(f"「{other}」" for other in others)}
            for word in self.words
            for spelling, others in word.used
        ]


def keyword_search(q: str | None) -> KeywordSearch:
    words = query_words(q)
    return KeywordSearch(words=tuple(expand_synonyms(words, synonym_sets()) if words else ()))


def add_search_text(app_label: str, model_name: str, fields: Sequence[str]) -> list:
    """A migration's operations that add `search_text` to a model becoming KeywordSearchable
    (core.models) and fill it for the rows that exist from `fields` (its SEARCH_FIELDS then).
    Reversible: going back drops the column."""
    from django.db import migrations, models

    def fill(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        batch = []
        for row in model.objects.only(*fields).iterator(chunk_size=1000):
            row.search_text = search_document(*(getattr(row, name) for name in fields))
            batch.append(row)
        model.objects.bulk_update(batch, ["search_text"], batch_size=1000)

    return [
        migrations.AddField(
            model_name=model_name.lower(),
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
