"""Writes for spaces: the one place for the booking rules, cancellation, no-shows, the blocks of
the center's events and the machine use fees. Views, the admin, the events signal and seed_demo
call these functions.

Every refusal is a ValidationError whose message starts with the rule's name in 【】, so a person
who is refused reads which rule stopped them (【受付期間】, 【休館日】, 【重複】 ...).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import (
    F,
    QuerySet,
    Sum,
)
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.history import record_by
from core.models import User
from core.permissions import may
from core.predicates import remembered
from groups.models import Group, GroupMembership, GroupStatus
from spaces import calendar, mail
from spaces.models import MACHINE_FEE_MAX, Booking, Closure, MachineUse, Resource

logger = logging.getLogger("kyodo")

OVERLAP_CONSTRAINT = "spaces_booking_no_overlap"
MAX_REPEAT_WEEKS = 12

Status = Booking.Status


def _rule(name: str, message: str) -> str:
    return f"【{name}】{message}"


def _local(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value)


def _day_label(day: dt.date) -> str:
    return date_format(day, _("Y年n月j日（D）"))


# PostgreSQL advisory locks (held until the transaction ends): a resource's lock is the pair
# (RESOURCE_LOCK_CLASS, its id); the lock of one of its days (or months) is one 64-bit key
# (PERIOD_LOCK_BITS below). The two-number and one-number keys are separate key spaces.
RESOURCE_LOCK_CLASS = 7301
PERIOD_LOCK_BITS = 20  # a date's ordinal (under 2**20 until the year 2870) under the resource's id


def _lock(resource: Resource) -> None:
    """Serialises every booking write of one resource until the transaction ends (a block, a
    move: they may span days): no booking of any of its days is written meanwhile.

    On SQLite an UPDATE of the resource's row takes the database's write lock as the first
    statement of the transaction, so the checks that follow see every booking committed before."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [RESOURCE_LOCK_CLASS, resource.pk])
    else:
        Resource.objects.filter(pk=resource.pk).update(order=F("order"))


def _period_lock_key(resource: Resource, day: dt.date) -> int:
    """The day's key; the month's for a resource with a monthly limit (its rule adds up the
    hours of the whole month, so two bookings in one month must not be judged at once)."""
    period = day.replace(day=1) if resource.max_hours_per_month else day
    return (resource.pk << PERIOD_LOCK_BITS) | period.toordinal()


def _lock_days(resource: Resource, days: Iterable[dt.date]) -> None:
    """Serialises the bookings of one resource on these days until the transaction ends, so the
    overlap and limit checks that follow see every booking of those days committed before. Two
    people booking the same room on different days do not wait for each other; a write that
    locks the whole resource (_lock) waits for them and they for it (they hold its lock shared).

    The keys are taken in ascending order, so two weekly series cannot deadlock."""
    if connection.vendor != "postgresql":
        _lock(resource)
        return
    keys = sorted({_period_lock_key(resource, day) for day in days})
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock_shared(%s, %s), pg_advisory_xact_lock(%s)",
            [RESOURCE_LOCK_CLASS, resource.pk, keys[0]],
        )
        for key in keys[1:]:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def user_edits_group(user, group: Group) -> bool:
    """Whether the person edits the group. The groups they edit are read once per user object:
    a list of bookings asks this of each booking (may it still be cancelled)."""
    if group is None or not getattr(user, "is_authenticated", False):
        return False
    edited = remembered(
        user,
        "_spaces_edited_group_ids",
        lambda: frozenset(GroupMembership.objects.filter(user=user).values_list("group_id", flat=True)),
    )
    return group.pk in edited


# --- The rules ------------------------------------------------------------------------------------------


