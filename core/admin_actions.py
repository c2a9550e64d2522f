"""What the apps' admin pages share for the rows their services own: the admin adds none of them,
and its actions send each selected row through the app's service (the one place of its rules), a
row the service refuses not stopping the others."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError


class AddedElsewhereAdmin(admin.ModelAdmin):
    """Rows that are made on the portal's own pages, where the service checks every rule: the
    admin shows them, and may act on them through the service, but adds none."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False


def apply_to_each(modeladmin, request, objects: Iterable, action: Callable[[object], object]) -> int:
    """Calls `action` (a service call) on each object and returns how many it did. A refusal is
    shown as an error message naming its object, and the action goes on with the next one."""
    done = 0
    for obj in objects:
        try:
            action(obj)
        except ValidationError as error:
            modeladmin.message_user(request, f"{obj}: {' '.join(error.messages)}", messages.ERROR)
        except PermissionDenied as error:
            modeladmin.message_user(request, f"{obj}: {error}", messages.ERROR)
        else:
            done += 1
    return done
