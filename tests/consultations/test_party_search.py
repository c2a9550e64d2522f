"""Who asked: the client search finds groups by their name or reading, not by their activities."""

import pytest

from consultations.selectors import party_search
from tests.groups.factories import GroupFactory

pytestmark = pytest.mark.django_db


def labels(q: str, kind: str) -> list[str]:
    return [hit.label for hit in party_search(q=q, kinds=(kind,))]


def test_groups_are_found_by_name_or_reading_in_any_spelling_not_by_their_activities():
    GroupFactory(name="西ケ丘子ども会", name_kana="にしがおかこどもかい")
    GroupFactory(name="NPO法人 ゆうやけ文庫", name_kana="ゆうやけぶんこ")
    GroupFactory(name="川辺商店街応援団", name_kana="かわべ", activities="西ケ丘の夏祭りを手伝っています。")

    def names(q):
        return labels(q, "group")

    assert names("西ヶ丘") == ["西ケ丘子ども会"]
    assert names("ニシガオカ") == ["西ケ丘子ども会"]
    assert names("こども会") == ["西ケ丘子ども会"]
    assert names("特定非営利活動法人ゆうやけ") == ["NPO法人 ゆうやけ文庫"]
    assert names("夏祭り") == []


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("西ヶ丘", ["西ケ丘出張所"]),  # ヶ/ケ
        ("シュッチョウジョ", ["西ケ丘出張所"]),  # katakana finds the hiragana reading
        ("市民生活部", ["西ケ丘出張所"]),  # the 部局
        ("こども家庭", ["子ども家庭支援課"]),  # 子ども/こども
        ("廃止", []),  # not in use
        ("存在しない課", []),
    ],
)
def test_departments_are_found_by_name_reading_or_division_in_any_spelling(q, expected):
    """Through the department's stored search_text (core.models.KeywordSearchable)."""
    from tests.factories import DepartmentFactory

    DepartmentFactory(name="西ケ丘出張所", name_kana="にしがおかしゅっちょうじょ", division="市民生活部")
    DepartmentFactory(name="子ども家庭支援課", name_kana="こどもかていしえんか", division="こども未来部")
    DepartmentFactory(name="廃止した課", name_kana="はいししたか", is_active=False)
    assert labels(q, "department") == expected


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("09012345678", ["佐藤 陽子"]),  # heard on the phone, no hyphens
        ("０９０－１２３４", ["佐藤 陽子"]),  # full width, part of it
        ("000-978-3074", ["鈴木 健太"]),
        ("さとう", ["佐藤 陽子"]),  # the reading, as before
        ("こども", ["子ども 花子"]),  # synonyms, as before
        ("0120", []),
    ],
)
def test_people_are_found_by_name_reading_or_phone_number_however_typed(q, expected):
    """As the events' people search (core.selectors.people_matching): the digits of a phone number."""
    from core.models import Person

    Person.objects.create(name="佐藤 陽子", name_kana="さとう ようこ", phone="090-1234-5678")
    Person.objects.create(name="鈴木 健太", name_kana="すずき けんた", phone="000-978-3074")
    Person.objects.create(name="子ども 花子", name_kana="こども はなこ", phone="")
    merged = Person.objects.create(name="佐藤 陽子", name_kana="さとう ようこ", phone="090-1234-5678")
    merged.merged_into = Person.objects.first()
    merged.save()
    assert labels(q, "person") == expected
