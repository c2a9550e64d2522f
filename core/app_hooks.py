"""One way for apps to contribute to shared features without editing each other's code.

An app registers a function for a hook by the hook's name, in `<app>/hooks.py` (demo and bench
data: in `<app>/demo.py`):

    from core.app_hooks import hook

    @hook("mypage_panels")
    def mypage_panels(request) -> list[Panel]: ...

A hook that is data rather than code is declared and registered with register(): the beat
schedule's dict, and an app's staff menu (StaffMenu), which is called like the function it stands
for and also gives the app's dashboard_items.

HOOKS below is the list of hooks and what each is called with. `collect(name)` gives the
registered functions of every app in settings.PROJECT_APPS order (dependency order), and refuses
a name that is not in HOOKS. The system check `check_app_hooks` (kyodo.E001-E002) refuses a
registration under an unknown name and a public function (or StaffMenu) of a hooks.py that is
registered for no hook, so a misspelt hook fails `manage.py check` instead of being silently
never called.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import import_module
from types import ModuleType
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.permissions import may


@dataclass(frozen=True)
class Panel:
    title: str
    template: str
    context: dict = field(default_factory=dict)


# Headings of the staff menu (/staff/), in order: each Link names one by its key in `section`.
STAFF_SECTIONS = {
    "groups": _("団体"),
    "events": _("催し"),
    "projects": _("協働事業"),
    "consultations": _("相談"),
    "matching": _("マッチング"),
    "spaces": _("活動の場"),
    "info": _("情報発信"),
    "settings": _("報告・設定"),
}


@dataclass(frozen=True)
class Link:
    """An entry of the staff menu. `count` (None: no count) is what waits there; `section` a key
    of STAFF_SECTIONS (anything else is shown under 報告・設定)."""

    title: str
    url: str
    description: str = ""
    count: int | None = None
    section: str = "settings"


class Urgency:
    """How soon a dashboard item needs someone: shown as a word and a colour, most urgent first."""

    URGENT = "urgent"  # 至急: overdue, failed
    SOON = "soon"  # 要対応: waiting for staff
    INFO = "info"  # 予定・進行中: today's sessions, work in progress

    ORDER = (URGENT, SOON, INFO)


@dataclass(frozen=True)
class DashboardItem:
    """One line of staff's 今日の対応 (/staff/today/): how many things wait, where, how urgent.

    Computed with one cheap query; an item whose count is 0 is not shown. `unit` follows the count
    (empty: 件); `note` is a short detail such as the time of a session.
    """

    title: str
    url: str
    count: int
    urgency: str = Urgency.SOON
    unit: str = ""
    note: str = ""


def dashboard_items_to(url: str, rows: Iterable[tuple[str, int, str]]) -> list[DashboardItem]:
    """Dashboard items that all lead to one page, from a table of (title, count, urgency) rows."""
    return [DashboardItem(title, url, count, urgency) for title, count, urgency in rows]


def dashboard_counts(url: str, queryset: QuerySet, rows: Sequence[tuple[str, Q, str]]) -> list[DashboardItem]:
    """Dashboard items that all lead to one page, each counting the rows of `queryset` that its
    filter selects, all in one query: from a table of (title, filter, urgency) rows."""
    names = [f"n{index}" for index in range(len(rows))]
    counts = queryset.aggregate(
        **{name: Count("pk", filter=q) for name, (_t, q, _u) in zip(names, rows, strict=True)}
    )
    return [
        DashboardItem(title, url, counts[name], urgency)
        for name, (title, _q, urgency) in zip(names, rows, strict=True)
    ]


def _counted(count: QuerySet | Callable[[], int | None] | None) -> int | None:
    if count is None:
        return None
    # A fresh copy of a declared queryset, as Django's generic views do: the declaration never keeps rows.
    return count.all().count() if isinstance(count, QuerySet) else count()


@dataclass(frozen=True)
class MenuEntry:
    """One entry of an app's StaffMenu: the page (URL name), its words (lazy: worded per request),
    and `count`, what waits there: a queryset, whose rows are counted, or a function giving the
    number (None: no count shown). `dashboard`, when given, is the title under which that number
    also stands on staff's 今日の対応, as `urgency`. `permission`, when given, is what a user needs
    to see this entry too; `section` puts the entry under another heading than the menu's."""

    url_name: str
    title: str
    description: str = ""
    count: QuerySet | Callable[[], int | None] | None = None
    dashboard: str | None = None
    urgency: str = Urgency.SOON
    permission: str | None = None
    section: str | None = None


