"""Object permissions for events (autodiscovered by `rules`)."""

from __future__ import annotations

import rules

from core.predicates import is_center_staff
from events.models import Registration


@rules.predicate
def is_own_registration(user, registration: Registration) -> bool:
    return registration is not None and registration.person.user_id == user.pk


@rules.predicate
def may_cancel(user, registration: Registration) -> bool:
    from events.services import user_may_cancel

    return registration is not None and user_may_cancel(user=user, registration=registration)


@rules.predicate
def is_completed(user, registration: Registration) -> bool:
    return registration is not None and registration.completed_at is not None


# Staff run events: check-in lists, registrations by phone, survey summaries, merging people.
rules.add_perm("events.manage_events", is_center_staff)
# Participants cancel their own registration until the first session starts; staff at any time.
rules.add_perm("events.cancel_registration", may_cancel)
# A completion certificate: the participant and staff, once completed.
rules.add_perm("events.view_certificate", is_completed & (is_own_registration | is_center_staff))
# The change history of an event and its sessions (core.history): staff, who edit them.
rules.add_perm("events.view_history", is_center_staff)