def booking_refusals(
    *,
    resource: Resource,
    group: Group | None,
    by: User | None,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    people: int,
    at_counter: bool = False,
    exclude: Booking | None = None,
) -> list[str]:
    """The reasons why this booking may not be made, each naming its rule (empty: it may).

    At the counter (staff booking for a group by phone or in person) the same rules hold, except
    that staff may book for any group: who may book is then the group's status, not the person.
    """
    reasons: list[str] = []
    start, end = _local(starts_at), _local(ends_at)
    if not resource.is_room or not resource.is_active:
        return [_rule(_("予約できる施設"), _("この施設は予約を受け付けていません。"))]
    registered_only = resource.eligibility == Resource.Eligibility.REGISTERED_GROUPS
    ask_membership = (
        group is not None
        and not at_counter
        and (not registered_only or group.status == GroupStatus.APPROVED)
        and getattr(by, "is_authenticated", False)
    )
    month_start = timezone.make_aware(dt.datetime(start.year, start.month, 1))
    next_month = timezone.make_aware(dt.datetime(start.year + (start.month == 12), start.month % 12 + 1, 1))
    facts = _booking_facts(
        resource=resource,
        day=start.date(),
        starts_at=starts_at,
        ends_at=ends_at,
        member_of=group if ask_membership else None,
        by=by,
        hours_of=group if resource.max_hours_per_month else None,
        month=(month_start, next_month),
        exclude=exclude,
    )
    # Who may book
    if registered_only:
        if group is None:
            reasons.append(
                _rule(
                    _("予約できる人"),
                    _("%(room)sを予約できるのは登録団体だけです。団体を選んでください。")
                    % {"room": resource.name},
                )
            )
        elif group.status != GroupStatus.APPROVED:
            reasons.append(
                _rule(
                    _("予約できる人"),
                    _("%(room)sを予約できるのは登録団体だけです（「%(group)s」は登録中ではありません）。")
                    % {"room": resource.name, "group": group.name},
                )
            )
        elif not at_counter and not facts["member"]:
            reasons.append(
                _rule(
                    _("予約できる人"),
                    _("「%(group)s」の編集者だけがこの団体として予約できます。") % {"group": group.name},
                )
            )
    elif group is not None and not at_counter and not facts["member"]:
        reasons.append(
            _rule(
                _("予約できる人"),
                _("「%(group)s」の編集者だけがこの団体として予約できます。") % {"group": group.name},
            )
        )
    # How far ahead
    now = timezone.now()
    last_day = timezone.localdate() + dt.timedelta(days=resource.book_ahead_days)
    if starts_at <= now:
        reasons.append(_rule(_("受付期間"), _("過ぎた時間は予約できません。")))
    elif start.date() > last_day:
        reasons.append(
            _rule(
                _("受付期間"),
                _("%(room)sの予約は%(days)s日先（%(last)s）までです。")
                % {"room": resource.name, "days": resource.book_ahead_days, "last": _day_label(last_day)},
            )
        )
    # Open days and hours
    reason = calendar.closed_reason_with(start.date(), facts["closure"])
    if reason:
        reasons.append(
            _rule(
                _("休館日"),
                _("%(day)sは休館日です（%(reason)s）。")
                % {"day": _day_label(start.date()), "reason": reason},
            )
        )
    if end <= start:
        reasons.append(_rule(_("利用時間"), _("終了時刻は開始時刻より後にしてください。")))
        return reasons
    if end.date() != start.date() and not (
        end.date() == start.date() + dt.timedelta(days=1) and end.time() == dt.time(0)
    ):
        reasons.append(_rule(_("利用時間"), _("予約は1日の中で区切ってください。")))
    elif start.time() < resource.opens_at or (end.time() > resource.closes_at or end.date() != start.date()):
        reasons.append(
            _rule(
                _("利用時間"),
                _("%(room)sの利用時間は%(open)s〜%(close)sです。")
                % {
                    "room": resource.name,
                    "open": f"{resource.opens_at:%H:%M}",
                    "close": f"{resource.closes_at:%H:%M}",
                },
            )
        )
    # Slot length
    slot = dt.timedelta(minutes=resource.slot_minutes)
    from_open = dt.datetime.combine(start.date(), start.time()) - dt.datetime.combine(
        start.date(), resource.opens_at
    )
    if from_open % slot or (end - start) % slot:
        reasons.append(
            _rule(
                _("予約の単位"),
                _("%(room)sは%(open)sから%(minutes)s分単位で予約できます。")
                % {
                    "room": resource.name,
                    "open": f"{resource.opens_at:%H:%M}",
                    "minutes": resource.slot_minutes,
                },
            )
        )
    # Capacity
    if resource.capacity and people > resource.capacity:
        reasons.append(
            _rule(
                _("定員"),
                _("%(room)sの定員は%(capacity)s人です。")
                % {"room": resource.name, "capacity": resource.capacity},
            )
        )
    # Hours per group per month
    if group is not None and resource.max_hours_per_month:
        used = (facts["used"] or dt.timedelta()).total_seconds() / 3600
        wanted = (end - start).total_seconds() / 3600
        if used + wanted > resource.max_hours_per_month:
            reasons.append(
                _rule(
                    _("月の上限"),
                    _("%(room)sは1団体につき月%(max)s時間までです（%(month)s月はすでに%(used)s時間）。")
                    % {
                        "room": resource.name,
                        "max": resource.max_hours_per_month,
                        "month": start.month,
                        "used": f"{used:g}",
                    },
                )
            )
    # No double booking
    if facts["clash"]:
        # Which booking is in the way (the first one), only when one is: for the refusal's words.
        clash = (
            _holding_during(resource, starts_at, ends_at, exclude=exclude)
            .select_related("event_session__event")
            .order_by("starts_at")
            .first()
        )
        reasons.append(_overlap_reason(clash))
    return reasons


