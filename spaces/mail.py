"""The e-mails about bookings, with an .ics of the booked dates, through the one outbox
(core.outbox): written with the booking, sent after its transaction commits; the .ics is made
when the mail is sent, from the bookings as they are then."""

from __future__ import annotations

from django.urls import reverse

from core.models import absolute_url
from core.outbox import MadeAttachment, outbox_enqueue_template
from groups.models import GroupMembership
from spaces.models import Booking

# The .ics of the booked dates is made when the mail is sent (spaces.hooks.outbox_attachments).
CALENDAR_MAKER = "spaces.bookings_calendar"


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


def _send(*, booking: Booking, template: str, context: dict, bookings: list[Booking]) -> None:
    to = _recipients(booking)
    if not to:
        return
    outbox_enqueue_template(
        to=to,
        template=template,
        context={"bookings_url": absolute_url(reverse("spaces:my_bookings")), **context},
        kind="spaces." + template.rsplit("/", 1)[-1],
        attachments=[
            MadeAttachment("booking.ics", CALENDAR_MAKER, {"ids": [b.pk for b in bookings]}, "text/calendar")
        ],
        related=booking,
    )


def booking_made(*, bookings: list[Booking], refused: list) -> None:
    first = bookings[0]
    _send(
        booking=first,
        template="spaces/email/booked",
        context={
            "bookings": bookings,
            "refused": refused,
            "first": first,
            "pending": first.status == Booking.Status.PENDING,
        },
        bookings=bookings,
    )


def booking_cancelled(*, booking: Booking, reason: str = "") -> None:
    """reason: when the center cancelled it (the time is needed for a center event)."""
    _send(
        booking=booking,
        template="spaces/email/cancelled",
        context={"booking": booking, "reason": reason},
        bookings=[booking],
    )


def booking_moved(*, booking: Booking, before: Booking, reason: str = "") -> None:
    """The center moved the booking (its time was needed for a center event): where and when now,
    where and when before, why; the .ics keeps the booking's UID, so importing it moves the entry."""
    _send(
        booking=booking,
        template="spaces/email/moved",
        context={"booking": booking, "before": before, "reason": reason},
        bookings=[booking],
    )
