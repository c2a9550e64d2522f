"""Fixtures every app's tests share: role accounts, the cache, a real Celery worker, Chromium."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache

from tests import services

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to run in a
# thread with a running loop unless told that this is deliberate.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


# The part of the suite whose outcome could depend on the day it runs: `make test-dates` runs it with
# the clock at the turns of the fiscal and calendar year, a leap day and today (--fake-now).
# Entries are node id prefixes (a file, or a file and a test name); a test elsewhere can join with
# @pytest.mark.dates.
DATE_SENSITIVE = (
    "tests/core/test_fiscal.py",
    "tests/core/test_calendar.py",
    "tests/core/test_clock.py",
    "tests/groups/test_services.py",  # registration numbers, annual renewal
    "tests/groups/test_renewal_page.py",
    "tests/events/test_services.py",  # reminders, surveys, waitlists against the session dates
    "tests/consultations/test_retention.py",
    "tests/consultations/test_dates.py",  # no 相談日 after today, in Japan time
    "tests/projects/test_deadline.py",
    "tests/projects/test_workflow.py",
    "tests/reports/test_services.py",
    "tests/ops/test_demo_story.py",
    "tests/reports/test_hooks_and_command.py::test_demo_episodes",
    "tests/consultations/test_hooks.py::test_seed_demo",
    "tests/projects/test_pdf_and_hooks.py::test_report_figures",
)


def pytest_addoption(parser):
    parser.addoption(
        "--fake-now",
        metavar="ISO_INSTANT",
        help="run the whole session with the clock starting at this instant, e.g. 2027-04-01T00:00+09:00",
    )


def pytest_configure(config):
    """--fake-now moves Python's clock (time.time, datetime.now, date.today) for the whole process
    with time-machine; it keeps ticking, and tests that travel themselves still do so."""
    value = config.getoption("--fake-now")
    if value:
        import time_machine

        try:
            instant = datetime.fromisoformat(value)
        except ValueError:
            raise pytest.UsageError(f"--fake-now {value!r} is not an ISO instant") from None
        if instant.tzinfo is None:
            raise pytest.UsageError("--fake-now needs an offset, e.g. 2027-04-01T00:00+09:00")
        config._fake_now_instant = instant
        config._fake_now_traveller = time_machine.travel(instant, tick=True)
        config._fake_now_traveller.start()


@pytest.fixture(autouse=True)
def _fake_now_at_each_test_start(request):
    """Each test starts again at the --fake-now instant: a ticking clock set once for the session
    would pass midnight a minute into a run at 23:59 and test the next day instead."""
    instant = getattr(request.config, "_fake_now_instant", None)
    if instant is None:
        yield
        return
    import time_machine

    with time_machine.travel(instant, tick=True):
        yield


def frozen_clock(instant: datetime):
    """An autouse fixture that stops the clock at `instant` for each test of the module (or of the
    folder, set in its conftest): ``_frozen_now = frozen_clock(NOW)``. It starts after
    --fake-now's, so the instant holds under `make test-dates` too."""

    @pytest.fixture(autouse=True)
    def frozen(time_machine):
        time_machine.move_to(instant, tick=False)

    return frozen


def pytest_unconfigure(config):
    traveller = getattr(config, "_fake_now_traveller", None)
    if traveller is not None:
        traveller.stop()


def pytest_report_header(config):
    value = config.getoption("--fake-now")
    return f"clock moved to {value} (--fake-now)" if value else None


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.nodeid.startswith(DATE_SENSITIVE):
            item.add_marker(pytest.mark.dates)
    _skip_postgres_tests(items)


def _skip_postgres_tests(items):
    """Tests marked postgres are skipped before any fixture runs when the database is not
    PostgreSQL (and CI=true does not ask for it): their transactional set-up and flush would
    otherwise run for a test that then skips itself."""
    from django.conf import settings

    from tests.services import running_in_ci

    if settings.IS_POSTGRES or running_in_ci():
        return
    skip = pytest.mark.skip(reason="DATABASE_URL does not point at PostgreSQL: this test needs it")
    for item in items:
        if item.get_closest_marker("postgres"):
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _clear_cache() -> Iterator[None]:
    # allauth counts rate limits in the cache: every test starts with none used.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def no_page_cache(settings) -> None:
    """Public pages are built on every request (query counts of the page itself); anonymous
    visitors' cached copy (core/pagecache.py) is tested in tests/core/test_pagecache.py."""
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    # Private files (attachments, reports) live where the model fields' storage was bound at
    # import: empty that folder so every test starts with no files left by another.
    private = Path(settings.PRIVATE_MEDIA_ROOT)
    if private.exists():
        for child in private.iterdir():
            shutil.rmtree(child) if child.is_dir() else child.unlink()


# --- Accounts by role ---------------------------------------------------------------------------

PASSWORD = "correct-horse-battery-42"


@pytest.fixture
def make_user(db):
    from core.services import user_create

    counter = {"n": 0}

    def make(*, roles: tuple[str, ...] = (), email: str | None = None, **extra):
        counter["n"] += 1
        email = email or f"user{counter['n']}-{'-'.join(roles) or 'member'}@example.jp"
        return user_create(
            email=email,
            password=PASSWORD,
            full_name=extra.pop("full_name", "試験 利用者"),
            full_name_kana=extra.pop("full_name_kana", "しけん りようしゃ"),
            roles=roles,
            **extra,
        )

    return make


