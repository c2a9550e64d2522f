"""The keyword filter every list shares: bounded input (core.text.search_terms), one query."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

import django_filters
from django import forms
from django.db.models import Q
from django.forms.boundfield import BoundField
from django.http import HttpResponse, HttpResponseBadRequest, QueryDict
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from core.forms import NamedRequiredBoundField
from core.search import KeywordSearch, keyword_search
from core.text import SEARCH_MAX_INPUT, search_terms


class KeywordBoundField(NamedRequiredBoundField):
    @property
    def notice(self) -> str:
        """Said next to the field when the keyword was cut (see templates/django/forms/field.html)."""
        return search_terms(self.value()).notice if self.value() else ""


class KeywordField(forms.CharField):
    def get_bound_field(self, form, field_name):
        return KeywordBoundField(form, self, field_name)

    def widget_attrs(self, widget):
        # The box takes what a search reads; a longer keyword from a link is refused (middleware).
        return {**super().widget_attrs(widget), "maxlength": str(SEARCH_MAX_INPUT)}

    def validate(self, value):
        super().validate(value)
        # 「_」 or 「・」 alone normalises to nothing: the list would show every row under the
        # heading of a search for it.
        if value and value.strip() and not search_terms(value).words:
            raise forms.ValidationError(
                _("記号だけでは検索できません。文字か数字を入れてください。"), code="no_words"
            )


class KeywordFilter(django_filters.CharFilter):
    """`q = KeywordFilter(lookups=["search_text__contains"])`: each word, in one of its spellings
    (synonyms too), must match one lookup. The lookups are stored columns normalised like the
    query (core.text.search_document, name_key): a raw column would miss 西ケ丘 for 西ヶ丘.

    ``or_matches`` gives a further condition a row may meet instead, for a search the columns
    cannot answer (a 法人格 alone: groups.filters.legal_form_match); None when it has none."""

    field_class = KeywordField

    def __init__(
        self,
        *,
        lookups: Sequence[str],
        or_matches: Callable[[KeywordSearch], Q | None] | None = None,
        **kwargs,
    ):
        kwargs.setdefault("label", _("キーワード"))
        super().__init__(**kwargs)
        self.lookups = tuple(lookups)
        self.or_matches = or_matches

    def filter(self, qs, value):
        search = keyword_search(value)
        if not search:
            return qs
        condition = search.q(self.lookups)
        other = self.or_matches(search) if self.or_matches else None
        return qs.filter(condition | other if other is not None else condition)


# --- Invalid filters are errors, never "everything" ------------------------------------------------


def _shown(value: str) -> str:
    """A value from the query string as an error message quotes it (a long one cut)."""
    return value if len(value) <= 30 else f"{value[:30]}…"


CHECKBOX_ON = frozenset({"on", "1", "true"})  # data, not UI text
CHECKBOX_OFF = frozenset({"", "0", "false", "off"})  # data, not UI text


class _CheckboxInput(forms.CheckboxInput):
    """A checkbox whose value from the query string reaches the field as written (Django's own
    reads any value but false as ticked: ?soon=maybe would be 「締切が近い」)."""

    def __init__(self, attrs=None):
        super().__init__(attrs, check_test=lambda value: value is True or str(value).lower() in CHECKBOX_ON)

    def value_from_datadict(self, data, files, name):
        return data.get(name)


class CheckboxField(forms.BooleanField):
    widget = _CheckboxInput
    default_error_messages = {
        "invalid": _("「%(value)s」は選べません。チェックを入れるか外して探してください。"),
    }

    def __init__(self, **kwargs):
        kwargs["required"] = False
        super().__init__(**kwargs)

    def to_python(self, value) -> bool:
        if value is None or isinstance(value, bool):
            return bool(value)
        text = str(value).strip().lower()
        if text in CHECKBOX_ON:
            return True
        if text in CHECKBOX_OFF:
            return False
        raise forms.ValidationError(
            self.error_messages["invalid"], code="invalid", params={"value": _shown(str(value))}
        )


class CheckboxFilter(django_filters.BooleanFilter):
    """A yes/no condition shown as one checkbox (?soon=on): on, 1 or true tick it; absent, empty,
    0, false or off leave it out; any other value is an error next to the field."""

    field_class = CheckboxField


class _ChoicesInOnePlainQuery(django_filters.fields.ModelChoiceIterator):
    """The choices read by a plain query: Django reads them with QuerySet.iterator(), which on
    PostgreSQL opens a server-side cursor (DECLARE, FETCH, CLOSE: three round trips) for a few
    dozen rows, on every page that renders the filter form."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if self.field.null_label is not None:
            yield (self.field.null_value, self.field.null_label)
        for obj in self.queryset.all():
            yield self.choice(obj)


class _ModelChoiceField(django_filters.fields.ModelChoiceField):
    iterator = _ChoicesInOnePlainQuery


class ModelChoiceFilter(django_filters.ModelChoiceFilter):
    """django_filters.ModelChoiceFilter whose form field reads its choices in one plain query."""

    field_class = _ModelChoiceField


