"""No double booking at the database level (PostgreSQL only).

An exclusion constraint over (resource, tstzrange(starts_at, ends_at)) for the bookings that hold
time (not cancelled). btree_gist lets the gist index compare the resource id with "=". On SQLite
nothing is created: spaces.services checks the same rule after locking the resource row.

The constraint is not in the model's Meta on purpose: Django would then validate it in Python
on every database, and its range lookups do not exist on SQLite.
"""

from django.db import migrations

CONSTRAINT = "spaces_booking_no_overlap"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    schema_editor.execute(
        f"""
        ALTER TABLE spaces_booking ADD CONSTRAINT {CONSTRAINT}
        EXCLUDE USING gist (resource_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
        WHERE (status IN ('pending', 'confirmed', 'no_show'))
        """
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE spaces_booking DROP CONSTRAINT IF EXISTS {CONSTRAINT}")


class Migration(migrations.Migration):
    dependencies = [("spaces", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
