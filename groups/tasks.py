"""Background work for the group registry: the annual renewal reminder."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task

logger = logging.getLogger("kyodo")

# A group that has not confirmed this fiscal year hears from us at most this often.
REMINDER_INTERVAL = timedelta(days=28)


@shared_task(name="groups.send_renewal_reminders", acks_late=True)
def send_renewal_reminders() -> int:
    """Reminds every approved group that has not confirmed its details this fiscal year.

    Idempotent: a group reminded within REMINDER_INTERVAL is skipped, so running the task twice
    sends nothing twice. Each reminder is recorded (RenewalReminder, shown to staff on the
    renewal page) together with its e-mail in the outbox, which retries a failed send.
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
