from django.db import migrations
from django.db.models import F


def date_imported_applications(apps, schema_editor):
    """Applications the CSV import put in 申請中 had no 申請日時 and sat at the top of the staff
    queue on SQLite (at the bottom on PostgreSQL). They get the time their row was created: the
    import's time for a group it created, as the import now gives (groups.csv_io.import_rows)."""
    Group = apps.get_model("groups", "Group")
    Group.objects.filter(status="pending", submitted_at=None).update(submitted_at=F("created_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("groups", "0007_founded_year_and_member_count_bounds"),
    ]

    operations = [
        migrations.RunPython(date_imported_applications, migrations.RunPython.noop),
    ]
