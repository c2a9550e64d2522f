"""Writes for events: the one place for capacity, waitlist, cancellation, attendance, completion,
surveys, person merging and the e-mails about them. Views, admin actions, tasks and seed_demo
call these functions.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Max, Min
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from core.app_hooks import collect
from core.models import Person, User, absolute_url
from events.models import Attendance, Event, EventSession, Notification, Registration, SurveyResponse

logger = logging.getLogger("kyodo")

SURVEY_SALT = "events.survey"
SURVEY_LINK_MAX_AGE = 90 * 24 * 60 * 60  # 90 days
REMINDER_HOURS_AHEAD = 48
SURVEY_WITHIN_DAYS = 14
MAX_SEND_ATTEMPTS = 5

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
    person = Person(
        name=user.full_name or user.email.split("@")[0],
        name_kana=user.full_name_kana,
        email=user.email,
        user=user,
    )
    person.full_clean(exclude=["user"])
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:  # created at the same moment by another request
        person = Person.objects.get(user=user)
    return person


def guest_person_create(*, name: str, name_kana: str = "", phone: str = "", email: str = "") -> Person:
    """A person without an account (phoned in, walked in), recorded by staff."""
    person = Person(name=name.strip(), name_kana=name_kana.strip(), phone=phone.strip(), email=email.strip())
    person.full_clean(exclude=["user", "merged_into"])
    person.save()
    return person


@transaction.atomic
def person_merge(*, keep: Person, duplicate: Person, by: User | None = None) -> Person:
    """Moves the duplicate's registrations and attendance to `keep` and marks the duplicate merged.

    When both were registered for the same event, the duplicate's attendance and survey answer
    are added to the kept registration and the duplicate's registration is cancelled. Other
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
        if kept is None:
            continue
        have = set(kept.attendances.values_list("session_id", flat=True))
        registration.attendances.exclude(session_id__in=have).update(registration=kept)
        if not hasattr(kept, "survey_response"):
            SurveyResponse.objects.filter(registration=registration).update(registration=kept)
        registration.status = Status.CANCELLED
        registration.cancelled_at = timezone.now()
        registration.save(update_fields=["status", "cancelled_at"])
        registration_update_completion(registration=kept)
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
                kind=Notification.Kind.CONFIRMED if has_seat else Notification.Kind.WAITLISTED,
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
    if user.is_center_staff:
        return True
    if registration.person.user_id != user.pk:
        return False
    deadline = cancellation_deadline(registration)
    return deadline is None or (now or timezone.now()) < deadline


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
            raise ValidationError(_("この申込はすでに取り消されています。"))
        if not user_may_cancel(user=by, registration=registration, now=now):
            raise PermissionDenied(
                _("この申込を取り消すことはできません。開始後の取消はセンターへご連絡ください。")
            )
        held_seat = registration.status == Status.CONFIRMED
        registration.status = Status.CANCELLED
        registration.cancelled_at = now
        registration.save(update_fields=["status", "cancelled_at"])
        notification_queue(registration=registration, kind=Notification.Kind.CANCELLED)
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
        notification_queue(registration=registration, kind=Notification.Kind.PROMOTED)
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
            % {"date": formats.date_format(timezone.localtime(session.starts_at), "Y年n月j日")}
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

SUBJECTS = {
    Notification.Kind.CONFIRMED: "「%(title)s」のお申し込みを受け付けました",
    Notification.Kind.WAITLISTED: "「%(title)s」のキャンセル待ちを受け付けました",
    Notification.Kind.PROMOTED: "「%(title)s」の参加が確定しました（キャンセル待ちからの繰り上げ）",
    Notification.Kind.CANCELLED: "「%(title)s」のお申し込みを取り消しました",
    Notification.Kind.REMINDER: "「%(title)s」開催のお知らせ",
    Notification.Kind.SURVEY: "「%(title)s」アンケートへのご協力のお願い",
}


def notification_queue(
    *, registration: Registration, kind: str, session: EventSession | None = None
) -> Notification:
    """Records an e-mail to send and sends it after the transaction commits (Celery)."""
    from events import tasks

    notification = Notification.objects.create(registration=registration, kind=kind, session=session)
    transaction.on_commit(lambda: tasks.send_notification.delay(notification.pk))
    return notification


