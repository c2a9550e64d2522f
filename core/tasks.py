"""The one task that sends e-mail: core.outbox_send, on the queue "mail"."""

from __future__ import annotations

from celery import shared_task

from core import outbox

MAX_RETRIES = 5
# Seconds before retry n (1-based): 1, 2, 4, 8, 16 minutes.
RETRY_BASE_SECONDS = 60


@shared_task(
    bind=True,
    name="core.outbox_send",
    acks_late=True,
    max_retries=MAX_RETRIES,
    soft_time_limit=100,
    time_limit=120,
)
def outbox_send(self, message_id: int) -> str:
    """Idempotent: a message already sent is never sent again. A transient failure is retried
    with back-off by the worker; in-process (no Redis) it stays 失敗 for staff to resend."""
    message, retry = outbox.outbox_deliver(message_id=message_id)
    if message is None:
        return "missing"
    if retry and not self.request.is_eager and self.request.retries < self.max_retries:
        raise self.retry(countdown=RETRY_BASE_SECONDS * 2**self.request.retries)
    return message.status
