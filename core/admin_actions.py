"""What the apps' admin actions share: each selected row goes through the app's service (the one
place of its rules), and a row the service refuses does not stop the others."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError


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
