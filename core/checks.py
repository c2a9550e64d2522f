"""System checks of the project's own conventions (run by `manage.py check`, migrate, runserver, tests)."""

from __future__ import annotations

import difflib
import inspect

from django.core import checks

from core import app_hooks


@checks.register()
def check_app_hooks(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Hooks are registered under a known name; no function of a hooks.py is a hook left unregistered."""
    errors: list[checks.CheckMessage] = []
    modules = list(app_hooks.hook_modules())
    registered = {id(r.value) for r in app_hooks.registrations() if r.hook in app_hooks.HOOKS}
    for registration in app_hooks.registrations():
        if registration.hook in app_hooks.HOOKS:
            continue
        close = difflib.get_close_matches(registration.hook, app_hooks.HOOKS, n=1)
        errors.append(
            checks.Error(
                f"{registration.where} is registered for the unknown hook {registration.hook!r}.",
                hint=f"Did you mean {close[0]!r}?" if close else "Known hooks: core.app_hooks.HOOKS.",
                obj=registration.where,
                id="kyodo.E001",
            )
        )
    # A function (or a hook declared as data) of a hooks.py named like a hook but not registered
    # (a forgotten decorator, a misspelt name) would never be called.
    for _app_label, module in modules:
        if not module.__name__.endswith(".hooks"):
            continue
        for name, value in vars(module).items():
            if name.startswith("_") or not _defined_hook_like(value, module):
                continue
            close = difflib.get_close_matches(name, app_hooks.HOOKS, n=1, cutoff=0.8)
            if close and id(value) not in registered:
                errors.append(
                    checks.Error(
                        f"{module.__name__}.{name} looks like the hook {close[0]!r} but is not registered "
                        "for it: it would never be called.",
                        hint=f"Decorate it with @hook({close[0]!r}) from core.app_hooks."
                        if inspect.isfunction(value)
                        else f"Register it: register({close[0]!r}, {name}, module=__name__).",
                        obj=f"{module.__name__}.{name}",
                        id="kyodo.E002",
                    )
                )
    return errors


def _defined_hook_like(value, module) -> bool:
    """A function defined in `module`, or a hook declared as data there (StaffMenu)."""
    if isinstance(value, app_hooks.DECLARED_HOOKS):
        return True
    return inspect.isfunction(value) and value.__module__ == module.__name__
