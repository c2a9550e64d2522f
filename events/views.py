"""Thin views: check access, parse input, call a selector or a service, render."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.app_hooks import PersonEntry, PersonSection, collect
from core.fiscal import fiscal_year_label, fiscal_year_of
from core.models import Person
from core.pagecache import cache_for_anonymous
from core.permissions import may, permission_required, permitted, profile_required
from core.shortcuts import filtered_list_view, refusal_as_message, safe_next, selected_or_404
from events import ical, selectors, services
from events.filters import EventFilter, PeopleFilter
from events.forms import (
    GuestRegistrationForm,
    MergeForm,
    PersonSearchForm,
    PickPersonForm,
    RegistrationForm,
    SurveyForm,
)
from events.models import Attendance, Event, EventSession, Registration

# Signed-in center staff only (events.rules): others get 403 (members, officials, committee).
staff_required = permission_required("events.manage_events")


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# --- Public calendar -----------------------------------------------------------------------------------


# The month view links to the previous and next month: years outside this range have no events
# and their neighbours overflow datetime.date (9999-12 was a public 500).
MONTH_VIEW_YEARS = range(1900, 2201)


def _month_param(value: str | None) -> tuple[int, int, str]:
    """The asked month, or this month with an error when a month was given but is none."""
    today = timezone.localdate()
    try:
        year, month = (int(part) for part in (value or "").split("-", 1))
        dt.date(year, month, 1)
        if year not in MONTH_VIEW_YEARS:
            raise ValueError(value)
    except (TypeError, ValueError):
        error = _("「月」: 2026-04 の形で指定してください。今月を表示しています。") if value else ""
        return today.year, today.month, error
    return year, month, ""


@require_GET
@cache_for_anonymous("core", "events")
def index(request: HttpRequest) -> HttpResponse:
    month_view = request.GET.get("view") == "month"
    filterset = EventFilter(request.GET, queryset=selectors.public_events(), month_view=month_view)
    context: dict = {"filter": filterset, "month_view": month_view, "query_errors": {}, "result_count": 0}
    if not filterset.is_valid():
        context["page_obj"] = None
    elif month_view:
        year, month, error = _month_param(request.GET.get("month"))
        context["query_errors"] = {"month": error} if error else {}
        first = dt.date(year, month, 1)
        previous = (first - dt.timedelta(days=1)).replace(day=1)
        following = (first + dt.timedelta(days=32)).replace(day=1)
        weeks = selectors.month_calendar(filterset.qs, year=year, month=month)
        context.update(
            month=first,
            weeks=weeks,
            today=timezone.localdate(),
            # The result line counts the events held in the month (each once).
            result_count=len(
                {s.event_id for week in weeks for day in week if day.in_month for s in day.sessions}
            ),
            # Dates, not "2026-11": the links carry ?month=2026-11, their names read 2026年11月.
            previous_month=previous,
            next_month=following,
            weekday_names=[_("日"), _("月"), _("火"), _("水"), _("木"), _("金"), _("土")],
        )
    else:
        paginator = Paginator(selectors.calendar_events(filterset), settings.PAGINATE_BY)
        context["page_obj"] = paginator.get_page(request.GET.get("page"))
        context["result_count"] = context["page_obj"].paginator.count
    invalid = filterset.errors or context["query_errors"]
    return render(request, "events/index.html", context, status=400 if invalid else 200)


@require_GET
@cache_for_anonymous("core", "events")
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    event, registration = selected_or_404(selectors.event_detail, pk=pk, user=request.user)
    now = timezone.now()
    seats_left = None if event.capacity is None else max(event.capacity - event.confirmed_count, 0)
    context = {
        "event": event,
        "sessions": list(event.sessions.all()),
        "registration": registration,
        "phase": event.registration_phase(first_starts_at=event.first_starts_at, now=now),
        "ended": event.last_ends_at is not None and event.last_ends_at <= now,
        "seats_left": seats_left,
        "may_cancel": registration is not None
        and may(request.user, "events.cancel_registration", registration),
        "waitlist_position": selectors.waitlist_position(registration) if registration else None,
    }
    return render(request, "events/detail.html", context)


@require_GET
def event_ics(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(
        Event.objects.filter(is_public=True)
        .select_related("program")
        .prefetch_related(Prefetch("sessions", queryset=EventSession.objects.order_by("starts_at", "pk"))),
        pk=pk,
    )
    response = HttpResponse(ical.event_calendar(event), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="event-{event.pk}.ics"'
    return response


@require_GET
@cache_for_anonymous("core", "events")
def feed_ics(request: HttpRequest) -> HttpResponse:
    since = timezone.now() - dt.timedelta(days=365)
    events = (
        selectors.public_events()
        .filter(last_ends_at__gte=since)
        .prefetch_related(Prefetch("sessions", queryset=EventSession.objects.order_by("starts_at", "pk")))
        .order_by("first_starts_at", "pk")
    )
    response = HttpResponse(ical.events_feed(events), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="events.ics"'
    return response


# --- Registration by the participant -----------------------------------------------------------------


@login_required
@profile_required
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest, pk: int) -> HttpResponse:
    event, registration = selected_or_404(selectors.event_detail, pk=pk, user=request.user)
    if registration is not None:
        messages.info(request, _("この催しにはすでに申し込んでいます。"))
        return redirect(event)
    if event.registration_phase(first_starts_at=event.first_starts_at, now=timezone.now()) != "open":
        messages.info(request, _("この催しは、いまは申し込みを受け付けていません。"))
        return redirect(event)
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = services.person_for_user(user=request.user)
        try:
            registration = services.registration_create(
                event=event, person=person, needs=form.cleaned_data["needs"]
            )
        except ValidationError as exc:
            form.add_error(None, _error_text(exc))
        else:
            if registration.status == Registration.Status.CONFIRMED:
                messages.success(
                    request, _("申し込みました。参加が確定しています。確認のメールを送りました。")
                )
            else:
                messages.warning(
                    request,
                    _(
                        "定員に達しているため、キャンセル待ちで受け付けました。繰り上がったらメールでお知らせします。"
                    ),
                )
            return redirect(event)
    seats_left = None if event.capacity is None else max(event.capacity - event.confirmed_count, 0)
    context = {"event": event, "form": form, "sessions": list(event.sessions.all()), "seats_left": seats_left}
    return render(request, "events/register.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    registration = get_object_or_404(
        Registration.objects.select_related("event", "event__program", "person"), pk=pk
    )
    next_url = safe_next(request, registration.event.get_absolute_url())
    # The participant who comes back to a cancelled registration (the back button, an old link)
    # or after the start is told why and sent back, not shown a 403; anyone else is refused.
    if reason := services.cancel_refusal(user=request.user, registration=registration):
        messages.info(request, reason)
        return redirect(next_url)
    permitted(request.user, "events.cancel_registration", registration)
    if request.method == "POST":
        with refusal_as_message(request):
            services.registration_cancel(registration=registration, by=request.user)
            messages.success(request, _("申し込みを取り消しました。"))
        return redirect(next_url)
    return render(request, "events/cancel.html", {"registration": registration, "next": next_url})


@login_required
@require_GET
def certificate(request: HttpRequest, pk: int) -> HttpResponse:
    registration = permitted(
        request.user,
        "events.view_certificate",
        get_object_or_404(Registration.objects.select_related("event__program", "person"), pk=pk),
    )
    pdf = services.certificate_pdf(registration=registration)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{registration.pk}.pdf"'
    return response


@never_cache  # shows the participant's name to whoever holds the link, signed in or not
@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, token: str) -> HttpResponse:
    """The survey behind the e-mailed signed link: no sign-in needed."""
    try:
        registration = services.registration_from_survey_token(token)
    except (ValidationError, Registration.DoesNotExist):
        return render(request, "events/survey_invalid.html", status=404)
    existing = getattr(registration, "survey_response", None)
    form = SurveyForm(request.POST or None, instance=existing)
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_submit(
                registration=registration,
                satisfaction=form.cleaned_data["satisfaction"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            form.add_error(None, _error_text(exc))
        else:
            return render(request, "events/survey_thanks.html", {"event": registration.event})
    return render(
        request, "events/survey.html", {"form": form, "registration": registration, "answered": existing}
    )


# --- Staff -----------------------------------------------------------------------------------------------


staff_index = staff_required(filtered_list_view(selectors.staff_events, "events/staff/index.html"))


@staff_required
@require_GET
def staff_event(request: HttpRequest, pk: int) -> HttpResponse:
    event = selected_or_404(selectors.staff_event, pk)
    registrations = list(selectors.event_registrations(event))
    context = {
        "event": event,
        "sessions": list(event.sessions.all()),
        "registrations": registrations,
        "counts": {
            status: sum(1 for r in registrations if r.status == status)
            for status in Registration.Status.values
        },
        "history": selectors.event_history(event)
        if may(request.user, "events.view_history", event)
        else None,
    }
    return render(request, "events/staff/event.html", context)


@staff_required
@require_http_methods(["GET", "POST"])
def staff_register(request: HttpRequest, pk: int) -> HttpResponse:
    """Registration on behalf of someone who phoned: pick a known person or record a new guest."""
    event = get_object_or_404(selectors.events_with_dates().select_related("program"), pk=pk)
    search = PersonSearchForm(request.GET or None)
    query = search.cleaned_data["q"].strip() if search.is_valid() else ""
    matches = selectors.person_search(query) if query else []
    pick = PickPersonForm(request.POST) if request.method == "POST" and "person" in request.POST else None
    form = GuestRegistrationForm(request.POST if request.method == "POST" and pick is None else None)
    if pick is not None and not pick.is_valid():
        messages.error(request, " ".join(error for errors in pick.errors.values() for error in errors))
    elif pick is not None or form.is_valid():
        with refusal_as_message(request):
            if pick is not None:
                registration = services.registration_create(
                    event=event,
                    person=pick.cleaned_data["person"],
                    registered_by=request.user,
                    channel=pick.cleaned_data["channel"],
                )
            else:
                registration = services.guest_registration_create(
                    event=event, registered_by=request.user, **form.cleaned_data
                )
            messages.success(
                request,
                _("%(name)s さんを「%(status)s」で受け付けました。")
                % {"name": registration.person.name, "status": registration.get_status_display()},
            )
            return redirect("events:staff_event", pk=event.pk)
    # One channel choice beside each person found; ids left out, as the choice repeats per person.
    pick_channel = (pick if pick is not None else PickPersonForm(auto_id=False))["channel"]
    context = {
        "event": event,
        "search": search,
        "matches": matches,
        "form": form,
        "pick_channel": pick_channel,
    }
    invalid_pick = pick is not None and not pick.is_valid()
    # A search the form refuses (over 100 characters) is a 400, as on the people page.
    invalid = invalid_pick or (search.is_bound and not search.is_valid())
    return render(request, "events/staff/register.html", context, status=400 if invalid else 200)


@staff_required
@require_GET
def staff_checkin(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(EventSession.objects.select_related("event", "event__program"), pk=pk)
    rows = list(selectors.checkin_rows(session))
    sessions = list(session.event.sessions.order_by("starts_at", "pk"))
    context = {
        "session": session,
        "event": session.event,
        "rows": rows,
        "present_count": sum(1 for row in rows if row.present),
        "sessions": sessions,
        "number": sessions.index(session) + 1,
    }
    return render(request, "events/staff/checkin.html", context)


@staff_required
@require_POST
def staff_checkin_mark(request: HttpRequest, pk: int, registration_pk: int) -> HttpResponse:
    """One tap: marks a person present (or not). Works as a plain form POST; with htmx, only the
    row is replaced."""
    session = get_object_or_404(EventSession, pk=pk)
    registration = get_object_or_404(
        Registration.objects.select_related("person", "event"), pk=registration_pk
    )
    present = request.POST.get("present") == "1"
    try:
        services.attendance_set(registration=registration, session=session, present=present, by=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    if request.htmx:
        registration.present = Attendance.objects.filter(session=session, registration=registration).exists()
        context = {
            "row": registration,
            "session": session,
            "present_count": Attendance.objects.filter(
                session=session, registration__status="confirmed"
            ).count(),
        }
        return render(request, "events/staff/_checkin_mark.html", context)
    return redirect(f"{reverse('events:staff_checkin', args=[session.pk])}#r-{registration.pk}")


@staff_required
@require_GET
def staff_survey(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(Event.objects.select_related("program"), pk=pk)
    return render(
        request, "events/staff/survey.html", {"event": event, "summary": selectors.survey_summary(event)}
    )


@staff_required
@require_GET
def staff_people(request: HttpRequest) -> HttpResponse:
    """Search for a person (participant, person who asked for advice) to open their page."""
    filterset = PeopleFilter(request.GET or None, queryset=Person.objects.none())
    invalid = filterset.is_bound and not filterset.is_valid()
    keyword = "" if invalid or not filterset.is_bound else filterset.form.cleaned_data["q"]
    # No keyword: nobody (the page is a way to one person's page, not a list of everyone).
    people = selectors.people_list(keyword) if keyword else []
    return render(
        request,
        "events/staff/people.html",
        {"filter": filterset, "people": people, "searched": bool(keyword)},
        status=400 if invalid else 200,
    )


@dataclass
class PersonYear:
    """One fiscal year of a person's page: registrations, and the other apps' entries of the year."""

    fiscal_year: int
    registrations: list = field(default_factory=list)
    sections: list[tuple[PersonSection, list[PersonEntry]]] = field(default_factory=list)

    @property
    def label(self) -> str:
        return fiscal_year_label(self.fiscal_year)


def _person_years(registrations: list, sections: list[PersonSection]) -> list[PersonYear]:
    years: dict[int, PersonYear] = {}
    for row in registrations:
        years.setdefault(row.fiscal_year, PersonYear(row.fiscal_year)).registrations.append(row)
    for section in sections:
        by_year: dict[int, list[PersonEntry]] = {}
        for entry in sorted(section.entries, key=lambda e: e.on, reverse=True):
            by_year.setdefault(fiscal_year_of(entry.on), []).append(entry)
        for fiscal_year, entries in by_year.items():
            years.setdefault(fiscal_year, PersonYear(fiscal_year)).sections.append((section, entries))
    return [years[fy] for fy in sorted(years, reverse=True)]


def _merge_choices(person: Person, candidates: list[Person]) -> list[tuple[Person, int | None, int | None]]:
    """(candidate, keep, duplicate) for each record that may be the same person: the record with an
    account is kept; two accounts cannot be merged (None)."""
    choices = []
    for candidate in candidates:
        if person.user_id and candidate.user_id:
            choices.append((candidate, None, None))
        elif candidate.user_id:
            choices.append((candidate, candidate.pk, person.pk))
        else:
            choices.append((candidate, person.pk, candidate.pk))
    return choices


@staff_required
@require_GET
def staff_person(request: HttpRequest, pk: int) -> HttpResponse:
    """One person across programs and years: every registration, the sessions attended, 修了 and
    survey answers, and what other apps add (consultations for staff allowed to read them, matches),
    by fiscal year; records that may be the same person, to merge."""
    person = selected_or_404(selectors.person_for_page, pk)
    if person.merged_into_id:
        kept = services.person_resolve(person)
        messages.info(
            request,
            _("この記録（No.%(dup)s）は No.%(keep)s に統合されています。") % {"dup": pk, "keep": kept.pk},
        )
        return redirect("events:staff_person", pk=kept.pk)
    registrations = selectors.person_registrations(person)
    sections = [
        section for _app, hook in collect("person_page_sections") for section in hook(request, person)
    ]
    context = {
        "person": person,
        "years": _person_years(registrations, sections),
        "notes": [section.note for section in sections if section.note],
        "totals": {
            "registrations": sum(
                1 for r in registrations if r.registration.status != Registration.Status.CANCELLED
            ),
            "attended": sum(len(r.attended) for r in registrations),
            "completed": sum(1 for r in registrations if r.registration.completed_at),
        },
        "merge_choices": _merge_choices(person, selectors.person_duplicate_candidates(person)),
        "merged_records": list(person.merged.order_by("pk").values_list("pk", "name")),
    }
    return render(request, "events/staff/person.html", context)


@staff_required
@require_http_methods(["GET", "POST"])
def staff_merge(request: HttpRequest) -> HttpResponse:
    """Duplicate guest records: staff merge them into one person (registrations, attendance and
    consultations move)."""
    if request.method == "POST":
        form = MergeForm(request.POST)
        if form.is_valid():
            keep = get_object_or_404(Person, pk=form.cleaned_data["keep"])
            duplicate = get_object_or_404(Person, pk=form.cleaned_data["duplicate"])
            with refusal_as_message(request):
                services.person_merge(keep=keep, duplicate=duplicate, by=request.user)
                messages.success(
                    request,
                    _("%(dup)s（No.%(dup_id)s）を No.%(keep_id)s に統合しました。")
                    % {"dup": duplicate.name, "dup_id": duplicate.pk, "keep_id": keep.pk},
                )
                if request.POST.get("next") == "person":
                    return redirect("events:staff_person", pk=keep.pk)
        return redirect("events:staff_merge")
    search = PersonSearchForm(request.GET or None)
    invalid = search.is_bound and not search.is_valid()
    query = search.cleaned_data["q"].strip() if search.is_bound and not invalid else ""
    # A search the form refuses shows its error and no records, never the unsearched list.
    groups = [] if invalid else selectors.duplicate_person_candidates(query=query)
    context = {"groups": groups, "query": request.GET.get("q", ""), "search": search}
    return render(request, "events/staff/merge.html", context, status=400 if invalid else 200)
