"""The center's programs with their stable codes."""

from django.db import migrations

from events.reference import ensure_programs


def create_programs(apps, schema_editor):
    ensure_programs(apps.get_model("events", "Program"))


class Migration(migrations.Migration):
    dependencies = [("events", "0001_initial")]
    operations = [migrations.RunPython(create_programs, migrations.RunPython.noop)]
