"""Reads for events. Every list here runs a fixed number of queries, whatever the data size."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import jpholiday
from django.db.models import (
    Avg,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Lower, Trim
from django.utils import formats, timezone
from django.utils.translation import gettext

from core.fiscal import fiscal_year_end, fiscal_year_start
from core.history import HistoryEntry, HistorySource, history_entries
from core.models import Person, User
from core.permissions import may
from core.selectors import people_matching
from core.text import search_key
from events.models import Attendance, Event, EventSession, Registration, SurveyResponse

Status = Registration.Status


def _count(grouped: QuerySet) -> Coalesce:
    """COUNT of a correlated subquery grouped by its outer key (`.values("event")`), 0 when empty.
    A subquery, not a join: counting several relations never multiplies rows."""
    counted = grouped.order_by().annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _sessions_of(ref: str = "pk") -> QuerySet:
    return EventSession.objects.filter(event=OuterRef(ref))


def events_with_dates(queryset: QuerySet[Event] | None = None) -> QuerySet[Event]:
    """Events annotated with first_starts_at, last_ends_at, session_count and confirmed_count."""
    queryset = Event.objects.all() if queryset is None else queryset
    return queryset.annotate(
        first_starts_at=Subquery(_sessions_of().order_by("starts_at").values("starts_at")[:1]),
        last_ends_at=Subquery(_sessions_of().order_by("-ends_at").values("ends_at")[:1]),
        session_count=_count(EventSession.objects.filter(event=OuterRef("pk")).values("event")),
        confirmed_count=_count(
            Registration.objects.filter(event=OuterRef("pk"), status=Status.CONFIRMED).values("event")
        ),
    )


def public_events() -> QuerySet[Event]:
    return (
        events_with_dates(Event.objects.filter(is_public=True).defer("search_text"))
        .filter(first_starts_at__isnull=False)
        .select_related("program", "area")
        .prefetch_related("themes")
    )


def upcoming_public_events(limit: int = 5) -> list[Event]:
    """The next public events (home page): each exposes first_starts_at; two queries in all."""
    return list(
        public_events().filter(last_ends_at__gte=timezone.now()).order_by("first_starts_at", "pk")[:limit]
    )


def not_ended(now: dt.datetime) -> Exists:
    """Events with a session ending at `now` or later (the same as last_ends_at >= now), found
    through the index on the sessions' end rather than every event's last session."""
    return Exists(_sessions_of().filter(ends_at__gte=now))


def upcoming_event_cards(limit: int = 5) -> list[Event]:
    """The home page's cards: title, program name and first start of the next public events, in
    one query that reads only those columns and only `limit` rows."""
    first_start = Subquery(_sessions_of().order_by("starts_at").values("starts_at")[:1])
    return list(
        Event.objects.filter(is_public=True)
        .filter(not_ended(timezone.now()))
        .annotate(first_starts_at=first_start)
        .select_related("program")
        .only("pk", "title", "program__name")
        .order_by("first_starts_at", "pk")[:limit]
    )


def calendar_events(filterset) -> QuerySet[Event]:
    """The filtered list view, soonest first for coming events, latest first for past ones."""
    queryset = filterset.qs
    if filterset.form.cleaned_data.get("when") == "past":
        return queryset.order_by("-first_starts_at", "-pk")
    return queryset.order_by("first_starts_at", "pk")


@dataclass
class CalendarDay:
    date: dt.date
    in_month: bool
    holiday: str
    sessions: list[EventSession]

    @property
    def weekday(self) -> int:  # 0 = Sunday
        return (self.date.weekday() + 1) % 7


def month_calendar(events: QuerySet[Event], *, year: int, month: int) -> list[list[CalendarDay]]:
    """Weeks (Sunday first) of the month with the sessions of the given events on each day."""
    first = dt.date(year, month, 1)
    last = dt.date(year, month, calendar.monthrange(year, month)[1])
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(first, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    sessions = (
        EventSession.objects.filter(event__in=events.values("pk"), starts_at__gte=start, starts_at__lt=end)
        .select_related("event", "event__program")
        .order_by("starts_at", "pk")
    )
    by_day: dict[dt.date, list[EventSession]] = defaultdict(list)
    for session in sessions:
        by_day[timezone.localtime(session.starts_at).date()].append(session)
    weeks = calendar.Calendar(firstweekday=6).monthdatescalendar(year, month)
    return [
        [
            CalendarDay(
                date=day,
                in_month=day.month == month,
                holiday=jpholiday.is_holiday_name(day) or "",
                sessions=by_day.get(day, []) if day.month == month else [],
            )
            for day in week
        ]
        for week in weeks
    ]


def event_detail(*, pk: int, user: User | None) -> tuple[Event, Registration | None]:
    """An event with its sessions and themes, and the viewer's own active registration."""
    queryset = (
        events_with_dates()
        .select_related("program", "area")
        .prefetch_related(
            "themes", Prefetch("sessions", queryset=EventSession.objects.order_by("starts_at", "pk"))
        )
    )
    if not may(user, "events.manage_events"):
        queryset = queryset.filter(is_public=True)
    event = queryset.get(pk=pk)
    registration = None
    if user is not None and user.is_authenticated:
        registration = (
            Registration.objects.filter(event=event, person__user=user)
            .exclude(status=Status.CANCELLED)
            .select_related("person")
            .first()
        )
    return event, registration


