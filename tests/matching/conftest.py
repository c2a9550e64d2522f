import pytest

from tests.matching.factories import BusinessFactory, GroupFactory, area, theme


@pytest.fixture
def kodomo(db):
    return theme("子どもの健全育成")


@pytest.fixture
def machi(db):
    return theme("まちづくり")


@pytest.fixture
def honmachi(db):
    return area("本町")


@pytest.fixture
def editor(make_user):
    return make_user(email="editor@example.jp", full_name="団体 編集者")


@pytest.fixture
def group(editor, kodomo, honmachi):
    """A registered group with an editor, in 子どもの健全育成 and 本町."""
    return GroupFactory(name="みらい子ども食堂", themes=[kodomo], areas=[honmachi], editors=[editor])


@pytest.fixture
def business_member(make_user):
    return make_user(email="designer@example.jp", full_name="企業 担当")


@pytest.fixture
def design_company(business_member, kodomo, honmachi):
    return BusinessFactory(
        name="みらいデザイン工房", themes=[kodomo], areas=[honmachi], members=[business_member]
    )
