"""The proposers' notification e-mails move to the one outbox (core.OutboxMessage).

Their history comes along: kind, recipient, state, attempts, error and times. The bodies were
never stored (they were rendered at sending), so the moved rows have none and the outbox page
does not offer to resend them.
"""

from django.conf import settings
from django.db import migrations

SUBJECTS = {
    "proposal_submitted": "協働事業の提案を受け付けました",
    "proposal_review_started": "提案の審査が始まりました",
    "proposal_stage_advanced": "提案が次の審査に進みました",
    "proposal_decided": "提案の審査結果をお知らせします",
    "project_status_changed": "協働事業の状況が変わりました",
}
STATUSES = {"pending": "failed", "sent": "sent", "failed": "failed"}


def forwards(apps, schema_editor):
    Notification = apps.get_model("projects", "Notification")
    OutboxMessage = apps.get_model("core", "OutboxMessage")
    ContentType = apps.get_model("contenttypes", "ContentType")
    proposal_type, _ = ContentType.objects.get_or_create(app_label="projects", model="proposal")
    project_type, _ = ContentType.objects.get_or_create(app_label="projects", model="project")
    notifications = Notification.objects.select_related(
        "proposal__created_by", "project__proposal__created_by"
    ).order_by("pk")
    for n in notifications.iterator(chunk_size=500):
        proposal = n.project.proposal if n.project_id else n.proposal
        email = proposal.created_by.email if proposal is not None and proposal.created_by_id else ""
        status = STATUSES.get(n.status, "failed")
        message = OutboxMessage.objects.create(
            kind=f"projects.{n.kind}",
            to=[email] if email else [],
            subject=f"[{settings.CENTER_NAME}] {SUBJECTS.get(n.kind, n.kind)}",
            body="",
            content_type=project_type if n.project_id else proposal_type,
            object_id=n.project_id or n.proposal_id,
            status=status,
            attempts=n.attempts,
            last_error="以前の通知の記録です（送信されていません）。" if status == "failed" else "",
            error_detail=n.last_error,
            sent_at=n.sent_at,
        )
        OutboxMessage.objects.filter(pk=message.pk).update(created_at=n.created_at)


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0002_notifications"),
        ("core", "0003_outbox"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
