from django.db import migrations

from core.text import search_document


def recompute(apps, schema_editor):
    """Search keys ignore spaces, punctuation and 法人格 spellings now (core.text)."""
    Consultation = apps.get_model("consultations", "Consultation")
    batch = []
    rows = Consultation.objects.filter(anonymised_at__isnull=True).select_related("person", "group")
    rows = rows.iterator(chunk_size=1000)
    for consultation in rows:
        person, group = consultation.person, consultation.group
        consultation.search_text = search_document(
            consultation.question,
            consultation.answer,
            person.name if person else "",
            person.name_kana if person else "",
            group.name if group else "",
            group.name_kana if group else "",
        )
        batch.append(consultation)
    Consultation.objects.bulk_update(batch, ["search_text"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("consultations", "0004_access_log_append_only_postgres"), ("groups", "0004_search_keys")]
    operations = [migrations.RunPython(recompute, migrations.RunPython.noop)]
