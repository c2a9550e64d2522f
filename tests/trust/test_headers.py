"""Every HTML page, as a role allowed to open it, carries the security headers and nothing CSP blocks.

The Content Security Policy allows scripts and styles from the site only: an inline <script>,
a style="..." attribute or an onclick= handler would silently not work, so none may appear.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.trust.access_matrix import MATRIX

pytestmark = pytest.mark.django_db

CASES = [
    (name, index)
    for name, cases in MATRIX.items()
    for index, case in enumerate(cases)
    # The admin is Django's; the health check answers before the middleware (JSON for probes).
    if case.allowed and not case.post and name not in {"admin:index", "core:healthz"}
]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)
JSON_SCRIPT = re.compile(r'<script[^>]*type="application/(ld\+)?json"', re.IGNORECASE)


@pytest.mark.parametrize(("name", "index"), CASES, ids=[f"{n}-{i}" for n, i in CASES])
def test_pages_carry_security_headers_and_nothing_the_csp_blocks(world, name, index):
    case = MATRIX[name][index]
    role = sorted(case.allowed)[0]
    client = Client()
    if world.user(role) is not None:
        client.force_login(world.user(role))
    response = client.get(reverse(name, args=case.args(world)) + case.query)
    if response.status_code != 200:
        return  # a redirect (e.g. already registered): the page it leads to has its own row
    assert response["X-Content-Type-Options"] == "nosniff"
    if not response.get("Content-Type", "").startswith("text/html"):
        return
    policy = response.get("Content-Security-Policy", "")
    assert "script-src 'self'" in policy or "default-src 'self'" in policy, policy
    assert "unsafe-inline" not in policy
    assert response.get("X-Frame-Options") == "DENY"
    html = response.content.decode()
    inline = [tag for tag in INLINE_SCRIPT.findall(html) if not JSON_SCRIPT.match(tag)]
    assert not inline, f"{name}: inline scripts {inline[:3]}"
    assert not STYLE_ATTRIBUTE.findall(html), f"{name}: style attributes {STYLE_ATTRIBUTE.findall(html)[:3]}"
    assert not EVENT_HANDLER.findall(html), f"{name}: event handlers {EVENT_HANDLER.findall(html)[:3]}"
