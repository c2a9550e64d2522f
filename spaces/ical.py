"""iCalendar (RFC 5545) files of bookings, attached to the confirmation e-mail and downloadable.

Times are written in UTC (…Z) as events/ical.py does; each booking's UID never changes, so
importing the file again updates the entry, and a cancelled booking is sent as STATUS:CANCELLED.
A calendar takes the newer version by its SEQUENCE (raised by each move and cancellation) and
DTSTAMP (RFC 5545 3.8.7.2: with a METHOD, when this file was made), so both must move forward:
a cancellation sent with the booking's old DTSTAMP and no SEQUENCE was ignored by some calendars.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext
from icalendar import Calendar
from icalendar import Event as VEvent

from core.models import absolute_url
from spaces.models import Booking

PRODID = "-//Kyodo Portal//spaces//JA"


def _uid(booking: Booking) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "kyodo.example.jp"
    return f"space-booking-{booking.pk}@{host}"


def bookings_calendar(bookings: Iterable[Booking]) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", gettext("%(center)s 活動の場の予約") % {"center": settings.CENTER_NAME})
    made_at = timezone.now().astimezone(dt.UTC).replace(microsecond=0)
    for booking in bookings:
        vevent = VEvent()
        vevent.add("uid", _uid(booking))
        vevent.add("dtstamp", made_at)
        vevent.add("sequence", booking.sequence)
        vevent.add("dtstart", booking.starts_at.astimezone(dt.UTC))
        vevent.add("dtend", booking.ends_at.astimezone(dt.UTC))
        vevent.add("summary", f"{booking.resource.name}：{booking.purpose}")
        vevent.add("location", f"{settings.CENTER_NAME} {booking.resource.name}")
        vevent.add("url", absolute_url(booking.get_absolute_url()))
        vevent.add("status", "CANCELLED" if booking.status == Booking.Status.CANCELLED else "CONFIRMED")
        cal.add_component(vevent)
    return cal.to_ical()


def bookings_calendar_of(*, ids: list[int]) -> bytes:
    """The .ics of the bookings with these ids as they are now (an e-mail's attachment, made when
    it is sent: core.outbox.MadeAttachment)."""
    return bookings_calendar(
        Booking.objects.filter(pk__in=ids).select_related("resource").order_by("starts_at", "pk")
    )
