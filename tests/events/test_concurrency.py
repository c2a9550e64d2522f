"""Capacity under simultaneous registrations (PostgreSQL: real row locks, real parallel transactions)."""

from __future__ import annotations

import pytest

from events import services
from events.models import Registration
from tests.concurrency import run_at_once
from tests.events.factories import EventFactory, PersonFactory
from tests.services import require_postgres

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_capacity_is_never_exceeded_by_simultaneous_registrations():
    """30 people press 申し込む at the same moment for 7 seats: exactly 7 are confirmed, 23 waitlisted,
    and the waitlist order is the order in which the lock was obtained."""
    require_postgres()
    event = EventFactory(capacity=7)
    people = [PersonFactory() for _ in range(30)]

    def register(person):
        services.registration_create(event=event, person=person, notify=False)

    errors = run_at_once(register, [(p,) for p in people])
    assert not errors, errors
    counts = {
        status: event.registrations.filter(status=status).count() for status in Registration.Status.values
    }
    assert counts == {"confirmed": 7, "waitlisted": 23, "cancelled": 0}


def test_simultaneous_cancellations_promote_each_waitlisted_person_once():
    """Three confirmed people cancel at once: the first three waitlisted are promoted, no seat twice."""
    require_postgres()
    from core.services import user_create

    staff = user_create(email="staff-c@example.jp", password="x-very-long-pw", roles=("センター職員",))
    event = EventFactory(capacity=3)
    confirmed = [
        services.registration_create(event=event, person=PersonFactory(), notify=False) for _ in range(3)
    ]
    waiting = [
        services.registration_create(event=event, person=PersonFactory(), notify=False) for _ in range(5)
    ]

    def cancel(registration):
        services.registration_cancel(registration=registration, by=staff)

    errors = run_at_once(cancel, [(r,) for r in confirmed])
    assert not errors, errors
    statuses = [Registration.objects.get(pk=r.pk).status for r in waiting]
    assert statuses == ["confirmed"] * 3 + ["waitlisted"] * 2
    assert event.registrations.filter(status="confirmed").count() == 3