def waitlist_position(registration: Registration) -> int | None:
    """1 for the first person on the waitlist; None when not waitlisted."""
    if registration.status != Status.WAITLISTED:
        return None
    ahead = Registration.objects.filter(event_id=registration.event_id, status=Status.WAITLISTED).filter(
        Q(created_at__lt=registration.created_at)
        | Q(created_at=registration.created_at, pk__lt=registration.pk)
    )
    return ahead.count() + 1


def registrations_of_user(user: User) -> QuerySet[Registration]:
    """My registrations, newest event first (mypage)."""
    return (
        Registration.objects.filter(person__user=user)
        .select_related("event", "event__program")
        .annotate(
            first_starts_at=Subquery(_sessions_of("event").order_by("starts_at").values("starts_at")[:1]),
            last_ends_at=Subquery(_sessions_of("event").order_by("-ends_at").values("ends_at")[:1]),
        )
        .order_by("-first_starts_at", "-pk")
    )


# --- Staff -------------------------------------------------------------------------------------


def sessions_on(day: dt.date) -> list[EventSession]:
    """The sessions that start on `day` (Japan time), with `confirmed_count`: seats confirmed (one query)."""
    start = dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())
    return list(
        EventSession.objects.filter(starts_at__gte=start, starts_at__lt=start + dt.timedelta(days=1))
        .select_related("event")
        .annotate(
            confirmed_count=Count(
                "event__registrations",
                filter=Q(event__registrations__status=Registration.Status.CONFIRMED),
            )
        )
        .order_by("starts_at", "id")
    )


def staff_events(*, data=None):
    """催しの運営's list and its filters (the shared search component): (filterset, events)."""
    from core.filters import valid_or_empty
    from events.filters import StaffEventFilter

    queryset = (
        events_with_dates(Event.objects.defer("search_text"))
        .select_related("program")
        .annotate(
            waitlisted_count=_count(
                Registration.objects.filter(event=OuterRef("pk"), status=Status.WAITLISTED).values("event")
            )
        )
    )
    filterset = StaffEventFilter(data=data or None, queryset=queryset)
    valid_or_empty(filterset)
    return filterset, filterset.qs.order_by("-first_starts_at", "-pk")


def staff_event(pk: int) -> Event:
    return (
        events_with_dates()
        .select_related("program", "area")
        .prefetch_related(
            Prefetch(
                "sessions",
                queryset=EventSession.objects.order_by("starts_at", "pk").annotate(
                    attendance_count=_count(
                        Attendance.objects.filter(session=OuterRef("pk")).values("session")
                    )
                ),
            )
        )
        .get(pk=pk)
    )


def event_registrations(event: Event) -> QuerySet[Registration]:
    """Everyone registered for an event: confirmed, then the waitlist in order, then cancelled."""
    order = {Status.CONFIRMED: 0, Status.WAITLISTED: 1, Status.CANCELLED: 2}
    return (
        event.registrations.select_related("person", "registered_by")
        .annotate(
            attended_count=_count(
                Attendance.objects.filter(registration=OuterRef("pk")).values("registration")
            ),
            status_order=Case(
                *[When(status=s, then=Value(n)) for s, n in order.items()], output_field=IntegerField()
            ),
            has_survey=Exists(SurveyResponse.objects.filter(registration=OuterRef("pk"))),
        )
        .order_by("status_order", "created_at", "pk")
    )


