"""No page of the project accepts a POST without the CSRF token (cross-site request forgery).

Every row of the access matrix is posted to by a role allowed to use it, from a client that
enforces CSRF checks like a browser session would: every answer is 403 (405 for the health
check, which takes no POST at all and is exempt).
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.trust.access_matrix import MATRIX

pytestmark = pytest.mark.django_db

# Pages that must take a POST from outside a browser session, and why nothing is forged there.
EXEMPT = {
    # RFC 8058 one-click unsubscribe: mail programs POST without a token; the signed link is the
    # capability (a forged one changes nothing: tests/info/test_saved_searches.py).
    "info:unsubscribe",
    "info:newsletter_unsubscribe",
}
CASES = [
    (name, index)
    for name, cases in MATRIX.items()
    for index, case in enumerate(cases)
    if case.allowed and name not in EXEMPT
]


@pytest.mark.parametrize(("name", "index"), CASES, ids=[f"{n}-{i}" for n, i in CASES])
def test_a_post_without_the_csrf_token_is_refused(world, name, index):
    case = MATRIX[name][index]
    role = sorted(case.allowed)[0]
    client = Client(enforce_csrf_checks=True)
    if world.user(role) is not None:
        client.force_login(world.user(role))
    response = client.post(reverse(name, args=case.args(world)) + case.query, case.data(world))
    expected = 405 if name == "core:healthz" else 403
    assert response.status_code == expected, f"{name} as {role}: {response.status_code}"
