"""Writes for events: the one place for capacity, waitlist, cancellation, attendance, completion,
surveys, person merging and the e-mails about them. Views, admin actions, tasks and seed_demo
call these functions.
"""

from __future__ import annotations

import datetime as dt
import logging
from enum import StrEnum

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Min
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.app_hooks import collect
from core.models import OutboxMessage, Person, User, absolute_url
from core.outbox import outbox_enqueue, outbox_enqueue_once
from core.permissions import may
from core.services import guest_person_create
from events.models import Attendance, Event, EventSession, Registration, SurveyResponse

logger = logging.getLogger("kyodo")

SURVEY_SALT = "events.survey"
SURVEY_LINK_MAX_AGE = 90 * 24 * 60 * 60  # 90 days
REMINDER_HOURS_AHEAD = 48
SURVEY_WITHIN_DAYS = 14

Status = Registration.Status


# --- People ---------------------------------------------------------------------------------------


def person_resolve(person: Person) -> Person:
    """The record a (possibly merged) person now lives in."""
    seen = set()
    while person.merged_into_id and person.pk not in seen:
        seen.add(person.pk)
        person = person.merged_into
    return person


def person_for_user(*, user: User) -> Person:
    """The Person of an account, created on first use: the same person across programs and years."""
    person = Person.objects.filter(user=user).select_related("merged_into").first()
    if person is not None:
        return person_resolve(person)
    # The name from the profile (the register page asks for it first), never the e-mail address.
    person = Person(
        name=str(user),
        name_kana=user.full_name_kana,
        email=user.email,
        phone=user.phone,
        user=user,
    )
    person.full_clean(exclude=["user"])
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:  # created at the same moment by another request
        person = Person.objects.get(user=user)
    return person


@transaction.atomic
def person_merge(*, keep: Person, duplicate: Person, by: User | None = None) -> Person:
    """Moves the duplicate's registrations and attendance to `keep` and marks the duplicate merged.

    When both were registered for the same event, one registration stays with the attendance and
    survey answer of both and the other is cancelled (`_registrations_merge`: a seat is never
    lost, and one freed goes to the waitlist). Other
    apps move their own links (consultations, for one) through their `person_merged` hook.
    """
    keep = Person.objects.select_for_update().get(pk=keep.pk)
    duplicate = Person.objects.select_for_update().get(pk=duplicate.pk)
    if keep.pk == duplicate.pk:
        raise ValidationError(_("同じ人どうしは統合できません。"))
    if keep.merged_into_id or duplicate.merged_into_id:
        raise ValidationError(_("すでに統合された記録は選べません。"))
    if duplicate.user_id:
        raise ValidationError(_("アカウントのある方の記録を「残す方」にしてください。"))
    kept_by_event = {
        r.event_id: r for r in Registration.objects.filter(person=keep).exclude(status=Status.CANCELLED)
    }
    for registration in Registration.objects.filter(person=duplicate).exclude(status=Status.CANCELLED):
        kept = kept_by_event.get(registration.event_id)
        if kept is not None:
            _registrations_merge(duplicate=registration, kept=kept)
    Registration.objects.filter(person=duplicate).update(person=keep)
    for _app, move_links in collect("person_merged"):
        move_links(keep=keep, duplicate=duplicate, by=by)
    for field in ("name_kana", "email", "phone"):
        if not getattr(keep, field) and getattr(duplicate, field):
            setattr(keep, field, getattr(duplicate, field))
    keep.save()
    duplicate.merged_into = keep
    duplicate.save(update_fields=["merged_into"])
    return keep


