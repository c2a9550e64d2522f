"""Background work: e-mails to the proposer at each step (queued with transaction.on_commit)."""

from __future__ import annotations

import logging
import smtplib

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from core.models import absolute_url

logger = logging.getLogger("kyodo")

SUBJECTS = {
    "proposal_submitted": "協働事業の提案を受け付けました",
    "proposal_review_started": "提案の審査が始まりました",
    "proposal_stage_advanced": "提案が次の審査に進みました",
    "proposal_decided": "提案の審査結果をお知らせします",
    "project_status_changed": "協働事業の状況が変わりました",
}


def notification_message(kind: str, *, proposal_id: int | None = None, project_id: int | None = None):
    """(subject, body, recipients) of a notification; None when there is no one to tell."""
    from projects.models import Project, Proposal
    from projects.selectors import latest_decision

    project = None
    if project_id:
        project = Project.objects.select_related("proposal__created_by", "proposal__call").get(pk=project_id)
        proposal = project.proposal
    else:
        proposal = (
            Proposal.objects.select_related("call", "group", "created_by", "current_stage")
            .prefetch_related("decisions")
            .get(pk=proposal_id)
        )
    if proposal is None or not proposal.created_by.email:
        return None
    context = {
        "proposal": proposal,
        "project": project,
        "decision": latest_decision(proposal),
        "proposal_url": absolute_url(reverse("projects:proposal_detail", args=[proposal.pk])),
        "project_url": absolute_url(reverse("projects:workspace", args=[project.pk])) if project else "",
        "center_name": settings.CENTER_NAME,
        "center_email": settings.CENTER_EMAIL,
        "center_phone": settings.CENTER_PHONE,
    }
    subject = f"[{settings.CENTER_NAME}] {_(SUBJECTS[kind])}"
    body = render_to_string(f"projects/email/{kind}.txt", context)
    return subject, body, [proposal.created_by.email]


@shared_task(bind=True, max_retries=5, acks_late=True)
def send_notification(self, notification_id: int) -> bool:
    """Idempotent: a notification already sent is not sent again. Failures are recorded and retried."""
    from django.utils import timezone

    from projects.models import Notification, NotificationStatus

    notification = Notification.objects.filter(pk=notification_id).first()
    if notification is None or notification.status == NotificationStatus.SENT:
        return False
    notification.attempts += 1
    try:
        with translation.override("ja"):
            message = notification_message(
                notification.kind, proposal_id=notification.proposal_id, project_id=notification.project_id
            )
            if message is not None:
                subject, body, recipients = message
                send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    except (smtplib.SMTPException, OSError) as exc:
        notification.status = NotificationStatus.FAILED
        notification.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        notification.save(update_fields=["status", "attempts", "last_error"])
        logger.warning(
            "projects: notification %s failed (attempt %s): %s", notification_id, notification.attempts, exc
        )
        if settings.CELERY_TASK_ALWAYS_EAGER:
            return False  # in-process: staff resend it from the notifications page
        raise self.retry(exc=exc, countdown=60 * 2 ** min(notification.attempts, 5)) from exc
    notification.status = NotificationStatus.SENT
    notification.sent_at = timezone.now()
    notification.last_error = ""
    notification.save(update_fields=["status", "attempts", "sent_at", "last_error"])
    logger.info("projects: sent %s (notification %s)", notification.kind, notification_id)
    return True
