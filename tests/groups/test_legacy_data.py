"""Groups stored before names were tidied and phone numbers checked (a centre's upgrade): the
migration that tidies them, and saving a group whose stored phone the rule refuses."""

from importlib import import_module

import pytest
from django.apps import apps
from django.urls import reverse

from core.roles import Role
from groups.models import Group
from tests.admin_actions import admin_change_data
from tests.groups.factories import GroupFactory
from tests.groups.test_views import names

pytestmark = pytest.mark.django_db

HistoricalGroup = Group.history.model

migration = import_module("groups.migrations.0009_tidy_existing_groups")

MESSY = {
    "name": "\u3000ＮＰＯ法人　　みらい子ども食堂ﾈｯﾄﾜｰｸ\u3000",
    "name_kana": "えぬぴーおーほうじん みらいこどもしょくどうねっとわーく",
    "representative_name": "山田\u3000\u3000花子",
    "contact_name": " ｻﾄｳ  ﾖｳｺ ",
    "address": "みらい市本町１－２－３\u3000\u3000市民活動プラザ",
}


def legacy_group(**fields) -> Group:
    """A group as an earlier version stored it: saved without Group.clean (so untidied), its
    search keys made from the untidied name."""
    return GroupFactory(**(MESSY | fields))


def test_the_migration_tidies_names_and_addresses_and_remakes_their_keys(client):
    group = legacy_group()
    updated_at = group.updated_at
    history = HistoricalGroup.objects.count()
    migration.tidy_groups(apps, None)
    group.refresh_from_db()
    assert group.name == "NPO法人 みらい子ども食堂ネットワーク"
    assert group.representative_name == "山田 花子"
    assert group.contact_name == "サトウ ヨウコ"
    assert group.address == "みらい市本町1-2-3 市民活動プラザ"
    # The keys are those Group.save makes from the tidied name, so the next edit changes none.
    stored = {name: getattr(group, name) for name in migration.DERIVED_FIELDS}
    group.refresh_derived_fields()
    assert stored == {name: getattr(group, name) for name in migration.DERIVED_FIELDS}
    # No fake edits: no history rows and the same 更新日時.
    assert HistoricalGroup.objects.count() == history and group.updated_at == updated_at
    for query in (MESSY["name"], "子ども食堂ネットワーク", "ﾈｯﾄﾜｰｸ", "特定非営利活動法人みらい子ども食堂"):
        assert names(client.get(reverse("groups:index"), {"q": query})) == [group.name], query
    assert Group.objects.filter(name_key=migration.name_key("みらい子ども食堂ネットワーク")).get() == group


@pytest.mark.parametrize(
    ("stored", "migrated"),
    [
        ("０３（１２３４）５６７８", "03-1234-5678"),
        ("(03)1234-5678", "03-1234-5678"),
        ("090ー1234ー5678", "090-1234-5678"),
        ("03 1234 5678", "0312345678"),
        ("000-123-4567", "000-123-4567"),
        # Refused by the rule: kept exactly as stored, not half-normalised.
        ("03-123-456", "03-123-456"),
        ("０３－１２３－４５６", "０３－１２３－４５６"),
        ("内線12", "内線12"),
        ("", ""),
    ],
)
def test_the_migration_stores_a_phone_the_rule_takes_in_its_spelling_and_leaves_the_others(stored, migrated):
    group = GroupFactory(phone=stored)
    migration.tidy_groups(apps, None)
    group.refresh_from_db()
    assert group.phone == migrated


def test_the_migration_writes_only_changed_rows_a_batch_at_a_time(monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(migration, "BATCH_SIZE", 2)
    tidy = GroupFactory.create_batch(2)  # untouched: not written
    messy = [legacy_group(name=f"ﾐﾗｲの会{n}") for n in range(3)]
    history = HistoricalGroup.objects.count()
    # Three reads of two, two and one rows and the empty one that ends; one write for each
    # batch with a changed row.
    with django_assert_num_queries(4 + 2):
        migration.tidy_groups(apps, None)
    assert [g.name for g in Group.objects.filter(pk__in=[g.pk for g in messy]).order_by("pk")] == [
        "ミライの会0",
        "ミライの会1",
        "ミライの会2",
    ]
    assert HistoricalGroup.objects.count() == history and len(tidy) == 2


def _posted_back(form) -> dict:
    """What the form's page posts when nothing is changed."""
    values = {field.html_name: field.value() for field in form}
    return {
        name: ("on" if value is True else value)
        for name, value in values.items()
        if value not in (None, False)
    }


def test_an_editor_saves_other_changes_with_a_stored_phone_the_rule_refuses(client_for, owner):
    """A number stored before the rule (03-123-456) does not stop the group's editor: it is kept,
    and the field says to put it right; changing it into a number the rule refuses is an error."""
    group = GroupFactory(owner=owner, phone="03-123-456")
    c = client_for(owner)
    url = reverse("groups:edit", args=[group.pk])
    page = c.get(url)
    assert "登録されている電話番号は、今の書き方" in page.content.decode()
    data = _posted_back(page.context["form"]) | {"action": "save"}
    response = c.post(url, data | {"activities": "毎週土曜日に開いています。"})
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.activities == "毎週土曜日に開いています。" and group.phone == "03-123-456"

    response = c.post(url, data | {"phone": "03-12-34"})
    assert "電話番号は、数字とハイフンで入力してください" in str(response.context["form"].errors["phone"])
    assert c.post(url, data | {"phone": "03（1234）5678"}).status_code == 302
    group.refresh_from_db()
    assert group.phone == "03-1234-5678"


def test_a_valid_stored_phone_gets_no_note(client_for, owner):
    group = GroupFactory(owner=owner, phone="03-1234-5678")
    page = client_for(owner).get(reverse("groups:edit", args=[group.pk]))
    assert "登録されている電話番号は" not in page.content.decode()


def test_staff_save_a_group_in_the_admin_with_a_stored_phone_the_rule_refuses(client_for, make_user, owner):
    group = GroupFactory(owner=owner, phone="03-123-456")
    c = client_for(make_user(roles=(Role.STAFF,), email="admin-legacy@example.jp", is_superuser=True))
    url = reverse("admin:groups_group_change", args=[group.pk])
    response = c.post(url, admin_change_data(c.get(url)) | {"activities": "職員が直しました。"})
    assert response.status_code == 302
    group.refresh_from_db()
    assert (group.activities, group.phone) == ("職員が直しました。", "03-123-456")
