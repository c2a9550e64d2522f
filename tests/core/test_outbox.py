"""The outbox: every e-mail is a row written with the change, sent once after commit."""

from __future__ import annotations

import smtplib
import time

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse

from core import outbox
from core.models import OutboxMessage


class FailingBackend:
    """An e-mail backend whose server fails `failures` times, then accepts."""

    failures = 0
    error: Exception = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        if FailingBackend.failures > 0:
            FailingBackend.failures -= 1
            raise FailingBackend.error
        mail.outbox.extend(messages)
        return len(messages)


@pytest.fixture
def failing_mail(settings):
    settings.EMAIL_BACKEND = "tests.core.test_outbox.FailingBackend"
    FailingBackend.error = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
    yield FailingBackend
    FailingBackend.failures = 0


def _enqueue(**overrides):
    fields = {"to": ["a@example.jp"], "subject": "お知らせ", "body": "本文です。", "kind": "test.notice"}
    return outbox.outbox_enqueue(**(fields | overrides))


@pytest.mark.django_db
def test_a_mail_is_sent_once_after_commit(django_capture_on_commit_callbacks, settings):
    """Nothing leaves before the commit; after it, one mail with the center's name in the subject."""
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = _enqueue(reply_to=["center@example.jp"], headers={"X-Test": "1"})
        assert mail.outbox == []
        assert OutboxMessage.objects.get().status == OutboxMessage.Status.PENDING
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.subject == f"[{settings.CENTER_NAME}] お知らせ"
    assert sent.to == ["a@example.jp"] and sent.reply_to == ["center@example.jp"]
    assert sent.extra_headers["X-Test"] == "1"
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT and message.attempts == 1 and message.sent_at

    # The same task delivered a second time (acks_late) does not send it again.
    from core.tasks import outbox_send

    outbox_send.delay(message.pk)
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_no_mail_and_no_row_when_the_change_rolls_back(django_capture_on_commit_callbacks):
    """A mail enqueued in a transaction that fails is never sent."""
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                _enqueue()
                raise RuntimeError("the change failed")
    assert mail.outbox == []
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_template_mail_and_related_object_and_attachment(django_capture_on_commit_callbacks, member):
    """outbox_enqueue_template renders <template>_subject.txt and _body.txt with the center's details."""
    with django_capture_on_commit_callbacks(execute=True):
        message = outbox.outbox_enqueue_template(
            to=[member.email],
            template="core/email/test_notice",
            context={"name": "市民 さくら"},
            kind="test.template",
            related=member,
            attachments=[("a.txt", "添付".encode(), "text/plain")],
        )
    assert message.related == member
    sent = mail.outbox[0]
    assert "市民 さくら" in sent.subject and "\n" not in sent.subject
    assert "市民 さくら 様" in sent.body
    assert sent.attachments[0][0] == "a.txt" and sent.attachments[0][1] == "添付"


@pytest.mark.django_db
def test_a_made_attachment_is_made_when_the_mail_is_sent(django_capture_on_commit_callbacks, monkeypatch):
    """The row keeps the maker's name and arguments, not the file; the file is made at each send
    from the data as it is then; a misspelt maker is refused when the mail is enqueued, and a
    maker that fails leaves the message 失敗 with a reason, to resend."""
    state = {"word": "予約"}

    def notice(*, ids: list[int]) -> bytes:
        if state["word"] is None:
            raise RuntimeError("the rows are gone")
        return f"{state['word']}:{ids}".encode()

    monkeypatch.setitem(outbox._attachment_makers(), "test.notice", notice)
    made = outbox.MadeAttachment("notice.txt", "test.notice", {"ids": [3, 4]}, "text/plain")
    with django_capture_on_commit_callbacks(execute=True):
        message = outbox.outbox_enqueue(
            to=["a@example.jp"], subject="件名", body="本文", kind="t", attachments=[made]
        )
    assert message.attachments == [
        {
            "filename": "notice.txt",
            "maker": "test.notice",
            "arguments": {"ids": [3, 4]},
            "mimetype": "text/plain",
        }
    ]
    assert mail.outbox[-1].attachments == [("notice.txt", "予約:[3, 4]", "text/plain")]

    state["word"] = None
    message.status = OutboxMessage.Status.PENDING
    message.save()
    delivered, retry = outbox.outbox_deliver(message_id=message.pk)
    assert delivered.status == OutboxMessage.Status.FAILED and not retry
    assert delivered.last_error == "メールを送信できませんでした。" and delivered.can_resend
    state["word"] = "取消"
    with django_capture_on_commit_callbacks(execute=True):
        outbox.outbox_resend(message=delivered)
    assert mail.outbox[-1].attachments == [("notice.txt", "取消:[3, 4]", "text/plain")]

    misspelt = outbox.MadeAttachment("x.txt", "test.notise", {}, "text/plain")
    with pytest.raises(LookupError, match=r"test\.notise"):
        outbox.outbox_enqueue(
            to=["a@example.jp"], subject="件名", body="本文", kind="t", attachments=[misspelt]
        )


