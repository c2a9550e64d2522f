"""Factories for the group registry, with the registration states as traits."""

from __future__ import annotations

import datetime as dt

import factory

from core.models import Area, Theme
from groups.models import GroupStatus, LegalForm
from tests import factories
from tests.factory_helpers import numbered_names


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area
        django_get_or_create = ("name",)

    name, name_kana = numbered_names("地区", "ちく")


class GroupFactory(factories.GroupFactory):
    """A registered group with its contact details filled in; its first theme by default."""

    name, name_kana = numbered_names("みらい市民の会", "みらいしみんのかい")
    purpose = "地域の子どもたちの居場所をつくります。"
    activities = "毎月、本町で子ども食堂を開いています。"
    representative_name = "佐藤 陽子"
    contact_name = "鈴木 健太"
    email = factory.Sequence(lambda n: f"group{n}@example.jp")
    phone = "000-123-4567"
    postal_code = "100-0001"
    address = "みらい市本町1-2-3"
    registration_number = factory.Sequence(lambda n: f"R7-{n + 1:04d}")
    registered_on = dt.date(2025, 5, 1)
    last_renewed_fiscal_year = 2025

    class Params:
        draft = factory.Trait(
            status=GroupStatus.DRAFT,
            registration_number="",
            registered_on=None,
            last_renewed_fiscal_year=None,
        )
        pending = factory.Trait(
            status=GroupStatus.PENDING,
            registration_number="",
            registered_on=None,
            last_renewed_fiscal_year=None,
            submitted_at=factory.LazyFunction(lambda: dt.datetime(2025, 6, 1, tzinfo=dt.UTC)),
        )
        returned = factory.Trait(
            status=GroupStatus.RETURNED,
            registration_number="",
            registered_on=None,
            last_renewed_fiscal_year=None,
            status_reason="活動内容を具体的に書いてください。",
        )
        paused = factory.Trait(status=GroupStatus.PAUSED)
        withdrawn = factory.Trait(status=GroupStatus.WITHDRAWN)
        corporation = factory.Trait(legal_form=LegalForm.NPO, corporate_number="7000012050002")

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if not create:
            return
        self.themes.set(extracted if extracted is not None else Theme.objects.order_by("order")[:1])
