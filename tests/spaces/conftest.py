from __future__ import annotations

import datetime as dt

import pytest

from groups.models import GroupMembership
from tests.conftest import frozen_clock
from tests.factories import account_fixture
from tests.groups.factories import GroupFactory
from tests.spaces.factories import MachineFactory, RoomFactory

# Tuesday 1 December 2026, 10:00 in Japan: every date in these tests is relative to it.
NOW = dt.datetime(2026, 12, 1, 1, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 12, 1)
_frozen_now = frozen_clock(NOW)


@pytest.fixture
def room(db):
    return RoomFactory(name="会議室A", venue_keyword="会議室A", max_hours_per_month=None)


@pytest.fixture
def printer(db):
    return MachineFactory(name="印刷機", unit="枚", unit_price=1, use_price=50)


editor = account_fixture("editor@example.jp", "編集 花子")


@pytest.fixture
def group(editor):
    return GroupFactory(name="ひまわりの会", name_kana="ひまわりのかい", owner=editor)


@pytest.fixture
def other_group(make_user):
    return GroupFactory(
        name="もみじの会", name_kana="もみじのかい", owner=make_user(email="momiji@example.jp")
    )


def is_editor(user, group) -> bool:
    return GroupMembership.objects.filter(user=user, group=group).exists()
