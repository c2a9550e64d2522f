"""The pipeline's keyword finds a match however its parties' names and its need or offer are
typed (stored normalised columns): widths, kana, ヶ/ケ, 法人格 and synonyms, like the public lists."""

from __future__ import annotations

import pytest
from django.urls import reverse

from matching import services
from matching.selectors import pipeline
from tests.matching import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def matches(staff_user):
    hill = factories.GroupFactory(name="NPO法人 西ケ丘みどりの会")
    office = factories.DepartmentFactory(name="こども家庭支援課", name_kana="こどもかていしえんか")
    printer = factories.BusinessFactory(name="ABCプリント", name_kana="えーびーしーぷりんと")
    river = factories.GroupFactory(name="川辺の清掃隊")
    need = factories.NeedFactory(group=river, title="ちらしを作ってほしい")
    lender = factories.GroupFactory(name="本町自治会")
    offer = factories.OfferFactory(group=lender, title="集会所をお貸しします")
    return {
        "hill": services.match_create(party_a=hill, party_b=office, created_by=staff_user),
        "printer": services.match_create(party_a=river, party_b=printer, created_by=staff_user, need=need),
        "hall": services.match_create(party_a=river, party_b=lender, created_by=staff_user, offer=offer),
    }


def found(keyword: str) -> set[int]:
    _filterset, columns = pipeline(data={"q": keyword, "fiscal_year": ""})
    return {match.pk for column in columns.values() for match in column}


@pytest.mark.parametrize(
    ("keyword", "expected"),
    [
        ("西ヶ丘", {"hill"}),  # ヶ/ケ in the group's name
        ("特定非営利活動法人 みどりの会", {"hill"}),  # 法人格 aside
        ("コドモ", {"hill"}),  # katakana finds the department's hiragana
        ("子ども家庭", {"hill"}),  # 子ども/こども (a built-in synonym)
        ("ＡＢＣ", {"printer"}),  # full width finds the business's half width
        ("チラシ", {"printer"}),  # katakana finds the need's hiragana title
        ("集会所", {"hall"}),  # the offer's title
        ("川辺", {"printer", "hall"}),  # a group on either side
        ("存在しない団体", set()),  # a word that is not there finds nothing, not everything
    ],
)
def test_the_pipeline_finds_a_match_in_any_spelling(matches, keyword, expected):
    assert found(keyword) == {matches[name].pk for name in expected}


def test_a_renamed_department_is_found_by_its_new_name(matches):
    office = matches["hill"].department_b
    office.name = "子育て応援ｾﾝﾀｰ"
    office.save()
    assert found("センター") == {matches["hill"].pk}


def test_the_pipeline_page_answers_a_search(client, staff_user, matches):
    client.force_login(staff_user)
    html = client.get(reverse("matching:pipeline"), {"q": "西ヶ丘", "fiscal_year": ""}).content.decode()
    assert "西ケ丘みどりの会" in html and "川辺の清掃隊" not in html
