import pytest

from tests.factories import account_fixture
from tests.groups.factories import AreaFactory, GroupFactory


@pytest.fixture
def area(db):
    return AreaFactory(name="本町", name_kana="ほんまち")


owner = account_fixture("owner@example.jp", "代表 花子")
editor = account_fixture("editor@example.jp", "共同 次郎")
stranger = account_fixture("stranger@example.jp", "他人 三郎")


@pytest.fixture
def group(owner, editor, area):
    """An approved group with an owner and a co-editor; contact details all private."""
    return GroupFactory(
        owner=owner,
        editors=[editor],
        areas=[area],
        email="secret-group@example.jp",
        phone="000-999-8888",
        representative_name="非公開 太郎",
        address="みらい市秘密町1-1",
    )


@pytest.fixture
def group_factory(db):
    return GroupFactory
