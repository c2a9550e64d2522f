"""Running a Django admin action the way its changelist's action menu posts it."""

from __future__ import annotations

from django.urls import reverse


def run_admin_action(client, changelist: str, action: str, objects):
    """Posts `action` for the selected `objects` to the admin changelist named `changelist`
    (e.g. "events_registration")."""
    return client.post(
        reverse(f"admin:{changelist}_changelist"),
        {"action": action, "_selected_action": [obj.pk for obj in objects]},
    )
