"""Fixtures of the fault-injection suite (`make faults`, `pytest -m faults`).

Each case reports what was lost through `lost(...)`: one line, printed at once and repeated in
the summary at the end of the run, e.g.
    FAULTS (c) PostgreSQL restart under load: 812 GET, 40 POST ... → lost 0
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

# Fixtures borrowed from the apps' tests: a proposal's call and group, the reports' real worker.
from tests.projects.conftest import call, department, group, proposer, reviewer_staff  # noqa: F401
from tests.reports.test_worker import broker  # noqa: F401

LOST_LINES: list[str] = []


@pytest.fixture
def lost(capsys):
    """lost("(a) ...", lost=0, done=1, ...) prints one line; `lost` is the count that must be 0."""

    def report(case: str, *, lost: int, **counts) -> str:
        details = ", ".join(f"{name} {value}" for name, value in counts.items())
        line = f"FAULTS {case}: {details} → lost {lost}"
        LOST_LINES.append(line)
        with capsys.disabled():
            print(f"\n{line}")
        return line

    return report


def pytest_terminal_summary(terminalreporter):
    if LOST_LINES:
        terminalreporter.section("faults: what was lost")
        for line in LOST_LINES:
            terminalreporter.write_line(line)


@pytest.fixture
def private_reports_root():
    """The private folder the Report.pdf field writes to, emptied before and after the test."""
    from reports.models import Report

    root = Path(Report._meta.get_field("pdf").storage.location) / "reports"
    shutil.rmtree(root, ignore_errors=True)
    yield root
    shutil.rmtree(root, ignore_errors=True)