def checkin_rows(session: EventSession) -> QuerySet[Registration]:
    """The check-in list of one session: confirmed participants by reading, with presence."""
    return (
        Registration.objects.filter(event_id=session.event_id, status=Status.CONFIRMED)
        .select_related("person")
        .annotate(present=Exists(Attendance.objects.filter(session=session, registration=OuterRef("pk"))))
        .order_by("person__sort_key", "pk")
    )


@dataclass
class SurveySummary:
    count: int
    average: float | None
    distribution: list[tuple[int, int]]  # (score, answers), 5 down to 1
    attended: int
    comments: list[SurveyResponse]

    @property
    def response_rate(self) -> float | None:
        return round(100 * self.count / self.attended, 1) if self.attended else None


def survey_summary(event: Event) -> SurveySummary:
    responses = SurveyResponse.objects.filter(registration__event=event)
    totals = responses.aggregate(
        count=Count("pk"),
        average=Avg("satisfaction"),
        **{f"s{n}": Count("pk", filter=Q(satisfaction=n)) for n in range(1, 6)},
    )
    attended = Registration.objects.filter(event=event, attendances__isnull=False).distinct().count()
    comments = list(
        responses.exclude(comment="").select_related("registration__person").order_by("-submitted_at")
    )
    average = round(totals["average"], 2) if totals["average"] is not None else None
    return SurveySummary(
        count=totals["count"],
        average=average,
        distribution=[(n, totals[f"s{n}"]) for n in range(5, 0, -1)],
        attended=attended,
        comments=comments,
    )


def person_search(query: str, *, limit: int = 20) -> list[Person]:
    """Known people (not merged away) by name, reading, e-mail or phone number, for staff."""
    return list(people_matching(query).select_related("user").order_by("sort_key", "pk")[:limit])


# A person's e-mail address as compared for duplicates: 「Taro@Example.jp 」 is taro@example.jp.
EMAIL_KEY = Lower(Trim("email"))


def duplicate_person_candidates(*, query: str = "", limit: int = 50) -> list[list[Person]]:
    """Groups of unmerged records with the same reading (or name), the account holder first.

    Without a query: only groups where two records also share a phone number or an e-mail
    address, whatever its case and the spaces around it (EMAIL_KEY): likely the same person, e.g.
    phoned in and later signed up. With a query: every group of namesakes whose name, reading or
    e-mail contains it, for staff to judge."""
    people = Person.objects.filter(merged_into__isnull=True)
    if query:
        keys = (
            people.filter(search_text__contains=search_key(query))
            .values("sort_key")
            .annotate(n=Count("pk"))
            .filter(n__gt=1)
            .values_list("sort_key", flat=True)
        )
    else:
        shared = [
            people.annotate(contact=contact)
            .exclude(contact="")
            .values("sort_key", "contact")
            .annotate(n=Count("pk"))
            .filter(n__gt=1)
            .order_by()
            .values_list("sort_key", flat=True)
            for contact in (F("phone"), EMAIL_KEY)
        ]
        keys = shared[0].union(shared[1])
    keys = sorted(set(keys))[:limit]
    rows = (
        people.filter(sort_key__in=keys)
        .select_related("user")
        .annotate(
            registration_count=_count(Registration.objects.filter(person=OuterRef("pk")).values("person"))
        )
        .order_by("sort_key", F("user").asc(nulls_last=True), "pk")
    )
    groups: dict[str, list[Person]] = defaultdict(list)
    for person in rows:
        groups[person.sort_key].append(person)
    return list(groups.values())


# --- Participation, journeys and report figures -------------------------------------------------


def fiscal_year_bounds(fiscal_year: int) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of a fiscal year as aware datetimes in the local time zone."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(fiscal_year_start(fiscal_year), dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(fiscal_year_end(fiscal_year) + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def attendances(*, program_code: str | None = None, fiscal_year: int | None = None) -> QuerySet[Attendance]:
    queryset = Attendance.objects.filter(registration__status=Status.CONFIRMED)
    if program_code:
        queryset = queryset.filter(session__event__program__code=program_code)
    if fiscal_year is not None:
        start, end = fiscal_year_bounds(fiscal_year)
        queryset = queryset.filter(session__starts_at__gte=start, session__starts_at__lt=end)
    return queryset