def _holding_during(
    resource: Resource, starts_at: dt.datetime, ends_at: dt.datetime, *, exclude: Booking | None = None
) -> QuerySet[Booking]:
    """The bookings that hold the resource for part of [starts_at, ends_at): what a new booking,
    a block or an event session would double-book (`exclude`: the booking being moved)."""
    holding = Booking.objects.filter(
        resource=resource, status__in=Booking.HOLDING, starts_at__lt=ends_at, ends_at__gt=starts_at
    )
    return holding if exclude is None else holding.exclude(pk=exclude.pk)


def _overlap_sql(vendor: str) -> str:
    """The bookings (alias b) whose time overlaps [%s, %s). On PostgreSQL written as the exclusion
    constraint's range, so that its GiST index finds them (the (resource, starts_at) index would
    scan every earlier booking of the room: thousands in a busy room's year)."""
    if vendor == "postgresql":
        return "tstzrange(b.starts_at, b.ends_at, '[)') && tstzrange(%s, %s, '[)')"
    return "b.ends_at > %s AND b.starts_at < %s"


def _seconds_sql(vendor: str) -> str:
    """The booked seconds of the rows b (SQLite keeps times as text)."""
    if vendor == "postgresql":
        return "EXTRACT(EPOCH FROM SUM(b.ends_at - b.starts_at))"
    return "SUM((julianday(b.ends_at) - julianday(b.starts_at)) * 86400.0)"


def _booking_facts(
    *,
    resource: Resource,
    day: dt.date,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    member_of: Group | None,
    by: User | None,
    hours_of: Group | None,
    month: tuple[dt.datetime, dt.datetime],
    exclude: Booking | None,
) -> dict:
    """What the rules read from the database, in one query (a booking is one round trip of
    checks, however many rules): whether `by` edits `member_of`, the day's closure, the hours
    `hours_of` holds in the month, and whether a booking is in the way.

    Written in SQL: built with the ORM (three subqueries) it took about 4 ms of CPU to compile,
    a fifth of a booking request; this takes a tenth of a millisecond. Every value is a
    parameter. Asked after the resource is locked (booking_create), it sees every booking
    committed before."""
    vendor, ops = connection.vendor, connection.ops
    booking, holding = Booking._meta.db_table, [str(status) for status in Booking.HOLDING]
    # The rows of this resource that hold its time (all but `exclude`), as alias b.
    rows_sql = (
        f"FROM {booking} b WHERE b.resource_id = %s AND b.status IN ({', '.join(['%s'] * len(holding))})"
        + (" AND b.id <> %s" if exclude is not None else "")
    )
    rows_params = [resource.pk, *holding, *([exclude.pk] if exclude is not None else [])]
    at = ops.adapt_datetimefield_value
    columns = [
        f"(SELECT c.reason FROM {Closure._meta.db_table} c WHERE c.date = %s LIMIT 1)",
        f"EXISTS (SELECT 1 {rows_sql} AND {_overlap_sql(vendor)})",
    ]
    params = [ops.adapt_datefield_value(day), *rows_params, at(starts_at), at(ends_at)]
    if member_of is not None:
        columns.append(
            f"EXISTS (SELECT 1 FROM {GroupMembership._meta.db_table} m"
            " WHERE m.group_id = %s AND m.user_id = %s)"
        )
        params += [member_of.pk, by.pk]
    if hours_of is not None:
        columns.append(
            f"(SELECT {_seconds_sql(vendor)} {rows_sql}"
            " AND b.group_id = %s AND b.starts_at >= %s AND b.starts_at < %s)"
        )
        params += [*rows_params, hours_of.pk, at(month[0]), at(month[1])]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)}", params)
        row = list(cursor.fetchone())
    closure, clash = row.pop(0), row.pop(0)
    member = bool(row.pop(0)) if member_of is not None else False
    seconds = row.pop(0) if hours_of is not None else None
    return {
        "closure": closure,
        "clash": bool(clash),
        "member": member,
        "used": None if seconds is None else dt.timedelta(seconds=float(seconds)),
    }


def _overlap_reason(clash: Booking | None) -> str:
    if clash is not None and clash.event_session_id:
        return _rule(
            _("重複"),
            _("この時間はセンターの催し「%(title)s」で使います。")
            % {"title": clash.event_session.event.title},
        )
    if clash is not None and clash.is_block:
        return _rule(
            _("重複"), _("この時間はセンターが使います（%(purpose)s）。") % {"purpose": clash.purpose}
        )
    return _rule(_("重複"), _("この時間はすでに予約が入っています。"))


