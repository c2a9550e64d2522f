"""Guests recorded before their names were tidied (core.text.person_name): the migration that gives
their names the one spelling a guest recorded today gets."""

from importlib import import_module

import pytest
from django.apps import apps
from django.urls import reverse

from core.models import Person
from core.services import guest_person_create
from tests.events.factories import PersonFactory

pytestmark = pytest.mark.django_db

migration = import_module("core.migrations.0010_tidy_guest_names")


def test_the_migration_tidies_guest_names_as_a_guest_recorded_today_is(client, staff_user):
    """「山田　　太郎」 and half-width kana stored by an earlier version read as a guest recorded now
    reads; the search and sort keys are those Person.save makes from the tidied name."""
    typed = ("\u3000山田\u3000\u3000太郎 ", " ｻﾄｳ  ﾖｳｺ", "ＡＢＣ　ｽﾐｽ")
    legacy = [PersonFactory(name=name, name_kana="", phone="03-1234-5678", email="") for name in typed]
    migration.tidy_guest_names(apps, None)
    expected = [guest_person_create(name=name, phone="03-1234-5678").name for name in typed]
    assert expected == ["山田 太郎", "サトウ ヨウコ", "ABC スミス"]
    for person, name in zip(legacy, expected, strict=True):
        person.refresh_from_db()
        assert person.name == name
        stored = (person.search_text, person.sort_key)
        person.refresh_derived_fields()
        assert stored == (person.search_text, person.sort_key)
    client.force_login(staff_user)
    page = client.get(reverse("events:staff_people"), {"q": "サトウ ヨウコ"}).content.decode()
    assert "サトウ ヨウコ" in page and "ｻﾄｳ" not in page


def test_the_migration_leaves_people_with_an_account_and_tidy_names_as_they_are(
    member, django_assert_num_queries
):
    """A person with an account carries the profile's name (the profile tidies it); a tidy guest is
    not written again."""
    person = PersonFactory(name="試験\u3000利用者", user=member)
    tidy = PersonFactory(name="木村 彩")
    with django_assert_num_queries(2):  # one read of a batch, the empty read that ends; no write
        migration.tidy_guest_names(apps, None)
    assert Person.objects.get(pk=person.pk).name == "試験\u3000利用者"
    assert Person.objects.get(pk=tidy.pk).name == "木村 彩"
