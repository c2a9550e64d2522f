"""The keyword filter every list shares: bounded input (core.text.search_terms), one query."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from functools import reduce
from operator import and_, or_

import django_filters
from django import forms
from django.db.models import Q
from django.forms.boundfield import BoundField
from django.utils.translation import gettext_lazy as _

from core.search import keyword_search
from core.text import normalize_for_search, search_terms


def nfkc(text: str) -> str:
    """Full/half width folded only: for lookups on raw columns (title__icontains)."""
    return unicodedata.normalize("NFKC", text)


def keyword_q(words: Sequence[str], lookups: Sequence[str]) -> Q:
    """Every word in at least one of the lookups ("title__icontains", "search_text__contains")."""
    return reduce(and_, (reduce(or_, (Q(**{lookup: word}) for lookup in lookups)) for word in words))


class KeywordBoundField(BoundField):
    @property
    def notice(self) -> str:
        """Said next to the field when the keyword was cut (see templates/django/forms/field.html)."""
        field = self.field
        return search_terms(self.value(), normalize=field.normalize).notice if self.value() else ""


class KeywordField(forms.CharField):
    def __init__(self, *args, normalize: Callable[[str], str] = normalize_for_search, **kwargs):
        self.normalize = normalize
        super().__init__(*args, **kwargs)

    def get_bound_field(self, form, field_name):
        return KeywordBoundField(form, self, field_name)


class KeywordFilter(django_filters.CharFilter):
    """`q = KeywordFilter(lookups=["search_text__contains"])`: each word must match one lookup."""

    field_class = KeywordField

    def __init__(
        self,
        *,
        lookups: Sequence[str],
        normalize: Callable[[str], str] = normalize_for_search,
        **kwargs,
    ):
        kwargs.setdefault("label", _("キーワード"))
        kwargs["normalize"] = normalize
        super().__init__(**kwargs)
        self.lookups = tuple(lookups)
        self.normalize = normalize

    def filter(self, qs, value):
        if self.normalize is normalize_for_search:
            # Stored search columns (core.text.search_document): 法人格 and synonyms too.
            search = keyword_search(value)
            return qs.filter(search.q(self.lookups)) if search else qs
        words = search_terms(value, normalize=self.normalize).words
        if not words:
            return qs
        return qs.filter(keyword_q(words, self.lookups))