def _save_booking(booking: Booking) -> Booking:
    """Saves; the PostgreSQL exclusion constraint's refusal becomes the 【重複】 rule.

    No savepoint: the room is locked and its bookings checked first, so the constraint refuses
    only what a writer that did not lock slipped in. Its refusal then ends the whole transaction
    (atomic marks it for rollback): the caller's atomic block undoes everything.

    The fields are validated here; the related rows were just read, and the time's order is a
    rule already checked (and a database constraint): no query to ask them again."""
    booking.clean_fields(exclude=["resource", "group", "booked_by", "event_session"])
    try:
        with transaction.atomic(savepoint=False):
            if booking.pk is None:
                # No history row: its first change records the booking as made first
                # (spaces.signals.baseline_before_first_change); most bookings are never changed.
                booking.save_without_historical_record()
            else:
                booking.save()
    except IntegrityError as exc:
        if OVERLAP_CONSTRAINT in str(exc):
            raise ValidationError(_overlap_reason(None)) from exc
        raise
    return booking


# --- Bookings -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _BookingAsk:
    """What one booking, or each date of a weekly series, asks for apart from its time."""

    resource: Resource
    group: Group | None
    by: User | None
    purpose: str
    people: int
    channel: str

    @property
    def at_counter(self) -> bool:
        """Staff booking for a group by phone or at the counter."""
        return self.channel != Booking.Channel.WEB


def _booking_open(ask: _BookingAsk, times: list[tuple[dt.datetime, dt.datetime]]) -> None:
    """Only staff book at the counter (for any group). The resource's days that the times touch
    stay locked until the transaction ends, so two requests cannot both take the same time."""
    if ask.at_counter and not may(ask.by, "spaces.manage_spaces"):
        raise PermissionDenied
    days = set()
    for starts_at, ends_at in times:
        day, last = _local(starts_at).date(), _local(ends_at - dt.timedelta(microseconds=1)).date()
        while day <= last:
            days.add(day)
            day += dt.timedelta(days=1)
    _lock_days(ask.resource, days)


def _booking_build(
    ask: _BookingAsk, *, starts_at: dt.datetime, ends_at: dt.datetime, series: uuid.UUID | None = None
) -> Booking:
    reasons = booking_refusals(
        resource=ask.resource,
        group=ask.group,
        by=ask.by,
        starts_at=starts_at,
        ends_at=ends_at,
        people=ask.people,
        at_counter=ask.at_counter,
    )
    if reasons:
        raise ValidationError(reasons)
    needs_approval = ask.resource.requires_approval and not ask.at_counter
    booking = Booking(
        resource=ask.resource,
        group=ask.group,
        booked_by=ask.by,
        starts_at=starts_at,
        ends_at=ends_at,
        purpose=ask.purpose.strip(),
        people=ask.people,
        channel=ask.channel,
        status=Status.PENDING if needs_approval else Status.CONFIRMED,
        series=series,
    )
    return _save_booking(booking)


@transaction.atomic
def booking_create(
    *,
    resource: Resource,
    group: Group | None,
    by: User | None,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    purpose: str,
    people: int,
    channel: str = Booking.Channel.WEB,
    notify: bool = True,
) -> Booking:
    """One booking. Staff at the counter (channel phone or counter) may book for any group."""
    ask = _BookingAsk(resource=resource, group=group, by=by, purpose=purpose, people=people, channel=channel)
    _booking_open(ask, [(starts_at, ends_at)])
    booking = _booking_build(ask, starts_at=starts_at, ends_at=ends_at)
    if notify:
        mail.booking_made(bookings=[booking], refused=[])
    return booking


@dataclass
class SeriesResult:
    booked: list[Booking] = field(default_factory=list)
    refused: list[tuple[dt.date, list[str]]] = field(default_factory=list)
    all_or_nothing: bool = False


def series_starts(*, first_start: dt.datetime, weeks: int) -> list[dt.datetime]:
    """The same weekday and local time for `weeks` weeks (wall-clock time, whatever the offset)."""
    local = _local(first_start)
    return [
        timezone.make_aware(dt.datetime.combine(local.date() + dt.timedelta(weeks=n), local.time()))
        for n in range(weeks)
    ]


