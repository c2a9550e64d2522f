"""The outbox: the one way the portal sends e-mail.

    from core.outbox import outbox_enqueue_template

    outbox_enqueue_template(
        to=[group.email], template="groups/email/approved", context={"group": group},
        kind="groups.approved", related=group,
    )

Call it inside the transaction of the change that causes the mail. The message is a row of
OutboxMessage written in that transaction; after commit a Celery task of the queue "mail"
(core.tasks.outbox_send_pending) sends it with every other message waiting, and a message the
mail server did not take is retried on its own (core.tasks.outbox_send). Mail sent to
many people at once (newsletters, digests) goes through outbox_enqueue_many: rows written in
one INSERT, sent by tasks of the queue "bulk" (core.tasks.outbox_send_batch), so that a
5,000-mail run never stands between a person and their password-reset mail. When the
transaction rolls back, the row and the mail are gone with it. Staff see every message on
/staff/outbox/ and resend a failed one there.
"""

from __future__ import annotations

import base64
import logging
import smtplib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, TypedDict, Unpack

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, models, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import OutboxMessage

logger = logging.getLogger("kyodo")


def subject_line(subject: str) -> str:
    # One line, with the center's name in front (as every mail of the portal has had).
    subject = " ".join(subject.split())
    prefix = f"[{settings.CENTER_NAME}]"
    return subject if subject.startswith(prefix) else f"{prefix} {subject}"


@dataclass(frozen=True)
class MadeAttachment:
    """A file made when the message is sent (and again at each resend), by the function an app
    registers under `maker` (hook "outbox_attachments"), called with `arguments` (JSON values).

    The request that causes the mail writes only the row: making an .ics of bookings in it cost
    a tenth of a booking request. The file shows the rows as they are when it is sent (a booking
    moved or cancelled meanwhile: its new time, or STATUS:CANCELLED)."""

    filename: str
    maker: str
    arguments: Mapping[str, Any]
    mimetype: str


class MessageOptions(TypedDict, total=False):
    """What a message may carry besides its recipients, words and kind."""

    reply_to: Sequence[str]
    headers: Mapping[str, str] | None
    attachments: Sequence[tuple[str, bytes, str] | MadeAttachment]
    related: models.Model | None


def outbox_enqueue(
    *, to: Sequence[str], subject: str, body: str, kind: str, **options: Unpack[MessageOptions]
) -> OutboxMessage:
    """Records one e-mail and sends it after the current transaction commits."""
    return _enqueue(to=to, subject=subject, body=body, kind=kind, **options)


def outbox_enqueue_many(messages: Sequence[Mapping]) -> list[OutboxMessage]:
    """Records many e-mails in one INSERT (each a dict of outbox_enqueue's arguments) and sends
    them after commit on the queue "bulk", a batch of messages per task."""
    rows = [_message(**message) for message in messages]
    for row in rows:
        row.is_bulk = True
    if not rows:
        return []
    OutboxMessage.objects.bulk_create(rows, batch_size=500)
    _send_batches_after_commit([row.pk for row in rows])
    return rows


def outbox_enqueue_template(
    *, to: Sequence[str], template: str, context: dict, kind: str, **options: Unpack[MessageOptions]
) -> OutboxMessage:
    """outbox_enqueue with the subject and body rendered from `<template>_subject.txt` and
    `<template>_body.txt` (the center's name, e-mail and phone are in the context)."""
    subject, body = render_message(template, context)
    return outbox_enqueue(to=to, subject=subject, body=body, kind=kind, **options)


def outbox_enqueue_once(*, once_key: str, **message) -> OutboxMessage | None:
    """outbox_enqueue, unless a message with this key was ever enqueued: then None.

    The key is unique in the table, so two workers running the same reminder at once still
    send it once."""
    try:
        with transaction.atomic():
            return _enqueue(once_key=once_key, **message)
    except IntegrityError:
        return None


def render_message(template: str, context: dict) -> tuple[str, str]:
    full_context = {
        "center_name": settings.CENTER_NAME,
        "center_email": settings.CENTER_EMAIL,
        "center_phone": settings.CENTER_PHONE,
        **context,
    }
    subject = render_to_string(f"{template}_subject.txt", full_context)
    body = render_to_string(f"{template}_body.txt", full_context)
    return subject, body


