"""Demo data for spaces: the rooms and machines of a small center and a believable year of use.

Regular groups meet on the same weekday evening every week (定例会), others book now and then;
sheets printed peak before events and newsletters. The center's event sessions that take place
in a room block it first, so no group booking overlaps them. At scale > 1 (the bench) 会議室A is
booked in 15-minute slots, four of every five, over 10,000 bookings in the 365 days around today
(space_week measures one of its weeks); the other rooms keep the demo's pattern, so that the
bench's bookings (space_book) find free slots.
"""

from __future__ import annotations

import datetime as dt
import random
from functools import partial

from django.db import transaction
from django.utils import timezone

from core.app_hooks import BenchPage, hook
from core.fiscal import current_fiscal_year
from core.models import User
from events.models import EventSession
from groups.models import Group, GroupMembership, GroupStatus
from spaces import calendar, selectors
from spaces.models import Allotment, Booking, Closure, MachineUse, Resource
from spaces.services import machine_fee

ROOMS = [
    # name, capacity, equipment, wheelchair, loop, eligibility, max hours, approval
    (
        "会議室A",
        12,
        "ホワイトボード、プロジェクター、長机6台",
        True,
        True,
        Resource.Eligibility.REGISTERED_GROUPS,
        16,
        False,
    ),
    (
        "会議室B",
        8,
        "ホワイトボード、テーブル2台",
        True,
        False,
        Resource.Eligibility.REGISTERED_GROUPS,
        16,
        False,
    ),
    ("交流スペース", 30, "可動式の机と椅子、マイク", True, True, Resource.Eligibility.SIGNED_IN, None, True),
    (
        "作業スペース",
        6,
        "作業台、裁断機、ホチキス",
        True,
        False,
        Resource.Eligibility.REGISTERED_GROUPS,
        None,
        False,
    ),
]
MACHINES = [
    # name, unit, unit price, price per use
    ("印刷機", "枚", 1, 50),
    ("コピー機", "枚", 10, 0),
    ("紙折り機", "回", 100, 0),
    ("丁合機", "回", 100, 0),
]
PURPOSES = [
    "定例会",
    "役員会",
    "イベントの準備",
    "チラシの作成",
    "勉強会",
    "打合せ",
    "会報の発送作業",
    "ボランティア説明会",
]
BANDS = [(dt.time(10), dt.time(12)), (dt.time(13), dt.time(16)), (dt.time(18), dt.time(21))]
# The bench's busy room: 15-minute slots, four of every five booked, over the 365 days around today.
BUSY_SLOT_MINUTES = 15
BUSY_DAYS_BEFORE, BUSY_DAYS_AFTER = 275, 89


def _aware(day: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time))