@transaction.atomic
def booking_series_create(
    *,
    resource: Resource,
    group: Group | None,
    by: User | None,
    first_start: dt.datetime,
    duration: dt.timedelta,
    weeks: int,
    purpose: str,
    people: int,
    all_or_nothing: bool,
    channel: str = Booking.Channel.WEB,
    notify: bool = True,
) -> SeriesResult:
    """毎週 the same time for `weeks` weeks. Each date is judged by the same rules as one booking;
    all_or_nothing makes none when any date is refused, otherwise the free dates are booked and
    each refused date is listed with its reasons."""
    if not 1 <= weeks <= MAX_REPEAT_WEEKS:
        raise ValidationError(_("繰り返しは%(max)s週までです。") % {"max": MAX_REPEAT_WEEKS})
    ask = _BookingAsk(resource=resource, group=group, by=by, purpose=purpose, people=people, channel=channel)
    starts = series_starts(first_start=first_start, weeks=weeks)
    _booking_open(ask, [(start, start + duration) for start in starts])
    result = SeriesResult(all_or_nothing=all_or_nothing)
    series = uuid.uuid4() if weeks > 1 else None
    for start in starts:
        # No savepoint per date: a date the rules refuse wrote nothing (they are read first).
        try:
            booking = _booking_build(ask, starts_at=start, ends_at=start + duration, series=series)
        except ValidationError as exc:
            if transaction.get_rollback():
                raise  # the database refused an insert (_save_booking): nothing of the series holds
            result.refused.append((_local(start).date(), exc.messages))
        else:
            result.booked.append(booking)
    if all_or_nothing and result.refused:
        transaction.set_rollback(True)
        result.booked = []
        return result
    if notify and result.booked:
        mail.booking_made(bookings=result.booked, refused=result.refused)
    return result


def cancel_deadline(booking: Booking) -> dt.datetime:
    return booking.starts_at - dt.timedelta(hours=booking.resource.cancel_deadline_hours)


def user_may_cancel(*, user, booking: Booking, now: dt.datetime | None = None) -> bool:
    """Editors of the group (or the person who booked) until the deadline; staff while it holds time."""
    if not booking.holds_time or booking.status == Status.NO_SHOW:
        return False
    if may(user, "spaces.manage_spaces"):
        return True
    owns = booking.booked_by_id == getattr(user, "pk", None) or user_edits_group(user, booking.group)
    return owns and (now or timezone.now()) < cancel_deadline(booking)


def cancel_refusal(*, user, booking: Booking) -> str | None:
    """Why ``user`` may not cancel ``booking`` now, in the words the person reads; None when they may."""
    if not booking.holds_time or booking.status == Status.NO_SHOW:
        return _("この予約は取り消せません（%(status)s）。") % {"status": booking.get_status_display()}
    if user_may_cancel(user=user, booking=booking):
        return None
    return _rule(
        _("取消期限"),
        _("ウェブでの取消は利用開始の%(hours)s時間前（%(deadline)s）までです。センターにお電話ください。")
        % {
            "hours": booking.resource.cancel_deadline_hours,
            "deadline": date_format(_local(cancel_deadline(booking)), _("n月j日 G:i")),
        },
    )


@transaction.atomic
def booking_cancel(*, booking: Booking, by: User, notify: bool = True, reason: str = "") -> Booking:
    booking = (
        Booking.objects.select_for_update(of=("self",)).select_related("resource", "group").get(pk=booking.pk)
    )
    if refusal := cancel_refusal(user=by, booking=booking):
        raise ValidationError(refusal)
    booking.status = Status.CANCELLED
    booking.cancelled_at = timezone.now()
    booking.sequence += 1  # calendars replace the entry with the cancelled one (spaces.ical)
    record_by(booking, by, reason)
    booking.save(update_fields=["status", "cancelled_at", "sequence"])
    if notify and not booking.is_block:
        mail.booking_cancelled(booking=booking, reason=reason)
    return booking


@transaction.atomic
def booking_approve(*, booking: Booking, by: User) -> Booking:
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    if booking.status != Status.PENDING:
        raise ValidationError(_("承認待ちの予約ではありません。"))
    booking.status = Status.CONFIRMED
    record_by(booking, by)
    booking.save(update_fields=["status"])
    mail.booking_made(bookings=[booking], refused=[])
    return booking


@transaction.atomic
def booking_mark_no_show(*, booking: Booking, by: User) -> Booking:
    """無断不使用: the group did not come. Only once the booked time has begun."""
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    if booking.status != Status.CONFIRMED or booking.is_block:
        raise ValidationError(_("予約済みの団体の予約だけを無断不使用にできます。"))
    if timezone.now() < booking.starts_at:
        raise ValidationError(_("利用開始の前には無断不使用にできません。"))
    booking.status = Status.NO_SHOW
    record_by(booking, by)
    booking.save(update_fields=["status"])
    return booking