def participants(*, program_code: str | None = None, fiscal_year: int | None = None) -> QuerySet[Person]:
    """People who attended at least one session (of the program, in the fiscal year)."""
    return Person.objects.filter(
        pk__in=attendances(program_code=program_code, fiscal_year=fiscal_year).values("registration__person")
    )


def first_time_participants(*, program_code: str | None, fiscal_year: int) -> QuerySet[Person]:
    """Participants of the fiscal year who had never attended before it: in this program, or in
    any program when program_code is None. The same person is recognised across years through the
    account (and merged guest records)."""
    start, _end = fiscal_year_bounds(fiscal_year)
    earlier = attendances(program_code=program_code).filter(session__starts_at__lt=start)
    return participants(program_code=program_code, fiscal_year=fiscal_year).exclude(
        pk__in=earlier.values("registration__person")
    )


def journey_path(*, from_step: int = 1, to_step: int = 2, fiscal_year: int | None = None) -> QuerySet[Person]:
    """People who took part in a program of `from_step` (ミライ対話 = 1) and later in one of
    `to_step` (ALP = 2). With a fiscal year: those whose first `to_step` participation was in it.

    One grouped pass over the attendance of the two steps: a correlated subquery per person made
    PostgreSQL read every person's attendance twice (seconds at bench scale)."""
    at_step = "session__event__program__journey_step"
    firsts = (
        Attendance.objects.filter(
            registration__status=Status.CONFIRMED, **{f"{at_step}__in": (from_step, to_step)}
        )
        .values("registration__person")
        .annotate(
            first_from=Min("session__starts_at", filter=Q(**{at_step: from_step})),
            first_to=Min("session__starts_at", filter=Q(**{at_step: to_step})),
        )
        .filter(first_from__isnull=False, first_to__isnull=False, first_from__lt=F("first_to"))
    )
    if fiscal_year is not None:
        start, end = fiscal_year_bounds(fiscal_year)
        firsts = firsts.filter(first_to__gte=start, first_to__lt=end)
    return Person.objects.filter(pk__in=firsts.values("registration__person"))


def people_attending_since(*, program_code: str, since_fiscal_year: int) -> QuerySet[Person]:
    """People who attended a session of the program in the fiscal year or any later one."""
    start, _end = fiscal_year_bounds(since_fiscal_year)
    return Person.objects.filter(
        pk__in=attendances(program_code=program_code)
        .filter(session__starts_at__gte=start)
        .values("registration__person")
    )


def completed_registrations(
    *, program_code: str | None, fiscal_year: int | None = None, since_fiscal_year: int | None = None
) -> QuerySet[Registration]:
    """修了: registrations (not cancelled) marked completed, for events whose first session is in
    the fiscal year, or in it or any later one (since_fiscal_year)."""
    queryset = Registration.objects.filter(completed_at__isnull=False).exclude(status=Status.CANCELLED)
    if fiscal_year is not None:
        events = events_in_fiscal_year(program_code=program_code, fiscal_year=fiscal_year)
    else:
        events = events_with_dates()
        if program_code:
            events = events.filter(program__code=program_code)
        if since_fiscal_year is not None:
            events = events.filter(first_starts_at__gte=fiscal_year_bounds(since_fiscal_year)[0])
    return queryset.filter(event__in=events.values("pk"))


def events_in_fiscal_year(*, program_code: str | None, fiscal_year: int) -> QuerySet[Event]:
    """Events counted in a fiscal year: those whose first session falls in it."""
    start, end = fiscal_year_bounds(fiscal_year)
    queryset = events_with_dates().filter(first_starts_at__gte=start, first_starts_at__lt=end)
    if program_code:
        queryset = queryset.filter(program__code=program_code)
    return queryset


def held_events(*, program_code: str | None, fiscal_year: int) -> QuerySet[Event]:
    """Events of the year (events_in_fiscal_year) that have begun: a list made during the year
    names no event still to come, as held_sessions counts no session still to come."""
    return events_in_fiscal_year(program_code=program_code, fiscal_year=fiscal_year).filter(
        first_starts_at__lte=timezone.now()
    )


