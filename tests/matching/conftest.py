import pytest
from django.urls import reverse

from matching.models import PartyRef
from tests.factories import account_fixture
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


editor = account_fixture("editor@example.jp", "団体 編集者")


@pytest.fixture
def group(editor, kodomo, honmachi):
    """A registered group with an editor, in 子どもの健全育成 and 本町."""
    return GroupFactory(name="みらい子ども食堂", themes=[kodomo], areas=[honmachi], editors=[editor])


business_member = account_fixture("designer@example.jp", "企業 担当")


@pytest.fixture
def design_company(business_member, kodomo, honmachi):
    return BusinessFactory(
        name="みらいデザイン工房", themes=[kodomo], areas=[honmachi], members=[business_member]
    )


@pytest.fixture
def post_item(client):
    """post_item("need", party, title=..., kind=...) → the response to the create form of a need
    (or an offer) posted for `party` by whoever `client` is signed in as."""

    def post(item: str, party, **fields):
        return client.post(reverse(f"matching:{item}_create"), {"party": PartyRef.of(party).key, **fields})

    return post