def _registrations_merge(*, duplicate: Registration, kept: Registration) -> Registration:
    """One person's two registrations for the same event, found when their records are merged:
    the kept record's stays, unless the duplicate's holds a seat it lacks (phoned in and confirmed,
    then signed up and waitlisted) or an earlier place on the waitlist. The one that stays gets the
    attendance and survey answer of both; the other is cancelled, and a seat it held goes to the
    waitlist."""
    stays, goes = kept, duplicate
    if (goes.status, stays.status) == (Status.CONFIRMED, Status.WAITLISTED) or (
        goes.status == stays.status == Status.WAITLISTED
        and (goes.created_at, goes.pk) < (stays.created_at, stays.pk)
    ):
        stays, goes = goes, stays
    have = set(stays.attendances.values_list("session_id", flat=True))
    goes.attendances.exclude(session_id__in=have).update(registration=stays)
    if not SurveyResponse.objects.filter(registration=stays).exists():
        SurveyResponse.objects.filter(registration=goes).update(registration=stays)
    now = timezone.now()
    held_seat = goes.status == Status.CONFIRMED
    goes.status = Status.CANCELLED
    goes.cancelled_at = now
    goes.save(update_fields=["status", "cancelled_at"])
    if held_seat:
        _promote_waitlisted(event=Event.objects.select_for_update().get(pk=goes.event_id), now=now)
    return registration_update_completion(registration=stays)


# --- Registration -----------------------------------------------------------------------------------


def event_first_starts_at(event: Event) -> dt.datetime | None:
    first = getattr(event, "first_starts_at", None)
    if first is None:
        first = event.sessions.aggregate(first=Min("starts_at"))["first"]
    return first


def event_has_ended(event: Event, *, now: dt.datetime | None = None) -> bool:
    last = event.sessions.aggregate(last=Max("ends_at"))["last"]
    return last is not None and last <= (now or timezone.now())


def _confirmed_count(event: Event) -> int:
    return event.registrations.filter(status=Status.CONFIRMED).count()


def registration_create(
    *,
    event: Event,
    person: Person,
    registered_by: User | None = None,
    channel: str = Registration.Channel.WEB,
    needs: str = "",
    now: dt.datetime | None = None,
    notify: bool = True,
) -> Registration:
    """Registers a person: confirmed while seats remain, waitlisted after.

    The event row is locked for the whole decision, so simultaneous registrations are counted
    one after another and the capacity is never exceeded. People registering themselves must do
    so inside the registration window; staff (`registered_by`) may register anyone until the
    event has ended.
    """
    now = now or timezone.now()
    person = person_resolve(person)
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        if registered_by is None:
            phase = event.registration_phase(first_starts_at=event_first_starts_at(event), now=now)
            if phase == "before":
                raise ValidationError(_("申込の受付はまだ始まっていません。"))
            if phase == "closed":
                raise ValidationError(_("申込の受付は終了しました。"))
            if not event.is_public:
                raise ValidationError(_("この催しは公開されていません。"))
        elif event_has_ended(event, now=now):
            raise ValidationError(_("終了した催しには申し込めません。"))
        if Registration.objects.filter(event=event, person=person).exclude(status=Status.CANCELLED).exists():
            raise ValidationError(_("この方はすでにこの催しに申し込んでいます。"))
        has_seat = event.capacity is None or _confirmed_count(event) < event.capacity
        registration = Registration(
            event=event,
            person=person,
            status=Status.CONFIRMED if has_seat else Status.WAITLISTED,
            channel=channel,
            needs=needs.strip(),
            registered_by=registered_by,
            created_at=now,
            confirmed_at=now if has_seat else None,
        )
        registration.full_clean(validate_constraints=False)
        registration.save()
        if notify:
            notification_queue(
                registration=registration,
                kind=MailKind.CONFIRMED if has_seat else MailKind.WAITLISTED,
            )
    return registration


@transaction.atomic
def guest_registration_create(
    *,
    event: Event,
    registered_by: User,
    name: str,
    name_kana: str = "",
    phone: str = "",
    email: str = "",
    channel: str = Registration.Channel.PHONE,
    needs: str = "",
) -> Registration:
    """Staff register someone without an account (a phone call, the counter): the guest record
    and the registration are made together, or neither is."""
    person = guest_person_create(name=name, name_kana=name_kana, phone=phone, email=email)
    return registration_create(
        event=event, person=person, registered_by=registered_by, channel=channel, needs=needs
    )


