"""情報紙: double opt-in without an account, issues from blocks, preview, sending in batches."""

from __future__ import annotations

import datetime as dt
import re
import subprocess

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from core.models import OutboxMessage
from info import newsletter
from info.models import IssueStatus, NewsletterDelivery, NewsletterIssue, Subscriber, SubscriberStatus
from tests.events.factories import EventFactory
from tests.groups.factories import GroupFactory
from tests.info.conftest import JST, TODAY
from tests.info.factories import GrantFactory

pytestmark = pytest.mark.django_db


def link_in(body: str, name: str) -> str:
    [url] = re.findall(r"http://\S+/info/newsletter/" + name + r"/\S+/", body)
    return url.split("8000", 1)[1]


def test_a_visitor_without_an_account_subscribes_and_confirms_by_email(
    client, frozen, django_capture_on_commit_callbacks
):
    page = client.get(reverse("info:newsletter_subscribe")).content.decode()
    assert "情報紙をお送りするためだけに使います" in page and "90日後に削除" in page

    refused = client.post(reverse("info:newsletter_subscribe"), {"email": "hanako@example.jp"})
    assert "利用目的に同意いただけない場合" in refused.content.decode()
    assert 'value="hanako@example.jp"' in refused.content.decode()
    assert not Subscriber.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("info:newsletter_subscribe"), {"email": "Hanako@Example.jp", "agree": "on"})
    subscriber = Subscriber.objects.get()
    assert (subscriber.email, subscriber.status) == ("hanako@example.jp", SubscriberStatus.PENDING)
    [message] = mail.outbox
    assert message.to == ["hanako@example.jp"]
    assert "お申し込みの確認" in message.subject

    path = link_in(message.body, "confirm")
    assert "配信を確定する" in client.get(path).content.decode()
    assert Subscriber.objects.get().status == SubscriberStatus.PENDING  # opening the link only asks
    assert "お申し込みが確定しました" in client.post(path).content.decode()
    assert Subscriber.objects.get().status == SubscriberStatus.ACTIVE

    # Asking again for a subscribed address sends nothing and says the same.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(
            reverse("info:newsletter_subscribe"), {"email": "hanako@example.jp", "agree": "on"}
        )
    assert "確認のメールを送りました" in again.content.decode()
    assert mail.outbox == []


def test_a_confirmation_link_expires_after_a_week(client, frozen):
    subscriber = Subscriber.objects.create(email="late@example.jp")
    path = newsletter.confirm_url(subscriber).split("8000", 1)[1]
    frozen.move_to(dt.datetime(2026, 6, 9, 10, 0, tzinfo=JST))
    assert client.post(path).status_code == 404
    assert Subscriber.objects.get().status == SubscriberStatus.PENDING


@pytest.fixture
def issue(staff_user, frozen):
    EventFactory(title="NPO活動PRフェア")
    GroupFactory(name="ひだまり子育てサロン", registered_on=TODAY - dt.timedelta(days=3))
    GroupFactory(name="昔からの会", registered_on=TODAY - dt.timedelta(days=400))
    GrantFactory(title="子どもの居場所づくり補助金", closes_on=TODAY + dt.timedelta(days=20))
    GrantFactory(title="来年の助成", closes_on=TODAY + dt.timedelta(days=200))
    issue = NewsletterIssue(
        number=12,
        title="みらい市民活動通信 第12号",
        message="夏の催しのお知らせです。",
        story_title="子ども食堂と商店街の協働",
        story_body="商店街の空き店舗で子ども食堂が始まりました。",
    )
    from events.models import Event

    return newsletter.issue_save(issue=issue, events=Event.objects.all(), user=staff_user)


def test_staff_preview_an_issue_as_email_and_as_an_a4_pdf(client_for, staff_user, issue, tmp_path):
    client = client_for(staff_user)
    preview = client.get(reverse("info:newsletter_preview", args=[issue.pk])).content.decode()
    for text in (
        "夏の催しのお知らせです。",
        "NPO活動PRフェア",
        "ひだまり子育てサロン",
        "子どもの居場所づくり補助金",
        "子ども食堂と商店街の協働",
    ):
        assert text in preview
    for text in ("昔からの会", "来年の助成"):
        assert text not in preview

    response = client.get(reverse("info:newsletter_pdf", args=[issue.pk]))
    assert response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "issue.pdf"
    pdf.write_bytes(response.content)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "595.276 x 841.89 pts (A4)" in info
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "みらい市民活動通信 第12号" in text and "ひだまり子育てサロン" in text
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "KyodoGothic" in fonts  # core.pdf embeds its Japanese font (IPAex), so no tofu