def _enqueue(**fields) -> OutboxMessage:
    """Saves the message (_message's fields) and sends it once the transaction commits."""
    message = _message(**fields)
    message.save()
    _send_after_commit(message)
    return message


def _message(
    *,
    to: Sequence[str],
    subject: str,
    body: str,
    kind: str,
    reply_to: Sequence[str] = (),
    headers: Mapping[str, str] | None = None,
    attachments: Sequence[tuple[str, bytes, str] | MadeAttachment] = (),
    related: models.Model | None = None,
    once_key: str | None = None,
) -> OutboxMessage:
    recipients = [address for address in to if address]
    if not recipients:
        raise ValueError("an outbox message needs at least one recipient")
    message = OutboxMessage(
        kind=kind,
        to=recipients,
        reply_to=[address for address in reply_to if address],
        subject=subject_line(subject),
        body=body,
        headers=dict(headers or {}),
        attachments=[_stored_attachment(attachment) for attachment in attachments],
        once_key=once_key,
    )
    if related is not None:
        message.content_type = ContentType.objects.get_for_model(related)
        message.object_id = related.pk
    return message


def _stored_attachment(attachment: tuple[str, bytes, str] | MadeAttachment) -> dict:
    if isinstance(attachment, MadeAttachment):
        _attachment_maker(attachment.maker)  # a misspelt maker fails here, not in the worker
        return {
            "filename": attachment.filename,
            "maker": attachment.maker,
            "arguments": dict(attachment.arguments),
            "mimetype": attachment.mimetype,
        }
    name, content, mimetype = attachment
    return {"filename": name, "content": base64.b64encode(content).decode("ascii"), "mimetype": mimetype}


@cache
def _attachment_makers() -> dict[str, Callable[..., bytes]]:
    from core.app_hooks import collect

    return {name: maker for _app, makers in collect("outbox_attachments") for name, maker in makers().items()}


def _attachment_maker(name: str) -> Callable[..., bytes]:
    try:
        return _attachment_makers()[name]
    except KeyError:
        raise LookupError(f"no outbox attachment maker {name!r} (hook outbox_attachments)") from None


def attachment_files(message: OutboxMessage) -> list[tuple[str, bytes, str]]:
    """The message's files as sent: (filename, content, mimetype), the made ones made now."""
    files = []
    for attachment in message.attachments:
        if "maker" in attachment:
            content = _attachment_maker(attachment["maker"])(**attachment["arguments"])
        else:
            content = base64.b64decode(attachment["content"])
        files.append((attachment["filename"], content, attachment["mimetype"]))
    return files


# Set while a sender of the queue "mail" is on its way (core.tasks.outbox_send_pending), which
# deletes it before it reads the waiting messages: a message committed while the key is there
# is read by that sender. The key expires in case the task is lost with its broker.
SENDER_ON_ITS_WAY_KEY = "core:outbox:sender-on-its-way"
SENDER_ON_ITS_WAY_SECONDS = 60


def _send_after_commit(message: OutboxMessage) -> None:
    from core.tasks import outbox_send

    if outbox_send.app.conf.task_always_eager:
        # In-process (no broker: make run, the tests): this message, at once.
        pk = message.pk
        transaction.on_commit(lambda: outbox_send.delay(pk))
    else:
        transaction.on_commit(_wake_sender)


def _wake_sender() -> None:
    """Sends the waiting messages of the queue "mail": one task for a burst of them. A task per
    message cost the request that wrote it a broker publish (0.5 ms of CPU, about a tenth of a
    room booking); now most requests of a burst find a sender on its way and publish nothing."""
    from django.core.cache import cache

    from core.tasks import outbox_send_pending

    if not cache.add(SENDER_ON_ITS_WAY_KEY, 1, SENDER_ON_ITS_WAY_SECONDS):
        return
    try:
        outbox_send_pending.delay()
    except Exception:
        # Not published: the next message must not think a sender is on its way.
        cache.delete(SENDER_ON_ITS_WAY_KEY)
        raise


