"""Every list, export and statistics page answers an invalid filter value with a Japanese error
that names the field (400), never with a silent fallback to everything or to another period.

PAGES lists each page with a query parameter and a value it cannot take; a guard test makes
sure every page of the access matrix whose view reads the query string is listed here or
exempted with its reason, so a new list cannot forget it."""

from __future__ import annotations

import inspect

import pytest
from django.test import Client
from django.urls import reverse

from tests.trust.access_matrix import MATRIX

pytestmark = pytest.mark.django_db

ERROR_SUMMARY = 'class="error-summary" role="alert"'
NOT_EXPORTED = "書き出しませんでした"

# (url name, args from the world, query, the field's label in the message, who asks)
PAGES = [
    ("groups:index", None, {"theme": "abc"}, "活動分野", "anonymous"),
    ("events:index", None, {"program": "nope"}, "事業", "anonymous"),
    ("events:index", None, {"view": "month", "month": "2026-13"}, "月", "anonymous"),
    ("projects:index", None, {"fiscal_year": "abc"}, "年度", "anonymous"),
    ("matching:index", None, {"kind": "x"}, "種類", "anonymous"),
    ("info:grant_list", None, {"legal_form": "zzz"}, "法人格", "anonymous"),
    ("spaces:week", "room", {"week": "2026-02-30"}, "週", "anonymous"),
    ("core:outbox_list", None, {"status": "zzz"}, "状態", "staff"),
    ("events:staff_index", None, {"program": "nope"}, "事業", "staff"),
    ("events:staff_index", None, {"fy": "99999"}, "年度", "staff"),
    ("projects:staff_projects", None, {"status": "zzz"}, "状態", "staff"),
    ("projects:support_logs", None, {"fiscal_year": "abc"}, "年度", "staff"),
    ("matching:pipeline", None, {"fiscal_year": "1800"}, "年度", "staff"),
    ("matching:pipeline", None, {"program": "999999"}, "事業", "staff"),
    ("spaces:staff_statements", None, {"month": "2026-13"}, "月", "staff"),
    ("reports:index", None, {"year": "1800"}, "年度", "staff"),
    ("reports:outcome_list", None, {"program": "nope"}, "事業", "staff"),
    ("reports:outcome_list", None, {"year": "abc"}, "年度", "staff"),
    ("consultations:index", None, {"channel": "visitt"}, "相談方法", "staff"),
    ("consultations:follow_ups", None, {"mine": "everyone"}, "担当", "staff"),
    ("consultations:statistics", None, {"fiscal_year": "99999999"}, "年度", "staff"),
    ("consultations:statistics", None, {"fiscal_year": "abc"}, "年度", "staff"),
    ("consultations:access_log", None, {"action": "zzz"}, "操作", "staff"),
    ("consultations:export", None, {"channel": "visitt"}, "相談方法", "staff"),
    ("consultations:statistics_export", None, {"fiscal_year": "1999"}, "年度", "staff"),
]


@pytest.mark.parametrize(
    ("name", "arg", "query", "label", "role"),
    PAGES,
    ids=[f"{name}-{'&'.join(f'{k}={v}' for k, v in query.items())}" for name, _a, query, _l, _r in PAGES],
)
def test_an_invalid_filter_is_an_error_naming_the_field(world, name, arg, query, label, role):
    client = Client()
    if role != "anonymous":
        client.force_login(world.user(role))
    args = [getattr(world, arg).pk] if arg else []
    response = client.get(reverse(name, args=args), query)
    body = response.content.decode("utf-8-sig")
    assert response.status_code == 400, f"{name} {query}: {response.status_code}"
    assert label in body, f"{name} {query}: the field 「{label}」 is not named"
    assert ERROR_SUMMARY in body or NOT_EXPORTED in body


def test_the_statistics_page_keeps_the_valid_years_working(world):
    from core.fiscal import current_fiscal_year

    client = Client()
    client.force_login(world.user("staff"))
    year = current_fiscal_year() - 1
    response = client.get(reverse("consultations:statistics"), {"fiscal_year": year})
    assert response.status_code == 200 and ERROR_SUMMARY not in response.content.decode()
    assert client.get(reverse("consultations:statistics")).status_code == 200


# Pages whose views read the query string for something that is not a filter.
NOT_FILTERS = {
    "consultations:create": "prefills the form from a group or person id (ignored when not a number)",
    "consultations:search": "the form's search for a person or group to pick (a keyword, bounded)",
    "core:mfa_staff_list": "page number only",
    "events:cancel": "`next`: where to go back, checked by the open-redirect guard",
    "events:staff_register": "a person search form that shows its own errors",
    "info:grant_manage": "page number only",
    "events:register": "`next`: where to go back, checked by the open-redirect guard",
    "events:staff_merge": "a person search form that shows its own errors",
    "events:staff_people": "a person search form that shows its own errors (400)",
    "groups:staff_queue": "page number only",
    "groups:staff_changes": "page number only",
    "groups:staff_renewal": "page number only",
    "info:grant_archive": "page number only",
    "info:newsletter_index": "page number only",
    "info:search_create": "the saved search's own form (kind and query), refused with its message",
    "matching:need_create": "prefills the acting party",
    "matching:offer_create": "prefills the acting party",
    "matching:introduce": "prefills the consultation it came from",
    "matching:login_next": "`next` after sign-in",
    "reports:outcome_create": "prefills the year and the program",
    "spaces:book": "the slot chosen on the week view, checked by the booking form",
}


def _views_by_name() -> dict:
    from django.urls import URLPattern, URLResolver, get_resolver

    found = {}

    def walk(patterns, namespace: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, ":".join(p for p in (namespace, entry.namespace) if p))
            elif isinstance(entry, URLPattern) and entry.name:
                found[f"{namespace}:{entry.name}" if namespace else entry.name] = entry.callback

    walk(get_resolver().url_patterns, "")
    return found


def _reads_query_string(view) -> bool:
    try:
        source = inspect.getsource(inspect.unwrap(view))
    except (OSError, TypeError):
        return False
    return "request.GET" in source


def test_every_page_that_reads_the_query_string_is_covered():
    covered = {name for name, *_rest in PAGES}
    views = _views_by_name()
    reading = {
        name
        for name in MATRIX
        if not name.startswith("admin:") and name in views and _reads_query_string(views[name])
    }
    missing = reading - covered - set(NOT_FILTERS)
    assert not missing, f"pages that read the query string without an invalid-filter case: {sorted(missing)}"