@dataclass(frozen=True)
class StaffMenu:
    """An app's staff_links hook, declared as data: its entries under one heading of STAFF_SECTIONS,
    for whom `permission` allows (None: every staff member). It is called like the function it
    stands for and registered like the beat schedule; `dashboard_items` is its entries' part of
    今日の対応 (those with a `dashboard` title):

        staff_links = StaffMenu("spaces", [MenuEntry(...)], permission="spaces.manage_spaces")
        register("staff_links", staff_links, module=__name__)
        register("dashboard_items", staff_links.dashboard_items, module=__name__)
    """

    section: str
    entries: Sequence[MenuEntry]
    permission: str | None = None

    def __call__(self, request) -> list[Link]:
        return [
            Link(
                str(entry.title),
                reverse(entry.url_name),
                str(entry.description),
                _counted(entry.count),
                entry.section or self.section,
            )
            for entry in self._visible(request.user)
        ]

    def dashboard_items(self, request) -> list[DashboardItem]:
        return [
            DashboardItem(
                str(entry.dashboard), reverse(entry.url_name), _counted(entry.count) or 0, entry.urgency
            )
            for entry in self._visible(request.user)
            if entry.dashboard
        ]

    def _visible(self, user) -> list[MenuEntry]:
        if self.permission and not may(user, self.permission):
            return []
        return [entry for entry in self.entries if not entry.permission or may(user, entry.permission)]


# Hooks declared as data in a hooks.py: the system check treats them like the hook functions there.
DECLARED_HOOKS = (StaffMenu,)


@dataclass(frozen=True)
class Figure:
    """One key figure of an outcome report, as data: its key and its number.

    The report words it (label, unit, how it was counted: reports/labels.py). A key with a
    variable tail (`consultations.topic.<code>`) gives the words its label needs in `words`
    (the topic's name)."""

    key: str  # stable, e.g. "events.attendance"
    value: int | float
    words: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class BenchPage:
    """A page for `make bench` to load. `as_user` signs the load in as that account (staff pages);
    `target_share` is the page's throughput target as a share of the bare view (None: the
    default for public or staff pages, ops/bench.py). A form that is posted (a booking) gives
    `post_data(n)`: up to n (path, form data) pairs, each a different request (a different free
    slot; the path may differ, e.g. another room), sent once each with the account's CSRF token;
    a redirect or a 200 is its answer. `path` is then the first request's."""

    path: str
    as_user: str | None = None
    target_share: float | None = None
    post_data: Callable[[int], list[tuple[str, dict]]] | None = None


@dataclass(frozen=True)
class Series:
    """Data for one chart: its categories and their values in order (months 4..3, topic names).
    The report words the title, the unit and the categories (reports/labels.py)."""

    categories: tuple[str | int, ...]
    values: tuple[int | float, ...]


@dataclass(frozen=True)
class SearchSource:
    """A public list whose filters (its query string) can be saved, and how to find new items.

    new_items(since) -> {id: when it appeared} for items that became visible after `since`;
    filterset(params) -> the list's own FilterSet bound to `params` (what the list page uses);
    describe(ids) -> [(id, title, absolute path)]. What a saved search selects and whether it
    may be saved are decided here, once for every list: invalid filters select nothing, never
    everything, and a search the list answers with an error is not saved.
    """

    kind: str
    label: str
    list_url_name: str
    new_items: Callable
    filterset: Callable
    describe: Callable

    def valid(self, params) -> bool:
        filterset = self.filterset(params)
        return not filterset.is_bound or filterset.is_valid()

    def matching(self, params, ids) -> set[int]:
        filterset = self.filterset(params)
        if filterset.is_bound and not filterset.is_valid():
            return set()
        return set(filterset.qs.filter(pk__in=list(ids)).values_list("pk", flat=True))


@dataclass(frozen=True)
class RoomConflict:
    """Something already in the room an event session would take (a group's booking).

    message names it for staff (who, which room, when); release(*, by, reason), when not None,
    frees the time: the booking is cancelled and its group told why, through the outbox;
    moves_url(session_pk), when not None, is the staff page where the bookings in a saved
    session's way are moved to a free room or time (or cancelled when nothing is free).
    """

    message: str
    release: Callable | None = None
    moves_url: Callable[[int], str] | None = None


@dataclass(frozen=True)
class PersonEntry:
    """One dated thing on a person's staff page (a consultation, a match): the page puts it under
    the fiscal year of `on`."""

    on: dt.date
    title: str
    url: str = ""
    details: tuple[str, ...] = ()


@dataclass(frozen=True)
class PersonSection:
    """Another app's part of a person's staff page: its entries, grouped there by fiscal year."""

    title: str  # 相談の記録
    entries: tuple[PersonEntry, ...]
    note: str = ""  # e.g. who may see it, that viewing it is logged


@dataclass(frozen=True)
class HookSpec:
    call: str  # how the hook is called and what it returns
    purpose: str