@hook("seed_demo")
@transaction.atomic
def seed(*, scale: int, rng: random.Random, out) -> None:
    if Resource.objects.exists():
        out.write("  spaces: すでにあります")
        return
    rooms = [
        Resource.objects.create(
            kind=Resource.Kind.ROOM,
            name=name,
            order=order,
            capacity=capacity,
            equipment=equipment,
            wheelchair_accessible=wheelchair,
            hearing_loop=loop,
            eligibility=eligibility,
            max_hours_per_month=max_hours,
            requires_approval=approval,
            venue_keyword=name,
        )
        for order, (
            name,
            capacity,
            equipment,
            wheelchair,
            loop,
            eligibility,
            max_hours,
            approval,
        ) in enumerate(ROOMS, start=1)
    ]
    machines = [
        Resource.objects.create(
            kind=Resource.Kind.MACHINE, name=name, order=order, unit=unit, unit_price=price, use_price=per_use
        )
        for order, (name, unit, price, per_use) in enumerate(MACHINES, start=1)
    ]
    lockers = [
        Resource.objects.create(kind=Resource.Kind.LOCKER, name=f"ロッカー{n}", order=n) for n in range(1, 11)
    ]
    mailboxes = [
        Resource.objects.create(kind=Resource.Kind.MAILBOX, name=f"レターケース{n}", order=n)
        for n in range(1, 21)
    ]

    today = timezone.localdate()
    fiscal_year = current_fiscal_year()
    first = today - dt.timedelta(days=270)
    last = today + dt.timedelta(days=80)
    Closure.objects.get_or_create(date=today + dt.timedelta(days=17), defaults={"reason": "設備点検のため"})
    closed = calendar.closed_days(first, last)

    groups = list(Group.objects.filter(status=GroupStatus.APPROVED).order_by("pk")[: 60 * scale])
    if not groups:
        out.write("  spaces: 部屋と機器（登録団体がないので予約なし）")
        return
    member = User.objects.filter(email="member@example.jp").first()
    member_groups = (
        set(
            GroupMembership.objects.filter(user=member, group__status=GroupStatus.APPROVED).values_list(
                "group_id", flat=True
            )
        )
        if member
        else set()
    )
    owners = dict(
        GroupMembership.objects.filter(group__in=groups, role=GroupMembership.Role.OWNER).values_list(
            "group_id", "user_id"
        )
    )

    for n, group in enumerate(groups[: len(lockers) + len(mailboxes)]):
        box = (lockers + mailboxes)[n]
        Allotment.objects.create(resource=box, group=group, fiscal_year=fiscal_year)

    _demo_roundtable(rooms[0], today)
    taken: dict[int, list[tuple[dt.datetime, dt.datetime]]] = {room.pk: [] for room in rooms}
    for room_id, starts_at, ends_at in Booking.objects.values_list("resource_id", "starts_at", "ends_at"):
        taken[room_id].append((starts_at, ends_at))
    blocks = []
    by_keyword = {room.venue_keyword: room for room in rooms}
    sessions = EventSession.objects.filter(
        starts_at__date__range=(first, last), space_booking__isnull=True
    ).select_related("event")
    for session in sessions:
        room = next((r for k, r in by_keyword.items() if k in session.effective_venue), None)
        if room is None or any(s < session.ends_at and e > session.starts_at for s, e in taken[room.pk]):
            continue
        taken[room.pk].append((session.starts_at, session.ends_at))
        blocks.append(
            Booking(
                resource=room,
                is_block=True,
                event_session=session,
                starts_at=session.starts_at,
                ends_at=session.ends_at,
                purpose=session.event.title[:200],
                channel=Booking.Channel.COUNTER,
            )
        )
    Booking.objects.bulk_create(blocks)

    # Regular groups: one per room and weekday evening (定例会);
    # the demo member's group on Tuesdays in 会議室A.
    regular = {}
    for room in rooms[:2]:
        for weekday in range(1, 6):
            regular[(room.pk, weekday)] = rng.choice(groups)
    if member_groups:
        regular[(rooms[0].pk, 1)] = (
            next(g for g in groups if g.pk in member_groups)
            if any(g.pk in member_groups for g in groups)
            else regular[(rooms[0].pk, 1)]
        )

    busy = rooms[0] if scale > 1 else None
    if busy is not None:
        busy.slot_minutes = BUSY_SLOT_MINUTES
        busy.save(update_fields=["slot_minutes"])
    chance = 0.45
    bookings = []
    now = timezone.now()
    day = first
    while day <= last:
        if day not in closed:
            for room in rooms:
                if room == busy:
                    continue
                for start_time, end_time in BANDS:
                    starts_at, ends_at = _aware(day, start_time), _aware(day, end_time)
                    if any(s < ends_at and e > starts_at for s, e in taken[room.pk]):
                        continue
                    if room == rooms[0] and day.weekday() == 1 and start_time >= dt.time(18) and day > today:
                        continue  # future Tuesday evenings of 会議室A are left for the demo member to book
                    group = regular.get((room.pk, day.weekday())) if start_time == dt.time(18) else None
                    if group is None:
                        if rng.random() > chance:
                            continue
                        group = rng.choice(groups)
                    status = Booking.Status.CONFIRMED
                    if ends_at < now:
                        roll = rng.random()
                        status = (
                            Booking.Status.NO_SHOW
                            if roll < 0.02
                            else Booking.Status.CANCELLED
                            if roll < 0.08
                            else Booking.Status.CONFIRMED
                        )
                    if status != Booking.Status.CANCELLED:
                        taken[room.pk].append((starts_at, ends_at))
                    bookings.append(
                        _group_booking(
                            room,
                            group,
                            starts_at,
                            ends_at,
                            owners=owners,
                            rng=rng,
                            most_people=min(room.capacity or 10, 20),
                            status=status,
                            channel=rng.choice(
                                [Booking.Channel.WEB] * 4 + [Booking.Channel.PHONE, Booking.Channel.COUNTER]
                            ),
                            cancelled_at=starts_at - dt.timedelta(days=1)
                            if status == Booking.Status.CANCELLED
                            else None,
                        )
                    )
        day += dt.timedelta(days=1)
    if busy is not None:
        bookings += _busy_year(busy, today=today, groups=groups, owners=owners, taken=taken[busy.pk], rng=rng)
    Booking.objects.bulk_create(bookings, batch_size=2000)

    uses = []
    staff = User.objects.filter(email="staff@example.jp").first()
    day = first
    while day <= today:
        if day not in closed:
            for _n in range(rng.randint(0, 4 * scale)):
                machine = rng.choices(machines, weights=[6, 3, 1, 1])[0]
                count = (
                    rng.choice([100, 200, 300, 500, 800, 1000]) if machine.unit == "枚" else rng.randint(1, 3)
                )
                count = (
                    count
                    if machine.name == "印刷機"
                    else max(1, count // 10)
                    if machine.unit == "枚"
                    else count
                )
                uses.append(
                    MachineUse(
                        machine=machine,
                        group=rng.choice(groups),
                        used_on=day,
                        count=count,
                        uses=1,
                        unit_price=machine.unit_price,
                        use_price=machine.use_price,
                        fee=machine_fee(machine=machine, count=count),
                        recorded_by=staff,
                    )
                )
        day += dt.timedelta(days=1)
    MachineUse.objects.bulk_create(uses, batch_size=2000)
    out.write(
        f"  spaces: 部屋{len(rooms)}, 機器{len(machines)}, "
        f"予約{len(bookings) + len(blocks)}件, 機器の利用{len(uses)}件"
    )


BENCH_EDITOR = "member@example.jp"
BENCH_PURPOSE = "ベンチの予約"


@hook("bench_pages")
def bench_pages(*, scale: int) -> dict[str, BenchPage]:
    """space_week: 会議室A's week after this one (over 10,000 bookings in its year at the bench's
    scale), seen by an editor of a registered group: the page cache is not used, the free slots
    are links to the booking form. space_book: that editor's bookings, each posted to a different
    free slot of the rooms without a monthly limit (the bench's bookings of an earlier run are
    removed first, so every run finds the same free slots)."""
    from django.urls import reverse

    room = Resource.objects.filter(kind=Resource.Kind.ROOM, name="会議室A").first()
    editor = _bench_editor()
    if room is None or editor is None:
        return {}
    week = selectors.week_start(timezone.localdate()) + dt.timedelta(days=7)
    pages = {
        "space_week": BenchPage(
            path=f"{reverse('spaces:week', args=[room.pk])}?week={week:%Y-%m-%d}", as_user=editor.email
        ),
        "space_index": BenchPage(path=reverse("spaces:index")),
    }
    targets = list(
        Resource.objects.filter(kind=Resource.Kind.ROOM, is_active=True, max_hours_per_month__isnull=True)
        .exclude(pk=room.pk)
        .order_by("order", "pk")
    )
    if targets:
        pages["space_book"] = BenchPage(
            path=reverse("spaces:book", args=[targets[0].pk]),
            as_user=editor.email,
            post_data=partial(bench_booking_forms, rooms=targets, editor=editor),
        )
    return pages


def _bench_editor() -> User | None:
    """The demo member, an editor of a registered group (the group the bench books for)."""
    return User.objects.filter(
        email=BENCH_EDITOR, group_memberships__group__status=GroupStatus.APPROVED
    ).first()


def bench_booking_forms(count: int, *, rooms: list[Resource], editor: User) -> list[tuple[str, dict]]:
    """(booking page, form) of `count` free one-slot bookings from tomorrow on within the booking
    period, each a different slot: room after room, then day after day at the same time, then
    the next time (neighbouring requests rarely wait for the same room's lock)."""
    from django.urls import reverse

    Booking.objects.filter(purpose=BENCH_PURPOSE).delete()
    group = Group.objects.filter(memberships__user=editor, status=GroupStatus.APPROVED).order_by("pk").first()
    by_slot: dict[tuple[int, int], list[tuple[str, dict]]] = {}
    for room_number, room in enumerate(rooms):
        path = reverse("spaces:book", args=[room.pk])
        for day_number, (start, end) in enumerate(_free_slots(room)):
            local, local_end = timezone.localtime(start), timezone.localtime(end)
            by_slot.setdefault((day_number, room_number), []).append(
                (
                    path,
                    {
                        "group": group.pk,
                        "date": f"{local:%Y-%m-%d}",
                        "start": f"{local:%H:%M}",
                        "end": f"{local_end:%H:%M}",
                        "purpose": BENCH_PURPOSE,
                        "people": 3,
                        "weeks": 1,
                        "all_or_nothing": "0",
                    },
                )
            )
    forms = [form for key in sorted(by_slot) for form in by_slot[key]]
    return forms[:count]


def _free_slots(room: Resource):
    """The room's free slots from tomorrow to the end of its booking period, ordered by the time
    of day's slot number, then the day."""
    today = timezone.localdate()
    first, last = today + dt.timedelta(days=1), today + dt.timedelta(days=room.book_ahead_days)
    closed = calendar.closed_days(first, last)
    taken = list(
        Booking.objects.filter(
            resource=room,
            status__in=Booking.HOLDING,
            starts_at__gte=_aware(first, dt.time(0)),
            starts_at__lt=_aware(last + dt.timedelta(days=1), dt.time(0)),
        ).values_list("starts_at", "ends_at")
    )
    length = dt.timedelta(minutes=room.slot_minutes)
    slots: list[tuple[int, dt.date, dt.datetime]] = []
    day = first
    while day <= last:
        if day not in closed:
            start, number = _aware(day, room.opens_at), 0
            while start + length <= _aware(day, room.closes_at):
                if not any(s < start + length and e > start for s, e in taken):
                    slots.append((number, day, start))
                start, number = start + length, number + 1
        day += dt.timedelta(days=1)
    return [(start, start + length) for _number, _day, start in sorted(slots)]


def _demo_roundtable(room: Resource, today: dt.date) -> None:
    """A center event on a Tuesday evening three weeks ahead in 会議室A: its session blocks the room
    (through spaces.signals), so a weekly Tuesday booking shows one date refused because of it."""
    from events.models import Event, Program

    program = Program.objects.filter(code="roundtable").first() or Program.objects.first()
    if program is None:
        return
    day = today + dt.timedelta(days=(1 - today.weekday()) % 7 + 14)
    while calendar.closed_reason(day):
        day += dt.timedelta(days=7)
    event = Event.objects.create(
        program=program,
        title="地域円卓会議「子どもの居場所をみんなで考える」",
        description="地域の課題を、団体・企業・市の担当課が円卓を囲んで話し合います。",
        venue=f"市民活動プラザ 2階 {room.name}",
        capacity=30,
    )
    EventSession.objects.create(
        event=event, starts_at=_aware(day, dt.time(18, 30)), ends_at=_aware(day, dt.time(20, 30))
    )


def _group_booking(
    room: Resource,
    group: Group,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    *,
    owners: dict,
    rng: random.Random,
    most_people: int,
    **fields,
) -> Booking:
    """A demo group's booking, made by its owner one to sixty days before it."""
    return Booking(
        resource=room,
        group=group,
        booked_by_id=owners.get(group.pk),
        starts_at=starts_at,
        ends_at=ends_at,
        purpose=rng.choice(PURPOSES),
        people=rng.randint(3, most_people),
        created_at=starts_at - dt.timedelta(days=rng.randint(1, 60)),
        **fields,
    )


def _busy_year(
    room: Resource, *, today: dt.date, groups: list[Group], owners: dict, taken: list, rng: random.Random
) -> list[Booking]:
    """The bench's 会議室A: every fifth 15-minute slot left free (a different one each day), the
    rest booked by the demo groups; the center's event sessions and the member's future Tuesday
    evenings stay free as in the demo."""
    first, last = today - dt.timedelta(days=BUSY_DAYS_BEFORE), today + dt.timedelta(days=BUSY_DAYS_AFTER)
    closed = calendar.closed_days(first, last)
    length = dt.timedelta(minutes=BUSY_SLOT_MINUTES)
    now = timezone.now()
    made = []
    day = first
    while day <= last:
        if day not in closed:
            start, closes = _aware(day, room.opens_at), _aware(day, room.closes_at)
            number = 0
            while start + length <= closes:
                end = start + length
                free = (number + day.toordinal()) % 5 == 0
                tuesday_evening = day.weekday() == 1 and start.time() >= dt.time(18) and day > today
                if not free and not tuesday_evening and not any(s < end and e > start for s, e in taken):
                    made.append(
                        _group_booking(
                            room,
                            rng.choice(groups),
                            start,
                            end,
                            owners=owners,
                            rng=rng,
                            most_people=room.capacity or 10,
                            status=Booking.Status.NO_SHOW
                            if end < now and rng.random() < 0.02
                            else Booking.Status.CONFIRMED,
                            channel=Booking.Channel.WEB,
                        )
                    )
                start, number = end, number + 1
        day += dt.timedelta(days=1)
    return made
