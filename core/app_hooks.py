"""One way for apps to contribute to shared features without editing each other's code.

An app may have a module `<app>/hooks.py` defining any of:

    BEAT_SCHEDULE: dict                    periodic tasks for celery beat
    seed_demo(*, scale, rng, out) -> None  demo data (core.management.commands.seed_demo)
    bench_pages(*, scale) -> dict[str, str]    pages for `make bench`: name → path
    bench_tasks() -> dict[str, Callable]   tasks for `make bench`: name → callable to time
    mypage_panels(request) -> list[Panel]  sections of the signed-in person's page
    staff_links(request) -> list[Link]     entries on the staff dashboard (/staff/)
    report_figures(*, program_code, fiscal_year) -> list[Figure]
                                           key figures for the annual outcome report of one
                                           program (program_code None: all programs together)
    report_series(*, program_code, fiscal_year) -> dict[str, Series]
                                           data for report charts, by chart name
    group_page_sections(request, group) -> list[Panel]
                                           sections of a group's public page (projects, needs
                                           and offers, the consultation history link for staff)
    ensure_reference_data() -> None        create the rows a data migration made (topics, programs)
                                           when a flush has emptied them; after every migrate
    person_merged(*, keep, duplicate, by) -> None
                                           move the app's links from a duplicate Person to the
                                           kept one (called inside the merge's transaction)

Apps are visited in settings.PROJECT_APPS order (dependency order).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import import_module
from types import ModuleType

from django.conf import settings


@dataclass(frozen=True)
class Panel:
    title: str
    template: str
    context: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Link:
    title: str
    url: str
    description: str = ""
    count: int | None = None


@dataclass(frozen=True)
class Figure:
    """One key figure of an outcome report: 参加者数 1,234人, with how it was counted."""

    key: str  # stable, e.g. "events.participants"
    label: str  # 参加者数（延べ）
    value: int | float
    unit: str = ""  # 人, 件, 回
    note: str = ""  # how it was counted, printed in the report's notes
    axis: str = ""  # evaluation axis it speaks to, e.g. "資源連結" (optional)


@dataclass(frozen=True)
class BenchPage:
    """A page for `make bench` to load. `as_user` signs the load in as that account (staff pages)."""

    path: str
    as_user: str | None = None


@dataclass(frozen=True)
class Series:
    """Data for one chart: labels and values in order (e.g. months 4月..3月)."""

    title: str
    labels: tuple[str, ...]
    values: tuple[int | float, ...]
    unit: str = ""
    note: str = ""


def app_hook_modules() -> Iterator[tuple[str, ModuleType]]:
    for app_label in settings.PROJECT_APPS:
        try:
            module = import_module(f"{app_label}.hooks")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app_label}.hooks":
                raise
            continue
        yield app_label, module


def collect(name: str) -> Iterator[tuple[str, object]]:
    """(app_label, attribute) for every app hooks module that defines `name`."""
    for app_label, module in app_hook_modules():
        value = getattr(module, name, None)
        if value is not None:
            yield app_label, value
