"""Factories for the rows every app's tests build on: accounts, groups and city departments.

Each app's factories subclass these with the defaults its tests read (names, contact details,
traits), so the model wiring and the membership hooks are written once.
"""

from __future__ import annotations

import factory
import pytest

from core.models import Department
from groups.models import Group, GroupMembership, GroupStatus, LegalForm
from tests.factory_helpers import ModelFactory, numbered_names, related_set


def account_fixture(email: str, full_name: str):
    """A fixture of a member's account with this address and name (built by `make_user`)."""

    @pytest.fixture
    def account(make_user):
        return make_user(email=email, full_name=full_name)

    return account


def memberships(role: str) -> factory.PostGeneration:
    """A post-generation hook that makes a user, or each user of a list, a member of the group
    with `role`: ``GroupFactory(owner=user)``, ``GroupFactory(editors=[a, b])``."""

    def add_members(group, create, extracted, **kwargs):
        if not (create and extracted):
            return
        users = extracted if isinstance(extracted, list | tuple) else [extracted]
        for user in users:
            GroupMembership.objects.create(group=group, user=user, role=role)

    return factory.PostGeneration(add_members)


class GroupFactory(ModelFactory):
    """An approved voluntary group; `themes`, `areas`, `owner` and `editors` are optional."""

    class Meta:
        model = Group

    name, name_kana = numbered_names("試験団体", "しけんだんたい")
    legal_form = LegalForm.VOLUNTARY
    status = GroupStatus.APPROVED

    themes = related_set("themes")
    areas = related_set("areas")
    owner = memberships(GroupMembership.Role.OWNER)
    editors = memberships(GroupMembership.Role.EDITOR)


class DepartmentFactory(ModelFactory):
    """A city department, reused when one of that name exists (names are unique)."""

    class Meta:
        model = Department
        django_get_or_create = ("name",)

    name, name_kana = numbered_names("協働テスト課", "きょうどうてすとか")

    themes = related_set("themes")
    officials = related_set("officials")
