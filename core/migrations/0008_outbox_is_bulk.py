from django.db import migrations, models

# The kinds that outbox_enqueue_many wrote before the field existed (info.newsletter, info.digest).
BULK_KINDS = ("info.newsletter", "info.digest")


def mark_bulk(apps, schema_editor):
    apps.get_model("core", "OutboxMessage").objects.filter(kind__in=BULK_KINDS).update(is_bulk=True)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0007_outbox_fewer_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="outboxmessage",
            name="is_bulk",
            field=models.BooleanField(default=False, editable=False, verbose_name="一斉送信"),
        ),
        migrations.RunPython(mark_bulk, migrations.RunPython.noop),
    ]
