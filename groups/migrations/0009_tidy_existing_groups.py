from django.db import migrations

# Imported, not copied, as the earlier search-key migrations do: the rows must end in the very
# spelling Group.clean and the forms give today, and their search keys be those Group.save makes,
# or the next edit of an untouched group would change it again. (Historical models have no
# clean() or save() logic, so the migration applies the same functions itself.)
from core.text import (
    is_phone_number,
    kana_row,
    name_key,
    phone_number,
    reading_sort_key,
    search_document,
    tidy_text,
)

# groups.models.TIDIED_FIELDS when this was written (a migration keeps its own list).
TIDIED_FIELDS = ("name", "representative_name", "contact_name", "address")
DERIVED_FIELDS = ("search_text", "name_key", "sort_key", "kana_row")
BATCH_SIZE = 1000


def tidy_groups(apps, schema_editor):
    """Groups stored before Group.clean tidied them get the one spelling of 団体名, 代表者名,
    連絡担当者名 and 所在地 (core.text.tidy_text), and a phone number in the form's spelling where
    the form's rule takes it (core.text.phone_number); a phone it refuses stays as it was.

    Only changed rows are written, in batches, with their search and sort keys made as
    Group.refresh_derived_fields makes them. bulk_update sends no signals, so simple-history
    records no change and updated_at stays: nobody edited these groups."""
    Group = apps.get_model("groups", "Group")
    loaded = ("name_kana", "purpose", "activities", "phone", *TIDIED_FIELDS)
    written = (*TIDIED_FIELDS, "phone", *DERIVED_FIELDS)
    last_pk = 0
    # A batch at a time by primary key, no cursor left open while rows are written (SQLite).
    while batch := list(Group.objects.only(*loaded).filter(pk__gt=last_pk).order_by("pk")[:BATCH_SIZE]):
        last_pk = batch[-1].pk
        changed = [group for group in batch if _tidy(group)]
        for group in changed:
            group.search_text = search_document(group.name, group.name_kana, group.purpose, group.activities)
            group.name_key = name_key(group.name)[:200]
            group.sort_key = reading_sort_key(group.name_kana or group.name)
            group.kana_row = kana_row(group.name_kana or group.name)
        if changed:
            Group.objects.bulk_update(changed, written)


def _tidy(group) -> bool:
    """Tidies the group's fields in place; whether anything changed."""
    before = [getattr(group, name) for name in (*TIDIED_FIELDS, "phone")]
    for name in TIDIED_FIELDS:
        setattr(group, name, tidy_text(getattr(group, name)))
    phone = phone_number(group.phone)
    if is_phone_number(phone):
        group.phone = phone
    return [getattr(group, name) for name in (*TIDIED_FIELDS, "phone")] != before


class Migration(migrations.Migration):
    dependencies = [
        ("groups", "0008_imported_applications_submitted_at"),
    ]

    operations = [
        migrations.RunPython(tidy_groups, migrations.RunPython.noop),
    ]
