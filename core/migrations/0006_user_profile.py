from django.db import migrations, models


class Migration(migrations.Migration):
    """A person's profile: phone, and which optional notices they want by e-mail."""

    dependencies = [
        ("core", "0005_mfa_enrolment_link"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="phone",
            field=models.CharField(blank=True, max_length=20, verbose_name="電話番号"),
        ),
        migrations.AddField(
            model_name="user",
            name="notify_event_reminders",
            field=models.BooleanField(default=True, verbose_name="催しの前のお知らせ（リマインダー）を受け取る"),
        ),
        migrations.AddField(
            model_name="user",
            name="notify_event_surveys",
            field=models.BooleanField(default=True, verbose_name="催しのあとのアンケートのお願いを受け取る"),
        ),
    ]
