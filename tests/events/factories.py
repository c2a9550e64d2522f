"""Factories for events: traits for the states tests need (past, course, closed window)."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from core.models import Person
from events.models import Attendance, Event, EventSession, Program, Registration
from tests.factory_helpers import numbered_names


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program
        django_get_or_create = ["code"]

    code = "mirai_taiwa"
    name = factory.LazyAttribute(lambda o: NAMES.get(o.code, o.code))
    journey_step = factory.LazyAttribute(lambda o: STEPS.get(o.code))


# As seeded by events/migrations/0002 (transactional tests flush that data away).
NAMES = {
    "mirai_taiwa": "ミライ対話",
    "alp": "アクション・ラーニング講座",
    "project_support": "プロジェクト支援",
}
STEPS = {"mirai_taiwa": 1, "alp": 2, "project_support": 4}


class EventFactory(factory.django.DjangoModelFactory):
    """An event with `sessions` sessions (default 1, a week apart), the first at `starts_at`
    (default: a week from now)."""

    class Meta:
        model = Event

    program = factory.SubFactory(ProgramFactory)
    title = factory.Sequence(lambda n: f"ミライ対話 第{n}回「まちのこれから」")
    description = "地域の未来について話し合います。"
    venue = "市民活動プラザ 2階 会議室A"
    capacity = 20
    is_public = True
    # Not model fields: _create turns them into sessions.
    starts_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=7))
    sessions = 1
    interval_days = 7

    class Params:
        past = factory.Trait(starts_at=factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=60)))
        course = factory.Trait(
            program=factory.SubFactory(ProgramFactory, code="alp"),
            title=factory.Sequence(lambda n: f"アクション・ラーニング講座 {n}期"),
            sessions=5,
            completion_min_sessions=4,
        )

    @classmethod
    def _create(cls, model_class, *args, starts_at, sessions, interval_days, **kwargs):
        event = super()._create(model_class, *args, **kwargs)
        for number in range(sessions):
            start = starts_at + dt.timedelta(days=interval_days * number)
            EventSession.objects.create(event=event, starts_at=start, ends_at=start + dt.timedelta(hours=2))
        return event


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name, name_kana = numbered_names("佐藤 陽子", "さとう ようこ")
    email = factory.Sequence(lambda n: f"person{n}@example.jp")
    phone = ""


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    person = factory.SubFactory(PersonFactory)
    status = Registration.Status.CONFIRMED

    class Params:
        waitlisted = factory.Trait(status=Registration.Status.WAITLISTED)
        cancelled = factory.Trait(status=Registration.Status.CANCELLED)


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    registration = factory.SubFactory(RegistrationFactory)
    session = factory.LazyAttribute(lambda o: o.registration.event.sessions.first())


def attend(
    *, registration: Registration, session: EventSession, present: bool = True, by=None, on=None
) -> Registration:
    """Takes attendance as staff do: on the session's day, or `on` a later day as a correction (the
    service refuses a future session)."""
    import time_machine

    from events import services

    with time_machine.travel(on or session.starts_at, tick=False):
        return services.attendance_set(registration=registration, session=session, present=present, by=by)
