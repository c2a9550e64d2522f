"""Thin views: check access through the rules, parse input, call a selector or a service, render."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.fiscal import current_fiscal_year
from core.pagecache import cache_for_anonymous, kept
from core.permissions import may, permission_required, permitted
from core.shortcuts import refusal_as_message, refusals_on_form
from core.validators import DATE_YEARS
from groups.models import Group
from spaces import exports, ical, selectors, services
from spaces.forms import BlockForm, BookingForm, CounterBookingForm, MachineUseForm, StatementForm
from spaces.models import Allotment, Booking, MachineUse, Resource

staff_required = permission_required("spaces.manage_spaces")


WEEK_YEARS = range(1989, 2101)


def _week_param(value: str | None) -> tuple[dt.date, str]:
    """The Monday of the asked week, and an error when a week was given but is no date: then the
    page shows this week with the error (400), never another week silently."""
    error = ""
    try:
        day = dt.date.fromisoformat(value or "")
    except ValueError:
        day = timezone.localdate()
        if value:
            error = _("「週」: 日付を 2026-04-06 の形で指定してください。今週を表示しています。")
    # A well-formed date far off (0001-01-01) is not a format mistake: say what range is shown.
    if day.year not in WEEK_YEARS:
        day = timezone.localdate()
        error = _("「週」: %(first)s年から%(last)s年までの日付を指定してください。今週を表示しています。") % {
            "first": WEEK_YEARS[0],
            "last": WEEK_YEARS[-1],
        }
    return selectors.week_start(day), error


def _room(pk: int) -> Resource:
    found = selectors.room(pk)
    if found is None:
        raise Http404
    return found


# --- Public: the rooms and their weeks ------------------------------------------------------------------


@require_GET
@cache_for_anonymous("spaces")
def index(request: HttpRequest) -> HttpResponse:
    resources = list(
        Resource.objects.filter(is_active=True).exclude(
            kind__in=[Resource.Kind.LOCKER, Resource.Kind.MAILBOX]
        )
    )
    return render(
        request,
        "spaces/index.html",
        {
            "rooms": [r for r in resources if r.kind == Resource.Kind.ROOM],
            "machines": [r for r in resources if r.kind == Resource.Kind.MACHINE],
        },
    )


FREE_SLOT_HTML = (
    '<li class="slot slot--free"><a href="{}?start={}"><span class="slot__time">{}</span> '
    '<span class="slot__state">{}</span></a></li>'
)
SLOT_HTML = '<li class="slot {}"><span class="slot__time">{}</span> <span class="slot__state">{}</span></li>'


def _slots_html(days, *, book_url: str, show_holders: bool) -> None:
    """Each open day's slots as one escaped HTML list (day.slots_html). A busy room's week has
    hundreds of slots; built here they cost a fraction of a template loop (space_week bench)."""
    taken_words, outside_words = _("予約済み"), _("受付外")
    free_words = _("空き・予約する")
    for day in days:
        items = []
        for slot in day.slots:
            if slot.bookable:
                items.append(
                    format_html(
                        FREE_SLOT_HTML,
                        book_url,
                        slot.start_param,
                        slot.label,
                        free_words,
                    )
                )
            else:
                state = (
                    (slot.holder if slot.is_block or show_holders else taken_words)
                    if slot.taken
                    else outside_words
                )
                items.append(
                    format_html(
                        SLOT_HTML,
                        "slot--taken" if slot.taken else "slot--closed",
                        slot.label,
                        state,
                    )
                )
        day.slots_html = mark_safe("\n".join(items))  # every item is format_html's


def _week_grid(room: Resource, start: dt.date, *, show_holders: bool) -> list[dict]:
    """The week's days as the template shows them (plain values: they are kept in the cache)."""
    days = selectors.room_week(room=room, start=start)
    _slots_html(days, book_url=reverse("spaces:book", args=[room.pk]), show_holders=show_holders)
    return [
        {
            "date": day.date,
            "weekday": day.weekday,
            "closed_reason": day.closed_reason,
            "free_count": day.free_count,
            "slots_html": day.slots_html,
        }
        for day in days
    ]


