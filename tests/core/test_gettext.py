"""User-facing Japanese in Python code goes through gettext.

An AST scan of the apps (not migrations, tests, demo data or the operators' command-line tools)
finds string literals with kana or kanji that are not inside a gettext call. Docstrings and log
messages are not user-facing; a literal that is data (a role's group name, a stored unit) says
so with the comment `# data, not UI text` on its line.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
JAPANESE_LETTERS = re.compile(r"[\u3041-\u3096\u30a1-\u30fa\u3400-\u9fff]")
GETTEXT = {
    "_",
    "gettext",
    "gettext_lazy",
    "gettext_noop",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
}
LOG_METHODS = {"debug", "info", "warning", "error", "exception", "critical"}
DATA_MARK = "# data, not UI text"

# Whole modules of data, not messages.
DATA_MODULES = {
    "core/text.py": "normalisation tables: 法人格 spellings, kana rows, synonyms",
    "core/fiscal.py": "era names for the fiscal-year labels",
    "core/formats/ja/formats.py": "Django's date formats for Japanese: the folder names the language",
    "core/calendar.py": "parses the opening hours text of CENTER_HOURS",
    "core/reference.py": "reference rows every installation starts with (themes)",
    "events/reference.py": "reference rows (the center's programs)",
    "consultations/reference.py": "reference rows (consultation topics)",
    "groups/csv_io.py": "the CSV file format's column headings, matched on import",
    "config/settings/base.py": "defaults of settings read from the environment",
}
SKIPPED_DIRECTORIES = {"migrations", "management"}  # management: the operators' command-line tools


def app_modules() -> list[Path]:
    paths = []
    for package in ("config", *settings.PROJECT_APPS):
        if package == "ops":  # bench, soak and backup: operators' tools and load-test data
            continue
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if SKIPPED_DIRECTORIES & set(relative.parts) or path.name == "demo.py":
                continue
            if str(relative) not in DATA_MODULES:
                paths.append(path)
    return paths


def literals_outside_gettext(source: str) -> list[tuple[int, str]]:
    tree = ast.parse(source)
    lines = source.splitlines()
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    docstrings = {
        node.body[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)) or node in docstrings:
            continue
        if not JAPANESE_LETTERS.search(node.value):
            continue
        if any(DATA_MARK in line for line in lines[node.lineno - 1 : node.end_lineno]):
            continue
        parent, allowed = parents.get(node), False
        while parent is not None and not allowed:
            if isinstance(parent, ast.Call):
                func = parent.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
                allowed = name in GETTEXT or (isinstance(func, ast.Attribute) and name in LOG_METHODS)
            parent = parents.get(parent)
        if not allowed:
            found.append((node.lineno, node.value))
    return found


def test_user_facing_japanese_goes_through_gettext():
    problems = {}
    for path in app_modules():
        relative = str(path.relative_to(ROOT))
        found = literals_outside_gettext(path.read_text(encoding="utf-8"))
        if found:
            problems[relative] = found
    assert problems == {}, "Wrap these in gettext (_), or mark data with `# data, not UI text`"


def test_the_scan_finds_a_bare_literal_and_accepts_gettext_docstrings_and_logs():
    source = '''
"""モジュールの説明。"""
from django.utils.translation import gettext as _
import logging
logger = logging.getLogger(__name__)

def view():
    """関数の説明。"""
    logger.info("ログ: %s", 1)
    title = _("団体の一覧")
    unit = "枚"  # data, not UI text
    return f"{title}です", "保存しました。"
'''
    assert sorted(value for _line, value in literals_outside_gettext(source)) == sorted(
        ["です", "保存しました。"]
    )
