"""Hooks are registered by name; a misspelt or forgotten hook fails the system check."""

from __future__ import annotations

import types

import pytest

from core import app_hooks
from core.checks import check_app_hooks


@pytest.fixture
def registry(monkeypatch):
    """A copy of the registry that the test may add to."""
    monkeypatch.setattr(app_hooks, "_registered", dict(app_hooks._registered))
    return app_hooks


def fake_hooks_module(**functions) -> types.ModuleType:
    module = types.ModuleType("fakeapp.hooks")
    for name, func in functions.items():
        func.__module__ = module.__name__
        func.__qualname__ = name
        setattr(module, name, func)
    return module


def test_the_project_passes_the_hook_check():
    """Every registration of the apps names a known hook."""
    assert check_app_hooks() == []


def test_apps_answer_the_hooks_they_register():
    """The page hooks reach the apps that register them, in dependency order."""
    apps = [app_label for app_label, _func in app_hooks.collect("staff_links")]
    assert apps[:2] == ["core", "groups"]
    assert {"events", "projects", "consultations", "matching", "reports"} <= set(apps)
    assert {app for app, _f in app_hooks.collect("home_context")} == {"groups", "events", "info"}


def test_a_misspelt_hook_name_is_an_error(registry):
    def staff_links(request):
        return []

    staff_links.__module__ = "fakeapp.hooks"
    registry.register("staff_link", staff_links)

    [error] = check_app_hooks()
    assert error.id == "kyodo.E001"
    assert "'staff_link'" in error.msg
    assert error.hint == "Did you mean 'staff_links'?"
    assert "fakeapp" not in {app for app, _f in registry.collect("staff_links")}


def test_a_hook_function_left_unregistered_is_an_error(monkeypatch):
    """A hooks.py function named like a hook but not decorated would never be called."""
    module = fake_hooks_module(mypage_panel=lambda request: [], _helper=lambda: None, format_row=lambda: "")
    real = app_hooks.hook_modules()
    monkeypatch.setattr(app_hooks, "hook_modules", lambda: (*real, ("fakeapp", module)))

    [error] = check_app_hooks()
    assert error.id == "kyodo.E002"
    assert error.obj == "fakeapp.hooks.mypage_panel"
    assert "@hook('mypage_panels')" in error.hint


def test_collecting_an_unknown_hook_is_refused():
    with pytest.raises(LookupError, match="report_figure"):
        list(app_hooks.collect("report_figure"))


def test_a_staff_menu_left_unregistered_is_an_error(monkeypatch):
    """A staff menu declared as data but never registered would never show."""
    module = types.ModuleType("fakeapp.hooks")
    module.staff_link = app_hooks.StaffMenu("settings", [app_hooks.MenuEntry("core:staff_today", "x")])
    real = app_hooks.hook_modules()
    monkeypatch.setattr(app_hooks, "hook_modules", lambda: (*real, ("fakeapp", module)))

    [error] = check_app_hooks()
    assert error.id == "kyodo.E002"
    assert error.obj == "fakeapp.hooks.staff_link"
    assert error.hint == "Register it: register('staff_links', staff_link, module=__name__)."


def test_a_staff_menu_shows_each_entry_to_whom_it_allows(staff_user, django_user_model):
    """The menu's entries, with their counts; an entry with a permission only for those who hold it."""
    from core.models import OutboxMessage

    menu = app_hooks.StaffMenu(
        "settings",
        [
            app_hooks.MenuEntry(
                "core:outbox_list", "送信メール", count=OutboxMessage.objects.all(), dashboard="未送信"
            ),
            app_hooks.MenuEntry("admin:index", "管理サイト", permission="matching.manage_matches"),
        ],
    )
    request = types.SimpleNamespace(user=staff_user)
    links = menu(request)
    assert [(link.title, link.count) for link in links] == [("送信メール", 0), ("管理サイト", None)]
    assert [item.title for item in menu.dashboard_items(request)] == ["未送信"]

    other = django_user_model.objects.create_user(email="plain@example.jp", password="x" * 12)
    assert [link.title for link in menu(types.SimpleNamespace(user=other))] == ["送信メール"]
