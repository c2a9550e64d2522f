"""The e-mails about bookings, with an .ics of the booked dates.

They are sent after the booking's transaction commits. core.outbox (one outbox for every e-mail)
is being written today; when it lands, _send becomes one outbox_enqueue call.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from core.models import absolute_url
from groups.models import GroupMembership
from spaces import ical
from spaces.models import Booking

logger = logging.getLogger("kyodo")


def _recipients(booking: Booking) -> list[str]:
    """The person who booked on the web; for a phone or counter booking, the group's owners."""
    if booking.channel == Booking.Channel.WEB and booking.booked_by_id and booking.booked_by.email:
        return [booking.booked_by.email]
    if booking.group_id:
        return sorted(
            set(
                GroupMembership.objects.filter(
                    group_id=booking.group_id, role=GroupMembership.Role.OWNER
                ).values_list("user__email", flat=True)
            )
        )
    return []


def _context(**extra) -> dict:
    return {
        "center_name": settings.CENTER_NAME,
        "center_phone": settings.CENTER_PHONE,
        "center_email": settings.CENTER_EMAIL,
        "bookings_url": absolute_url(reverse("spaces:my_bookings")),
        **extra,
    }


def _send(*, to: list[str], subject: str, body: str, ics: bytes | None) -> None:
    if not to:
        return
    message = EmailMessage(f"[{settings.CENTER_NAME}] {subject}", body, None, to)
    if ics:
        message.attach("booking.ics", ics, "text/calendar")

    def send() -> None:
        try:
            message.send()
        except Exception:
            logger.exception("spaces: sending %r failed", subject)

    transaction.on_commit(send)


def booking_made(*, bookings: list[Booking], refused: list) -> None:
    first = bookings[0]
    pending = first.status == Booking.Status.PENDING
    subject = (
        f"{first.resource.name}の予約を受け付けました（承認待ち）"
        if pending
        else f"{first.resource.name}の予約が確定しました"
    )
    body = render_to_string(
        "spaces/email/booked.txt", _context(bookings=bookings, refused=refused, first=first, pending=pending)
    )
    _send(to=_recipients(first), subject=subject, body=body, ics=ical.bookings_calendar(bookings))


def booking_cancelled(*, booking: Booking) -> None:
    body = render_to_string("spaces/email/cancelled.txt", _context(booking=booking))
    _send(
        to=_recipients(booking),
        subject=f"{booking.resource.name}の予約を取り消しました",
        body=body,
        ics=ical.bookings_calendar([booking]),
    )