@pytest.mark.django_db
def test_enqueue_once_never_enqueues_the_same_key_twice(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = outbox.outbox_enqueue_once(
            once_key="reminder:1", to=["a@example.jp"], subject="s", body="b", kind="k"
        )
        second = outbox.outbox_enqueue_once(
            once_key="reminder:1", to=["a@example.jp"], subject="s", body="b", kind="k"
        )
    assert first is not None and second is None
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_failed_mail_is_visible_with_a_japanese_reason_and_resendable(
    django_capture_on_commit_callbacks, failing_mail, client_for, staff_user
):
    """In-process (no Redis) a failure stays 失敗 on the staff page; 再送信する sends it."""
    failing_mail.failures = 1
    with django_capture_on_commit_callbacks(execute=True):
        message = _enqueue()
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED and message.attempts == 1
    assert message.last_error == "メールサーバーにつながりませんでした。"
    assert "SMTPServerDisconnected" in message.error_detail
    assert mail.outbox == []

    client = client_for(staff_user)
    page = client.get(reverse("core:outbox_list")).content.decode()
    assert "失敗" in page and "メールサーバーにつながりませんでした" in page and "再送信する" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("core:outbox_resend", args=[message.pk]))
    assert response.url == reverse("core:outbox_detail", args=[message.pk])
    assert "送信済み" in client.get(response.url).content.decode()
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT and message.attempts == 2
    assert len(mail.outbox) == 1

    # A sent mail is not sent again.
    response = client.post(reverse("core:outbox_resend", args=[message.pk]), follow=True)
    assert "このメールは送信済みです。" in response.content.decode()
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_refused_address_is_explained(django_capture_on_commit_callbacks, failing_mail):
    failing_mail.failures = 1
    failing_mail.error = smtplib.SMTPRecipientsRefused({"a@example.jp": (550, b"no such user")})
    with django_capture_on_commit_callbacks(execute=True):
        message = _enqueue()
    message.refresh_from_db()
    assert message.last_error.startswith("宛先のメールアドレスをメールサーバーが受け付けませんでした")
    assert not outbox.worth_retrying(failing_mail.error)
    assert outbox.worth_retrying(smtplib.SMTPServerDisconnected())


def test_the_mail_tasks_go_to_the_mail_queue():
    from config.celery import app

    assert app.amqp.router.route({}, "core.outbox_send")["queue"].name == "mail"
    assert app.amqp.router.route({}, "core.outbox_send_pending")["queue"].name == "mail"


@pytest.mark.django_db
def test_outbox_page_filters_by_state_and_refuses_an_unknown_one(client_for, staff_user):
    OutboxMessage.objects.create(kind="k", to=["a@example.jp"], subject="送った", body="b", status="sent")
    OutboxMessage.objects.create(kind="k", to=["b@example.jp"], subject="失敗した", body="b", status="failed")
    client = client_for(staff_user)
    page = client.get(reverse("core:outbox_list"), {"status": "failed"}).content.decode()
    assert "失敗した" in page and "送った" not in page
    response = client.get(reverse("core:outbox_list"), {"status": "nonsense"})
    assert response.status_code == 400
    assert "状態の指定が正しくありません" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("size", [3, 30])
def test_outbox_page_query_count_does_not_grow(client_for, staff_user, django_assert_max_num_queries, size):
    OutboxMessage.objects.bulk_create(
        OutboxMessage(kind="k", to=[f"{i}@example.jp"], subject=f"件名{i}", body="b") for i in range(size)
    )
    client = client_for(staff_user)
    client.get(reverse("core:outbox_list"))  # warm the session and permission caches
    with django_assert_max_num_queries(8):
        response = client.get(reverse("core:outbox_list"))
    assert response.status_code == 200


@pytest.mark.redis
def test_a_worker_retries_a_transient_smtp_failure(celery_redis_worker, failing_mail, monkeypatch):
    """Through Redis, the mail worker tries again after a dropped connection and then sends."""
    from core import tasks

    monkeypatch.setattr(tasks, "RETRY_BASE_SECONDS", 0)
    failing_mail.failures = 2
    message = _enqueue()  # no transaction around it: committed at once (transactional_db)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        message.refresh_from_db()
        if message.status == OutboxMessage.Status.SENT:
            break
        time.sleep(0.2)
    assert message.status == OutboxMessage.Status.SENT
    assert message.attempts == 3