@transaction.atomic
def block_create(
    *,
    resource: Resource,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    purpose: str,
    by: User | None,
    event_session=None,
) -> Booking:
    """Time the center keeps for itself (its events, maintenance). Only the overlap rule applies."""
    _lock(resource)
    clash = _holding_during(resource, starts_at, ends_at).select_related("event_session__event").first()
    if clash is not None:
        raise ValidationError(_overlap_reason(clash))
    booking = Booking(
        resource=resource,
        is_block=True,
        booked_by=by,
        starts_at=starts_at,
        ends_at=ends_at,
        purpose=purpose.strip()[:200] or _("センター使用"),
        people=1,
        channel=Booking.Channel.COUNTER,
        event_session=event_session,
    )
    return _save_booking(booking)


def rooms_for_venue(venue: str) -> list[Resource]:
    if not venue:
        return []
    return [
        room
        for room in Resource.objects.filter(kind=Resource.Kind.ROOM, is_active=True).exclude(venue_keyword="")
        if room.venue_keyword in venue
    ]


def event_session_conflicts(
    *, venue: str, starts_at: dt.datetime, ends_at: dt.datetime, session_pk: int | None = None
) -> list[Booking]:
    """What already holds the room an event session's venue names (the room event_session_sync
    would block) at that time: bookings of groups and people, the center's other uses. The
    session's own block is not in the way."""
    rooms = rooms_for_venue(venue)
    if not rooms or not (starts_at and ends_at) or ends_at <= starts_at:
        return []
    clashes = (
        _holding_during(rooms[0], starts_at, ends_at)
        .select_related("resource", "group", "booked_by", "event_session__event")
        .order_by("starts_at", "id")
    )
    if session_pk is not None:
        clashes = clashes.exclude(event_session_id=session_pk)
    return list(clashes)


def event_session_conflict_message(booking: Booking) -> str:
    """The booking as staff must know it: which room, when, whose."""
    start, end = _local(booking.starts_at), _local(booking.ends_at)
    when = f"{date_format(start, 'DATETIME_FORMAT')}〜{date_format(end, _('G:i'))}"
    if booking.event_session_id:
        return _("%(room)sの%(when)sは、センターの催し「%(title)s」の会場です。") % {
            "room": booking.resource.name,
            "when": when,
            "title": booking.event_session.event.title,
        }
    if booking.is_block:
        return _("%(room)sの%(when)sは、センターの利用（%(purpose)s）で押さえています。") % {
            "room": booking.resource.name,
            "when": when,
            "purpose": booking.purpose,
        }
    who = (
        booking.group.name
        if booking.group_id
        else str(booking.booked_by)  # 「（氏名未登録）」 for a booker without a name, never 「ご利用者」
        if booking.booked_by_id
        else ""
    )
    return _("%(room)sの%(when)sは、「%(who)s」の予約（%(purpose)s）が入っています。") % {
        "room": booking.resource.name,
        "when": when,
        "who": who or _("（予約者不明）"),
        "purpose": booking.purpose,
    }


@transaction.atomic
def booking_release_for_event(*, booking: Booking, by: User, reason: str) -> Booking:
    """Staff give the time of a booking to a center event: the booking is cancelled and the group
    (or the person who booked) is told why by e-mail; a center block is simply lifted."""
    if booking.event_session_id:
        raise ValidationError(_("ほかの催しの会場は、ここでは外せません。その催しの回を変えてください。"))
    return booking_cancel(booking=booking, by=by, notify=True, reason=reason)


def event_session_sync(*, session) -> Booking | None:
    """Blocks the room an event session takes place in (its venue names the room), or moves the
    block when the session moved. A session whose time is already booked by a group keeps no
    block; the clash is logged for staff to resolve by phone."""
    rooms = rooms_for_venue(session.effective_venue)
    existing = Booking.objects.filter(event_session=session).first()
    if existing is not None:
        if (
            rooms
            and existing.resource_id == rooms[0].pk
            and (existing.starts_at, existing.ends_at)
            == (
                session.starts_at,
                session.ends_at,
            )
        ):
            return existing
        existing.delete()
    if not rooms:
        return None
    try:
        with transaction.atomic():
            return block_create(
                resource=rooms[0],
                starts_at=session.starts_at,
                ends_at=session.ends_at,
                purpose=session.event.title,
                by=None,
                event_session=session,
            )
    except ValidationError as exc:
        logger.warning(
            "spaces: event session %s could not block %s: %s",
            session.pk,
            rooms[0].name,
            " ".join(exc.messages),
        )
        return None


# --- Machine use ----------------------------------------------------------------------------------------


def machine_fee(*, machine: Resource, count: int, uses: int = 1) -> int:
    """利用料 = 単価 × 枚数（回数） + 1回あたりの料金 × 利用回数, in yen."""
    return machine.unit_price * count + machine.use_price * uses


