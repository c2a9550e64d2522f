"""Celery's own router sends each task to its queue: mail a person waits for never shares a
queue with bulk mail or reports."""

from __future__ import annotations

import pytest
from django.conf import settings

from core.models import OutboxMessage


def queue_of(task_name: str) -> str:
    from config.celery import app

    return app.amqp.router.route({}, task_name, args=(1,), kwargs={})["queue"].name


@pytest.mark.parametrize(
    ("task_name", "queue"),
    [
        ("core.outbox_send_pending", "mail"),
        ("core.outbox_send", "mail"),
        ("core.outbox_send_batch", "bulk"),
        ("info.send_newsletter", "bulk"),
        ("info.send_digests", "bulk"),
        ("reports.render_report", "reports"),
        ("reports.sweep_reports", "default"),
        ("events.send_session_reminders", "default"),
        ("groups.send_renewal_reminders", "default"),
        ("core.ping", "default"),
    ],
)
def test_each_task_goes_to_its_queue(task_name, queue):
    from config.celery import app

    app.loader.import_default_modules()
    assert task_name in app.tasks
    assert queue_of(task_name) == queue


def test_every_routed_queue_is_declared():
    """A worker started without -Q (make worker) serves every queue a task can be routed to."""
    from config.celery import app

    declared = {queue.name for queue in app.conf.task_queues}
    assert declared == set(settings.TASK_QUEUE_NAMES)
    assert {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()} <= declared
    assert app.conf.task_default_queue in declared


@pytest.mark.django_db
def test_one_mail_goes_to_mail_and_many_mails_go_to_bulk(
    monkeypatch, tasks_through_broker, django_capture_on_commit_callbacks
):
    """An account mail wakes the sender on "mail"; a newsletter's mails are batches on "bulk"."""
    from core import outbox, tasks

    sent: list[tuple[str, object]] = []
    monkeypatch.setattr(
        tasks.outbox_send_pending, "delay", lambda: sent.append((tasks.outbox_send_pending.name, None))
    )
    monkeypatch.setattr(
        tasks.outbox_send_batch, "delay", lambda ids: sent.append((tasks.outbox_send_batch.name, ids))
    )
    with django_capture_on_commit_callbacks(execute=True):
        reset = outbox.outbox_enqueue(
            to=["someone@example.jp"], subject="パスワードの再設定", body="…", kind="account.password_reset"
        )
        many = outbox.outbox_enqueue_many(
            [
                {"to": [f"reader{n}@example.jp"], "subject": "情報紙", "body": "…", "kind": "info.newsletter"}
                for n in range(tasks.BULK_BATCH + 1)
            ]
        )
    assert OutboxMessage.objects.filter(kind="info.newsletter").count() == tasks.BULK_BATCH + 1
    assert reset.is_bulk is False and all(message.is_bulk for message in many)
    assert sent[0] == ("core.outbox_send_pending", None)
    batches = [ids for name, ids in sent[1:] if name == "core.outbox_send_batch"]
    assert [len(ids) for ids in batches] == [tasks.BULK_BATCH, 1]
    assert sorted(pk for ids in batches for pk in ids) == sorted(message.pk for message in many)
    assert {queue_of(name) for name, _ in sent} == {"mail", "bulk"}
    assert queue_of(sent[0][0]) == "mail" and queue_of(sent[1][0]) == "bulk"


@pytest.mark.django_db
def test_a_bulk_batch_sends_each_message_once(mailoutbox, django_capture_on_commit_callbacks):
    from core import outbox

    with django_capture_on_commit_callbacks(execute=True):
        outbox.outbox_enqueue_many(
            [
                {
                    "to": [f"reader{n}@example.jp"],
                    "subject": "情報紙",
                    "body": "本文",
                    "kind": "info.newsletter",
                }
                for n in range(3)
            ]
        )
    assert sorted(mail.to[0] for mail in mailoutbox) == [f"reader{n}@example.jp" for n in range(3)]
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxMessage.Status.SENT}
    from core.tasks import outbox_send_batch

    outbox_send_batch.delay(list(OutboxMessage.objects.values_list("pk", flat=True)))
    assert len(mailoutbox) == 3


def test_the_mail_tasks_store_no_result():
    """A message's state is its outbox row: the mail tasks keep no Celery result (a stored one is
    written by the worker and never read, and the request that sends would wait on its channel)."""
    from core.tasks import outbox_send, outbox_send_batch, outbox_send_pending

    assert outbox_send.ignore_result and outbox_send_batch.ignore_result and outbox_send_pending.ignore_result