@pytest.fixture
def member(make_user):
    return make_user(email="member@example.jp")


@pytest.fixture
def staff_user(make_user):
    from core.roles import Role

    return make_user(roles=(Role.STAFF,), email="staff@example.jp")


@pytest.fixture
def official_user(make_user):
    from core.models import Department
    from core.roles import Role
    from core.services import official_assign

    user = make_user(roles=(Role.OFFICIAL,), email="official@example.jp")
    department = Department.objects.create(name="子ども家庭支援課", name_kana="こどもかていしえんか")
    official_assign(user=user, department=department)
    return user


@pytest.fixture
def committee_user(make_user):
    from core.roles import Role

    return make_user(roles=(Role.COMMITTEE,), email="committee@example.jp")


@pytest.fixture
def client_for(client):
    """client_for(user) → the test client signed in as that user."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


# --- A real Celery worker on the local Redis -------------------------------------------------------


@pytest.fixture
def tasks_through_broker():
    """Tasks are published as with a broker (delay() is what the test patches), not run in-process."""
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.update(task_always_eager=False)
    yield
    app.conf.update(task_always_eager=previous)


@pytest.fixture
def celery_redis_worker(transactional_db):
    """Starts a worker thread of the project's Celery app against REDIS_URL.

    Tasks sent while it runs go through Redis to this worker, not in-process.
    """
    redis_url = services.require_redis()
    import celery.contrib.testing.tasks  # noqa: F401  (registers celery.ping for the start-up check)
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    previous = {key: app.conf[key] for key in ("task_always_eager", "broker_url", "result_backend")}
    app.conf.update(task_always_eager=False, broker_url=redis_url, result_backend=redis_url)
    try:
        with start_worker(
            app,
            pool="solo",
            perform_ping_check=True,
            shutdown_timeout=20,
            queues=list(settings.TASK_QUEUE_NAMES),
        ) as worker:
            yield worker
    finally:
        app.conf.update(previous)


# --- Chromium through Playwright ------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium_browser():
    path = services.require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium_browser, live_server):
    """A fresh browser context (no cookies) with a Japanese locale, at a desktop size."""
    context = chromium_browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo", base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone_page(chromium_browser, live_server):
    """A browser context the size of a small phone (360 × 740)."""
    context = chromium_browser.new_context(
        locale="ja-JP",
        timezone_id="Asia/Tokyo",
        base_url=live_server.url,
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


class AxeRecorder:
    """Runs axe-core on a page and remembers the results for the accessibility page."""

    def __init__(self) -> None:
        self.pages: dict[str, dict] = {}
        self.axe_version = ""

    def check(self, page, name: str) -> list[dict]:
        from axe_playwright_python.sync_playwright import Axe

        results = Axe().run(
            page,
            options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations", "passes"]},
        )
        response = results.response
        self.axe_version = response.get("testEngine", {}).get("version", "")
        violations = response.get("violations", [])
        serious = [v for v in violations if v.get("impact") in {"serious", "critical"}]
        path = page.url.split("//", 1)[-1].split("/", 1)[-1]
        self.pages[name] = {
            "name": name,
            "path": "/" + path.split("?", 1)[0],
            "serious": len(serious),
            "other": len(violations) - len(serious),
            "passes": len(response.get("passes", [])),
            "violations": [
                {
                    "id": v["id"],
                    "impact": v.get("impact"),
                    "help": v.get("help"),
                    "nodes": [n.get("target") for n in v.get("nodes", [])][:5],
                }
                for v in violations
            ],
        }
        return serious

    def write(self, path: Path) -> None:
        if not self.pages:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        existing = {}
        if path.exists():
            try:
                recorded = json.loads(path.read_text(encoding="utf-8")).get("pages", [])
                existing = {p["name"]: p for p in recorded}
            except ValueError:
                existing = {}
        existing.update(self.pages)
        path.write_text(
            json.dumps(
                {
                    "date": datetime.now().strftime("%Y-%m-%d %H:%M"),
                    "axe_version": self.axe_version,
                    "tags": AXE_TAGS,
                    "pages": sorted(existing.values(), key=lambda p: p["path"]),
                },
                ensure_ascii=False,
                indent=2,
            ),
            encoding="utf-8",
        )


@pytest.fixture(scope="session")
def axe_recorder() -> Iterator[AxeRecorder]:
    recorder = AxeRecorder()
    yield recorder
    recorder.write(Path(settings.A11Y_RESULTS_PATH))


@pytest.fixture
def assert_accessible(axe_recorder):
    """assert_accessible(page, "団体一覧"): no serious or critical axe violation on the page."""

    def check(page, name: str) -> None:
        serious = axe_recorder.check(page, name)
        details = "\n".join(
            f"- {v['id']} ({v.get('impact')}): {v.get('help')} → "
            f"{[n.get('target') for n in v.get('nodes', [])][:3]}"
            for v in serious
        )
        assert not serious, f"axe found serious or critical violations on {name} ({page.url}):\n{details}"

    return check
