"""Factories for matching tests: parties (groups, businesses, departments), needs, offers."""

from __future__ import annotations

import factory

from core.models import Area, Theme
from groups.models import GroupMembership, GroupStatus
from matching.models import Business, BusinessStatus, ExchangeKind, Need, Offer, ProBonoDeliverable
from tests import factories
from tests.factory_helpers import ModelFactory, numbered_names, related_set


def theme(short_name: str) -> Theme:
    """An NPO Act theme by its short name (e.g. 子どもの健全育成); seeded by a migration, recreated
    when a browser test's flush removed it."""
    return Theme.objects.get_or_create(
        short_name=short_name, defaults={"name": f"{short_name}の活動", "is_npo_act_field": True}
    )[0]


def area(name: str) -> Area:
    return Area.objects.get_or_create(name=name, defaults={"name_kana": name})[0]


class GroupFactory(factories.GroupFactory):
    """A registered group; each of `editors` is made an owner of it."""

    email = factory.Sequence(lambda n: f"group{n}@example.jp")

    class Params:
        withdrawn = factory.Trait(status=GroupStatus.WITHDRAWN)
        paused = factory.Trait(status=GroupStatus.PAUSED)
        pending = factory.Trait(status=GroupStatus.PENDING)

    editors = factories.memberships(GroupMembership.Role.OWNER)


class BusinessFactory(ModelFactory):
    class Meta:
        model = Business

    name, name_kana = numbered_names("試験商事", "しけんしょうじ")
    status = BusinessStatus.APPROVED
    email = factory.Sequence(lambda n: f"biz{n}@example.jp")

    class Params:
        pending = factory.Trait(status=BusinessStatus.PENDING)
        rejected = factory.Trait(status=BusinessStatus.REJECTED)

    themes = related_set("themes")

    areas = related_set("areas")

    members = related_set("members")


class DepartmentFactory(factories.DepartmentFactory):
    name, name_kana = numbered_names("試験課", "しけんか")
    email = factory.Sequence(lambda n: f"dept{n}@example.jp")


class ItemFactory(ModelFactory):
    class Meta:
        abstract = True

    title = factory.Sequence(lambda n: f"項目{n}")
    kind = ExchangeKind.PRO_BONO
    deliverable = ProBonoDeliverable.FLYER
    is_open = True

    class Params:
        closed = factory.Trait(is_open=False)

    themes = related_set("themes")

    areas = related_set("areas")


class NeedFactory(ItemFactory):
    class Meta:
        model = Need


class OfferFactory(ItemFactory):
    class Meta:
        model = Offer
