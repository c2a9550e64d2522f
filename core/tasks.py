"""The tasks that send e-mail. On the queue "mail" (account mail, confirmations, anything a person
waits for): core.outbox_send_pending, woken after a commit that wrote messages, sends every
message waiting; core.outbox_send retries one that the mail server did not take. On the queue
"bulk" (newsletters and digests): core.outbox_send_batch, many messages per task, so bulk mail
never delays the rest."""

from __future__ import annotations

from celery import shared_task

from core import outbox

MAX_RETRIES = 5
# Seconds before retry n (1-based): 1, 2, 4, 8, 16 minutes.
RETRY_BASE_SECONDS = 60


# ignore_result: a message's state is its outbox row (what staff see and resend). A stored result
# would be written by the worker and never read, and asking for one makes every send subscribe to
# the result's channel in the request that sends it.
@shared_task(
    bind=True,
    name="core.outbox_send",
    acks_late=True,
    ignore_result=True,
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


# Waiting messages read at a time by outbox_send_pending.
PENDING_BATCH = 100


@shared_task(
    name="core.outbox_send_pending",
    acks_late=True,
    ignore_result=True,
    soft_time_limit=25 * 60,
    time_limit=30 * 60,
)
def outbox_send_pending() -> dict[str, int]:
    """Sends every message of the queue "mail" that waits, oldest first, until none is left
    (messages committed meanwhile included). One the mail server did not take is retried on its
    own with back-off (outbox_send); one that failed for good stays 失敗 for staff to resend."""
    outbox.sender_arrived()
    counts: dict[str, int] = {}
    last = 0
    while ids := outbox.waiting_message_ids(after=last, limit=PENDING_BATCH):
        for message_id in ids:
            message, retry = outbox.outbox_deliver(message_id=message_id)
            status = message.status if message is not None else "missing"
            counts[status] = counts.get(status, 0) + 1
            if retry and not outbox_send.app.conf.task_always_eager:
                # The first of outbox_send's retries: the same back-off as a message sent alone.
                outbox_send.apply_async((message_id,), countdown=RETRY_BASE_SECONDS, retries=1)
        last = ids[-1]
    return counts


# Messages per bulk task: one broker message sends this many mails.
BULK_BATCH = 100


@shared_task(
    bind=True,
    name="core.outbox_send_batch",
    acks_late=True,
    ignore_result=True,
    max_retries=MAX_RETRIES,
    soft_time_limit=25 * 60,
    time_limit=30 * 60,
)
def outbox_send_batch(self, message_ids: list[int]) -> dict[str, int]:
    """Sends bulk messages one after another (each idempotent, as outbox_send); the ones worth
    retrying are tried again together later, the others stay 失敗 for staff."""
    counts: dict[str, int] = {}
    again = []
    for message_id in message_ids:
        message, retry = outbox.outbox_deliver(message_id=message_id)
        status = message.status if message is not None else "missing"
        counts[status] = counts.get(status, 0) + 1
        if retry:
            again.append(message_id)
    if again and not self.request.is_eager and self.request.retries < self.max_retries:
        raise self.retry(args=[again], countdown=RETRY_BASE_SECONDS * 2**self.request.retries)
    return counts
