"""The nine consultation topics, with stable codes."""

from django.db import migrations

from consultations.reference import ensure_topics


def add_topics(apps, schema_editor):
    ensure_topics(apps.get_model("consultations", "Topic"))


class Migration(migrations.Migration):
    dependencies = [("consultations", "0001_initial")]

    operations = [migrations.RunPython(add_topics, migrations.RunPython.noop)]
