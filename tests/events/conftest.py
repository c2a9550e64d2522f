"""Fixtures for the events tests."""

from __future__ import annotations

import pytest

from tests.events.factories import EventFactory, PersonFactory


@pytest.fixture
def event(db):
    """A public one-session event next week with 2 seats."""
    return EventFactory(capacity=2)


@pytest.fixture
def course(db):
    """An ALP course of 5 sessions (修了: 4 of 5), all in the past."""
    return EventFactory(course=True, past=True)


@pytest.fixture
def person(db):
    return PersonFactory()