def notification_send(*, notification: Notification) -> Notification:
    """Sends one e-mail. Idempotent: a sent notification is never sent again. A failure is kept
    with its error (status 送信失敗) and retried by `notifications_retry_failed`."""
    notification = Notification.objects.select_related(
        "registration__person", "registration__event__program", "session"
    ).get(pk=notification.pk)
    if notification.status in (Notification.Status.SENT, Notification.Status.SKIPPED):
        return notification
    registration = notification.registration
    email = registration.person.email or (
        registration.person.user.email if registration.person.user_id else ""
    )
    if not email:
        notification.status = Notification.Status.SKIPPED
        notification.save(update_fields=["status"])
        return notification
    event = registration.event
    context = {
        "registration": registration,
        "person": registration.person,
        "event": event,
        "session": notification.session,
        "sessions": list(event.sessions.all()),
        "event_url": absolute_url(event.get_absolute_url()),
        "mypage_url": absolute_url(reverse("core:mypage")),
        "survey_url": survey_url(registration) if notification.kind == Notification.Kind.SURVEY else "",
        "center_name": settings.CENTER_NAME,
        "center_phone": settings.CENTER_PHONE,
        "center_email": settings.CENTER_EMAIL,
    }
    subject = f"[{settings.CENTER_NAME}] " + _(SUBJECTS[notification.kind]) % {"title": event.title}
    body = render_to_string(f"events/email/{notification.kind}.txt", context)
    notification.attempts += 1
    try:
        send_mail(subject, body, None, [email])
    except Exception as exc:
        logger.exception("events: sending notification %s failed", notification.pk)
        notification.status = Notification.Status.FAILED
        notification.error = str(exc)[:1000]
    else:
        notification.status = Notification.Status.SENT
        notification.sent_at = timezone.now()
        notification.error = ""
    notification.save(update_fields=["status", "attempts", "error", "sent_at"])
    return notification


def _claim(
    *, registration: Registration, kind: str, session: EventSession | None = None
) -> Notification | None:
    """Inserts the marker row; None when it already exists (unique constraint): the claim that
    makes reminders and survey e-mails idempotent, also when two workers run at once."""
    try:
        with transaction.atomic():
            return Notification.objects.create(registration=registration, kind=kind, session=session)
    except IntegrityError:
        return None


def reminders_send_due(*, now: dt.datetime | None = None, hours_ahead: int = REMINDER_HOURS_AHEAD) -> int:
    """Sends a reminder for every session starting within `hours_ahead` hours to every confirmed
    participant who has not had one for that session. Returns how many were sent."""
    now = now or timezone.now()
    sessions = EventSession.objects.filter(
        starts_at__gt=now, starts_at__lte=now + dt.timedelta(hours=hours_ahead)
    )
    sent = 0
    for session in sessions.select_related("event"):
        already = Notification.objects.filter(session=session, kind=Notification.Kind.REMINDER).values(
            "registration_id"
        )
        due = session.event.registrations.filter(status=Status.CONFIRMED).exclude(pk__in=already)
        for registration in due:
            notification = _claim(registration=registration, kind=Notification.Kind.REMINDER, session=session)
            if (
                notification
                and notification_send(notification=notification).status == Notification.Status.SENT
            ):
                sent += 1
    return sent


def surveys_send_due(*, now: dt.datetime | None = None, within_days: int = SURVEY_WITHIN_DAYS) -> int:
    """After an event has ended (within `within_days` days), asks each participant who attended
    at least once to answer the survey, once."""
    now = now or timezone.now()
    ended = Event.objects.annotate(last_ends_at=Max("sessions__ends_at")).filter(
        last_ends_at__lte=now, last_ends_at__gt=now - dt.timedelta(days=within_days)
    )
    already = Notification.objects.filter(kind=Notification.Kind.SURVEY).values("registration_id")
    due = (
        Registration.objects.filter(event__in=ended, status=Status.CONFIRMED, attendances__isnull=False)
        .exclude(pk__in=already)
        .distinct()
    )
    sent = 0
    for registration in due:
        notification = _claim(registration=registration, kind=Notification.Kind.SURVEY)
        if notification and notification_send(notification=notification).status == Notification.Status.SENT:
            sent += 1
    return sent


def notifications_retry_failed(*, max_attempts: int = MAX_SEND_ATTEMPTS) -> int:
    """Sends again the e-mails that failed (up to `max_attempts` tries each)."""
    retried = 0
    for notification in Notification.objects.filter(
        status__in=[Notification.Status.FAILED, Notification.Status.PENDING],
        attempts__lt=max_attempts,
        created_at__lt=timezone.now() - dt.timedelta(minutes=5),
    ):
        notification_send(notification=notification)
        retried += 1
    return retried