class IdField(forms.IntegerField):
    """The id of a record in a query string (?group=12): digits only, 1 or more. forms.IntegerField
    reads 1.0 as 1, and django_filters.NumberFilter (a Decimal) reads 1.5 as id 1: a link or a
    hand-edited address asking for another record is an error, never someone else's rows.
    Full-width digits (１２) are read as typed by a person."""

    default_error_messages = {
        "invalid": _("1以上の整数（数字だけ）で指定してください。"),
        "min_value": _("1以上の整数（数字だけ）で指定してください。"),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = unicodedata.normalize("NFKC", str(value)).strip()
        if not text.isascii() or not text.isdigit():
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return int(text)


class IdFilter(django_filters.NumberFilter):
    """A filter by a record's id (see IdField): `group = IdFilter(field_name="group_id")`."""

    field_class = IdField


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
            errors[name] = _("「%(label)s」: 「%(value)s」は選べません。一覧から選んでください。") % {
                "label": label,
                "value": _shown(value),
            }
    return errors


# --- The search-and-filter component (templates/includes/search_form.html, search_result.html) ----


@dataclass(frozen=True)
class Chip:
    """One chosen condition, with the address of the same list without it."""

    label: str
    value: str
    remove_url: str


@dataclass
class SearchSummary:
    keyword: str
    keyword_field: BoundField | None
    detail_fields: list[BoundField]
    hidden_fields: list[BoundField]
    kept: list[tuple[str, str]]
    chips: list[Chip]
    clear_url: str
    has_errors: bool
    chosen_names: frozenset[str]

    @property
    def is_filtered(self) -> bool:
        return bool(self.chips)

    @property
    def detail_chosen(self) -> bool:
        """Open 「詳しい条件」 when one of them is chosen or wrong."""
        return self.has_errors or any(field.name in self.chosen_names for field in self.detail_fields)


def _without(query: QueryDict, name: str, value: str | None = None) -> str:
    rest = query.copy()
    rest.pop("page", None)
    if value is None:
        rest.pop(name, None)
    else:
        rest.setlist(name, [v for v in rest.getlist(name) if v != value])
    encoded = rest.urlencode()
    return f"?{encoded}" if encoded else "?"


def _value_label(field: forms.Field, raw: str, cleaned) -> str:
    if isinstance(field, forms.BooleanField | forms.NullBooleanField):
        return ""
    if isinstance(field, forms.ModelChoiceField):
        return str(cleaned) if cleaned is not None and not isinstance(cleaned, list | tuple) else raw
    choices = getattr(field, "choices", None)
    if choices is not None:
        for value, label in choices:
            if isinstance(label, list | tuple):  # an optgroup
                for sub_value, sub_label in label:
                    if str(sub_value) == raw:
                        return str(sub_label)
            elif str(value) == raw:
                return str(label)
    if isinstance(cleaned, dt.date):
        return formats.date_format(cleaned, "DATE_FORMAT")
    return raw


def search_summary(
    filterset, query: QueryDict, *, keyword: str = "q", keep: Sequence[str] = (), outside: Sequence[str] = ()
) -> SearchSummary:
    """What the component shows: the keyword field first, the other conditions (「詳しい条件」),
    the chosen conditions as chips that each remove one, and the address that removes them all.

    `keep` names parameters that are a view, not a condition (view=month): they stay in every
    link and in the form. `outside` names conditions the page shows elsewhere (the 五十音 row):
    they get a chip but no field in the form."""
    form = filterset.form
    form.requirement_marks = False  # conditions to search by are never 必須/任意 (core/forms.py)
    valid = form.is_valid() if filterset.is_bound else True
    cleaned = form.cleaned_data if valid and filterset.is_bound else {}
    chips: list[Chip] = []
    chosen: list[str] = []
    for name, field in form.fields.items():
        if isinstance(field.widget, forms.HiddenInput):
            continue
        if isinstance(field, forms.BooleanField) and cleaned.get(name) is False:
            continue  # ?soon=0: a box left unticked is no condition
        for raw in [v for v in query.getlist(name) if v.strip()]:
            value = cleaned.get(name)
            label = _value_label(field, raw, value)
            chips.append(
                Chip(label=str(field.label or name), value=label, remove_url=_without(query, name, raw))
            )
            chosen.append(name)
    kept = [(name, value) for name in keep for value in query.getlist(name) if value]
    clear = urlencode(kept)
    fields = [form[name] for name in form.fields if name not in outside]
    summary = SearchSummary(
        keyword=(query.get(keyword) or "").strip(),
        keyword_field=form[keyword] if keyword in form.fields else None,
        detail_fields=[f for f in fields if f.name != keyword and not f.is_hidden],
        hidden_fields=[f for f in fields if f.is_hidden],
        kept=kept,
        chips=chips,
        clear_url=f"?{clear}" if clear else "?",
        has_errors=not valid,
        chosen_names=frozenset(chosen),
    )
    return summary