@transaction.atomic
def machine_use_log(
    *,
    machine: Resource,
    group: Group,
    used_on: dt.date,
    count: int,
    uses: int = 1,
    note: str = "",
    by: User | None,
) -> MachineUse:
    if machine.kind != Resource.Kind.MACHINE:
        raise ValidationError(_("機器を選んでください。"))
    if used_on > timezone.localdate():
        raise ValidationError({"used_on": _("利用日に先の日付は入れられません。")})
    fee = machine_fee(machine=machine, count=count, uses=uses)
    if fee > MACHINE_FEE_MAX:
        raise ValidationError(
            {
                "count": _(
                    "利用料が%(fee)s円になります。枚数・回数を確かめてください（1回の記録は1,000万円まで）。"
                )
                % {"fee": f"{fee:,}"}
            }
        )
    use = MachineUse(
        machine=machine,
        group=group,
        used_on=used_on,
        count=count,
        uses=uses,
        unit_price=machine.unit_price,
        use_price=machine.use_price,
        fee=fee,
        note=note.strip(),
        recorded_by=by,
    )
    use.full_clean()
    use.save()
    return use


def machine_use_total(*, group: Group, year: int, month: int) -> int:
    return (
        MachineUse.objects.filter(group=group, used_on__year=year, used_on__month=month).aggregate(
            s=Sum("fee")
        )["s"]
        or 0
    )


# --- Moving a booking out of an event session's way ---------------------------------------------------
#
# An event session whose venue names a room keeps no block while a group's booking holds that
# time (event_session_sync). Staff then move each clashing booking to a free room or time (the
# same rules as a booking at the counter), or cancel it when nothing is free; the group is told
# by e-mail with a new .ics, the move is in the booking's history, and once the room is free the
# session blocks it.

# How far from the booked time the same room's free slots are looked for, and how many are offered.
MOVE_SEARCH_DAYS = 7
MOVE_SAME_ROOM_OPTIONS = 3


@dataclass(frozen=True)
class MoveOption:
    resource: Resource
    starts_at: dt.datetime
    ends_at: dt.datetime
    same_time: bool  # another room at the booked time; otherwise the same room at another time

    @property
    def label(self) -> str:
        start, end = _local(self.starts_at), _local(self.ends_at)
        return _("%(room)s %(day)s %(start)s〜%(end)s") % {
            "room": self.resource.name,
            "day": _day_label(start.date()),
            "start": f"{start:%H:%M}",
            "end": f"{end:%H:%M}",
        }


@dataclass(frozen=True)
class Clash:
    """A booking in an event session's room and time, and where it could go."""

    booking: Booking
    message: str
    movable: bool  # a group's or a person's booking (not another event's session or a center block)
    options: tuple[MoveOption, ...] = ()


def session_room(session) -> Resource | None:
    rooms = rooms_for_venue(session.effective_venue)
    return rooms[0] if rooms else None


def _overlaps(a_start, a_end, b_start, b_end) -> bool:
    return a_start < b_end and a_end > b_start


def _move_refusals(
    *, booking: Booking, resource: Resource, starts_at: dt.datetime, ends_at: dt.datetime, by, session
) -> list[str]:
    """The rules of a booking taken at the counter (capacity, opening hours, closed days, how far
    ahead, the group's hours, no double booking), and the session's own room and time."""
    if session is not None and resource == session_room(session):
        if _overlaps(starts_at, ends_at, session.starts_at, session.ends_at):
            return [
                _rule(
                    _("重複"),
                    _("この時間はセンターの催し「%(title)s」で使います。") % {"title": session.event.title},
                )
            ]
    return booking_refusals(
        resource=resource,
        group=booking.group,
        by=by,
        starts_at=starts_at,
        ends_at=ends_at,
        people=booking.people,
        at_counter=True,
        exclude=booking,
    )


