"""Background work of the info app: the saved-search digests."""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger("kyodo")


@shared_task(name="info.send_digests", acks_late=True)
def send_digests(frequency: str) -> int:
    """One digest per person of the new items their saved searches of this frequency match.

    Idempotent: what was sent is recorded (AlertDelivery) in the same transaction as the mail is
    written to the outbox, so a second run sends nothing twice; the outbox retries a failed send.
    """
    from info.services import digests_send

    sent = digests_send(frequency=frequency)
    logger.info("saved-search digests (%s) sent: %s", frequency, sent)
    return sent


@shared_task(name="info.send_newsletter", acks_late=True)
def send_newsletter(issue_id: int) -> int:
    """Writes one issue's mail for every subscriber to the outbox, in batches (idempotent)."""
    from info.newsletter import issue_send_batches

    queued = issue_send_batches(issue_id=issue_id)
    logger.info("newsletter %s: %s mails queued", issue_id, queued)
    return queued


@shared_task(name="info.purge_subscribers", acks_late=True)
def purge_subscribers() -> int:
    """Deletes unsubscribed and never-confirmed addresses older than the retention period."""
    from info.newsletter import subscribers_purge

    return subscribers_purge()
