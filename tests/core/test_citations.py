"""Comments and docstrings cite only what is in the repository (no design notes, seeds or issues)."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
OUTSIDE = re.compile(r"(?i:seed 00\d)|DESIGN\.md|STYLE\.md|FIELD-NOTES|architecture\.json|\b[Ii]ssue #?\d+")
SUFFIXES = {".py", ".html", ".txt", ".toml", ".css", ".js", ".yml", ".cfg"}


def test_no_citation_of_documents_outside_the_repository():
    folders = ("config", "templates", "static", "tests", *settings.PROJECT_APPS)
    found = []
    for path in sorted(
        p for folder in folders if (ROOT / folder).is_dir() for p in (ROOT / folder).rglob("*")
    ):
        name = path.relative_to(ROOT)
        if path.suffix not in SUFFIXES or "vendor" in path.parts or not path.is_file():
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if OUTSIDE.search(line) and path.name != "test_citations.py":
                found.append(f"{name}:{number}: {line.strip()}")
    assert found == [], "Say what the cited document says, or point to a file of the repository"
