"""Demo data for spaces: the rooms and machines of a small center and a believable year of use.

Regular groups meet on the same weekday evening every week (定例会), others book now and then;
sheets printed peak before events and newsletters. The center's event sessions that take place
in a room block it first, so no group booking overlaps them. At scale > 1 (the bench) the rooms
are booked hour by hour, about 10,000 bookings in the year.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from core.app_hooks import hook
from core.fiscal import current_fiscal_year
from core.models import User
from events.models import EventSession
from groups.models import Group, GroupMembership, GroupStatus
from spaces import calendar
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

    hourly = scale > 1
    chance = 0.75 if hourly else 0.45
    bookings = []
    now = timezone.now()
    day = first
    while day <= last:
        if day not in closed:
            for room in rooms:
                if hourly:
                    spans = [(dt.time(h), dt.time(h + 1)) for h in range(9, 21)]
                else:
                    spans = BANDS
                for start_time, end_time in spans:
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
                        Booking(
                            resource=room,
                            group=group,
                            booked_by_id=owners.get(group.pk),
                            starts_at=starts_at,
                            ends_at=ends_at,
                            purpose=rng.choice(PURPOSES),
                            people=rng.randint(3, min(room.capacity or 10, 20)),
                            status=status,
                            channel=rng.choice(
                                [Booking.Channel.WEB] * 4 + [Booking.Channel.PHONE, Booking.Channel.COUNTER]
                            ),
                            created_at=starts_at - dt.timedelta(days=rng.randint(1, 60)),
                            cancelled_at=starts_at - dt.timedelta(days=1)
                            if status == Booking.Status.CANCELLED
                            else None,
                        )
                    )
        day += dt.timedelta(days=1)
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


@hook("bench_pages")
def bench_pages(*, scale: int) -> dict[str, str]:
    """space_week: 会議室A's busiest week of the demo year."""
    from django.db.models import Count
    from django.db.models.functions import TruncWeek
    from django.urls import reverse

    room = Resource.objects.filter(kind=Resource.Kind.ROOM, name="会議室A").first()
    if room is None:
        return {}
    busiest = (
        Booking.objects.filter(resource=room)
        .annotate(week=TruncWeek("starts_at"))
        .values("week")
        .annotate(n=Count("pk"))
        .order_by("-n", "week")
        .values_list("week", flat=True)
        .first()
    )
    query = f"?week={timezone.localtime(busiest).date():%Y-%m-%d}" if busiest else ""
    return {
        "space_week": reverse("spaces:week", args=[room.pk]) + query,
        "space_index": reverse("spaces:index"),
    }


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


BENCH_BOOKINGS = 20


@hook("bench_tasks")
def bench_tasks() -> dict:
    """space_book_x20: 20 booking POSTs through the whole stack in-process (view, rules, lock,
    insert, outbox), each to a free evening slot of 会議室A; divide by 20 for one booking."""
    from django.test import Client
    from django.urls import reverse

    room = Resource.objects.filter(kind=Resource.Kind.ROOM, name="会議室A").first()
    # One booking per group, each by an editor of a group with no bookings yet, so that no group's
    # monthly hours limit refuses a bench booking.
    memberships = list(
        GroupMembership.objects.filter(group__status=GroupStatus.APPROVED, group__space_bookings__isnull=True)
        .select_related("user")
        .order_by("group_id")
        .distinct()[: BENCH_BOOKINGS * 3]
    )
    by_group = {m.group_id: m for m in memberships}
    memberships = list(by_group.values())[:BENCH_BOOKINGS]
    if room is None or len(memberships) < BENCH_BOOKINGS:
        return {}

    def book_twenty() -> None:
        clients = []
        for membership in memberships:
            client = Client()
            client.force_login(membership.user)
            clients.append((client, membership))
        day = timezone.localdate() + dt.timedelta(days=1)
        made = 0
        while made < BENCH_BOOKINGS and day <= timezone.localdate() + dt.timedelta(days=room.book_ahead_days):
            for hour in range(9, 21):
                if made >= BENCH_BOOKINGS:
                    break
                starts_at = _aware(day, dt.time(hour))
                if (
                    calendar.closed_reason(day)
                    or Booking.objects.filter(
                        resource=room,
                        status__in=Booking.HOLDING,
                        starts_at__lt=starts_at + dt.timedelta(hours=1),
                        ends_at__gt=starts_at,
                    ).exists()
                ):
                    continue
                client, membership = clients[made]
                response = client.post(
                    reverse("spaces:book", args=[room.pk]),
                    {
                        "group": membership.group_id,
                        "date": f"{day:%Y-%m-%d}",
                        "start": f"{hour:02d}:00",
                        "end": f"{hour + 1:02d}:00",
                        "purpose": "ベンチの予約",
                        "people": 3,
                        "weeks": 1,
                        "all_or_nothing": "0",
                    },
                )
                if response.status_code != 302:
                    form = response.context.get("form") if response.context else None
                    errors = form.errors if form is not None else ""
                    raise RuntimeError(f"space_book answered {response.status_code}: {errors}")
                made += 1
            day += dt.timedelta(days=1)

    return {f"space_book_x{BENCH_BOOKINGS}": book_twenty}
