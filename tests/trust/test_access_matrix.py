"""Every URL pattern of the project against every role: the declared matrix holds, cell by cell."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.trust.access_matrix import MATRIX, cell_id, cells
from tests.trust.world import ROLES

pytestmark = pytest.mark.django_db

# Namespaces of the project's own apps; allauth's /accounts/ pages and the DEBUG media route are
# other people's code, and the admin is one row (its index).
PROJECT_NAMESPACES = {"core", "groups", "events", "projects", "matching", "consultations", "reports"}
LOGIN_URL = "/accounts/login/"


def project_url_names() -> dict[str, str]:
    """{namespace:name: route} for every URL pattern reached by walking the resolver."""
    found: dict[str, str] = {}

    def walk(patterns, namespace: str, prefix: str) -> None:
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                child = ":".join(p for p in (namespace, entry.namespace) if p)
                walk(entry.url_patterns, child, route)
            elif isinstance(entry, URLPattern):
                name = f"{namespace}:{entry.name}" if namespace else (entry.name or "")
                found[name or f"<unnamed {route}>"] = route

    walk(get_resolver().url_patterns, "", "/")
    return found


def wanted(name: str, route: str) -> bool:
    if route.startswith("/accounts/") or route.startswith("/" + settings.MEDIA_URL.strip("/") + "/"):
        return False
    namespace = name.split(":", 1)[0] if ":" in name else ""
    if namespace == "admin":
        return name == "admin:index"
    return True


def test_every_url_pattern_of_the_project_has_a_row_in_the_matrix():
    """A new page without a declared row fails here: add it to tests/trust/access_matrix.py."""
    names = {name: route for name, route in project_url_names().items() if wanted(name, route)}
    missing = sorted(f"{name} ({route})" for name, route in names.items() if name not in MATRIX)
    assert not missing, "URL patterns without a row in the access matrix:\n" + "\n".join(missing)
    stale = sorted(set(MATRIX) - set(names))
    assert not stale, f"rows for URL names that no longer exist: {stale}"
    namespaces = {name.split(":", 1)[0] for name in names if ":" in name}
    assert PROJECT_NAMESPACES <= namespaces
    assert "admin:index" in names


def test_every_role_of_the_matrix_is_in_the_world(world):
    assert set(world.users) == set(ROLES)
    assert all(world.users[role] is not None for role in ROLES if role != "anonymous")


def _login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(LOGIN_URL)


def _describe(response) -> str:
    location = response.get("Location", "")
    return f"{response.status_code}{' → ' + location if location else ''}"


@pytest.mark.parametrize(("name", "index", "role"), cells(), ids=[cell_id(*c) for c in cells()])
def test_access_matrix_cell(name, index, role, world, db):
    """Allowed roles reach the page; every other role is refused (login page, 403 or 404), never 200."""
    case = MATRIX[name][index]
    url = reverse(name, args=case.args(world)) + case.query
    client = Client()
    user = world.user(role)
    if user is not None:
        client.force_login(user)
    allowed = role in case.allowed
    where = f"{cell_id(name, index, role)} {url}"

    if case.post:
        probe = client.get(url)
        if case.get_redirect and allowed:
            assert probe.status_code == 302 and probe["Location"] == case.get_redirect(world), (
                f"{where}: GET of a form's endpoint answered {_describe(probe)}"
            )
        else:
            assert probe.status_code in (405, 403, 404) or _login_redirect(probe), (
                f"{where}: GET of a POST-only endpoint answered {_describe(probe)}"
            )
        response = client.post(url, case.data(world))
        judged_ok = (200, 400)
    else:
        response = client.get(url)
        judged_ok = (200,)

    status = response.status_code
    if allowed:
        ok = status in judged_ok or (
            status == 302
            and not _login_redirect(response)
            and not (
                case.denied_redirect_prefix and response["Location"].startswith(case.denied_redirect_prefix)
            )
        )
        assert ok, f"{where}: allowed, but answered {_describe(response)}"
        return

    if case.denied_redirect_prefix:
        assert status == 302 and response["Location"].startswith(case.denied_redirect_prefix), (
            f"{where}: denied, but answered {_describe(response)}"
        )
        return
    if user is None:
        assert _login_redirect(response) or status in (403, 404), (
            f"{where}: denied, but answered {_describe(response)}"
        )
        return
    if case.refusal_redirect and status == 302:
        refusal_name, refusal_args = case.refusal_redirect
        target = reverse(refusal_name, args=refusal_args(world))
        assert response["Location"].split("?", 1)[0] == target, (
            f"{where}: denied, but redirected to {response['Location']} (expected the refusal to {target})"
        )
        return
    assert status in (403, 404), f"{where}: denied, but answered {_describe(response)}"
