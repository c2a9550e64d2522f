"""Who may keep a copy of an answer (core.middleware.PrivacyHeadersMiddleware).

Every answer with personal data (rows marked PERSONAL in the access matrix) says
`Cache-Control: no-store`, for each role allowed to see it, anonymous holders of a mailed link
included; every public page answered to an anonymous visitor stays cacheable (no no-store, no
private), so browsers and the site's page cache may keep it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.trust.access_matrix import MATRIX, PERSONAL

pytestmark = pytest.mark.django_db


def test_personal_rows_exist_in_the_matrix():
    assert PERSONAL <= set(MATRIX)


def _first_signed_in(world, allowed):
    for role in sorted(allowed):
        if role != "anonymous" and world.user(role) is not None:
            return role
    return None


PERSONAL_CASES = [
    (name, index, who)
    for name in sorted(PERSONAL)
    for index, case in enumerate(MATRIX.get(name, ()))
    if case.allowed
    for who in (["anonymous"] if "anonymous" in case.allowed else []) + ["signed_in"]
]


def _ask(world, case, name, role):
    client = Client()
    if role != "anonymous":
        client.force_login(world.user(role))
    url = reverse(name, args=case.args(world)) + case.query
    return url, (client.post(url, case.data(world)) if case.post else client.get(url))


@pytest.mark.parametrize(
    ("name", "index", "who"), PERSONAL_CASES, ids=[f"{n}-{i}-{w}" for n, i, w in PERSONAL_CASES]
)
def test_personal_data_is_never_stored_by_a_cache(world, name, index, who):
    case = MATRIX[name][index]
    role = who if who == "anonymous" else _first_signed_in(world, case.allowed)
    url, response = _ask(world, case, name, role)
    assert response.status_code in (200, 302), f"{url} as {role}: {response.status_code}"
    policy = response.get("Cache-Control", "")
    assert "no-store" in policy and "private" in policy, f"{url} as {role}: {policy!r}"


# Public answers that must not be kept although they hold nothing personal (with the reason).
NOT_CACHEABLE = {
    "core:healthz": "a health check must always ask the database",
}

PUBLIC_CASES = [
    (name, index)
    for name, cases in sorted(MATRIX.items())
    if name not in PERSONAL and name not in NOT_CACHEABLE
    for index, case in enumerate(cases)
    if "anonymous" in case.allowed and not case.post
]


@pytest.mark.parametrize(("name", "index"), PUBLIC_CASES, ids=[f"{n}-{i}" for n, i in PUBLIC_CASES])
def test_public_pages_stay_cacheable_for_anonymous_visitors(world, name, index):
    url, response = _ask(world, MATRIX[name][index], name, "anonymous")
    assert response.status_code in (200, 302), f"{url}: {response.status_code}"
    policy = response.get("Cache-Control", "")
    assert "no-store" not in policy and "private" not in policy, f"{url}: {policy!r}"


def test_a_signed_in_person_never_gets_a_cacheable_answer_even_from_a_cached_view(rf, member):
    """A view (or a page cache) that set max-age for everybody: the signed-in answer is no-store."""
    from django.http import HttpResponse

    from core.middleware import PrivacyHeadersMiddleware

    def cached_view(request):
        response = HttpResponse("ホーム")
        response["Cache-Control"] = "public, max-age=600"
        return response

    request = rf.get("/")
    request.user = member
    policy = PrivacyHeadersMiddleware(cached_view)(request)["Cache-Control"]
    assert "no-store" in policy and "private" in policy and "public" not in policy


def test_every_page_has_a_permissions_policy(client):
    response = client.get(reverse("groups:index"))
    assert (
        "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]
    )
