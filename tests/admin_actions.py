"""Running a Django admin action the way its changelist's action menu posts it, and posting a change
page back the way it was shown."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone


def run_admin_action(client, changelist: str, action: str, objects):
    """Posts `action` for the selected `objects` to the admin changelist named `changelist`
    (e.g. "events_registration")."""
    return client.post(
        reverse(f"admin:{changelist}_changelist"),
        {"action": action, "_selected_action": [obj.pk for obj in objects]},
    )


def admin_change_data(response) -> dict:
    """What the admin's change page would post back unchanged: its form and inline formsets."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for field in form:
            value = field.value()
            if isinstance(value, bool):
                value = "on" if value else None
            if isinstance(value, dt.datetime):  # the admin's date and time boxes
                local = timezone.localtime(value)
                data[f"{field.html_name}_0"] = local.date().isoformat()
                data[f"{field.html_name}_1"] = local.strftime("%H:%M:%S")
            elif value is not None:
                data[field.html_name] = value
    return data