def test_sending_goes_in_batches_skips_a_failing_address_and_never_twice(
    client_for, staff_user, issue, monkeypatch, django_capture_on_commit_callbacks
):
    for n in range(7):
        Subscriber.objects.create(email=f"reader{n}@example.jp", status=SubscriberStatus.ACTIVE)
    Subscriber.objects.create(email="gone@example.jp", status=SubscriberStatus.UNSUBSCRIBED)
    Subscriber.objects.create(email="waiting@example.jp")
    real = newsletter.outbox_enqueue_many

    def refuse_one(messages):
        # The batch holding the broken address is refused, then that address alone.
        if any(message["to"] == ["reader3@example.jp"] for message in messages):
            raise ValueError("broken address")
        return real(messages)

    monkeypatch.setattr(newsletter, "outbox_enqueue_many", refuse_one)
    monkeypatch.setattr(newsletter, "BATCH_SIZE", 3)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(staff_user).post(reverse("info:newsletter_send", args=[issue.pk]))
    issue.refresh_from_db()
    assert (issue.status, issue.recipients) == (IssueStatus.SENT, 6)
    sent_to = sorted(m.to[0] for m in OutboxMessage.objects.filter(kind="info.newsletter"))
    assert sent_to == [f"reader{n}@example.jp" for n in (0, 1, 2, 4, 5, 6)]
    message = OutboxMessage.objects.filter(kind="info.newsletter").first()
    assert message.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # A second run (a retried task) queues nothing again.
    assert newsletter.issue_send_batches(issue_id=issue.pk, batch_size=3) == 0
    assert NewsletterDelivery.objects.count() == 6
    # A sent issue is public and can no longer be edited.
    client = client_for(staff_user)
    assert client.get(reverse("info:newsletter_edit", args=[issue.pk])).status_code == 302
    client.logout()
    assert "みらい市民活動通信 第12号" in client.get(reverse("info:newsletter_index")).content.decode()
    assert "ひだまり子育てサロン" in client.get(issue.get_absolute_url()).content.decode()


def test_unsubscribing_from_the_mail_link_and_removal_after_the_period(client, frozen, settings):
    settings.NEWSLETTER_RETENTION_DAYS = 90
    subscriber = Subscriber.objects.create(email="reader@example.jp", status=SubscriberStatus.ACTIVE)
    Subscriber.objects.create(email="never-confirmed@example.jp")
    kept = Subscriber.objects.create(email="reader2@example.jp", status=SubscriberStatus.ACTIVE)
    path = newsletter.unsubscribe_url(subscriber).split("8000", 1)[1]
    assert "配信を止める" in client.get(path).content.decode()
    assert "配信を止めました" in client.post(path).content.decode()
    assert Subscriber.objects.get(pk=subscriber.pk).status == SubscriberStatus.UNSUBSCRIBED

    frozen.move_to(dt.datetime(2026, 8, 29, 10, 0, tzinfo=JST))  # 89 days later
    assert newsletter.subscribers_purge() == 0
    frozen.move_to(dt.datetime(2026, 8, 31, 10, 0, tzinfo=JST))
    assert newsletter.subscribers_purge() == 2
    assert list(Subscriber.objects.all()) == [kept]


def test_the_issue_feed_lists_sent_issues_only(client, issue, frozen):
    NewsletterIssue.objects.create(number=13, title="下書きの号")
    NewsletterIssue.objects.filter(pk=issue.pk).update(
        status=IssueStatus.SENT, sent_at=dt.datetime(2026, 6, 1, tzinfo=JST)
    )
    body = client.get(reverse("info:feed_newsletter")).content.decode()
    assert "みらい市民活動通信 第12号" in body and "下書きの号" not in body


def test_figures_of_a_fiscal_year_for_the_reports(frozen):
    from info.selectors import figures_for_fiscal_year

    before = dt.datetime(2026, 3, 31, 12, tzinfo=JST)
    during = dt.datetime(2026, 5, 1, 12, tzinfo=JST)
    Subscriber.objects.create(email="a@example.jp", status="active", confirmed_at=before)
    Subscriber.objects.create(
        email="b@example.jp", status="unsubscribed", confirmed_at=before, unsubscribed_at=during
    )
    NewsletterIssue.objects.create(number=1, title="春号", status=IssueStatus.SENT, sent_at=during)
    NewsletterIssue.objects.create(number=2, title="下書き")
    GrantFactory(published_at=during)
    GrantFactory(published_at=before)

    figures = figures_for_fiscal_year(2026)
    assert (figures["subscribers"], figures["issues_sent"], figures["grants_posted"]) == (1, 1, 1)
    assert figures_for_fiscal_year(2025)["subscribers"] == 2


