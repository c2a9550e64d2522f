from django.db import migrations

from core.text import search_document


def recompute(apps, schema_editor):
    """Search keys ignore spaces, punctuation and 法人格 spellings now (core.text)."""
    Business = apps.get_model("matching", "Business")
    batch = []
    for business in Business.objects.only("name", "name_kana", "description").iterator(chunk_size=1000):
        business.search_text = search_document(business.name, business.name_kana, business.description)
        batch.append(business)
    Business.objects.bulk_update(batch, ["search_text"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("matching", "0002_match")]
    operations = [migrations.RunPython(recompute, migrations.RunPython.noop)]
