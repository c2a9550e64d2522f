"""情報紙 (the newsletter): double opt-in subscription, issues built from blocks, sending in batches.

Subscribing asks for the purpose to be accepted (APPI: the address is used only to send the
newsletter) and confirmed by a signed link; unsubscribed and never-confirmed addresses are deleted
after settings.NEWSLETTER_RETENTION_DAYS. Sending writes one outbox message per subscriber in
batches (core.outbox sends them on the "mail" queue and retries); an address the outbox refuses
is logged and skipped, the run goes on.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import User, absolute_url
from core.outbox import outbox_enqueue_many, outbox_enqueue_template
from core.permissions import may
from info.models import (
    Grant,
    IssueStatus,
    NewsletterDelivery,
    NewsletterIssue,
    Subscriber,
    SubscriberStatus,
)

logger = logging.getLogger("kyodo")

CONFIRM_SALT = "info.newsletter.confirm"
UNSUBSCRIBE_SALT = "info.newsletter.unsubscribe"
CONFIRM_MAX_AGE = 7 * 24 * 60 * 60  # a confirmation link works for a week
BATCH_SIZE = 200
NEW_GROUPS_SHOWN = 10
GRANTS_SHOWN = 10
GRANT_DEADLINE_DAYS = 60
# A sending still 「送信中」 this long after it started (or was resumed) has lost its worker (one
# killed mid-run): staff may send the rest.
SENDING_STALLED_AFTER = dt.timedelta(hours=1)


# --- subscription -------------------------------------------------------------------------------


def confirm_url(subscriber: Subscriber) -> str:
    token = signing.dumps({"s": subscriber.pk, "e": subscriber.email}, salt=CONFIRM_SALT, compress=True)
    return absolute_url(reverse("info:newsletter_confirm", args=[token]))


def unsubscribe_url(subscriber: Subscriber) -> str:
    token = signing.dumps({"s": subscriber.pk}, salt=UNSUBSCRIBE_SALT, compress=True)
    return absolute_url(reverse("info:newsletter_unsubscribe", args=[token]))


@transaction.atomic
def subscribe_request(*, email: str, user: User | None = None) -> Subscriber:
    """Records the address as waiting for confirmation and mails the confirmation link.

    An address already subscribed gets no mail and the page says the same thing either way, so
    the form does not tell a stranger who is subscribed.
    """
    email = email.strip().lower()
    subscriber, _created = Subscriber.objects.select_for_update().get_or_create(email=email)
    if subscriber.status == SubscriberStatus.ACTIVE:
        return subscriber
    subscriber.status = SubscriberStatus.PENDING
    subscriber.unsubscribed_at = None
    if user is not None and user.is_authenticated and user.email.lower() == email:
        subscriber.user = user
    subscriber.save()
    outbox_enqueue_template(
        to=[email],
        template="info/email/newsletter_confirm",
        context={"confirm_url": confirm_url(subscriber), "center_name": settings.CENTER_NAME},
        kind="info.newsletter_confirm",
        related=subscriber,
    )
    return subscriber


def subscriber_from_token(token: str, *, salt: str, max_age: int | None = None) -> Subscriber | None:
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature:
        return None
    subscriber = Subscriber.objects.filter(pk=data.get("s")).first()
    if subscriber is None or ("e" in data and data["e"] != subscriber.email):
        return None
    return subscriber


def _subscriber_move(subscriber: Subscriber, status: str, stamp: str) -> Subscriber:
    """Sets the status and its time, once: a link clicked twice keeps the first time."""
    if subscriber.status != status:
        subscriber.status = status
        setattr(subscriber, stamp, timezone.now())
        subscriber.save(update_fields=["status", stamp])
    return subscriber


@transaction.atomic
def subscribe_confirm(*, subscriber: Subscriber) -> Subscriber:
    return _subscriber_move(subscriber, SubscriberStatus.ACTIVE, "confirmed_at")


@transaction.atomic
def newsletter_unsubscribe(*, subscriber: Subscriber) -> Subscriber:
    return _subscriber_move(subscriber, SubscriberStatus.UNSUBSCRIBED, "unsubscribed_at")


def subscribers_purge(*, now: dt.datetime | None = None) -> int:
    """Deletes addresses unsubscribed, or never confirmed, more than the retention period ago."""
    now = now or timezone.now()
    limit = now - dt.timedelta(days=settings.NEWSLETTER_RETENTION_DAYS)
    gone = Subscriber.objects.filter(status=SubscriberStatus.UNSUBSCRIBED, unsubscribed_at__lt=limit)
    unconfirmed = Subscriber.objects.filter(status=SubscriberStatus.PENDING, created_at__lt=limit)
    deleted = gone.delete()[0] + unconfirmed.delete()[0]
    return deleted


# --- issues -------------------------------------------------------------------------------------


def issue_blocks(issue: NewsletterIssue, *, today: dt.date | None = None) -> dict:
    """What an issue shows, block by block (the same for the e-mail, the PDF and the web page)."""
    from events.selectors import events_with_dates
    from groups.models import Group

    today = today or timezone.localdate()
    previous = (
        NewsletterIssue.objects.filter(status=IssueStatus.SENT, number__lt=issue.number)
        .order_by("-number")
        .first()
    )
    since = (
        timezone.localdate(previous.sent_at)
        if previous and previous.sent_at
        else today - dt.timedelta(days=30)
    )
    as_of = timezone.localdate(issue.sent_at) if issue.sent_at else today
    new_groups = (
        list(
            Group.objects.public()
            .filter(registered_on__gte=since, registered_on__lte=as_of)
            .order_by("-registered_on")[:NEW_GROUPS_SHOWN]
        )
        if issue.include_new_groups
        else []
    )
    grants = (
        list(
            Grant.objects.open_on(as_of)
            .filter(closes_on__lte=as_of + dt.timedelta(days=GRANT_DEADLINE_DAYS))
            .order_by("closes_on", "id")[:GRANTS_SHOWN]
        )
        if issue.include_grants
        else []
    )
    return {
        "issue": issue,
        # Soonest first, each with first_starts_at and session_count.
        "events": list(events_with_dates(issue.events.all()).order_by("first_starts_at", "pk")),
        "new_groups": new_groups,
        "grants": grants,
        "site_url": settings.SITE_URL,
        "center_name": settings.CENTER_NAME,
    }


def issue_email_body(issue: NewsletterIssue, *, unsubscribe: str, blocks: dict | None = None) -> str:
    blocks = blocks or issue_blocks(issue)
    return render_to_string("info/email/newsletter_issue.txt", {**blocks, "unsubscribe_url": unsubscribe})


def issue_pdf(issue: NewsletterIssue) -> bytes:
    from core.pdf import render_pdf

    return render_pdf(
        template_name="info/pdf/newsletter.html", context=issue_blocks(issue), title=issue.title
    )


@transaction.atomic
def issue_save(*, issue: NewsletterIssue, events=None, user: User | None = None) -> NewsletterIssue:
    if issue.status != IssueStatus.DRAFT:
        raise ValidationError(_("送信した号は変更できません。"))
    if issue.created_by_id is None:
        issue.created_by = user
    issue.full_clean()
    issue.save()
    if events is not None:
        issue.events.set(events)
    return issue


def issue_can_resume(issue: NewsletterIssue, *, now: dt.datetime | None = None) -> bool:
    """Whether staff may send the rest of an issue: its sending stopped with an error, or has been
    「送信中」 for SENDING_STALLED_AFTER (the worker vanished). Those already sent to are skipped."""
    if issue.status == IssueStatus.FAILED:
        return True
    now = now or timezone.now()
    return issue.status == IssueStatus.SENDING and issue.updated_at <= now - SENDING_STALLED_AFTER


@transaction.atomic
def issue_send(*, issue: NewsletterIssue, staff: User) -> NewsletterIssue:
    """Starts sending, or sends the rest of a sending that stopped (issue_can_resume): the issue
    is locked for editing and the batches run in Celery. A resumed issue keeps its first sent_at
    (the day it was issued, which its blocks are built for)."""
    if not may(staff, "info.manage_newsletter"):
        raise PermissionDenied
    issue = NewsletterIssue.objects.select_for_update().get(pk=issue.pk)
    if issue.status == IssueStatus.DRAFT:
        issue.sent_at = timezone.now()
    elif issue.status == IssueStatus.SENT:
        raise ValidationError(_("この号はすでに送信しました。"))
    elif not issue_can_resume(issue):
        raise ValidationError(_("この号はいま送信中です。しばらくしてから状態を確かめてください。"))
    issue.status = IssueStatus.SENDING
    issue.save(update_fields=["status", "sent_at", "updated_at"])
    from info.tasks import send_newsletter

    transaction.on_commit(lambda: send_newsletter.delay(issue.pk))
    return issue


def issue_send_batches(*, issue_id: int, batch_size: int | None = None) -> int:
    """Writes the issue's mail to the outbox for every active subscriber, a batch per
    transaction. Idempotent: subscribers already queued are skipped. When the run fails, the
    issue is marked FAILED (staff see it and send the rest) and the error goes on to the task."""
    try:
        return _send_batches(issue_id, batch_size or BATCH_SIZE)
    except Exception:
        logger.exception("newsletter %s: sending stopped", issue_id)
        NewsletterIssue.objects.filter(pk=issue_id, status=IssueStatus.SENDING).update(
            status=IssueStatus.FAILED
        )
        raise


def _send_batches(issue_id: int, batch_size: int) -> int:
    issue = NewsletterIssue.objects.get(pk=issue_id)
    blocks = issue_blocks(issue)
    queued = 0
    last_id = 0
    while True:
        batch = list(
            Subscriber.objects.filter(status=SubscriberStatus.ACTIVE, pk__gt=last_id)
            .exclude(pk__in=NewsletterDelivery.objects.filter(issue=issue).values("subscriber_id"))
            .order_by("pk")[:batch_size]
        )
        if not batch:
            break
        last_id = batch[-1].pk
        queued += _send_batch(issue, batch, blocks)
    NewsletterIssue.objects.filter(pk=issue.pk).update(
        status=IssueStatus.SENT, recipients=NewsletterDelivery.objects.filter(issue=issue).count()
    )
    return queued


def _send_batch(issue: NewsletterIssue, batch: list[Subscriber], blocks: dict) -> int:
    """One batch: the mails and the deliveries in two INSERTs; when that is refused, each
    subscriber on their own, so a broken address is logged and skipped and the run goes on."""
    prepared = []
    for subscriber in batch:
        link = unsubscribe_url(subscriber)
        try:
            message = {
                "to": [subscriber.email],
                "subject": issue.title,
                "body": issue_email_body(issue, unsubscribe=link, blocks=blocks),
                "kind": "info.newsletter",
                "related": issue,
                "headers": {
                    "List-Unsubscribe": f"<{link}>",
                    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                },
            }
        except Exception:
            logger.exception("newsletter %s: subscriber %s skipped", issue.pk, subscriber.pk)
            continue
        prepared.append((subscriber, message))
    try:
        with transaction.atomic():
            NewsletterDelivery.objects.bulk_create(
                [NewsletterDelivery(issue=issue, subscriber=subscriber) for subscriber, _m in prepared]
            )
            outbox_enqueue_many([message for _s, message in prepared])
        return len(prepared)
    except Exception:
        logger.warning("newsletter %s: a batch was refused, writing it one by one", issue.pk)
    queued = 0
    for subscriber, message in prepared:
        try:
            with transaction.atomic():
                NewsletterDelivery.objects.create(issue=issue, subscriber=subscriber)
                outbox_enqueue_many([message])
        except Exception:
            # A broken address (or any one failure) is logged and skipped: the run goes on.
            logger.exception("newsletter %s: subscriber %s skipped", issue.pk, subscriber.pk)
            continue
        queued += 1
    return queued