def cancellation_deadline(registration: Registration) -> dt.datetime | None:
    """Participants may cancel themselves until the first session starts; staff at any time."""
    return event_first_starts_at(registration.event)


def user_may_cancel(*, user: User, registration: Registration, now: dt.datetime | None = None) -> bool:
    if not getattr(user, "is_authenticated", False) or registration.status == Status.CANCELLED:
        return False
    if may(user, "events.manage_events"):
        return True
    if registration.person.user_id != user.pk:
        return False
    deadline = cancellation_deadline(registration)
    return deadline is None or (now or timezone.now()) < deadline


ALREADY_CANCELLED = gettext_lazy("この申し込みはすでに取り消されています。")


def cancel_refusal(*, user: User, registration: Registration, now: dt.datetime | None = None) -> str | None:
    """Why the participant (or staff) cannot cancel this registration now, in words for them:
    it is already cancelled, or its first session has begun. None when they may cancel it, and
    None for anyone else's registration (they are refused without being told anything)."""
    own = getattr(user, "is_authenticated", False) and registration.person.user_id == user.pk
    if registration.status == Status.CANCELLED:
        return str(ALREADY_CANCELLED) if own or may(user, "events.manage_events") else None
    if own and not user_may_cancel(user=user, registration=registration, now=now):
        started = timezone.localtime(cancellation_deadline(registration))
        return _(
            "この催しは%(started)sに始まったため、ご自身では申し込みを取り消せません。"
            "取り消すときはセンターへご連絡ください。"
        ) % {"started": formats.date_format(started, "DATETIME_FORMAT")}
    return None


def registration_cancel(
    *, registration: Registration, by: User, now: dt.datetime | None = None
) -> Registration:
    """Cancels a registration and, when it held a seat, gives the seat to the first waitlisted
    person (who is e-mailed)."""
    now = now or timezone.now()
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=registration.event_id)
        registration = Registration.objects.select_related("person", "event").get(pk=registration.pk)
        if registration.status == Status.CANCELLED:
            raise ValidationError(ALREADY_CANCELLED)
        if not user_may_cancel(user=by, registration=registration, now=now):
            raise PermissionDenied(
                cancel_refusal(user=by, registration=registration, now=now)
                or _("この申し込みを取り消すことはできません。")
            )
        held_seat = registration.status == Status.CONFIRMED
        registration.status = Status.CANCELLED
        registration.cancelled_at = now
        registration.save(update_fields=["status", "cancelled_at"])
        notification_queue(registration=registration, kind=MailKind.CANCELLED)
        if held_seat:
            _promote_waitlisted(event=event, now=now)
    return registration


def _promote_waitlisted(*, event: Event, now: dt.datetime) -> list[Registration]:
    """Fills free seats from the waitlist, first come first served. The caller holds the event lock."""
    promoted: list[Registration] = []
    if event_has_ended(event, now=now):
        return promoted
    free = None if event.capacity is None else event.capacity - _confirmed_count(event)
    waiting = event.registrations.filter(status=Status.WAITLISTED).order_by("created_at", "id")
    for registration in waiting if free is None else waiting[: max(free, 0)]:
        registration.status = Status.CONFIRMED
        registration.confirmed_at = now
        registration.save(update_fields=["status", "confirmed_at"])
        notification_queue(registration=registration, kind=MailKind.PROMOTED)
        promoted.append(registration)
    return promoted


def waitlist_promote(*, event: Event, now: dt.datetime | None = None) -> list[Registration]:
    """After staff raise the capacity: moves waitlisted people up into the new seats."""
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        return _promote_waitlisted(event=event, now=now or timezone.now())


# --- Attendance and completion ------------------------------------------------------------------------


