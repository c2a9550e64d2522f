"""Factories for consultations (states as traits)."""

from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth.models import Group as RoleGroup
from django.utils import timezone

from consultations.models import Channel, Consultation, ConsultationStatus, FollowUp, Referral, Topic
from core.models import Person, User
from core.roles import Role
from tests import factories
from tests.factory_helpers import ModelFactory, numbered_names


class StaffFactory(ModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"consult-staff{n}@example.jp")
    full_name = factory.Sequence(lambda n: f"職員 {n}号")
    is_staff = True

    @factory.post_generation
    def role(obj, create, extracted, **kwargs):
        if create:
            obj.groups.add(RoleGroup.objects.get(name=Role.STAFF))


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name, name_kana = numbered_names("佐藤 陽子", "さとう ようこ")
    phone = "000-111-2222"


class GroupFactory(factories.GroupFactory):
    name, name_kana = numbered_names("みらい子ども食堂", "みらいこどもしょくどう")


class DepartmentFactory(factories.DepartmentFactory):
    """The consultations desk's usual referral: the same department every time."""

    name = "市民協働推進課"
    name_kana = "しみんきょうどうすいしんか"


class ConsultationFactory(ModelFactory):
    class Meta:
        model = Consultation

    consulted_on = factory.LazyFunction(timezone.localdate)
    duration_minutes = 30
    channel = Channel.VISIT
    staff = factory.SubFactory(StaffFactory)
    person = factory.SubFactory(PersonFactory)
    question = "子ども食堂の助成金を探している。"
    answer = "市の協働推進基金を案内した。"
    status = ConsultationStatus.CLOSED

    class Params:
        anonymous = factory.Trait(person=None, is_anonymous=True)
        with_group = factory.Trait(group=factory.SubFactory(GroupFactory))
        old = factory.Trait(
            consulted_on=factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=7 * 365))
        )
        open = factory.Trait(status=ConsultationStatus.OPEN)

    @factory.post_generation
    def topics(obj, create, extracted, **kwargs):
        if create:
            codes = extracted or ["funding"]
            obj.topics.set(Topic.objects.filter(code__in=codes))


class ReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referral

    consultation = factory.SubFactory(ConsultationFactory)
    department = factory.SubFactory(DepartmentFactory)
    note = "担当者の連絡先を伝えた。"


class FollowUpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUp

    consultation = factory.SubFactory(ConsultationFactory)
    due_on = factory.LazyFunction(timezone.localdate)
    owner = factory.SelfAttribute("consultation.staff")
    description = "申請書が書けたか電話で確認する"