@require_GET
@cache_for_anonymous("spaces", "events")
def week(request: HttpRequest, pk: int) -> HttpResponse:
    room = _room(pk)
    start, error = _week_param(request.GET.get("week"))
    show_holders = may(request.user, "spaces.manage_spaces")
    # The grid is the same for every editor (and for every staff member) who opens this week
    # until a booking, a block or a closure changes (the page cache's versions) or the current
    # slot passes (a slot of today stops being bookable): kept under the page cache's rules.
    current_slot = int(timezone.now().timestamp()) // (room.slot_minutes * 60)
    days = kept(
        f"spaces:week|{get_language()}|{room.pk}|{start:%Y-%m-%d}|{int(show_holders)}|{current_slot}",
        ("spaces", "events"),
        lambda: _week_grid(room, start, show_holders=show_holders),
    )
    return render(
        request,
        "spaces/week.html",
        {
            "query_errors": {"week": error} if error else {},
            "room": room,
            "days": days,
            "start": start,
            "end": start + dt.timedelta(days=6),
            "previous_week": start - dt.timedelta(days=7),
            "next_week": start + dt.timedelta(days=7),
            "this_week": selectors.week_start(timezone.localdate()),
        },
        status=400 if error else 200,
    )


# --- Booking by a group's editor ------------------------------------------------------------------------


def _initial_from_query(request: HttpRequest, room: Resource) -> dict:
    initial: dict = {"weeks": 1, "all_or_nothing": "0"}
    starts = _parse_instant(request.GET.get("start"))
    if starts is None:
        # A start of year 9999 overflowed into a 500; one not read is said, never dropped silently.
        if request.GET.get("start"):
            messages.error(
                request, _("開始日時の指定が読み取れないため、日時は空欄にしました。選んでください。")
            )
        return initial
    ends = starts + dt.timedelta(minutes=room.slot_minutes)
    initial.update(date=starts.date(), start=starts.time(), end=ends.time())
    return initial


def _book(request: HttpRequest, room: Resource, *, form_class, groups, at_counter: bool, template: str):
    if request.method == "POST":
        form = form_class(request.POST, groups=groups, room=room)
        if form.is_valid():
            data = form.cleaned_data
            with refusals_on_form(form):
                result = services.booking_series_create(
                    resource=room,
                    group=data.get("group"),
                    by=request.user,
                    first_start=data["starts_at"],
                    duration=data["ends_at"] - data["starts_at"],
                    weeks=data["weeks"],
                    purpose=data["purpose"],
                    people=data["people"],
                    all_or_nothing=data["all_or_nothing"],
                    channel=data.get("channel", Booking.Channel.WEB),
                )
                if result.booked and not result.refused:
                    messages.success(
                        request, _("%(n)s件の予約をお受けしました。") % {"n": len(result.booked)}
                    )
                    target = result.booked[0] if len(result.booked) == 1 else None
                    if target is not None:
                        return redirect(target.get_absolute_url())
                    return redirect("spaces:staff_index" if at_counter else "spaces:my_bookings")
                if not result.booked and len(result.refused) == 1:
                    # One date refused: the reasons go next to the form, and nothing typed is lost.
                    for reason in result.refused[0][1]:
                        form.add_error(None, reason)
                else:
                    return render(
                        request,
                        "spaces/book_result.html",
                        {"room": room, "result": result, "at_counter": at_counter},
                    )
    else:
        form = form_class(initial=_initial_from_query(request, room), groups=groups, room=room)
    return render(request, template, {"room": room, "form": form, "at_counter": at_counter})


@login_required
@require_http_methods(["GET", "POST"])
@permission_required("spaces.book_room")
def book(request: HttpRequest, pk: int) -> HttpResponse:
    room = _room(pk)
    # What the form's choices, the rules and the confirmation mail read of a group.
    groups = (
        Group.objects.editable_by(request.user)
        .only("pk", "name", "name_kana", "status")
        .order_by("name_kana", "pk")
    )
    if room.eligibility == Resource.Eligibility.REGISTERED_GROUPS:
        # Read once: whether to show the form, its choices, and the chosen group (an editor has few).
        groups = list(groups.public())
        if not groups:
            return render(request, "spaces/book_no_group.html", {"room": room})
        return _book(
            request,
            room,
            form_class=BookingForm,
            groups=groups,
            at_counter=False,
            template="spaces/book.html",
        )
    return _book(
        request,
        room,
        form_class=BookingForm,
        groups=list(groups) or None,
        at_counter=False,
        template="spaces/book.html",
    )


@login_required
@require_GET
def my_bookings(request: HttpRequest) -> HttpResponse:
    bookings = list(selectors.bookings_of_user(request.user)[:100])
    now = timezone.now()
    for booking in bookings:
        booking.may_cancel = may(request.user, "spaces.cancel_booking", booking)
    groups = Group.objects.editable_by(request.user).order_by("name_kana", "pk")
    return render(
        request,
        "spaces/my_bookings.html",
        {
            "upcoming": [b for b in bookings if b.ends_at > now and b.status != Booking.Status.CANCELLED][
                ::-1
            ],
            "past": [b for b in bookings if b.ends_at <= now or b.status == Booking.Status.CANCELLED],
            "groups": groups,
            "allotments": Allotment.objects.filter(group__in=groups, fiscal_year=current_fiscal_year())
            .select_related("resource", "group")
            .order_by("group__name_kana", "resource__order"),
            "statement_months": selectors.statement_months(timezone.localdate()),
        },
    )


