"""iCalendar (RFC 5545) files: one per event and a feed of all public events.

Times are written in UTC (…Z), which every calendar application reads without a VTIMEZONE.
Each session is a VEVENT whose UID never changes (event and session ids), so importing the file
again updates the entries instead of duplicating them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _
from icalendar import Calendar
from icalendar import Event as VEvent

from core.models import absolute_url
from core.validators import single_line
from events.models import Event, EventSession

PRODID = "-//Kyodo Portal//events//JA"


def _uid(session: EventSession) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "kyodo.example.jp"
    return f"event-{session.event_id}-session-{session.pk}@{host}"


def _utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC)


def _calendar(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    # icalendar does not escape this non-standard property: a line break in a stored title
    # would make the whole file fail to serialise.
    cal.add("x-wr-calname", single_line(name))
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    return cal


def _vevents(event: Event, sessions: list[EventSession]) -> Iterable[VEvent]:
    url = absolute_url(event.get_absolute_url())
    total = len(sessions)
    for number, session in enumerate(sessions, start=1):
        vevent = VEvent()
        vevent.add("uid", _uid(session))
        vevent.add("dtstamp", _utc(event.updated_at))
        vevent.add("last-modified", _utc(event.updated_at))
        vevent.add("dtstart", _utc(session.starts_at))
        vevent.add("dtend", _utc(session.ends_at))
        summary = (
            event.title
            if total == 1
            else _("%(title)s（第%(number)s回／全%(total)s回）")
            % {"title": event.title, "number": number, "total": total}
        )
        vevent.add("summary", summary)
        description = "\n".join(filter(None, [session.title, event.description, url]))
        vevent.add("description", description)
        location = session.venue or event.venue
        if location:
            vevent.add("location", location)
        vevent.add("url", url)
        vevent.add("categories", [event.program.name])
        yield vevent


def event_calendar(event: Event) -> bytes:
    cal = _calendar(event.title)
    for vevent in _vevents(event, list(event.sessions.all())):
        cal.add_component(vevent)
    return cal.to_ical()


def events_feed(events: Iterable[Event]) -> bytes:
    cal = _calendar(_("%(center)s 催し・講座") % {"center": settings.CENTER_NAME})
    for event in events:
        for vevent in _vevents(event, list(event.sessions.all())):
            cal.add_component(vevent)
    return cal.to_ical()
