"""Reads for spaces: the week view, a group's bookings, monthly statements and the usage figures
that the outcome reports show as 活動の場の提供."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Min, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.fiscal import fiscal_year_label, fiscal_year_range
from core.pagecache import kept
from groups.models import Group
from spaces import calendar
from spaces.models import Booking, MachineUse, Resource

WEEKDAYS = (_("月"), _("火"), _("水"), _("木"), _("金"), _("土"), _("日"))


def rooms() -> QuerySet[Resource]:
    return Resource.objects.filter(kind=Resource.Kind.ROOM, is_active=True)


# The version that a change of a room or machine bumps (spaces.apps), not every booking.
RESOURCES_SCOPE = "spaces.resources"


def room(pk: int) -> Resource | None:
    """An active room, kept in the cache until a resource changes: every booking and every week
    page reads one, and its row (some twenty settings) cost more to read than the cache."""
    return kept(f"spaces:room:{pk}", (RESOURCES_SCOPE,), lambda: rooms().filter(pk=pk).first())


def machines() -> QuerySet[Resource]:
    return Resource.objects.filter(kind=Resource.Kind.MACHINE, is_active=True)


def week_start(day: dt.date) -> dt.date:
    """The Monday of the week that holds `day`."""
    return day - dt.timedelta(days=day.weekday())


@dataclass
class Slot:
    """One slot of the week view, with its words ready (the page shows hundreds of them)."""

    starts_at: dt.datetime
    ends_at: dt.datetime
    label: str  # 18:00〜18:15
    start_param: str  # 2026-12-08T18:00, for the booking form's link
    taken: bool = False
    holder: str = ""  # who holds it, for staff; the center's own use for everyone
    is_block: bool = False
    bookable: bool = False


@dataclass
class Day:
    date: dt.date
    weekday: str
    closed_reason: str | None
    slots: list[Slot] = field(default_factory=list)

    @property
    def free_count(self) -> int:
        return sum(1 for slot in self.slots if slot.bookable)


def _aware(day: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time))


def _holder(*, is_block: bool, event_session_id, group_name: str | None) -> str:
    """Booking.holder_label from the values of a row (no model instance per booking)."""
    if is_block:
        return str(_("センターの催し")) if event_session_id else str(_("センター使用"))
    return group_name or str(_("個人の予約"))


def room_week(*, room: Resource, start: dt.date) -> list[Day]:
    """Seven days from `start` with the room's slots, each free or taken (and by whom). Two queries:
    the bookings of the week and the staff's closures, whatever the number of bookings. The
    bookings are read as values and swept once in time order with the slots (a week of a busy
    room has hundreds of each)."""
    end = start + dt.timedelta(days=6)
    closed = calendar.closed_days(start, end)
    rows = list(
        Booking.objects.filter(
            resource=room,
            status__in=Booking.HOLDING,
            starts_at__lt=_aware(end + dt.timedelta(days=1), dt.time(0)),
            ends_at__gt=_aware(start, dt.time(0)),
        )
        .order_by("starts_at")
        .values_list("starts_at", "ends_at", "is_block", "event_session_id", "group__name")
    )
    # Compared as POSIX seconds: cheaper than aware datetimes of two time zones.
    spans = [
        (s.timestamp(), e.timestamp(), is_block, session, name) for s, e, is_block, session, name in rows
    ]
    now = timezone.now().timestamp()
    last_day = timezone.localdate() + dt.timedelta(days=room.book_ahead_days)
    slot_length = dt.timedelta(minutes=room.slot_minutes)
    days = []
    first = 0  # the first booking that may still overlap a slot (spans are sorted by start)
    for offset in range(7):
        day = start + dt.timedelta(days=offset)
        entry = Day(date=day, weekday=WEEKDAYS[day.weekday()], closed_reason=closed.get(day))
        if entry.closed_reason is None:
            slot_start = dt.datetime.combine(day, room.opens_at)
            closes = dt.datetime.combine(day, room.closes_at)
            # The center's day has one UTC offset (Japan keeps no summer time): slots are the
            # opening time plus whole slot lengths.
            opening = timezone.make_aware(slot_start)
            while slot_start + slot_length <= closes:
                slot_end = slot_start + slot_length
                aware_start = opening + (slot_start - dt.datetime.combine(day, room.opens_at))
                aware_end = aware_start + slot_length
                lo, hi = aware_start.timestamp(), aware_end.timestamp()
                while first < len(spans) and spans[first][1] <= lo:
                    first += 1
                taken = (
                    next((span for span in spans[first:] if span[0] < hi and span[1] > lo), None)
                    if (first < len(spans) and spans[first][0] < hi)
                    else None
                )
                slot = Slot(
                    starts_at=aware_start,
                    ends_at=aware_end,
                    label=f"{slot_start:%H:%M}〜{slot_end:%H:%M}",
                    start_param=f"{slot_start:%Y-%m-%dT%H:%M}",
                    bookable=taken is None and lo > now and day <= last_day,
                )
                if taken is not None:
                    slot.taken, slot.is_block = True, taken[2]
                    slot.holder = _holder(is_block=taken[2], event_session_id=taken[3], group_name=taken[4])
                entry.slots.append(slot)
                slot_start = slot_end
        days.append(entry)
    return days


def bookings_of_user(user) -> QuerySet[Booking]:
    """The bookings of the groups the person edits and their own, newest first."""
    from django.db.models import Q

    return (
        Booking.objects.filter(Q(group__memberships__user=user) | Q(booked_by=user, group__isnull=True))
        .select_related("resource", "group")
        .distinct()
        .order_by("-starts_at", "-id")
    )


def bookings_on(day: dt.date) -> QuerySet[Booking]:
    return (
        Booking.objects.filter(
            starts_at__gte=_aware(day, dt.time(0)),
            starts_at__lt=_aware(day + dt.timedelta(days=1), dt.time(0)),
        )
        .exclude(status=Booking.Status.CANCELLED)
        .select_related("resource", "group", "booked_by")
        .order_by("resource__order", "resource_id", "starts_at")
    )


def pending_bookings() -> QuerySet[Booking]:
    """Bookings waiting for staff approval, the soonest first (they must be decided before it)."""
    return (
        Booking.objects.filter(status=Booking.Status.PENDING)
        .select_related("resource", "group", "booked_by")
        .order_by("starts_at", "id")
    )


# --- Monthly statement (利用料) --------------------------------------------------------------------------


@dataclass
class Statement:
    group: Group
    year: int
    month: int
    uses: list[MachineUse]
    bookings: list[Booking]

    @property
    def total(self) -> int:
        return sum(use.fee for use in self.uses)

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def last_day(self) -> dt.date:
        return (self.first_day + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)

    @property
    def room_hours(self) -> float:
        return sum(b.hours for b in self.bookings)


def statement_months(today: dt.date) -> list[dt.date]:
    """The months whose statements a group is offered, as their first days: the month just
    finished first (the one it pays), then the current month (still growing)."""
    this_month = today.replace(day=1)
    last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
    return [last_month, this_month]


def statement(*, group: Group, year: int, month: int) -> Statement:
    uses = list(
        MachineUse.objects.filter(group=group, used_on__year=year, used_on__month=month)
        .select_related("machine")
        .order_by("used_on", "id")
    )
    first = dt.date(year, month, 1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    bookings = list(
        Booking.objects.filter(
            group=group,
            status__in=(Booking.Status.CONFIRMED, Booking.Status.NO_SHOW),
            starts_at__gte=_aware(first, dt.time(0)),
            starts_at__lt=_aware(following, dt.time(0)),
        )
        .select_related("resource")
        .order_by("starts_at")
    )
    return Statement(group=group, year=year, month=month, uses=uses, bookings=bookings)


def groups_with_fees(*, year: int, month: int) -> QuerySet[Group]:
    return (
        Group.objects.filter(machine_uses__used_on__year=year, machine_uses__used_on__month=month)
        .annotate(total=Sum("machine_uses__fee"), lines=Count("machine_uses"))
        .order_by("name_kana", "pk")
    )


# --- Usage figures by fiscal year (活動の場の提供 in the outcome reports) ------------------------------

# Time bands for the rate of use: the center's 午前・午後・夜間 (one room's hours within each band).
TIME_BANDS: tuple[tuple[str, dt.time, dt.time], ...] = (
    (_("午前"), dt.time(9, 0), dt.time(12, 0)),
    (_("午後"), dt.time(13, 0), dt.time(17, 0)),
    (_("夜間"), dt.time(18, 0), dt.time(21, 0)),
)


@dataclass(frozen=True)
class RoomUsage:
    room: str
    bookings: int
    hours: float
    rate_by_band: dict[str, float]  # band → share of the band's open hours that were booked (0..1)


@dataclass(frozen=True)
class UsageFigures:
    fiscal_year: int
    label: str
    bookings: int
    hours: float
    groups: int
    no_shows: int
    printed_sheets: int
    machine_fees: int
    rooms: tuple[RoomUsage, ...]


def _overlap_hours(
    start: dt.datetime, end: dt.datetime, day: dt.date, band_start: dt.time, band_end: dt.time
) -> float:
    lo = max(start, _aware(day, band_start))
    hi = min(end, _aware(day, band_end))
    return max((hi - lo).total_seconds() / 3600, 0.0)


def usage_figures(*, fiscal_year: int) -> UsageFigures:
    """Bookings, hours, groups and printed sheets of one fiscal year, and per room the rate of use
    by time band: booked hours in the band ÷ the band's hours on the days the center was open.

    Counted: group bookings that took place or were no-shows (not cancelled, not the center's own
    blocks). Printed sheets: machine uses counted in 枚 (印刷機・コピー機)."""
    first, last = fiscal_year_range(fiscal_year)
    bands = [(str(name), start, end) for name, start, end in TIME_BANDS]  # the names as words, now
    since, until = _aware(first, dt.time(0)), _aware(last + dt.timedelta(days=1), dt.time(0))
    used = Booking.objects.filter(
        is_block=False,
        status__in=(Booking.Status.CONFIRMED, Booking.Status.NO_SHOW),
        starts_at__gte=since,
        starts_at__lt=until,
    )
    closed = calendar.closed_days(first, last)
    open_days = [d for d in _days(first, last) if d not in closed]
    band_hours = {
        name: len(open_days)
        * (dt.datetime.combine(first, end) - dt.datetime.combine(first, start)).total_seconds()
        / 3600
        for name, start, end in bands
    }
    per_room: dict[int, dict] = defaultdict(
        lambda: {"bookings": 0, "hours": 0.0, "bands": defaultdict(float)}
    )
    total_hours = 0.0
    for room_id, starts_at, ends_at in used.values_list("resource_id", "starts_at", "ends_at").iterator():
        entry = per_room[room_id]
        hours = (ends_at - starts_at).total_seconds() / 3600
        entry["bookings"] += 1
        entry["hours"] += hours
        total_hours += hours
        day = timezone.localtime(starts_at).date()
        for name, band_start, band_end in bands:
            entry["bands"][name] += _overlap_hours(starts_at, ends_at, day, band_start, band_end)
    room_usage = tuple(
        RoomUsage(
            room=room.name,
            bookings=per_room[room.pk]["bookings"],
            hours=per_room[room.pk]["hours"],
            rate_by_band={
                name: (per_room[room.pk]["bands"][name] / band_hours[name]) if band_hours[name] else 0.0
                for name, _start, _end in bands
            },
        )
        for room in Resource.objects.filter(kind=Resource.Kind.ROOM).order_by("order", "pk")
    )
    machine_uses = MachineUse.objects.filter(used_on__range=(first, last))
    sheets = machine_uses.filter(machine__unit=Resource.Unit.SHEET).aggregate(s=Sum("count"))["s"] or 0
    fees = machine_uses.aggregate(s=Sum("fee"))["s"] or 0
    return UsageFigures(
        fiscal_year=fiscal_year,
        label=fiscal_year_label(fiscal_year),
        bookings=sum(r.bookings for r in room_usage),
        hours=total_hours,
        groups=used.exclude(group__isnull=True).values("group").distinct().count(),
        no_shows=used.filter(status=Booking.Status.NO_SHOW).count(),
        printed_sheets=sheets,
        machine_fees=fees,
        rooms=room_usage,
    )


def records_begin() -> dt.date | None:
    """The first day the spaces have data for: the first booking of any kind (a block or a cancelled
    one too) or machine use; today when there are rooms but nothing recorded yet; None without either.

    A year that ended before it has no data (the report prints 「—」), while a year after it with
    nobody booking is a real 0."""
    first_booking = Booking.objects.aggregate(first=Min("starts_at"))["first"]
    first_use = MachineUse.objects.aggregate(first=Min("used_on"))["first"]
    days = [day for day in (first_booking and timezone.localdate(first_booking), first_use) if day]
    if not days and Resource.objects.filter(kind=Resource.Kind.ROOM).exists():
        days.append(timezone.localdate())
    return min(days, default=None)


def usage_three_years(*, fiscal_year: int) -> list[UsageFigures]:
    """This fiscal year and the two before it, oldest first (the reports show them side by side)."""
    return [usage_figures(fiscal_year=fy) for fy in (fiscal_year - 2, fiscal_year - 1, fiscal_year)]


def _days(first: dt.date, last: dt.date):
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


# --- Event sessions kept out of their room by bookings -----------------------------------------------

# How far ahead staff are shown the sessions whose room is still held by bookings.
SESSION_CLASH_DAYS = 120


def sessions_waiting_for_room(*, days: int = SESSION_CLASH_DAYS) -> list:
    """Coming event sessions whose venue names a room that they could not block because bookings
    hold that time (spaces.services.event_session_sync): staff move or cancel those bookings on
    the session's clash page. Three queries, whatever the number of sessions."""
    from events.models import EventSession

    now = timezone.now()
    room_list = [room for room in rooms().exclude(venue_keyword="")]
    if not room_list:
        return []
    sessions = list(
        EventSession.objects.filter(
            starts_at__gt=now, starts_at__lt=now + dt.timedelta(days=days), space_booking__isnull=True
        )
        .select_related("event")
        .order_by("starts_at", "pk")
    )
    placed = []
    for session in sessions:
        room = next((r for r in room_list if r.venue_keyword in session.effective_venue), None)
        if room is not None:
            placed.append((session, room))
    if not placed:
        return []
    holding = list(
        Booking.objects.filter(
            resource__in={room.pk for _s, room in placed},
            status__in=Booking.HOLDING,
            starts_at__lt=max(s.ends_at for s, _r in placed),
            ends_at__gt=min(s.starts_at for s, _r in placed),
        ).values_list("resource_id", "starts_at", "ends_at")
    )
    waiting = []
    for session, room in placed:
        count = sum(
            1
            for room_id, starts_at, ends_at in holding
            if room_id == room.pk and starts_at < session.ends_at and ends_at > session.starts_at
        )
        if count:
            session.clash_room, session.clash_count = room, count
            waiting.append(session)
    return waiting


def booking_history(booking: Booking) -> list:
    """Changes made to a booking after it was made (moved, cancelled), by whom and why. The
    creation alone is no change worth a section: then empty."""
    from core.history import history_entries

    entries = [entry for entry in history_entries(booking) if not entry.is_creation]
    return entries