def _booking(request: HttpRequest, pk: int, perm: str = "spaces.view_booking") -> Booking:
    booking = get_object_or_404(
        Booking.objects.select_related("resource", "group", "booked_by", "event_session__event"), pk=pk
    )
    return permitted(request.user, perm, booking, hidden_unless=True)


@login_required
@require_GET
def booking(request: HttpRequest, pk: int) -> HttpResponse:
    booking = _booking(request, pk)
    return render(
        request,
        "spaces/booking.html",
        {
            "booking": booking,
            "may_cancel": may(request.user, "spaces.cancel_booking", booking),
            "deadline": services.cancel_deadline(booking),
            "can_manage_spaces": may(request.user, "spaces.manage_spaces"),
            "history": selectors.booking_history(booking),
        },
    )


@login_required
@require_GET
def booking_ics(request: HttpRequest, pk: int) -> HttpResponse:
    booking = _booking(request, pk)
    response = HttpResponse(ical.bookings_calendar([booking]), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="booking-{booking.pk}.ics"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    booking = _booking(request, pk)
    if request.method == "POST":
        try:
            services.booking_cancel(booking=booking, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(booking.get_absolute_url())
        messages.success(request, _("予約を取り消しました。"))
        return redirect("spaces:my_bookings")
    if refusal := services.cancel_refusal(user=request.user, booking=booking):
        messages.error(request, refusal)
        return redirect(booking.get_absolute_url())
    return render(
        request,
        "spaces/cancel.html",
        {"booking": booking, "deadline": services.cancel_deadline(booking)},
    )


# --- Monthly statement (利用料) --------------------------------------------------------------------------


def _statement(request: HttpRequest, group_pk: int, year: int, month: int):
    group = permitted(
        request.user, "spaces.view_statement", get_object_or_404(Group, pk=group_pk), hidden_unless=True
    )
    if not 1 <= month <= 12 or year not in DATE_YEARS:
        raise Http404
    return selectors.statement(group=group, year=year, month=month)


@login_required
@require_GET
def statement_pdf(request: HttpRequest, group_pk: int, year: int, month: int) -> HttpResponse:
    statement = _statement(request, group_pk, year, month)
    response = HttpResponse(exports.statement_pdf(statement), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="statement-{group_pk}-{year}{month:02d}.pdf"'
    return response


@login_required
@require_GET
def statement_csv(request: HttpRequest, group_pk: int, year: int, month: int) -> HttpResponse:
    statement = _statement(request, group_pk, year, month)
    return exports.statement_csv_response(statement, filename=f"statement-{group_pk}-{year}{month:02d}.csv")


# --- Staff ----------------------------------------------------------------------------------------------


# The desk lists this many bookings waiting for approval, the soonest first; the heading counts all.
PENDING_SHOWN = 50


@staff_required
@require_GET
def staff_index(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    pending = selectors.pending_bookings()
    return render(
        request,
        "spaces/staff/index.html",
        {
            "today": today,
            "now": timezone.now(),
            "bookings": list(selectors.bookings_on(today)),
            "pending": list(pending[:PENDING_SHOWN]),
            "pending_count": pending.count(),
            "rooms": list(selectors.rooms()),
            "waiting_sessions": selectors.sessions_waiting_for_room(),
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def staff_book(request: HttpRequest, pk: int) -> HttpResponse:
    room = _room(pk)
    groups = Group.objects.public().order_by("name_kana", "pk")
    return _book(
        request,
        room,
        form_class=CounterBookingForm,
        groups=groups,
        at_counter=True,
        template="spaces/staff/book.html",
    )


@staff_required
@require_http_methods(["GET", "POST"])
def staff_block(request: HttpRequest, pk: int) -> HttpResponse:
    room = _room(pk)
    form = BlockForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusals_on_form(form):
            services.block_create(
                resource=room,
                starts_at=form.cleaned_data["starts_at"],
                ends_at=form.cleaned_data["ends_at"],
                purpose=form.cleaned_data["purpose"],
                by=request.user,
            )
            messages.success(request, _("センターの利用として押さえました。"))
            week = selectors.week_start(form.cleaned_data["date"])
            return redirect(f"{reverse('spaces:week', args=[room.pk])}?week={week}")
    return render(request, "spaces/staff/block.html", {"room": room, "form": form})


def _booking_action(request: HttpRequest, pk: int, service, done: str) -> HttpResponse:
    """A staff action on one booking: the service's refusal, or `done`, and back to the desk."""
    booking = get_object_or_404(Booking, pk=pk)
    with refusal_as_message(request):
        service(booking=booking, by=request.user)
        messages.success(request, done)
    return redirect("spaces:staff_index")


@staff_required
@require_POST
def staff_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _booking_action(request, pk, services.booking_approve, _("予約を承認しました。"))


@staff_required
@require_POST
def staff_no_show(request: HttpRequest, pk: int) -> HttpResponse:
    return _booking_action(request, pk, services.booking_mark_no_show, _("無断不使用として記録しました。"))


@staff_required
@require_http_methods(["GET", "POST"])
def staff_machine_use(request: HttpRequest) -> HttpResponse:
    form = MachineUseForm(
        request.POST or None,
        machines=selectors.machines(),
        groups=Group.objects.public().order_by("name_kana", "pk"),
    )
    if request.method == "POST" and form.is_valid():
        with refusals_on_form(form):
            use = services.machine_use_log(**form.cleaned_data, by=request.user)
            messages.success(
                request,
                _("%(group)s：%(machine)s %(count)s%(unit)s、利用料 %(fee)s円を記録しました。")
                % {
                    "group": use.group.name,
                    "machine": use.machine.name,
                    "count": f"{use.count:,}",
                    "unit": use.machine.unit,
                    "fee": f"{use.fee:,}",
                },
            )
            return redirect("spaces:staff_machine_use")
    recent = MachineUse.objects.select_related("machine", "group").order_by("-recorded_at", "-id")[:20]
    return render(request, "spaces/staff/machine_use.html", {"form": form, "recent": recent})


@staff_required
@require_GET
def staff_statements(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = StatementForm(request.GET or {"month": f"{today:%Y-%m}"})
    groups = []
    year = month = None
    if form.is_valid():
        year, month = form.year_month
        groups = list(selectors.groups_with_fees(year=year, month=month))
    return render(
        request,
        "spaces/staff/statements.html",
        {"form": form, "groups": groups, "year": year, "month": month},
        status=400 if form.errors else 200,
    )


# --- Bookings in the way of an event session: move them, or cancel when nothing is free --------------


def _session(session_pk: int):
    from events.models import EventSession

    return get_object_or_404(EventSession.objects.select_related("event"), pk=session_pk)


@staff_required
@require_GET
def staff_session_clashes(request: HttpRequest, session_pk: int) -> HttpResponse:
    session = _session(session_pk)
    clashes = services.session_clashes(session=session, by=request.user)
    return render(
        request,
        "spaces/staff/session_clashes.html",
        {
            "session": session,
            "room": services.session_room(session),
            "clashes": clashes,
            "reason": services.session_move_reason(session),
            "blocked": Booking.objects.filter(event_session=session).first(),
            "search_days": services.MOVE_SEARCH_DAYS,
        },
    )


def _parse_instant(value: str) -> dt.datetime | None:
    """A time posted by the move buttons, or None when it is none (or in a year the forms refuse:
    the rules' month bounds overflow far off)."""
    try:
        parsed = dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    if parsed.year not in DATE_YEARS:
        return None
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


@staff_required
@require_POST
def staff_session_move(request: HttpRequest, session_pk: int, pk: int) -> HttpResponse:
    session = _session(session_pk)
    booking = get_object_or_404(Booking, pk=pk)
    room = Resource.objects.filter(kind=Resource.Kind.ROOM, pk=request.POST.get("resource") or 0).first()
    starts_at, ends_at = (
        _parse_instant(request.POST.get("starts_at")),
        _parse_instant(request.POST.get("ends_at")),
    )
    back = redirect("spaces:staff_session_clashes", session_pk=session.pk)
    if room is None or starts_at is None or ends_at is None:
        messages.error(request, _("移し先の部屋と日時を選んでください。"))
        return back
    with refusal_as_message(request):
        moved = services.booking_move(
            booking=booking,
            resource=room,
            starts_at=starts_at,
            ends_at=ends_at,
            by=request.user,
            session=session,
            reason=services.session_move_reason(session),
        )
        messages.success(
            request,
            _("予約を%(where)sへ移し、団体にメールで知らせました。")
            % {"where": services.MoveOption(moved.resource, moved.starts_at, moved.ends_at, False).label},
        )
    return back


@staff_required
@require_POST
def staff_session_cancel(request: HttpRequest, session_pk: int, pk: int) -> HttpResponse:
    session = _session(session_pk)
    booking = get_object_or_404(Booking, pk=pk)
    try:
        services.booking_release_for_event(
            booking=booking, by=request.user, reason=services.session_move_reason(session)
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        services.event_session_sync(session=session)
        messages.success(request, _("予約を取り消し、団体に理由をメールで知らせました。"))
    return redirect("spaces:staff_session_clashes", session_pk=session.pk)