def waiting_message_ids(*, after: int, limit: int) -> list[int]:
    """The next waiting messages of the queue "mail", oldest first."""
    return list(
        OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING, is_bulk=False, pk__gt=after)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


def sender_arrived() -> None:
    """Called by the sender before it reads the waiting messages (see SENDER_ON_ITS_WAY_KEY)."""
    from django.core.cache import cache

    cache.delete(SENDER_ON_ITS_WAY_KEY)


def _send_batches_after_commit(ids: list[int]) -> None:
    from core.tasks import BULK_BATCH, outbox_send_batch

    def send() -> None:
        for start in range(0, len(ids), BULK_BATCH):
            outbox_send_batch.delay(ids[start : start + BULK_BATCH])

    transaction.on_commit(send)


# --- sending -------------------------------------------------------------------------------------

# Failures that trying again will not mend: the address or the account is wrong.
PERMANENT_ERRORS = (
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPSenderRefused,
    smtplib.SMTPAuthenticationError,
)


def worth_retrying(exc: BaseException) -> bool:
    # smtplib's errors are OSErrors too: a server that did not answer, or answered "not now".
    return isinstance(exc, OSError) and not isinstance(exc, PERMANENT_ERRORS)


def explain_error(exc: BaseException) -> str:
    """What went wrong, in words staff can act on."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return _("宛先のメールアドレスをメールサーバーが受け付けませんでした。アドレスを確かめてください。")
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return _(
            "送信元のメールアドレスをメールサーバーが受け付けませんでした。メールの設定を確かめてください。"
        )
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return _("メールサーバーへのログインに失敗しました。メールの設定を確かめてください。")
    if isinstance(exc, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError):
        return _("メールサーバーにつながりませんでした。")
    if isinstance(exc, smtplib.SMTPException):
        return _("メールサーバーが送信を受け付けませんでした。")
    if isinstance(exc, OSError):
        return _("メールサーバーにつながりませんでした。")
    return _("メールを送信できませんでした。")


def _email(message: OutboxMessage) -> EmailMessage:
    email = EmailMessage(
        subject=message.subject,
        body=message.body,
        to=list(message.to),
        reply_to=list(message.reply_to) or None,
        headers=dict(message.headers) or None,
    )
    for filename, content, mimetype in attachment_files(message):
        email.attach(filename, content, mimetype)
    return email


def outbox_deliver(*, message_id: int) -> tuple[OutboxMessage | None, bool]:
    """Sends one message unless it was sent already: (message, worth retrying).

    The row is locked while it is sent, so a task delivered twice (acks_late) sends once."""
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.status == OutboxMessage.Status.SENT:
            return message, False
        message.attempts += 1
        try:
            _email(message).send()
        except Exception as exc:
            logger.warning(
                "outbox: message %s (%s) failed, attempt %s: %r",
                message.pk,
                message.kind,
                message.attempts,
                exc,
            )
            message.status = OutboxMessage.Status.FAILED
            message.last_error = explain_error(exc)
            message.error_detail = f"{type(exc).__name__}: {exc}"[:2000]
            message.save(update_fields=["status", "attempts", "last_error", "error_detail"])
            return message, worth_retrying(exc)
        message.status = OutboxMessage.Status.SENT
        message.sent_at = timezone.now()
        message.last_error = ""
        message.save(update_fields=["status", "attempts", "sent_at", "last_error"])
        logger.info("outbox: sent message %s (%s)", message.pk, message.kind)
        return message, False


@transaction.atomic
def outbox_resend(*, message: OutboxMessage) -> OutboxMessage:
    """Staff send a failed (or stuck) message again."""
    message = OutboxMessage.objects.select_for_update().get(pk=message.pk)
    if message.status == OutboxMessage.Status.SENT:
        raise ValidationError(_("このメールは送信済みです。"))
    if not message.can_resend:
        raise ValidationError(_("以前の仕組みから移した記録で本文がないため、再送信できません。"))
    message.status = OutboxMessage.Status.PENDING
    message.save(update_fields=["status"])
    _send_after_commit(message)
    return message
