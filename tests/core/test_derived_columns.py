"""The columns a record makes from its own fields (search_text, sort_key; a group's name_key and
kana_row too) are made the same way whether it is saved one by one or written in bulk (the demo
seeding, imports), and are saved with the fields they are made from."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import Person
from core.text import normalize_for_search
from groups.models import Group, LegalForm
from matching.models import Business

pytestmark = pytest.mark.django_db


def record(model, **fields):
    extra = {"legal_form": LegalForm.VOLUNTARY} if model is Group else {}
    return model(**{"name": "西ヶ丘 花子", "name_kana": "にしがおか はなこ", **extra, **fields})


@pytest.mark.parametrize("model", [Person, Business, Group])
def test_bulk_create_makes_the_same_columns_as_save(model):
    saved = record(model)
    saved.save()
    (bulked,) = model.objects.bulk_create([record(model)])
    bulked.refresh_from_db()

    assert bulked.sort_key == saved.sort_key != ""
    assert bulked.search_text == saved.search_text
    assert normalize_for_search("西ケ丘") in bulked.search_text
    for column in model.derived_from():
        assert getattr(bulked, column) == getattr(saved, column) != "", column


@pytest.mark.parametrize("model", [Person, Business, Group])
def test_saving_some_fields_saves_the_columns_made_from_them(model):
    """save(update_fields=["name_kana"]) must not leave the reading order of the old reading."""
    saved = record(model, name="和田", name_kana="わだ")
    saved.save()
    saved.name, saved.name_kana = "青木の会", "あおきのかい"
    saved.save(update_fields=["name", "name_kana"])
    fresh = model.objects.get(pk=saved.pk)
    rebuilt = record(model, name="青木の会", name_kana="あおきのかい")
    rebuilt.refresh_derived_fields()
    for column in model.derived_from():
        assert getattr(fresh, column) == getattr(rebuilt, column), column
    assert "あおき" in fresh.sort_key


def test_saving_other_fields_leaves_the_derived_columns_out_of_the_update():
    group = record(Group)
    group.save()
    group.purpose = "見守り"  # a source of search_text only
    group.save(update_fields=["purpose"])
    with CaptureQueriesContext(connection) as captured:
        group.save(update_fields=["status"])
    [sql] = [q["sql"] for q in captured.captured_queries if q["sql"].startswith('UPDATE "groups_group"')]
    assert '"status"' in sql and "search_text" not in sql and "sort_key" not in sql
    assert normalize_for_search("見守り") in Group.objects.get(pk=group.pk).search_text


def test_the_reading_orders_people_when_they_are_written_in_bulk():
    Person.objects.bulk_create(
        [Person(name="和田", name_kana="わだ"), Person(name="青木", name_kana="あおき"), Person(name="北村")]
    )
    # 北村 has no reading: it sorts by its name (kanji after kana).
    assert [person.name for person in Person.objects.all()] == ["青木", "和田", "北村"]


@pytest.mark.parametrize("model", [Person, Business, Group])
def test_refresh_search_columns_makes_again_the_columns_of_records_saved_under_older_rules(model):
    """A name stored with a zero-width space from a paste, before the rules dropped it, is found
    by the name as it looks once the command has made the columns again; rows already right are
    not written."""
    from io import StringIO

    from django.core.management import call_command

    stale = record(model, name="こども\u200b食堂 花子")
    stale.save()
    right = record(model, name="和田 一郎", name_kana="わだ いちろう")
    right.save()
    # As an older rule left it: the invisible character in the name and in the search column.
    model.objects.filter(pk=stale.pk).update(
        name="こども\u200b食堂 花子", search_text="こども\u200b食堂花子 にしがおかはなこ"
    )
    keyword = normalize_for_search("こども食堂")
    assert not model.objects.filter(search_text__contains=keyword).exists()

    out = StringIO()
    call_command("refresh_search_columns", stdout=out)

    assert list(model.objects.filter(search_text__contains=keyword)) == [stale]
    assert f"{model._meta.verbose_name}: 1 件を作り直しました。" in out.getvalue()
