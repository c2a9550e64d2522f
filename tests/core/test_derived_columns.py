"""The columns a record makes from its own fields (search_text, sort_key) are made the same way
whether it is saved one by one or written in bulk (the demo seeding, imports)."""

import pytest

from core.models import Person
from core.text import normalize_for_search
from matching.models import Business

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", [Person, Business])
def test_bulk_create_makes_the_same_columns_as_save(model):
    saved = model(name="西ヶ丘 花子", name_kana="にしがおか はなこ")
    saved.save()
    (bulked,) = model.objects.bulk_create([model(name="西ヶ丘 花子", name_kana="にしがおか はなこ")])
    bulked.refresh_from_db()

    assert bulked.sort_key == saved.sort_key != ""
    assert bulked.search_text == saved.search_text
    assert normalize_for_search("西ケ丘") in bulked.search_text


def test_the_reading_orders_people_when_they_are_written_in_bulk():
    Person.objects.bulk_create(
        [Person(name="和田", name_kana="わだ"), Person(name="青木", name_kana="あおき"), Person(name="北村")]
    )
    # 北村 has no reading: it sorts by its name (kanji after kana).
    assert [person.name for person in Person.objects.all()] == ["青木", "和田", "北村"]