def held_sessions(*, program_code: str | None, fiscal_year: int) -> QuerySet[EventSession]:
    start, end = fiscal_year_bounds(fiscal_year)
    queryset = EventSession.objects.filter(
        starts_at__gte=start, starts_at__lt=end, starts_at__lte=timezone.now()
    )
    if program_code:
        queryset = queryset.filter(event__program__code=program_code)
    return queryset


# --- Change history (core.history) ----------------------------------------------------------------


def _session_subject(row) -> str:
    when = formats.date_format(timezone.localtime(row.starts_at), "DATETIME_FORMAT")
    return gettext("開催日（%(when)s）") % {"when": when}


def event_history(event: Event) -> list[HistoryEntry]:
    """The event's changes and its sessions' (moved, added, removed ones too), in one list."""
    return history_entries(
        HistorySource(records=event.history.all(), subject=lambda row: gettext("催し")),
        HistorySource(records=EventSession.history.filter(event_id=event.pk), subject=_session_subject),
    )


# --- One person's page (staff) -------------------------------------------------------------------


@dataclass
class PersonRegistration:
    """One registration on a person's page: the event, which sessions they attended (第n回 and the
    date), 修了 and their survey answer."""

    registration: Registration
    sessions: list[EventSession]
    attended: list[tuple[int, EventSession]]  # (number of the session in the course, session)
    fiscal_year: int

    @property
    def event(self) -> Event:
        return self.registration.event

    @property
    def survey(self) -> SurveyResponse | None:
        return getattr(self.registration, "survey_response", None)


def person_for_page(pk: int) -> Person:
    """A person (with account and merge target) for their staff page; DoesNotExist when unknown."""
    return Person.objects.select_related("user", "merged_into").get(pk=pk)


def person_registrations(person: Person) -> list[PersonRegistration]:
    """Every registration of the person across programs and years, newest event first, with the
    sessions attended, 修了 and the survey answer. Three queries, whatever the history's length."""
    from core.fiscal import fiscal_year_of

    registrations = (
        Registration.objects.filter(person=person)
        .select_related("event__program", "survey_response", "registered_by")
        .annotate(
            first_starts_at=Subquery(_sessions_of("event").order_by("starts_at").values("starts_at")[:1])
        )
        .prefetch_related(
            Prefetch("event__sessions", queryset=EventSession.objects.order_by("starts_at", "pk")),
            Prefetch("attendances", queryset=Attendance.objects.only("pk", "registration_id", "session_id")),
        )
        .order_by(F("first_starts_at").desc(nulls_last=True), "-created_at", "-pk")
    )
    rows = []
    for registration in registrations:
        sessions = list(registration.event.sessions.all())
        present = {a.session_id for a in registration.attendances.all()}
        attended = [(n, s) for n, s in enumerate(sessions, start=1) if s.pk in present]
        when = registration.first_starts_at or registration.created_at
        rows.append(
            PersonRegistration(
                registration=registration,
                sessions=sessions,
                attended=attended,
                fiscal_year=fiscal_year_of(when),
            )
        )
    return rows


def person_duplicate_candidates(person: Person, *, limit: int = 20) -> list[Person]:
    """Other unmerged records that may be the same person: the same reading (or name), phone
    number or e-mail address (in any case, EMAIL_KEY), in one query. Staff judge and merge them
    (services.person_merge)."""
    same = Q(sort_key=person.sort_key) if person.sort_key else Q(pk__in=[])
    if person.phone:
        same |= Q(phone=person.phone)
    if person.email.strip():
        same |= Q(email_key=person.email.strip().lower())
    return list(
        Person.objects.annotate(email_key=EMAIL_KEY)
        .filter(same, merged_into__isnull=True)
        .exclude(pk=person.pk)
        .select_related("user")
        .annotate(
            registration_count=_count(Registration.objects.filter(person=OuterRef("pk")).values("person"))
        )
        .order_by("sort_key", "pk")[:limit]
    )


def people_list(query: str, *, limit: int = 50) -> list[Person]:
    """The staff's search for a person (name, reading, e-mail or phone), each with how many
    registrations they have; an empty query gives nobody."""
    return list(
        people_matching(query)
        .select_related("user")
        .annotate(
            registration_count=_count(Registration.objects.filter(person=OuterRef("pk")).values("person"))
        )
        .order_by("sort_key", "pk")[:limit]
    )