@transaction.atomic
def attendance_set(
    *, registration: Registration, session: EventSession, present: bool, by: User | None = None
) -> Registration:
    """Records (or removes) one person's presence at one session and updates completion (修了).

    Attendance is taken on the session's day; staff may correct a past session, never a future one.
    Taking attendance at the course's last session settles 修了 for everyone on the course.
    """
    if session.event_id != registration.event_id:
        raise ValidationError(_("この回はこの申込の催しのものではありません。"))
    if registration.status != Status.CONFIRMED:
        raise ValidationError(_("参加確定の方だけ出席を記録できます。"))
    if not session.attendance_is_open():
        raise ValidationError(
            _("この回は%(date)sの開催です。出席は開催日から記録できます。")
            % {"date": formats.date_format(timezone.localtime(session.starts_at), "DATE_FORMAT")}
        )
    if present:
        Attendance.objects.get_or_create(
            session=session, registration=registration, defaults={"recorded_by": by}
        )
    else:
        Attendance.objects.filter(session=session, registration=registration).delete()
    last = registration.event.sessions.order_by("-starts_at", "-pk").first()
    if last is not None and last.pk == session.pk:
        others = registration.event.registrations.filter(status=Status.CONFIRMED).exclude(pk=registration.pk)
        for other in others.select_related("event"):
            registration_update_completion(registration=other)
    return registration_update_completion(registration=registration)


def registration_update_completion(*, registration: Registration) -> Registration:
    """修了: attended at least the event's required number of sessions, settled once the course's
    last session has taken place (today or earlier); 修了日 is the end of that last session."""
    required = registration.event.completion_min_sessions
    completed_at = None
    if required:
        last = registration.event.sessions.order_by("-starts_at", "-pk").first()
        if last is not None and last.attendance_is_open() and registration.attendances.count() >= required:
            completed_at = last.ends_at
    if registration.completed_at != completed_at:
        registration.completed_at = completed_at
        registration.save(update_fields=["completed_at"])
    return registration


def event_completion_update(*, event: Event) -> int:
    """Settles 修了 again for everyone confirmed on the event, after staff change the number of
    sessions it requires or the sessions themselves (the rule set only once the course is over,
    4 of 5 corrected to 3, a last session moved). Returns how many registrations changed."""
    changed = 0
    for registration in event.registrations.filter(status=Status.CONFIRMED).select_related("event"):
        before = registration.completed_at
        changed += registration_update_completion(registration=registration).completed_at != before
    return changed


def certificate_pdf(*, registration: Registration) -> bytes:
    """修了証 as PDF bytes."""
    from core.pdf import render_pdf

    if not registration.completed_at:
        raise ValidationError(_("修了していない申込には修了証を出せません。"))
    sessions = list(registration.event.sessions.all())
    context = {
        "registration": registration,
        "event": registration.event,
        "person": registration.person,
        "first_session": sessions[0] if sessions else None,
        "last_session": sessions[-1] if sessions else None,
        "session_count": len(sessions),
        "attended_count": registration.attendances.count(),
        "issued_on": timezone.localdate(),
    }
    return render_pdf(
        template_name="events/pdf/certificate.html",
        context=context,
        title=_("修了証"),
    )


# --- Surveys --------------------------------------------------------------------------------------------


def survey_token(registration: Registration) -> str:
    return signing.dumps(registration.pk, salt=SURVEY_SALT)


def survey_url(registration: Registration) -> str:
    return absolute_url(reverse("events:survey", args=[survey_token(registration)]))