def test_a_sending_that_fails_is_shown_as_stopped_and_staff_send_the_rest(
    client_for, staff_user, issue, monkeypatch, django_capture_on_commit_callbacks
):
    """A sending task that dies half-way (the database went away) leaves the issue 「送信が止まりました」
    with what was queued, not 「送信中」 for ever; staff send the rest, and nobody gets it twice."""
    for n in range(5):
        Subscriber.objects.create(email=f"reader{n}@example.jp", status=SubscriberStatus.ACTIVE)
    real = newsletter._send_batch
    calls = []

    def die_on_the_second_batch(*args):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("connection lost")
        return real(*args)

    monkeypatch.setattr(newsletter, "_send_batch", die_on_the_second_batch)
    monkeypatch.setattr(newsletter, "BATCH_SIZE", 2)
    client = client_for(staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("info:newsletter_send", args=[issue.pk]))
    issue.refresh_from_db()
    assert issue.status == IssueStatus.FAILED
    assert NewsletterDelivery.objects.count() == 2
    page = client.get(reverse("info:newsletter_preview", args=[issue.pk])).content.decode()
    assert "送信が途中で止まりました" in page and "2件" in page and "続きを送信する" in page

    monkeypatch.setattr(newsletter, "_send_batch", real)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("info:newsletter_send", args=[issue.pk]))
    issue.refresh_from_db()
    assert (issue.status, issue.recipients) == (IssueStatus.SENT, 5)
    sent_to = sorted(m.to[0] for m in OutboxMessage.objects.filter(kind="info.newsletter"))
    assert sent_to == [f"reader{n}@example.jp" for n in range(5)]
    # A sent issue is not sent again.
    client.post(reverse("info:newsletter_send", args=[issue.pk]))
    assert OutboxMessage.objects.filter(kind="info.newsletter").count() == 5


def test_a_sending_whose_worker_vanished_can_be_resumed_after_a_while(
    client_for, staff_user, issue, frozen, django_capture_on_commit_callbacks
):
    """An issue left 「送信中」 (its worker was killed) may be sent on an hour after it started."""
    Subscriber.objects.create(email="reader@example.jp", status=SubscriberStatus.ACTIVE)
    NewsletterIssue.objects.filter(pk=issue.pk).update(
        status=IssueStatus.SENDING, sent_at=dt.datetime(2026, 6, 1, 9, 30, tzinfo=JST)
    )
    client = client_for(staff_user)
    assert (
        "続きを送信する"
        not in client.get(reverse("info:newsletter_preview", args=[issue.pk])).content.decode()
    )
    client.post(reverse("info:newsletter_send", args=[issue.pk]))
    assert NewsletterIssue.objects.get(pk=issue.pk).status == IssueStatus.SENDING
    frozen.move_to(dt.datetime(2026, 6, 1, 11, 1, tzinfo=JST))
    client = Client()  # a new sign-in: staff sessions end after an idle hour
    client.force_login(staff_user)
    assert (
        "続きを送信する" in client.get(reverse("info:newsletter_preview", args=[issue.pk])).content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("info:newsletter_send", args=[issue.pk]))
    issue.refresh_from_db()
    assert (issue.status, issue.recipients) == (IssueStatus.SENT, 1)
    # Sent on, the issue keeps the day it was first sent.
    assert issue.sent_at == dt.datetime(2026, 6, 1, 9, 30, tzinfo=JST)


def test_the_issue_says_when_each_event_is_in_the_mail_the_pdf_and_the_web_page(staff_user, frozen):
    """催しのご案内 gives each event's first date and time in Japan time (and how many sessions a
    course has), soonest first: a newsletter that only names the events is no use to a reader."""
    from events.models import Event

    EventFactory(title="社会起業入門講座", starts_at=dt.datetime(2026, 6, 20, 13, 30, tzinfo=JST), sessions=3)
    EventFactory(title="NPO活動PRフェア", starts_at=dt.datetime(2026, 6, 7, 0, 30, tzinfo=JST))
    issue = newsletter.issue_save(
        issue=NewsletterIssue(number=3, title="第3号"), events=Event.objects.all(), user=staff_user
    )
    body = newsletter.issue_email_body(issue, unsubscribe="-")
    assert "・6月7日（日）0:30 NPO活動PRフェア" in body
    assert "・6月20日（土）13:30から全3回 社会起業入門講座" in body
    assert body.index("NPO活動PRフェア") < body.index("社会起業入門講座")
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=newsletter.issue_pdf(issue), capture_output=True, check=True
    ).stdout.decode()
    assert "6月7日（日）0:30 NPO活動PRフェア" in text
    NewsletterIssue.objects.filter(pk=issue.pk).update(status=IssueStatus.SENT, sent_at=dt.datetime.now(JST))
    page = Client().get(issue.get_absolute_url()).content.decode()
    assert "6月20日（土）13:30から全3回" in page


def test_an_address_longer_than_the_column_is_refused_in_japanese_and_kept(client):
    """The address column holds 254 characters: a longer one is refused next to the field (it
    reached the INSERT, a 500 on PostgreSQL), with what was typed kept."""
    typed = "x" * 250 + "@example.jp"
    response = client.post(reverse("info:newsletter_subscribe"), {"email": typed, "agree": "on"})
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [
        "254文字以内で入力してください（いまは261文字です）。"
    ]
    assert typed in response.content.decode()
    assert not Subscriber.objects.exists()
