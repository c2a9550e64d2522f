"""The 20 activity fields of the NPO Act (特定非営利活動促進法 別表) and the three role groups."""

from django.db import migrations

from core.reference import NPO_ACT_FIELDS, ROLES, ensure_reference_data


def create_reference_data(apps, schema_editor):
    ensure_reference_data(apps.get_model("core", "Theme"), apps.get_model("auth", "Group"))


def remove_reference_data(apps, schema_editor):
    names = [name for name, _short in NPO_ACT_FIELDS]
    apps.get_model("core", "Theme").objects.filter(name__in=names).delete()
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_reference_data, remove_reference_data)]