def registration_from_survey_token(token: str) -> Registration:
    """The registration a signed survey link belongs to; ValidationError when forged or expired."""
    try:
        pk = signing.loads(token, salt=SURVEY_SALT, max_age=SURVEY_LINK_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise ValidationError(_("アンケートの回答期限を過ぎています。")) from exc
    except signing.BadSignature as exc:
        raise ValidationError(_("アンケートのリンクが正しくありません。")) from exc
    return Registration.objects.select_related("event", "event__program", "person").get(pk=pk)


@transaction.atomic
def survey_submit(*, registration: Registration, satisfaction: int, comment: str = "") -> SurveyResponse:
    """Saves (or replaces) the participant's answer."""
    if registration.status != Status.CONFIRMED:
        raise ValidationError(_("参加された方だけが回答できます。"))
    response = SurveyResponse.objects.filter(registration=registration).first() or SurveyResponse(
        registration=registration
    )
    response.satisfaction = satisfaction
    response.comment = comment.strip()
    response.submitted_at = timezone.now()
    response.full_clean(validate_constraints=False)
    response.save()
    return response


# --- E-mail ---------------------------------------------------------------------------------------------


class MailKind(StrEnum):
    """The mails about a registration; staff read their names in core.models.OUTBOX_KIND_MAILS."""

    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    PROMOTED = "promoted"
    CANCELLED = "cancelled"
    REMINDER = "reminder"
    SURVEY = "survey"


SUBJECTS = {
    MailKind.CONFIRMED: gettext_lazy("「%(title)s」のお申し込みを受け付けました"),
    MailKind.WAITLISTED: gettext_lazy("「%(title)s」のキャンセル待ちを受け付けました"),
    MailKind.PROMOTED: gettext_lazy("「%(title)s」の参加が確定しました（キャンセル待ちからの繰り上げ）"),
    MailKind.CANCELLED: gettext_lazy("「%(title)s」のお申し込みを取り消しました"),
    MailKind.REMINDER: gettext_lazy("「%(title)s」開催のお知らせ"),
    MailKind.SURVEY: gettext_lazy("「%(title)s」アンケートへのご協力のお願い"),
}


def mail_once_key(*, kind: str, registration_id: int, session_id: int | None = None) -> str | None:
    """The outbox key that makes a reminder (per session) and a survey request (per person) go
    out once, also when two workers run at once; other mails have none."""
    if kind == MailKind.REMINDER:
        return f"events.reminder:{registration_id}:{session_id}"
    if kind == MailKind.SURVEY:
        return f"events.survey:{registration_id}"
    return None


def registration_email(registration: Registration) -> str:
    person = registration.person
    return person.email or (person.user.email if person.user_id else "")


# Optional notices an account holder may turn off on their profile page (core.profile_forms.ProfileForm);
# the mails about their own registration (確定, キャンセル待ち, 繰り上げ, 取消) always go.
OPTIONAL_MAIL_SETTINGS = {
    MailKind.REMINDER: "notify_event_reminders",
    MailKind.SURVEY: "notify_event_surveys",
}


def wants_mail(registration: Registration, kind: str) -> bool:
    """False when the participant's account has turned this optional notice off. People without an
    account (registered by phone) get every notice."""
    setting = OPTIONAL_MAIL_SETTINGS.get(kind)
    user = registration.person.user if registration.person.user_id else None
    return setting is None or user is None or getattr(user, setting)


def notification_queue(*, registration: Registration, kind: str, session: EventSession | None = None) -> bool:
    """Puts the e-mail about this registration in the outbox (sent after the transaction commits).

    False when there is no one to write to, or when this reminder or survey request was
    already sent."""
    registration = Registration.objects.select_related("person__user", "event__program").get(
        pk=registration.pk
    )
    email = registration_email(registration)
    if not email or not wants_mail(registration, kind):
        return False
    event = registration.event
    context = {
        "registration": registration,
        "person": registration.person,
        "event": event,
        "session": session,
        "sessions": list(event.sessions.all()),
        "event_url": absolute_url(event.get_absolute_url()),
        "mypage_url": absolute_url(reverse("core:mypage")),
        "survey_url": survey_url(registration) if kind == MailKind.SURVEY else "",
        "center_name": settings.CENTER_NAME,
        "center_phone": settings.CENTER_PHONE,
        "center_email": settings.CENTER_EMAIL,
    }
    message = {
        "to": [email],
        "subject": SUBJECTS[kind] % {"title": event.title},
        "body": render_to_string(f"events/email/{kind}.txt", context),
        "kind": f"events.{kind}",
        "related": registration,
    }
    once_key = mail_once_key(
        kind=kind, registration_id=registration.pk, session_id=session.pk if session else None
    )
    if once_key:
        return outbox_enqueue_once(once_key=once_key, **message) is not None
    outbox_enqueue(**message)
    return True


def _already_mailed(keys: dict[str, Registration]) -> set[str]:
    return set(OutboxMessage.objects.filter(once_key__in=list(keys)).values_list("once_key", flat=True))


def reminders_send_due(*, now: dt.datetime | None = None, hours_ahead: int = REMINDER_HOURS_AHEAD) -> int:
    """Puts in the outbox a reminder for every session starting within `hours_ahead` hours, for
    every confirmed participant who has not had one for that session. Returns how many."""
    now = now or timezone.now()
    sessions = EventSession.objects.filter(
        starts_at__gt=now, starts_at__lte=now + dt.timedelta(hours=hours_ahead)
    )
    queued = 0
    for session in sessions.select_related("event"):
        due = {
            mail_once_key(kind=MailKind.REMINDER, registration_id=r.pk, session_id=session.pk): r
            for r in session.event.registrations.filter(status=Status.CONFIRMED)
        }
        already = _already_mailed(due)
        for key, registration in due.items():
            if key not in already:
                with transaction.atomic():
                    queued += notification_queue(
                        registration=registration, kind=MailKind.REMINDER, session=session
                    )
    return queued


def surveys_send_due(*, now: dt.datetime | None = None, within_days: int = SURVEY_WITHIN_DAYS) -> int:
    """After an event has ended (within `within_days` days), asks each participant who attended
    at least once to answer the survey, once. Returns how many requests went to the outbox."""
    now = now or timezone.now()
    ended = Event.objects.annotate(last_ends_at=Max("sessions__ends_at")).filter(
        last_ends_at__lte=now, last_ends_at__gt=now - dt.timedelta(days=within_days)
    )
    due = {
        mail_once_key(kind=MailKind.SURVEY, registration_id=r.pk): r
        for r in Registration.objects.filter(
            event__in=ended, status=Status.CONFIRMED, attendances__isnull=False
        ).distinct()
    }
    already = _already_mailed(due)
    queued = 0
    for key, registration in due.items():
        if key not in already:
            with transaction.atomic():
                queued += notification_queue(registration=registration, kind=MailKind.SURVEY)
    return queued


# --- The room of a session (the spaces app answers through the event_session_room_conflicts hook) ---


def session_room_conflicts(
    *, venue: str, starts_at: dt.datetime, ends_at: dt.datetime, session_pk: int | None = None
) -> list:
    """What already holds the room a session's venue names at that time (core.app_hooks.RoomConflict:
    a message naming it, and `release` to free it). Empty when no app keeps rooms."""
    conflicts = []
    for _app, answer in collect("event_session_room_conflicts"):
        conflicts.extend(
            answer(venue=venue, starts_at=starts_at, ends_at=ends_at, session_pk=session_pk) or ()
        )
    return conflicts


def session_room_release_reason(*, event: Event, starts_at: dt.datetime, ends_at: dt.datetime) -> str:
    """Why the center takes the time back, in the words the group reads in the e-mail."""
    start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    return _("センターの催し「%(title)s」（%(when)s）の会場として使うため") % {
        "title": event.title,
        "when": f"{formats.date_format(start, _('n月j日 G:i'))}〜{formats.date_format(end, _('G:i'))}",
    }


@transaction.atomic
def session_rooms_release(*, releases: list[tuple], by: User) -> int:
    """Frees the rooms staff chose to take for sessions: each (RoomConflict, reason) is released
    (the booking cancelled, its group told why). Returns how many were released."""
    for conflict, reason in releases:
        conflict.release(by=by, reason=reason)
    return len(releases)
