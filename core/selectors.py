"""Reads for the shared pages."""

import json
from importlib import import_module

from django.conf import settings


def _optional(module_path: str, name: str):
    """A selector of another app, or None while that app does not provide it yet."""
    try:
        return getattr(import_module(module_path), name)
    except (ModuleNotFoundError, AttributeError):
        return None


def home_context() -> dict:
    upcoming = _optional("events.selectors", "upcoming_public_events")
    new_groups = _optional("groups.selectors", "recently_registered_groups")
    return {
        "upcoming_events": list(upcoming(limit=5)) if upcoming else [],
        "new_groups": list(new_groups(limit=6)) if new_groups else [],
    }


def accessibility_report() -> dict:
    """The last automated accessibility run, written by the browser tests in CI."""
    path = settings.A11Y_RESULTS_PATH
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = None
    return {"axe_report": data}
