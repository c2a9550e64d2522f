"""The nine consultation topics of DESIGN.md, with stable codes."""

from django.db import migrations

TOPICS = [
    ("founding", "団体設立・法人化"),
    ("management", "運営・組織"),
    ("funding", "資金調達・助成金"),
    ("publicity", "広報・情報発信"),
    ("accounting", "会計・税務"),
    ("collaboration", "協働・連携"),
    ("volunteers", "人材・ボランティア"),
    ("venue", "活動場所"),
    ("other", "その他"),
]


def add_topics(apps, schema_editor):
    Topic = apps.get_model("consultations", "Topic")
    for order, (code, name) in enumerate(TOPICS, start=1):
        Topic.objects.update_or_create(code=code, defaults={"name": name, "order": order * 10})


class Migration(migrations.Migration):
    dependencies = [("consultations", "0001_initial")]

    operations = [migrations.RunPython(add_topics, migrations.RunPython.noop)]
