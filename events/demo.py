"""Demo data for seed_demo (run by ops) and the pages `make bench` loads.

Programs' events, sessions, registrations, attendance and surveys.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from core import demo
from core.app_hooks import hook
from core.calendar import center_is_open, next_open_day
from core.fiscal import current_fiscal_year, fiscal_year_label, fiscal_year_of
from core.models import Area, OutboxMessage, Person, Theme, User
from core.outbox import subject_line
from events import selectors, services
from events.models import Attendance, Event, EventSession, Program, Registration, SurveyResponse


@hook("bench_pages")
def bench_pages(*, scale: int) -> dict[str, str]:
    pages = {"event_calendar": reverse("events:index"), "event_feed": reverse("events:feed")}
    today = timezone.localdate()
    pages["event_month"] = reverse("events:index") + f"?view=month&month={today:%Y-%m}"
    busiest = (
        Event.objects.filter(is_public=True)
        .annotate(n=Count("registrations"))
        .order_by("-n", "pk")
        .values_list("pk", flat=True)
        .first()
    )
    if busiest:
        pages["event_detail"] = reverse("events:detail", args=[busiest])
    return pages


# In February and March the first events of the next fiscal year are already in the calendar.
ANNOUNCED_DAYS_AHEAD = 90


def seed_fiscal_years(scale: int = 1) -> range:
    """The current fiscal year and the years before it (six at scale 1, ten at the bench's 10)."""
    current = current_fiscal_year()
    return range(current - demo.demo_years_back(scale), current + 1)


# code → (events per year, sessions per event, capacity, completion rule, months, hours)
PLAN = {
    "mirai_taiwa": (4, 1, 30, None, (5, 7, 10, 1), (14, 2)),
    "alp": (1, 5, 20, 4, (9,), (13, 3)),
    "social_startup": (1, 3, 25, 2, (6,), (19, 2)),
    "festa": (1, 1, 150, None, (2,), (10, 6)),
    "project_support": (2, 1, 15, None, (7, 11), (18, 2)),
    "pr_fair": (1, 1, None, None, (11,), (10, 5)),
    "networking": (3, 1, 40, None, (6, 12, 3), (18, 2)),
    "roundtable": (2, 1, 30, None, (8, 2), (14, 3)),
}


TITLES = {
    "mirai_taiwa": [
        "ミライ対話「{area}のこれから」",
        "ミライ対話「子育てしやすいまちって？」",
        "ミライ対話「ひとり暮らしの高齢者と地域」",
        "ミライ対話「災害に強いご近所づくり」",
        "ミライ対話「若い世代と地域活動」",
    ],
    "alp": ["アクション・ラーニング講座 {fy}"],
    "social_startup": ["社会起業入門講座 {fy}"],
    "festa": ["社会起業フェスタ {fy}"],
    "project_support": [
        "プロジェクト相談会「チラシとSNSで仲間を集める」",
        "プロジェクト相談会「助成金の申請書を書く」",
        "プロジェクト相談会「活動の成果を伝える」",
    ],
    "pr_fair": ["NPO活動PRフェア {fy}"],
    "networking": ["団体・企業・行政の交流会", "ボランティア交流サロン", "協働カフェ（交流会）"],
    "roundtable": ["地域円卓会議「{area}の居場所づくり」", "地域円卓会議「空き家を地域の資源に」"],
}


ALP_SESSIONS = [
    "地域の課題を見つける",
    "仲間と課題を深める",
    "試しに動いてみる（アクション）",
    "ふりかえりと計画づくり",
    "成果発表会",
]


VENUES = [
    "市民活動プラザ 2階 会議室A",
    "市民活動プラザ 1階 交流スペース",
    "中央公民館 大ホール",
    "東町コミュニティセンター",
    "みらい市役所 本庁舎 市民ロビー",
]


COMMENTS = [
    "同じ地区に住む人と知り合えてよかった。",
    "話しやすい雰囲気で、初めてでも参加しやすかった。",
    "もう少し時間がほしかった。",
    "具体的な事例が参考になった。次の講座にも参加したい。",
    "託児があって助かりました。",
    "土曜日の午前にも開催してほしい。",
    "自分のやりたいことが整理できた。",
]


def _day_in(year: int, month: int, rng: random.Random) -> dt.date:
    """A Saturday or Sunday of the month on which the center is open (no 年末年始, no 祝日)."""
    first = dt.date(year, month, 1)
    days = [first + dt.timedelta(days=i) for i in range(28)]
    weekends = [d for d in days if d.weekday() >= 5 and center_is_open(d)]
    return rng.choice(weekends or [d for d in days if center_is_open(d)])


NEWCOMERS_PER_YEAR = 45


def _people(count: int, rng: random.Random, start: int) -> list[Person]:
    people = []
    for n in range(start, start + count):
        name, kana = demo.person_name(rng)
        has_mail = rng.random() < 0.85
        person = Person(
            name=name,
            name_kana=kana,
            email=f"participant{n}@example.jp" if has_mail else "",
            phone=demo.phone_number(rng) if not has_mail or rng.random() < 0.4 else "",
        )
        people.append(person)
    return Person.objects.bulk_create(people)


@hook("seed_demo")
def seed(*, scale: int, rng: random.Random, out) -> None:
    tz = timezone.get_current_timezone()
    now = timezone.now()
    programs = {p.code: p for p in Program.objects.all()}
    areas = list(Area.objects.all())
    themes = list(Theme.objects.filter(is_npo_act_field=True))
    pool = _people(150 * scale, rng, 1)
    fresh = list(pool)
    rng.shuffle(fresh)
    attended_by_step: dict[int, set[int]] = defaultdict(set)
    registrations: list[Registration] = []
    sessions_of: dict[int, list[EventSession]] = {}
    events: list[Event] = []
    years = seed_fiscal_years(scale)
    announced_until = timezone.localdate() + dt.timedelta(days=ANNOUNCED_DAYS_AHEAD)
    for fy in [*years, years[-1] + 1]:
        if fy != years[0]:
            # A center meets new people every year (most of them come to ミライ対話 first); without
            # them the report's 初めての参加者 would fall to nothing after the first year.
            newcomers = _people(NEWCOMERS_PER_YEAR * scale, rng, len(pool) + 1)
            pool += newcomers
            fresh = [*fresh, *rng.sample(newcomers, k=len(newcomers))]  # popped from the end
        for code, (per_year, n_sessions, capacity, rule, months, (hour, length)) in PLAN.items():
            program = programs.get(code)
            if program is None:
                continue
            for index in range(per_year * scale):
                month = months[index % len(months)]
                year = fy if month >= 4 else fy + 1
                day = _day_in(year, month, rng)
                if fy > years[-1] and day > announced_until:
                    continue  # next year's programme is announced a few months ahead, not more
                area = rng.choice(areas) if areas else None
                title = rng.choice(TITLES[code]).format(
                    area=area.name if area else "地域", fy=fiscal_year_label(fy)
                )
                event = Event.objects.create(
                    program=program,
                    title=title,
                    venue=rng.choice(VENUES),
                    area=area,
                    capacity=capacity,
                    description=f"{program.description}\n\nどなたでも参加できます。参加費は無料です。",
                    completion_min_sessions=rule,
                    wheelchair_accessible=rng.random() < 0.8,
                    childcare=rng.random() < 0.4,
                    sign_language=rng.random() < 0.2,
                    captioning=rng.random() < 0.15,
                    online=rng.random() < 0.3,
                    accessibility_note="託児は1歳以上・開催5日前までに電話でお申し込みください。"
                    if code == "alp"
                    else "",
                )
                event.themes.set(rng.sample(themes, k=min(2, len(themes))))
                sessions = []
                for number in range(n_sessions):
                    start = dt.datetime.combine(
                        next_open_day(day + dt.timedelta(days=14 * number)), dt.time(hour), tzinfo=tz
                    )
                    sessions.append(
                        EventSession(
                            event=event,
                            starts_at=start,
                            ends_at=start + dt.timedelta(hours=length),
                            title=ALP_SESSIONS[number] if code == "alp" else "",
                        )
                    )
                sessions_of[event.pk] = EventSession.objects.bulk_create(sessions)
                events.append(event)
                registrations += _registrations(
                    event,
                    code,
                    capacity,
                    sessions_of[event.pk][0].starts_at,
                    pool,
                    fresh,
                    attended_by_step,
                    program.journey_step,
                    rng,
                )
    upcoming, upcoming_registrations = _upcoming_course(programs, pool, rng)
    if upcoming is not None:
        events.append(upcoming)
        registrations += upcoming_registrations
        sessions_of[upcoming.pk] = list(upcoming.sessions.all())
    Registration.objects.bulk_create(registrations)
    _attendance_and_surveys(registrations, sessions_of, now, rng)
    _demo_member_journey(programs, now)
    _duplicate_guests(rng)
    out.write(
        f"  events: {len(events)} 催し, {len(registrations)} 申込, {Attendance.objects.count()} 出席, "
        f"{SurveyResponse.objects.count()} アンケート ({years[0]}〜{years[-1]}年度)"
    )


def _upcoming_course(programs, pool, rng) -> tuple[Event | None, list[Registration]]:
    """An ALP winter course starting in about three weeks, with seats left: to try registering."""
    program = programs.get("alp")
    if program is None:
        return None, []
    tz = timezone.get_current_timezone()
    day = timezone.localdate() + dt.timedelta(days=21)
    day += dt.timedelta(days=(5 - day.weekday()) % 7)  # the next Saturday
    event = Event.objects.create(
        program=program,
        title=f"アクション・ラーニング講座 {_season(day)}（{fiscal_year_label(fiscal_year_of(day))}）",
        description=(
            "地域の課題を題材に、仲間と小さな行動を試しながら学ぶ全5回の講座です。"
            "ミライ対話に参加した方も、初めての方も歓迎します。\n\n参加費は無料です。"
        ),
        venue=VENUES[0],
        area=Area.objects.order_by("order").first(),
        capacity=20,
        completion_min_sessions=4,
        wheelchair_accessible=True,
        childcare=True,
        sign_language=True,
        online=True,
        accessibility_note="託児は1歳以上・各回の5日前までに電話でお申し込みください。",
    )
    event.themes.set(Theme.objects.filter(short_name__in=["まちづくり", "子どもの健全育成"]))
    for number, title in enumerate(ALP_SESSIONS):
        start = dt.datetime.combine(
            next_open_day(day + dt.timedelta(days=7 * number)), dt.time(13), tzinfo=tz
        )
        EventSession.objects.create(
            event=event, starts_at=start, ends_at=start + dt.timedelta(hours=3), title=title
        )
    created = timezone.now() - dt.timedelta(days=5)
    registrations = [
        Registration(event=event, person=person, created_at=created, confirmed_at=created)
        for person in rng.sample(pool, k=min(12, len(pool)))
    ]
    return event, registrations


def _season(day: dt.date) -> str:
    return {
        3: "春期",
        4: "春期",
        5: "春期",
        6: "夏期",
        7: "夏期",
        8: "夏期",
        9: "秋期",
        10: "秋期",
        11: "秋期",
    }.get(day.month, "冬期")


def _registrations(
    event, code, capacity, first_start, pool, fresh, attended_by_step, step, rng
) -> list[Registration]:
    """Who registers: ミライ対話 draws mostly newcomers, ALP mostly people who came to ミライ対話."""
    size = capacity + rng.randint(-8, 3) if capacity else rng.randint(40, 80)
    size = max(5, min(size, len(pool)))
    chosen: list[Person] = []
    if code == "alp" and attended_by_step[1]:
        alumni = [p for p in pool if p.pk in attended_by_step[1] and p.pk not in attended_by_step[2]]
        chosen += rng.sample(alumni, k=min(len(alumni), int(size * 0.6)))
    if code == "mirai_taiwa":
        while fresh and len(chosen) < int(size * 0.7):
            chosen.append(fresh.pop())
    others = [p for p in rng.sample(pool, k=min(len(pool), size * 2)) if p not in chosen]
    chosen += others[: size - len(chosen)]
    result = []
    confirmed = 0
    now = timezone.now()
    for order, person in enumerate(chosen):
        created = first_start - dt.timedelta(days=30) + dt.timedelta(minutes=47 * order)
        if created > now:  # an event weeks ahead: the others have not signed up yet
            break
        has_seat = capacity is None or confirmed < capacity
        status = Registration.Status.CONFIRMED if has_seat else Registration.Status.WAITLISTED
        cancelled = has_seat and rng.random() < 0.04 and created + dt.timedelta(days=3) < now
        if cancelled:
            status = Registration.Status.CANCELLED
        elif has_seat:
            confirmed += 1
        result.append(
            Registration(
                event=event,
                person=person,
                status=status,
                created_at=created,
                confirmed_at=created if has_seat else None,
                cancelled_at=created + dt.timedelta(days=3) if cancelled else None,
                channel=Registration.Channel.PHONE if not person.email else Registration.Channel.WEB,
            )
        )
        if step and status == Registration.Status.CONFIRMED and first_start < timezone.now():
            attended_by_step[step].add(person.pk)
    return result


def _attendance_and_surveys(registrations, sessions_of, now, rng) -> None:
    from django.contrib.contenttypes.models import ContentType

    registration_type = ContentType.objects.get_for_model(Registration)
    attendances, responses, markers = [], [], []
    completed = []
    for registration in registrations:
        if registration.status != Registration.Status.CONFIRMED:
            continue
        came = [s for s in sessions_of[registration.event_id] if s.starts_at < now and rng.random() < 0.88]
        attendances += [
            Attendance(session=s, registration=registration, checked_in_at=s.starts_at) for s in came
        ]
        required = registration.event.completion_min_sessions
        if required:
            # 修了 as services.registration_update_completion settles it, without a query per person.
            last = max(sessions_of[registration.event_id], key=lambda s: (s.starts_at, s.pk))
            if last.attendance_is_open() and len(came) >= required:
                registration.completed_at = last.ends_at
                completed.append(registration)
        if came and sessions_of[registration.event_id][-1].ends_at < now:
            # Demo participants have had their survey request: the outbox holds it as sent.
            email = registration.person.email
            if email:
                title = registration.event.title
                markers.append(
                    OutboxMessage(
                        kind=f"events.{services.MailKind.SURVEY}",
                        to=[email],
                        subject=subject_line(
                            str(services.SUBJECTS[services.MailKind.SURVEY] % {"title": title})
                        ),
                        body="（デモデータのため本文は省略しています）",
                        content_type=registration_type,
                        object_id=registration.pk,
                        once_key=services.mail_once_key(
                            kind=services.MailKind.SURVEY, registration_id=registration.pk
                        ),
                        status=OutboxMessage.Status.SENT,
                        attempts=1,
                        sent_at=now,
                    )
                )
            if rng.random() < 0.6 and came[-1].ends_at + dt.timedelta(days=2) < now:
                score = rng.choices([5, 4, 3, 2, 1], weights=[35, 40, 18, 5, 2])[0]
                responses.append(
                    SurveyResponse(
                        registration=registration,
                        satisfaction=score,
                        comment=rng.choice(COMMENTS) if rng.random() < 0.4 else "",
                        submitted_at=came[-1].ends_at + dt.timedelta(days=2),
                    )
                )
    Attendance.objects.bulk_create(attendances, batch_size=1000)
    SurveyResponse.objects.bulk_create(responses, batch_size=1000)
    OutboxMessage.objects.bulk_create(markers, batch_size=1000)
    Registration.objects.bulk_update(completed, ["completed_at"], batch_size=1000)


def _demo_member_journey(programs, now) -> None:
    """member@example.jp: ミライ対話 two years ago, the ALP course last year (修了), one upcoming event."""
    user = User.objects.filter(email="member@example.jp").first()
    if user is None:
        return
    person = services.person_for_user(user=user)
    fy = current_fiscal_year()
    for code, year in (("mirai_taiwa", fy - 2), ("alp", fy - 1)):
        start, end = selectors.fiscal_year_bounds(year)
        event = (
            Event.objects.filter(
                program__code=code, sessions__starts_at__gte=start, sessions__starts_at__lt=end
            )
            .distinct()
            .first()
        )
        if event is None:
            continue
        # Take over a seat of the past event (its capacity stays as it was).
        registration = Registration.objects.filter(event=event, person=person).first()
        if registration is None:
            registration = event.registrations.filter(status=Registration.Status.CONFIRMED).first()
            if registration is None:
                continue
            registration.person = person
            registration.save(update_fields=["person"])
        for session in event.sessions.all():
            services.attendance_set(registration=registration, session=session, present=True)
    for event in selectors.upcoming_public_events(limit=5):
        if event.program.code == "alp":  # leave the course for the demo member to sign up for
            continue
        try:
            services.registration_create(event=event, person=person, notify=False)
        except ValidationError:
            continue
        break


def _duplicate_guests(rng: random.Random) -> None:
    """A few people recorded twice: an account-less web record and, later, a phone call."""
    for person in Person.objects.filter(user__isnull=True, email__gt="").order_by("pk")[:3]:
        if not person.phone:
            person.phone = demo.phone_number(rng)
            person.save()
        Person(name=person.name, name_kana=person.name_kana, phone=person.phone).save()