@pytest.fixture
def published(monkeypatch, tasks_through_broker):
    """With a broker (not in-process): what the commits publish, the sender's wakes."""
    from core import tasks

    wakes: list[str] = []
    monkeypatch.setattr(tasks.outbox_send_pending, "delay", lambda: wakes.append("wake"))
    return wakes


@pytest.mark.django_db
def test_a_burst_of_mail_wakes_one_sender_until_it_arrives(published, django_capture_on_commit_callbacks):
    """Ten bookings' confirmations committed one after another publish one task; once the sender
    has arrived (and read the table), the next message wakes another."""
    for number in range(10):
        with django_capture_on_commit_callbacks(execute=True):
            _enqueue(to=[f"p{number}@example.jp"])
    assert published == ["wake"]
    outbox.sender_arrived()
    with django_capture_on_commit_callbacks(execute=True):
        _enqueue()
    assert published == ["wake", "wake"]


@pytest.mark.django_db
def test_a_wake_that_could_not_be_published_leaves_no_sender_on_its_way(
    monkeypatch, published, django_capture_on_commit_callbacks
):
    """The broker was down: the error is raised as before, and the next message tries again
    instead of believing a sender is coming."""
    from core import tasks

    def down():
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.outbox_send_pending, "delay", down)
    with pytest.raises(ConnectionError), django_capture_on_commit_callbacks(execute=True):
        _enqueue()
    monkeypatch.setattr(tasks.outbox_send_pending, "delay", lambda: published.append("wake"))
    with django_capture_on_commit_callbacks(execute=True):
        _enqueue()
    assert published == ["wake"]
    assert OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING).count() == 2


@pytest.mark.django_db
def test_the_sender_sends_every_waiting_mail_but_bulk_and_retries_a_transient_failure(
    monkeypatch, failing_mail, published, django_capture_on_commit_callbacks
):
    from core import tasks

    retried: list[tuple] = []
    monkeypatch.setattr(
        tasks.outbox_send, "apply_async", lambda args, **options: retried.append((args, options))
    )
    with django_capture_on_commit_callbacks(execute=True):
        first, second, third = (_enqueue(to=[f"p{n}@example.jp"]) for n in range(3))
        newsletter = outbox.outbox_enqueue_many(
            [{"to": ["reader@example.jp"], "subject": "情報紙", "body": "…", "kind": "info.newsletter"}]
        )[0]
        sent_before = _enqueue(to=["sent@example.jp"])
    OutboxMessage.objects.filter(pk=sent_before.pk).update(status=OutboxMessage.Status.SENT)
    monkeypatch.setattr(tasks, "PENDING_BATCH", 2)  # two reads of the table
    failing_mail.failures = 1  # the first message meets a dropped connection

    counts = tasks.outbox_send_pending()

    assert counts == {"failed": 1, "sent": 2}
    assert sorted(m.to[0] for m in mail.outbox) == ["p1@example.jp", "p2@example.jp"]
    assert retried == [((first.pk,), {"countdown": tasks.RETRY_BASE_SECONDS, "retries": 1})]
    statuses = dict(OutboxMessage.objects.values_list("pk", "status"))
    assert statuses[second.pk] == statuses[third.pk] == OutboxMessage.Status.SENT
    assert statuses[newsletter.pk] == OutboxMessage.Status.PENDING  # the bulk tasks' to send
    assert published == ["wake"]


@pytest.mark.django_db
def test_an_account_mail_body_is_not_shown_to_staff(client_for, staff_user):
    """A password-reset link in the outbox would let staff sign in as someone else."""
    message = OutboxMessage.objects.create(
        kind="account.password_reset_key", to=["a@example.jp"], subject="パスワード再設定", body="SECRET-LINK"
    )
    page = client_for(staff_user).get(reverse("core:outbox_detail", args=[message.pk])).content.decode()
    assert "パスワード再設定" in page and "SECRET-LINK" not in page


@pytest.mark.django_db
def test_the_staff_pages_name_a_mail_s_kind_in_japanese(client_for, staff_user):
    """「催し：アンケートのお願い」, 「団体：登録の承認」, not the codes events.survey or
    groups.approved; a mail the table does not know yet still reads as its app's メール."""
    rows = {
        "events.survey": "催し：アンケートのお願い",
        "groups.approved": "団体：登録の承認",
        "spaces.something_new": "活動の場：メール",
    }
    messages = [
        OutboxMessage.objects.create(kind=kind, to=["a@example.jp"], subject=f"件名{i}", body="本文")
        for i, kind in enumerate(rows)
    ]
    client = client_for(staff_user)
    page = client.get(reverse("core:outbox_list")).content.decode()
    for kind, label in rows.items():
        assert label in page and kind not in page
    detail = client.get(reverse("core:outbox_detail", args=[messages[0].pk])).content.decode()
    assert "催し：アンケートのお願い" in detail and "events.survey" not in detail