def move_options(*, booking: Booking, session, by) -> list[MoveOption]:
    """Where the booking could go: the same time in every other room of enough capacity that is
    free, then the nearest free slots of the same room (same length, up to MOVE_SEARCH_DAYS
    before or after, never in the past), each checked against every booking rule."""
    options: list[MoveOption] = []
    length = booking.ends_at - booking.starts_at
    for room in Resource.objects.filter(kind=Resource.Kind.ROOM, is_active=True).exclude(
        pk=booking.resource_id
    ):
        if room.capacity and booking.people > room.capacity:
            continue
        if not _move_refusals(
            booking=booking,
            resource=room,
            starts_at=booking.starts_at,
            ends_at=booking.ends_at,
            by=by,
            session=session,
        ):
            options.append(MoveOption(room, booking.starts_at, booking.ends_at, same_time=True))
    room = booking.resource
    start = _local(booking.starts_at)
    slot = dt.timedelta(minutes=room.slot_minutes)
    closed = calendar.closed_days(
        start.date() - dt.timedelta(days=MOVE_SEARCH_DAYS), start.date() + dt.timedelta(days=MOVE_SEARCH_DAYS)
    )
    holding = [
        (b.starts_at, b.ends_at)
        for b in Booking.objects.filter(
            resource=room,
            status__in=Booking.HOLDING,
            starts_at__lt=booking.ends_at + dt.timedelta(days=MOVE_SEARCH_DAYS + 1),
            ends_at__gt=booking.starts_at - dt.timedelta(days=MOVE_SEARCH_DAYS + 1),
        ).exclude(pk=booking.pk)
    ]
    if session is not None and session_room(session) == room:
        holding.append((session.starts_at, session.ends_at))
    now = timezone.now()
    candidates = []
    for offset in range(-MOVE_SEARCH_DAYS, MOVE_SEARCH_DAYS + 1):
        day = start.date() + dt.timedelta(days=offset)
        if day in closed:
            continue
        candidate = timezone.make_aware(dt.datetime.combine(day, room.opens_at))
        closes = timezone.make_aware(dt.datetime.combine(day, room.closes_at))
        while candidate + length <= closes:
            end = candidate + length
            if candidate > now and not any(_overlaps(candidate, end, s, e) for s, e in holding):
                candidates.append(candidate)
            candidate += slot
    # Nearest first; at the same distance the later one (the group keeps its preparation time).
    candidates.sort(key=lambda c: (abs((c - booking.starts_at).total_seconds()), -c.timestamp()))
    found = 0
    for candidate in candidates:
        if found >= MOVE_SAME_ROOM_OPTIONS:
            break
        if not _move_refusals(
            booking=booking,
            resource=room,
            starts_at=candidate,
            ends_at=candidate + length,
            by=by,
            session=session,
        ):
            options.append(MoveOption(room, candidate, candidate + length, same_time=False))
            found += 1
    return options


def session_clashes(*, session, by) -> list[Clash]:
    """The bookings in the way of an event session's room, each with where it could go."""
    clashes = event_session_conflicts(
        venue=session.effective_venue,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        session_pk=session.pk,
    )
    return [
        Clash(
            booking=booking,
            message=event_session_conflict_message(booking),
            movable=not booking.is_block,
            options=tuple(move_options(booking=booking, session=session, by=by))
            if not booking.is_block
            else (),
        )
        for booking in clashes
    ]


def session_move_reason(session) -> str:
    from events.services import session_room_release_reason

    return session_room_release_reason(
        event=session.event, starts_at=session.starts_at, ends_at=session.ends_at
    )


@transaction.atomic
def booking_move(
    *,
    booking: Booking,
    resource: Resource,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    by: User,
    session=None,
    reason: str = "",
) -> Booking:
    """Staff move a group's booking to another room or time (for `session`, a center event that
    needs its room). The rules of a counter booking apply to the new room and time; the group is
    told by e-mail with the new .ics (same UID: the calendar entry moves), the move is in the
    booking's history, and the session blocks its room once nothing is in the way."""
    if not may(by, "spaces.manage_spaces"):
        raise PermissionDenied
    # Both rooms are locked, in one order, so two moves at once cannot deadlock or double book.
    for room in sorted({booking.resource, resource}, key=lambda r: r.pk):
        _lock(room)
    booking = (
        Booking.objects.select_for_update(of=("self",)).select_related("resource", "group").get(pk=booking.pk)
    )
    if not booking.holds_time or booking.status == Status.NO_SHOW or booking.is_block:
        raise ValidationError(
            _("この予約は移せません（%(status)s）。") % {"status": booking.get_status_display()}
        )
    if booking.starts_at <= timezone.now():
        raise ValidationError(_("始まった予約は移せません。"))
    reasons = _move_refusals(
        booking=booking, resource=resource, starts_at=starts_at, ends_at=ends_at, by=by, session=session
    )
    if reasons:
        raise ValidationError(reasons)
    before = Booking(resource=booking.resource, starts_at=booking.starts_at, ends_at=booking.ends_at)
    booking.resource, booking.starts_at, booking.ends_at = resource, starts_at, ends_at
    booking.sequence += 1  # calendars move the entry (spaces.ical)
    record_by(booking, by, reason)
    _save_booking(booking)
    mail.booking_moved(booking=booking, before=before, reason=reason)
    if session is not None:
        event_session_sync(session=session)
    return booking
