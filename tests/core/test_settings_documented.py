"""Every setting the README documents exists, and every setting the code reads is in the README."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
ENV_READERS = {"env_str", "env_bool", "env_int", "env_list", "getenv", "get"}


def readme_settings() -> set[str]:
    """The names in the first column of the README's table of environment variables."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## 設定（環境変数）", 1)[1].split("\n## ", 1)[0]
    names: set[str] = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            first_cell = line.split("|")[1]
            names |= set(re.findall(r"`([A-Z][A-Z0-9_]+)`", first_cell))
    return names


def _is_environ_get(call: ast.Call) -> bool:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id in ENV_READERS - {"get"}
    if isinstance(func, ast.Attribute) and func.attr in ENV_READERS:
        owner = func.value
        return func.attr != "get" or (isinstance(owner, ast.Attribute) and owner.attr == "environ")
    return False


def settings_read_by_code() -> dict[str, str]:
    """Environment variables the project's code reads: name → first file that reads it."""
    found: dict[str, str] = {}
    for package in ("config", *settings.PROJECT_APPS):
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Call) and _is_environ_get(node) and node.args:
                    name = node.args[0]
                    if (
                        isinstance(name, ast.Constant)
                        and isinstance(name.value, str)
                        and name.value.isupper()
                    ):
                        found.setdefault(name.value, str(path.relative_to(ROOT)))
    return found


def test_the_readme_documents_every_setting_the_code_reads():
    undocumented = {
        name: path for name, path in settings_read_by_code().items() if name not in readme_settings()
    }
    assert undocumented == {}, "Add these to the README's table of environment variables"


def test_every_setting_of_the_readme_exists():
    """A documented name is read by the code, or by docker compose (gunicorn's and compose's own)."""
    compose = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    read = set(settings_read_by_code()) | {"DJANGO_SETTINGS_MODULE"}
    unknown = {name for name in readme_settings() if name not in read and name not in compose}
    assert unknown == set(), "The README documents settings that nothing reads"


def test_the_scan_finds_what_it_should():
    """The two lists are not empty by accident of a changed README heading or helper name."""
    assert {"SECRET_KEY", "DATABASE_URL", "REPORT_TIME_LIMIT"} <= readme_settings()
    assert {"SECRET_KEY", "DATABASE_URL", "REPORT_TIME_LIMIT", "UPLOAD_MAX_BYTES"} <= set(
        settings_read_by_code()
    )
