"""The keyword filter every list shares: bounded input (core.text.search_terms), one query."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Collection, Sequence

import django_filters
from django import forms
from django.forms.boundfield import BoundField
from django.http import HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext_lazy as _

from core.search import keyword_q, keyword_search
from core.text import normalize_for_search, search_terms


def nfkc(text: str) -> str:
    """Full/half width folded only: for lookups on raw columns (title__icontains)."""
    return unicodedata.normalize("NFKC", text)


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
        # Each word as its only spelling: raw columns have no synonyms.
        return qs.filter(keyword_q([[word] for word in words], self.lookups))


# --- Invalid filters are errors, never "everything" ------------------------------------------------


def valid_or_empty(filterset) -> bool:
    """True when the filters are valid (or none were given). Otherwise the filterset's queryset
    becomes empty, so `filterset.qs` can never fall back to every row (django-filter skips an
    invalid field and applies the rest), and the page shows the errors next to the fields."""
    if filterset.is_bound and not filterset.is_valid():
        filterset.queryset = filterset.queryset.none()
        return False
    return True


def filter_errors_text(filterset) -> str:
    """「相談方法」: 正しく選択してください。… for a response that has no form (CSV)."""
    return form_errors_text(filterset.form)


def form_errors_text(form) -> str:
    """The errors of a (filter) form as lines naming each field's label."""
    parts = []
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        label = str(field.label) if field is not None and field.label else name
        parts.append(_("「%(label)s」: %(errors)s") % {"label": label, "errors": " ".join(errors)})
    return "\n".join(parts)


def invalid_filter_response(filterset) -> HttpResponse:
    """A 400 in Japanese naming each invalid field, for exports (nothing is exported)."""
    return invalid_form_response(filterset.form)


def invalid_form_response(form) -> HttpResponse:
    """invalid_filter_response for an export whose conditions are a plain form."""
    body = _("絞り込みの条件に誤りがあるため、書き出しませんでした。条件を直してもう一度お試しください。")
    return HttpResponseBadRequest(
        f"{body}\n{form_errors_text(form)}\n", content_type="text/plain; charset=utf-8"
    )


def query_choice_errors(data, fields: dict[str, tuple[str, Collection[str]]]) -> dict[str, str]:
    """For pages whose filters are hand-built selects: {parameter: message} for every given
    value that is none of its choices. The page answers 400 with the messages
    (templates/includes/query_errors.html) and shows no rows, never every row."""
    errors = {}
    for name, (label, allowed) in fields.items():
        value = data.get(name, "")
        if value and value not in allowed:
            shown = value if len(value) <= 30 else f"{value[:30]}…"
            errors[name] = _("「%(label)s」: 「%(value)s」は選べません。一覧から選んでください。") % {
                "label": label,
                "value": shown,
            }
    return errors
