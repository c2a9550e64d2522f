"""Malformed input never makes a 5xx: every URL pattern, its query parameters and path arguments,
as anonymous and as staff; and the admin changelists' filters.

Each URL of the access matrix is asked for with every query parameter its page mentions (form
fields and links) plus the ones views commonly read, all set to one malformed value at a time;
then with each path argument replaced; POST endpoints get malformed form values as a role allowed
to use them. Run time is kept modest: one request per (URL, role, value), not per parameter.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse

from tests.trust.access_matrix import MATRIX

pytestmark = pytest.mark.django_db

BAD_VALUES = [
    "\x00",
    "x" * 5000,
    "-5",
    "0",
    "99999999999999999999",
    "abc",
    "2025-13-45",
    "9999-12",
    "1-1",
    "99999999",
    "[(",
]
# Parameters views read that a page may not show in a form or a link.
COMMON_PARAMS = [
    "q", "page", "fy", "fiscal_year", "month", "view", "program", "status", "next", "type", "year",
    "group", "person", "party", "party_q", "target_q", "date_from", "date_to", "kind", "theme", "area",
    "row", "when", "channel", "staff", "topic", "o", "call", "department", "action", "user", "e",
]  # fmt: skip
ROLES_TRIED = ("anonymous", "staff")
NAME_ATTR = re.compile(r'\bname="([A-Za-z_][\w-]*)"')
HREF = re.compile(r'href="([^"#]*\?[^"#]*)"')


def params_of_page(html: str, path: str) -> set[str]:
    names = set(NAME_ATTR.findall(html)) - {"csrfmiddlewaretoken"}
    for href in HREF.findall(html):
        parts = urlsplit(href.replace("&amp;", "&"))
        if not parts.path or parts.path == path:
            names.update(key for key, _value in parse_qsl(parts.query, keep_blank_values=True))
    return names


def request(client: Client, method: str, url: str, data=None):
    try:
        if method == "POST":
            return client.post(url, data or {}).status_code, ""
        return client.get(url).status_code, ""
    except Exception as exc:  # the test client re-raises a view's exception: that is a 500
        return 500, f"{type(exc).__name__}: {exc}"[:200]


def bad_path_args(args: list) -> list[list]:
    variants = []
    for index, value in enumerate(args):
        replacements = (
            ["0", "99999999999999999999"] if isinstance(value, int) else ["%00", "x" * 300, "..", "-1"]
        )
        for replacement in replacements:
            variant = list(args)
            variant[index] = replacement
            variants.append(variant)
    return variants


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_malformed_input_never_makes_a_server_error(name, world):
    failures = []
    for case in MATRIX[name]:
        args = case.args(world)
        url = reverse(name, args=args)
        path = urlsplit(url).path
        for role in ROLES_TRIED:
            client = Client(raise_request_exception=True)
            user = world.user(role)
            if user is not None:
                client.force_login(user)
            if case.post:
                if role not in case.allowed and "staff" not in case.allowed:
                    continue
                data = case.data(world)
                for value in BAD_VALUES:
                    bad = {key: value for key in data} if data else {"x": value}
                    status, error = request(client, "POST", url, bad)
                    if status >= 500:
                        failures.append(f"POST {url} {role} {sorted(bad)}={value[:20]!r}: {status} {error}")
                continue
            status, error = request(client, "GET", url + case.query)
            if status >= 500:
                failures.append(f"GET {url}{case.query} {role}: {status} {error}")
                continue
            page = client.get(url) if status == 200 else None
            html = page.content.decode(errors="replace") if page is not None and not page.streaming else ""
            params = params_of_page(html, path) | set(COMMON_PARAMS)
            for value in BAD_VALUES:
                query = urlencode({param: value for param in sorted(params)})
                status, error = request(client, "GET", f"{url}?{query}")
                if status >= 500:
                    failures.append(f"GET {url} {role} all params={value[:20]!r}: {status} {error}")
            for variant in bad_path_args(args):
                try:
                    bad_url = reverse(name, args=variant)
                except NoReverseMatch:
                    continue
                status, error = request(client, "GET", bad_url)
                if status >= 500:
                    failures.append(f"GET {bad_url[:80]} {role}: {status} {error}")
    assert not failures, "\n".join(failures)


def test_admin_changelist_filters_never_make_a_server_error(world, make_user):
    """Every changelist of the admin with malformed filter lookups, as a superuser."""
    from django.contrib import admin

    superuser = make_user(email="fuzz-admin@example.jp", is_staff=True, is_superuser=True)
    client = Client(raise_request_exception=True)
    client.force_login(superuser)
    failures = []
    for model, model_admin in admin.site._registry.items():
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        filters = []
        for entry in model_admin.list_filter:
            if isinstance(entry, str):
                filters.append(entry)
            elif isinstance(entry, tuple | list) and isinstance(entry[0], str):
                filters.append(entry[0])
        queries = [
            {"name__regex": "("},
            {"o": "999"},
            {"p": "-1"},
            {"q": "x" * 5000},
            {"id__gte": "abc"},
        ]
        for field in filters:
            queries += [
                {f"{field}__exact": "\x00"},
                {f"{field}__exact": "abc"},
                {f"{field}__id__exact": "99999999999999999999"},
                {f"{field}__gte": "2025-13-45"},
                {field: "\x00"},
            ]
        for query in queries:
            status, error = request(client, "GET", f"{url}?{urlencode(query)}")
            if status >= 500:
                failures.append(f"{url} {query}: {status} {error}"[:300])
    assert not failures, "\n".join(failures)
