from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from spaces.models import Booking, Resource
from tests.groups.factories import GroupFactory


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resource

    kind = Resource.Kind.ROOM
    name = factory.Sequence(lambda n: f"会議室{n}")
    capacity = 12
    venue_keyword = factory.LazyAttribute(lambda o: o.name)


class MachineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resource

    kind = Resource.Kind.MACHINE
    name = "印刷機"
    unit = "枚"
    unit_price = 1
    use_price = 50


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


class BookingFactory(factory.django.DjangoModelFactory):
    """A booking written directly (no rules): for setting the scene of a test."""

    class Meta:
        model = Booking

    resource = factory.SubFactory(RoomFactory)
    group = factory.SubFactory(GroupFactory)
    starts_at = factory.LazyFunction(lambda: at(timezone.localdate() + dt.timedelta(days=7), 18))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=1))
    purpose = "定例会"
    people = 5
