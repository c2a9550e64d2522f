"""Who someone is and what they may do is decided in one place: core/predicates.py for the roles,
each app's rules.py for its permissions. Views, services, selectors and templates ask the rules
(core.permissions.permission_required / permitted / may, {% rule_perm %}); they never read a role
themselves and a view never refuses by hand. These scans keep it so.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Collection, Iterator
from pathlib import Path

import pytest
import rules
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404

from core.permissions import permitted

ROOT = Path(settings.BASE_DIR)
SKIPPED_DIRECTORIES = {"migrations"}

# Where the roles are decided: nobody else reads them.
ROLE_MODULES = {"core/predicates.py", "core/roles.py"}
ROLE_ATTRIBUTES = {"is_center_staff", "is_official", "is_committee", "has_role"}

# A raw role or Django permission check in a template.
TEMPLATE_ROLE_CHECK = re.compile(
    r"\bperms\.|\bis_center_staff\b|\bis_official\b|\bis_committee\b|\.is_staff\b|\.is_superuser\b"
    r"|\btest_rule\b|\bhas_perm\b"
)


def project_python() -> list[Path]:
    paths = []
    for package in ("config", *settings.PROJECT_APPS):
        for path in sorted((ROOT / package).rglob("*.py")):
            if not SKIPPED_DIRECTORIES & set(path.relative_to(ROOT).parts):
                paths.append(path)
    return paths


def project_nodes(*, skipping: Collection[str] = (), named: str = "") -> Iterator[tuple[str, ast.AST]]:
    """(path from the root, node) for every syntax node of the project's Python modules, leaving
    out the modules in `skipping` and, if `named` is given, every module of another file name."""
    for path in project_python():
        relative = str(path.relative_to(ROOT))
        if relative in skipping or (named and path.name != named):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            yield relative, node


def project_templates() -> list[Path]:
    folders = [ROOT / "templates", *(ROOT / package / "templates" for package in settings.PROJECT_APPS)]
    return sorted(
        path for folder in folders for path in folder.rglob("*") if path.suffix in {".html", ".txt"}
    )


def test_the_scans_see_the_project():
    """The scans read the apps and their templates (a wrong root would pass everything)."""
    python = {str(path.relative_to(ROOT)) for path in project_python()}
    templates = {str(path.relative_to(ROOT)) for path in project_templates()}
    assert {"groups/views.py", "projects/rules.py", "core/predicates.py"} <= python
    assert "templates/base.html" in templates
    assert any(name.startswith("spaces/templates/") for name in templates)


def test_no_code_reads_a_role_outside_the_predicates():
    """`user.is_center_staff` and the like: ask core.predicates or the app's rules instead."""
    found = []
    for relative, node in project_nodes(skipping=ROLE_MODULES):
        if isinstance(node, ast.Attribute) and node.attr in ROLE_ATTRIBUTES:
            found.append(f"{relative}:{node.lineno} .{node.attr}")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "getattr"
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and node.args[1].value in ROLE_ATTRIBUTES
        ):
            found.append(f"{relative}:{node.lineno} getattr(..., {node.args[1].value!r})")
    assert not found, "roles read outside core/predicates.py:\n" + "\n".join(found)


def test_no_view_refuses_by_hand():
    """A view asks core.permissions (permission_required, permitted), which raise the refusal."""
    found = []
    for relative, node in project_nodes(named="views.py"):
        if isinstance(node, ast.Raise) and node.exc is not None:
            target = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            if isinstance(target, ast.Name) and target.id == "PermissionDenied":
                found.append(f"{relative}:{node.lineno}")
    assert not found, "views raising PermissionDenied themselves:\n" + "\n".join(found)


# The rules of consultations ask Django's model permissions on purpose (who holds
# consultations.access_consultation), inside a predicate.
HAS_PERM_ALLOWED = {"consultations/rules.py"}


def test_no_code_asks_user_has_perm():
    """`user.has_perm()` says yes to a superuser for anything and to whoever holds the Django model
    permission of the same name: views and services ask core.permissions (may, permitted)."""
    found = []
    for relative, node in project_nodes(skipping=HAS_PERM_ALLOWED):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in {"has_perm", "has_perms"}
            and not (isinstance(node.func.value, ast.Name) and node.func.value.id == "rules")
        ):
            found.append(f"{relative}:{node.lineno}")
    assert not found, "user.has_perm() outside the rules:\n" + "\n".join(found)


def test_no_template_checks_a_role_or_a_django_permission():
    """Templates ask {% rule_perm "app.perm" user obj as x %} or get a value computed from the rules."""
    found = []
    for path in project_templates():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if TEMPLATE_ROLE_CHECK.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}")
    assert not found, "raw role or permission checks in templates:\n" + "\n".join(found)


@pytest.fixture
def example_rules():
    """Two throwaway permissions on a plain object: seeing it, and editing it."""
    rules.add_perm("tests.see_thing", rules.predicate(lambda user, thing: thing.get("visible", False)))
    rules.add_perm("tests.edit_thing", rules.predicate(lambda user, thing: thing.get("editable", False)))
    yield
    rules.remove_perm("tests.see_thing")
    rules.remove_perm("tests.edit_thing")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("thing", "hidden_unless", "expected"),
    [
        ({"editable": True}, False, "returned"),
        ({}, False, PermissionDenied),
        ({}, True, Http404),
        ({"visible": True}, "tests.see_thing", PermissionDenied),
        ({}, "tests.see_thing", Http404),
    ],
)
def test_permitted_returns_the_object_or_refuses(example_rules, make_user, thing, hidden_unless, expected):
    """Allowed: the object itself. Refused: 403, or 404 for those it is hidden from."""
    user = make_user()
    if expected == "returned":
        assert permitted(user, "tests.edit_thing", thing, hidden_unless=hidden_unless) is thing
    else:
        with pytest.raises(expected):
            permitted(user, "tests.edit_thing", thing, hidden_unless=hidden_unless)


@pytest.mark.django_db
def test_only_the_rules_decide_neither_superuser_nor_a_model_permission_of_the_same_name(
    example_rules, make_user
):
    """A superuser is refused what the rules refuse (editing what is no longer editable), and so is
    someone given, in the admin, the Django model permission that happens to share the rule's name."""
    from django.contrib.auth.models import Permission

    superuser = make_user(is_superuser=True, is_staff=True)
    with pytest.raises(PermissionDenied):
        permitted(superuser, "tests.edit_thing", {})
    assert permitted(superuser, "tests.edit_thing", {"editable": True}) == {"editable": True}

    clerk = make_user(is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="change_proposal"))
    assert clerk.has_perm("projects.change_proposal")  # what the old check asked
    with pytest.raises(Http404):
        permitted(clerk, "projects.change_proposal", None, hidden_unless=True)
