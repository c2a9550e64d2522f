"""Background work for the group registry: e-mails and the annual renewal reminder."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.core.mail import EmailMessage

logger = logging.getLogger("kyodo")

# A group that has not confirmed this fiscal year hears from us at most this often.
REMINDER_INTERVAL = timedelta(days=28)


@shared_task(
    name="groups.send_email", autoretry_for=(OSError,), retry_backoff=60, max_retries=5, acks_late=True
)
def send_email(*, subject: str, body: str, to: list[str], reply_to: str = "") -> int:
    """Sends one text e-mail; retried with back-off when the mail server does not answer."""
    message = EmailMessage(subject=subject, body=body, to=to, reply_to=[reply_to] if reply_to else None)
    return message.send()


@shared_task(name="groups.send_renewal_reminders", acks_late=True)
def send_renewal_reminders() -> int:
    """Reminds every approved group that has not confirmed its details this fiscal year.

    Idempotent: a group reminded within REMINDER_INTERVAL is skipped, so running the task twice
    sends nothing twice. Each reminder is recorded (RenewalReminder) and shown to staff on the
    renewal page; a group whose e-mail failed has no record and is tried again next run.
    """
    from groups.selectors import groups_needing_renewal_reminder
    from groups.services import renewal_reminder_send

    sent = 0
    for group in groups_needing_renewal_reminder(interval=REMINDER_INTERVAL):
        try:
            renewal_reminder_send(group=group)
            sent += 1
        except Exception:
            logger.exception("renewal reminder failed for group %s", group.pk)
    logger.info("renewal reminders sent: %s", sent)
    return sent