HOOKS: dict[str, HookSpec] = {
    "beat_schedule": HookSpec("beat_schedule() -> dict", "periodic tasks for celery beat, by entry name"),
    "home_context": HookSpec(
        "home_context() -> dict", "context of the home page (upcoming events, new groups)"
    ),
    "mypage_panels": HookSpec(
        "mypage_panels(request) -> list[Panel]", "sections of the signed-in person's page"
    ),
    "staff_links": HookSpec("staff_links(request) -> list[Link]", "entries of the staff menu (/staff/)"),
    "dashboard_items": HookSpec(
        "dashboard_items(request) -> list[DashboardItem]",
        "what staff should act on today (/staff/today/): one cheap query per item",
    ),
    "group_page_sections": HookSpec(
        "group_page_sections(request, group) -> list[Panel]",
        "sections of a group's public page (projects, needs and offers, the consultation history for staff)",
    ),
    "group_directory_filters": HookSpec(
        "group_directory_filters() -> dict[str, django_filters.Filter]",
        "filters of the public group directory that need another app's data (open needs)",
    ),
    "report_figures": HookSpec(
        "report_figures(*, program_code, fiscal_year) -> list[Figure]",
        "key figures of the annual outcome report of one program (program_code None: all programs), "
        "as keys and numbers (reports words them)",
    ),
    "report_series": HookSpec(
        "report_series(*, program_code, fiscal_year) -> dict[str, Series]",
        "data for the report's charts, by chart name (reports words them)",
    ),
    "person_page_sections": HookSpec(
        "person_page_sections(request, person) -> list[PersonSection]",
        "another app's part of a person's staff page (consultations for those allowed, matches), by date",
    ),
    "person_merged": HookSpec(
        "person_merged(*, keep, duplicate, by) -> None",
        "move the app's links from a duplicate Person to the kept one (inside the merge's transaction)",
    ),
    "ensure_reference_data": HookSpec(
        "ensure_reference_data() -> None",
        "create the rows a data migration made (topics, programs) when a flush has emptied them",
    ),
    "seed_demo": HookSpec("seed_demo(*, scale, rng, out) -> None", "demo data (manage.py seed_demo)"),
    "bench_pages": HookSpec(
        "bench_pages(*, scale) -> dict[str, str | BenchPage]", "pages for `make bench`: name → path"
    ),
    "bench_tasks": HookSpec("bench_tasks() -> dict[str, Callable]", "tasks for `make bench` to time"),
    "event_session_room_conflicts": HookSpec(
        "event_session_room_conflicts(*, venue, starts_at, ends_at, session_pk) -> list[RoomConflict]",
        "what already takes the room an event session's venue names at that time (spaces' bookings)",
    ),
    "outbox_attachments": HookSpec(
        "outbox_attachments() -> dict[str, Callable[..., bytes]]",
        "files an e-mail gets when it is sent, by name (core.outbox.MadeAttachment: an .ics of bookings)",
    ),
    "saved_search_sources": HookSpec(
        "saved_search_sources() -> list[SearchSource]",
        "lists whose filters a person may save and be alerted about (info: saved searches, digests)",
    ),
}

# The modules of an app that may register hooks, imported on first use.
HOOK_MODULES = ("hooks", "demo")


@dataclass(frozen=True)
class Registration:
    hook: str
    app_label: str
    value: Any
    where: str  # "groups.hooks.staff_links", for messages


_registered: dict[tuple[str, str], Registration] = {}


def register(name: str, value: Any, *, module: str | None = None) -> None:
    """Registers `value` (a function, or the beat schedule's dict with module=__name__) for hook `name`.

    An unknown name is kept, so that the system check can name it; collect() never returns it.
    """
    module = module or value.__module__
    where = f"{module}.{getattr(value, '__qualname__', name)}"
    _registered[(name, where)] = Registration(
        hook=name, app_label=module.split(".")[0], value=value, where=where
    )


def hook(name: str) -> Callable[[Callable], Callable]:
    """Decorator: registers the function for the hook `name` (a key of HOOKS)."""

    def decorator(func: Callable) -> Callable:
        register(name, func)
        return func

    return decorator


@cache
def hook_modules() -> tuple[tuple[str, ModuleType], ...]:
    """Each app's hooks and demo modules, imported once (importing registers their hooks)."""
    return tuple(_import_hook_modules())


def _import_hook_modules() -> Iterator[tuple[str, ModuleType]]:
    for app_label in settings.PROJECT_APPS:
        for name in HOOK_MODULES:
            try:
                module = import_module(f"{app_label}.{name}")
            except ModuleNotFoundError as exc:
                if exc.name != f"{app_label}.{name}":
                    raise
                continue
            yield app_label, module


def registrations() -> list[Registration]:
    """Every registration, apps in settings.PROJECT_APPS order (tests replace this function)."""
    hook_modules()
    order = {app_label: index for index, app_label in enumerate(settings.PROJECT_APPS)}
    return sorted(_registered.values(), key=lambda r: order.get(r.app_label, len(order)))


def collect(name: str) -> Iterator[tuple[str, Any]]:
    """(app_label, registered value) of every app that registered for hook `name`."""
    if name not in HOOKS:
        raise LookupError(f"Unknown hook {name!r}: add it to core.app_hooks.HOOKS first.")
    for registration in registrations():
        if registration.hook == name:
            yield registration.app_label, registration.value
