"""Every answer with personal data says `Cache-Control: no-store` (rows marked PERSONAL)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.trust.access_matrix import MATRIX, PERSONAL

pytestmark = pytest.mark.django_db


def test_personal_rows_exist_in_the_matrix():
    assert PERSONAL <= set(MATRIX)


CASES = [
    (name, index)
    for name in sorted(PERSONAL)
    for index, case in enumerate(MATRIX.get(name, ()))
    if case.allowed
]


@pytest.mark.parametrize(("name", "index"), CASES, ids=[f"{n}-{i}" for n, i in CASES])
def test_personal_data_is_never_stored_by_a_cache(world, name, index):
    case = MATRIX[name][index]
    client = Client()
    for role in sorted(case.allowed):
        user = world.user(role)
        if user is not None:
            client.force_login(user)
            break
    url = reverse(name, args=case.args(world)) + case.query
    response = client.post(url, case.data(world)) if case.post else client.get(url)
    assert response.status_code in (200, 302), f"{url}: {response.status_code}"
    assert "no-store" in response.get("Cache-Control", ""), f"{url}: {response.get('Cache-Control')!r}"


def test_public_pages_stay_cacheable_and_every_page_has_a_permissions_policy(client):
    response = client.get(reverse("groups:index"))
    assert "no-store" not in response.get("Cache-Control", "")
    assert (
        "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]
    )
