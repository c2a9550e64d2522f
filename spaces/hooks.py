"""spaces' contributions to shared features (see core.app_hooks)."""

from __future__ import annotations

from functools import partial

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.app_hooks import Figure, MenuEntry, Panel, RoomConflict, StaffMenu, hook, register
from core.fiscal import fiscal_year_end
from spaces import ical, selectors
from spaces.mail import CALENDAR_MAKER
from spaces.models import Booking


@hook("mypage_panels")
def mypage_panels(request) -> list[Panel]:
    upcoming = list(
        selectors.bookings_of_user(request.user)
        .filter(ends_at__gt=timezone.now(), status__in=Booking.HOLDING)
        .order_by("starts_at", "id")[:5]
    )
    if not upcoming and not request.user.group_memberships.exists():
        return []
    return [
        Panel(
            title=gettext("活動の場の予約"),
            template="spaces/includes/mypage_panel.html",
            context={"bookings": upcoming},
        )
    ]


staff_links = StaffMenu(
    "spaces",
    [
        MenuEntry(
            "spaces:staff_index",
            _("活動の場の受付"),
            _("電話・窓口の予約、承認待ち、無断不使用、機器の利用と利用料"),
            count=selectors.pending_bookings(),  # the staff page's own queue
            dashboard=_("承認を待っている予約"),
        )
    ],
    permission="spaces.manage_spaces",
)
register("staff_links", staff_links, module=__name__)

register("dashboard_items", staff_links.dashboard_items, module=__name__)


@hook("report_figures")
def report_figures(*, program_code: str | None, fiscal_year: int) -> list[Figure]:
    """活動の場の提供: only in the report of all programs (the spaces belong to no program)."""
    if program_code is not None:
        return []
    begin = selectors.records_begin()
    if begin is None or begin > fiscal_year_end(fiscal_year):
        # A year before the spaces had any record has no figures (the report prints 「—」), not 0s.
        return []
    usage = selectors.usage_figures(fiscal_year=fiscal_year)
    return [
        Figure("spaces.bookings", usage.bookings),
        Figure("spaces.hours", round(usage.hours, 1)),
        Figure("spaces.groups", usage.groups),
        Figure("spaces.no_shows", usage.no_shows),
        *[
            Figure(
                f"spaces.rate.{room.room}.{band}",
                round(rate * 100, 1),
                words={"room": room.room, "band": band},
            )
            for room in usage.rooms
            for band, rate in room.rate_by_band.items()
        ],
        Figure("spaces.printed_sheets", usage.printed_sheets),
    ]


def _moves_url(session_pk: int) -> str:
    return reverse("spaces:staff_session_clashes", args=[session_pk])


@hook("event_session_room_conflicts")
def event_session_room_conflicts(*, venue, starts_at, ends_at, session_pk=None) -> list[RoomConflict]:
    """What holds the room an event session would block (spaces.services.event_session_sync):
    named for staff, with the way to free a booking (cancelled, its group told why)."""
    from spaces import services

    return [
        RoomConflict(
            message=services.event_session_conflict_message(booking),
            release=None
            if booking.event_session_id
            else partial(services.booking_release_for_event, booking=booking),
            moves_url=None if booking.is_block else _moves_url,
        )
        for booking in services.event_session_conflicts(
            venue=venue, starts_at=starts_at, ends_at=ends_at, session_pk=session_pk
        )
    ]


@hook("outbox_attachments")
def outbox_attachments() -> dict:
    return {CALENDAR_MAKER: ical.bookings_calendar_of}
