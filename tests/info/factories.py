"""Factories of the info app."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from info.models import Frequency, Grant, SavedSearch
from tests.factory_helpers import ModelFactory, related_set


class GrantFactory(ModelFactory):
    class Meta:
        model = Grant

    provider = "みらい市 市民協働推進課"
    title = factory.Sequence(lambda n: f"市民活動応援補助金{n}")
    summary = "地域の課題に取り組む活動を応援します。"
    amount_max = 300_000
    closes_on = dt.date(2026, 9, 30)
    is_published = True
    published_at = factory.LazyFunction(timezone.now)
    themes = related_set("themes")
    areas = related_set("areas")

    class Params:
        hidden = factory.Trait(is_published=False, published_at=None)


class SavedSearchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SavedSearch

    name = "子育て"
    kind = "groups"
    query = "q=%E5%AD%90%E8%82%B2%E3%81%A6"
    frequency = Frequency.WEEKLY
    checked_at = factory.LazyFunction(timezone.now)
