from django.db import migrations

# Imported, not copied (as groups' 0009_tidy_existing_groups does): a guest's name must end in the
# very spelling guest_person_create gives one today, and its keys be those Person.save makes.
from core.text import person_name, reading_sort_key, search_document

BATCH_SIZE = 1000


def tidy_guest_names(apps, schema_editor):
    """Guests (people without an account: phoned in, walked in, asked for advice) recorded before
    their names were tidied get the one spelling of names (core.text.person_name): 「山田　　太郎」
    → 「山田 太郎」, ｻﾄｳ → サトウ. A person with an account carries the profile's name and is left
    to the profile.

    Only changed rows are written, in batches, with their search and sort keys made as
    Person.refresh_derived_fields makes them."""
    Person = apps.get_model("core", "Person")
    last_pk = 0
    # A batch at a time by primary key, no cursor left open while rows are written (SQLite).
    while batch := list(
        Person.objects.only("name", "name_kana", "email")
        .filter(user__isnull=True, pk__gt=last_pk)
        .order_by("pk")[:BATCH_SIZE]
    ):
        last_pk = batch[-1].pk
        changed = [person for person in batch if person.name != person_name(person.name)]
        for person in changed:
            person.name = person_name(person.name)
            person.search_text = search_document(person.name, person.name_kana, person.email)
            person.sort_key = reading_sort_key(person.name_kana or person.name)
        if changed:
            Person.objects.bulk_update(changed, ["name", "search_text", "sort_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0009_department_search_text"),
    ]

    operations = [
        migrations.RunPython(tidy_guest_names, migrations.RunPython.noop),
    ]
