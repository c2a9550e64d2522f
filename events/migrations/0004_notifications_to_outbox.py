"""The participants' notification e-mails move to the one outbox (core.OutboxMessage).

Their history comes along: kind, recipient, state, attempts, error and times. A reminder or a
survey request keeps its once-key, so nobody is reminded twice after the move. The bodies were
never stored, so the moved rows have none and the outbox page does not offer to resend them.
"""

from django.conf import settings
from django.db import migrations

SUBJECTS = {
    "confirmed": "「%(title)s」のお申し込みを受け付けました",
    "waitlisted": "「%(title)s」のキャンセル待ちを受け付けました",
    "promoted": "「%(title)s」の参加が確定しました（キャンセル待ちからの繰り上げ）",
    "cancelled": "「%(title)s」のお申し込みを取り消しました",
    "reminder": "「%(title)s」開催のお知らせ",
    "survey": "「%(title)s」アンケートへのご協力のお願い",
}
STATUSES = {"pending": "failed", "sent": "sent", "failed": "failed", "skipped": "failed"}


def once_key(n) -> str | None:
    if n.kind == "reminder":
        return f"events.reminder:{n.registration_id}:{n.session_id}"
    if n.kind == "survey":
        return f"events.survey:{n.registration_id}"
    return None


def forwards(apps, schema_editor):
    Notification = apps.get_model("events", "Notification")
    OutboxMessage = apps.get_model("core", "OutboxMessage")
    ContentType = apps.get_model("contenttypes", "ContentType")
    registration_type, _ = ContentType.objects.get_or_create(app_label="events", model="registration")
    notifications = Notification.objects.select_related(
        "registration__person__user", "registration__event"
    ).order_by("pk")
    for n in notifications.iterator(chunk_size=500):
        person = n.registration.person
        email = person.email or (person.user.email if person.user_id else "")
        status = STATUSES.get(n.status, "failed")
        if n.status == "skipped":
            last_error = "送信先のメールアドレスがありませんでした。"
        elif status == "failed":
            last_error = "以前の通知の記録です（送信されていません）。"
        else:
            last_error = ""
        message = OutboxMessage.objects.create(
            kind=f"events.{n.kind}",
            to=[email] if email else [],
            subject=f"[{settings.CENTER_NAME}] "
            + SUBJECTS.get(n.kind, n.kind) % {"title": n.registration.event.title},
            body="",
            content_type=registration_type,
            object_id=n.registration_id,
            once_key=once_key(n),
            status=status,
            attempts=n.attempts,
            last_error=last_error,
            error_detail=n.error,
            sent_at=n.sent_at,
        )
        OutboxMessage.objects.filter(pk=message.pk).update(created_at=n.created_at)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0003_sessions_registrations"),
        ("core", "0003_outbox"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
