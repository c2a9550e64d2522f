"""Registration, waitlist, cancellation, attendance, completion, merging and e-mails."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.models import OutboxMessage
from core.outbox import outbox_resend
from core.roles import Role
from events import services
from events.models import Attendance, Registration, SurveyResponse
from tests.events.factories import EventFactory, PersonFactory, RegistrationFactory, attend

pytestmark = pytest.mark.django_db
Status = Registration.Status


def register(event, person=None, **kwargs):
    return services.registration_create(event=event, person=person or PersonFactory(), **kwargs)


def test_confirmed_while_seats_remain_then_waitlisted(event):
    """With 2 seats, the first two are confirmed and the third is waitlisted."""
    statuses = [register(event).status for _ in range(3)]
    assert statuses == [Status.CONFIRMED, Status.CONFIRMED, Status.WAITLISTED]


def test_no_capacity_means_everyone_is_confirmed():
    """An event without a capacity never waitlists."""
    event = EventFactory(capacity=None)
    assert {register(event).status for _ in range(5)} == {Status.CONFIRMED}


def test_same_person_cannot_register_twice(event, person):
    """A second active registration of the same person is refused; after cancelling, allowed again."""
    registration = register(event, person)
    with pytest.raises(ValidationError):
        register(event, person)
    registration.status = Status.CANCELLED
    registration.save()
    assert register(event, person).status == Status.CONFIRMED


def test_registration_window_applies_to_participants_not_to_staff(event, staff_user):
    """Before the window opens and after it closes, participants are refused; staff may still register."""
    event.registration_opens_at = timezone.now() + dt.timedelta(days=1)
    event.save()
    with pytest.raises(ValidationError, match="まだ始まっていません"):
        register(event)
    event.registration_opens_at = timezone.now() - dt.timedelta(days=3)
    event.registration_closes_at = timezone.now() - dt.timedelta(days=1)
    event.save()
    with pytest.raises(ValidationError, match="終了しました"):
        register(event)
    assert register(event, registered_by=staff_user).status == Status.CONFIRMED


def test_registration_closes_when_the_first_session_starts():
    """Without a deadline, self-registration closes at the first session's start."""
    event = EventFactory(starts_at=timezone.now() - dt.timedelta(minutes=5))
    with pytest.raises(ValidationError):
        register(event)


def test_staff_cannot_register_for_an_ended_event(staff_user):
    event = EventFactory(past=True)
    with pytest.raises(ValidationError, match="終了した"):
        register(event, registered_by=staff_user)


def test_cancellation_promotes_first_waitlisted_and_mails_them(
    event, member, django_capture_on_commit_callbacks
):
    """Cancelling a confirmed seat confirms the earliest waitlisted person and e-mails them."""
    owner = services.person_for_user(user=member)
    first = register(event, owner)
    register(event)
    waiting_first = register(event, PersonFactory(email="first-waiting@example.jp"))
    waiting_second = register(event)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(registration=first, by=member)

    waiting_first.refresh_from_db()
    waiting_second.refresh_from_db()
    assert waiting_first.status == Status.CONFIRMED
    assert waiting_second.status == Status.WAITLISTED
    promoted_mail = [m for m in mail.outbox if m.to == ["first-waiting@example.jp"]]
    assert len(promoted_mail) == 1
    assert "参加が確定しました" in promoted_mail[0].subject
    assert promoted_mail[0].subject.startswith("[")
    assert event.registrations.filter(status=Status.CONFIRMED).count() == event.capacity


def test_cancelling_a_waitlisted_registration_promotes_nobody(event, staff_user):
    register(event)
    register(event)
    waiting = register(event)
    later = register(event)
    services.registration_cancel(registration=waiting, by=staff_user)
    later.refresh_from_db()
    assert later.status == Status.WAITLISTED


def test_raising_capacity_promotes_the_waitlist_in_order(event):
    regs = [register(event) for _ in range(4)]
    event.capacity = 3
    event.save()
    promoted = services.waitlist_promote(event=event)
    assert [r.pk for r in promoted] == [regs[2].pk]


class TestCancellationRules:
    """Who may cancel, and until when: the participant until the first session starts; staff always."""

    @pytest.fixture
    def own(self, event, member):
        return register(event, services.person_for_user(user=member))

    def test_owner_may_cancel_before_the_start(self, own, member):
        assert services.registration_cancel(registration=own, by=member).status == Status.CANCELLED

    def test_owner_may_not_cancel_after_the_start(self, own, member, staff_user):
        later = own.event.sessions.first().starts_at + dt.timedelta(minutes=1)
        with pytest.raises(PermissionDenied):
            services.registration_cancel(registration=own, by=member, now=later)
        assert (
            services.registration_cancel(registration=own, by=staff_user, now=later).status
            == Status.CANCELLED
        )

    @pytest.mark.parametrize("role", [(), (Role.OFFICIAL,), (Role.COMMITTEE,)])
    def test_others_may_not_cancel(self, own, make_user, role):
        with pytest.raises(PermissionDenied):
            services.registration_cancel(registration=own, by=make_user(roles=role, email="other@example.jp"))

    def test_cancelling_twice_is_refused(self, own, member):
        services.registration_cancel(registration=own, by=member)
        with pytest.raises(ValidationError):
            services.registration_cancel(registration=own, by=member)

    def test_rules_permission_matches_the_service(self, own, member, make_user):
        assert member.has_perm("events.cancel_registration", own)
        assert not make_user().has_perm("events.cancel_registration", own)


def test_completion_follows_the_rule_4_of_5(course):
    """Attending 4 of 5 sessions completes the course (修了 dated the end of its last session);
    removing one undoes it."""
    registration = RegistrationFactory(event=course)
    sessions = list(course.sessions.order_by("starts_at"))
    for session in sessions[:3]:
        attend(registration=registration, session=session, present=True)
    assert registration.completed_at is None
    attend(registration=registration, session=sessions[4], present=True)
    assert registration.completed_at == sessions[4].ends_at
    attend(registration=registration, session=sessions[1], present=False)
    assert registration.completed_at is None


def test_attendance_is_recorded_once_and_only_for_confirmed(course):
    registration = RegistrationFactory(event=course)
    session = course.sessions.first()
    attend(registration=registration, session=session, present=True)
    attend(registration=registration, session=session, present=True)
    assert Attendance.objects.filter(registration=registration).count() == 1
    waiting = RegistrationFactory(event=course, waitlisted=True)
    with pytest.raises(ValidationError):
        attend(registration=waiting, session=session, present=True)
    other_event_session = EventFactory().sessions.first()
    with pytest.raises(ValidationError):
        attend(registration=registration, session=other_event_session, present=True)


def test_person_for_user_is_the_same_person_every_time(member):
    """The account's person is created once and found again (across programs and years)."""
    first = services.person_for_user(user=member)
    assert services.person_for_user(user=member).pk == first.pk
    assert first.email == member.email


def test_merge_moves_registrations_and_attendance(course, member):
    """Merging a phoned-in guest into the account's person moves registrations, attendance and answers."""
    keep = services.person_for_user(user=member)
    guest = PersonFactory(name=keep.name, email="", phone="000-111-2222")
    other_event = EventFactory()
    reg_guest_course = RegistrationFactory(event=course, person=guest)
    reg_keep_course = RegistrationFactory(event=course, person=keep)
    reg_guest_other = RegistrationFactory(event=other_event, person=guest)
    sessions = list(course.sessions.order_by("starts_at"))
    for s in sessions[:2]:
        attend(registration=reg_keep_course, session=s, present=True)
    for s in sessions[1:4]:
        attend(registration=reg_guest_course, session=s, present=True)
    SurveyResponse.objects.create(registration=reg_guest_course, satisfaction=5)

    services.person_merge(keep=keep, duplicate=guest)

    guest.refresh_from_db()
    keep.refresh_from_db()
    reg_keep_course.refresh_from_db()
    reg_guest_course.refresh_from_db()
    assert guest.merged_into_id == keep.pk
    assert keep.phone == "000-111-2222"
    assert Registration.objects.filter(person=guest).count() == 0
    assert reg_guest_other.__class__.objects.get(pk=reg_guest_other.pk).person_id == keep.pk
    assert reg_guest_course.status == Status.CANCELLED
    assert reg_keep_course.attendances.count() == 4
    assert reg_keep_course.completed_at is not None
    assert SurveyResponse.objects.get().registration_id == reg_keep_course.pk
    # A merged person registering again lands on the kept record.
    assert register(EventFactory(), guest).person_id == keep.pk


def test_merge_moves_the_duplicates_consultations_and_logs_it(client_for, staff_user):
    """Merging through the staff page relinks the guest's consultations; the access log says who."""
    from consultations.models import AccessAction, ConsultationAccessLog
    from tests.consultations.factories import ConsultationFactory

    keep = PersonFactory(name="山本 花子")
    guest = PersonFactory(name="山本 花子")
    asked = ConsultationFactory(person=guest)
    unrelated = ConsultationFactory(person=PersonFactory())
    response = client_for(staff_user).post(
        "/events/staff/people/merge/", {"keep": keep.pk, "duplicate": guest.pk}
    )
    assert response.status_code == 302
    asked.refresh_from_db()
    unrelated.refresh_from_db()
    assert asked.person_id == keep.pk
    assert unrelated.person_id != keep.pk
    entry = ConsultationAccessLog.objects.order_by("-id").first()
    assert (entry.action, entry.consultation_ids, entry.user) == (AccessAction.CHANGE, [asked.pk], staff_user)
    assert f"No.{guest.pk} → No.{keep.pk}" in entry.path


def test_merge_keeps_the_seat_the_duplicate_held(event, member):
    """Phoned in and confirmed, then signed up on the web and waitlisted (the event being full):
    after the merge the person still holds the seat, and the waitlisted registration is the one
    cancelled."""
    keep = services.person_for_user(user=member)
    guest = PersonFactory(name=keep.name, email="", phone="090-1111-2222")
    seat = register(event, guest, registered_by=member)
    register(event)
    waiting = register(event, keep)
    assert waiting.status == Status.WAITLISTED

    services.person_merge(keep=keep, duplicate=guest)

    seat.refresh_from_db()
    waiting.refresh_from_db()
    assert (seat.person_id, seat.status) == (keep.pk, Status.CONFIRMED)
    assert waiting.status == Status.CANCELLED
    assert event.registrations.filter(status=Status.CONFIRMED).count() == 2


def test_merge_of_two_seats_gives_the_freed_one_to_the_waitlist(event, member):
    """Both records held a seat: the person keeps one and the other goes to the first waitlisted."""
    keep = services.person_for_user(user=member)
    guest = PersonFactory(name=keep.name, email="", phone="090-1111-2222")
    register(event, guest, registered_by=member)
    register(event, keep)
    next_in_line = register(event)
    assert next_in_line.status == Status.WAITLISTED

    services.person_merge(keep=keep, duplicate=guest)

    next_in_line.refresh_from_db()
    assert next_in_line.status == Status.CONFIRMED
    assert keep.registrations.filter(status=Status.CONFIRMED).count() == 1


def test_merge_refuses_to_drop_an_account(member, person):
    with_account = services.person_for_user(user=member)
    with pytest.raises(ValidationError):
        services.person_merge(keep=person, duplicate=with_account)
    with pytest.raises(ValidationError):
        services.person_merge(keep=person, duplicate=person)


def test_changing_the_completion_rule_settles_completion_again(time_machine):
    """4 of 5 corrected to 3 after the course: whoever attended 3 is now 修了, on the last day."""
    jst = dt.timezone(dt.timedelta(hours=9))
    time_machine.move_to(dt.datetime(2026, 3, 20, 12, tzinfo=jst), tick=False)
    course = EventFactory(course=True, starts_at=dt.datetime(2026, 2, 1, 10, tzinfo=jst))
    registration = RegistrationFactory(event=course)
    sessions = list(course.sessions.order_by("starts_at"))
    for session in sessions[:3]:
        attend(registration=registration, session=session)
    assert registration.completed_at is None

    course.completion_min_sessions = 3
    course.save()
    assert services.event_completion_update(event=course) == 1

    registration.refresh_from_db()
    assert registration.completed_at == sessions[-1].ends_at


class TestReminders:
    """Reminder e-mails before each session: once per session and person, confirmed people only."""

    def test_sent_once_per_session_and_person(self, event, django_capture_on_commit_callbacks):
        confirmed = [register(event) for _ in range(2)]
        register(event)  # waitlisted: no reminder
        now = event.sessions.first().starts_at - dt.timedelta(hours=20)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            assert services.reminders_send_due(now=now) == 2
            assert services.reminders_send_due(now=now) == 0
        assert sorted(m.to[0] for m in mail.outbox) == sorted(r.person.email for r in confirmed)
        assert all("開催のお知らせ" in m.subject for m in mail.outbox)
        assert OutboxMessage.objects.filter(kind="events.reminder", status="sent").count() == 2

    def test_not_sent_too_early(self, event):
        register(event)
        now = event.sessions.first().starts_at - dt.timedelta(days=5)
        assert services.reminders_send_due(now=now) == 0

    def test_each_session_of_a_course_gets_its_reminder(self):
        course = EventFactory(course=True)
        register(course)
        sessions = list(course.sessions.order_by("starts_at"))
        for session in sessions[:2]:
            services.reminders_send_due(now=session.starts_at - dt.timedelta(hours=1))
        assert OutboxMessage.objects.filter(kind="events.reminder").count() == 2

    def test_a_failed_send_stays_visible_and_is_not_queued_twice(
        self, event, monkeypatch, django_capture_on_commit_callbacks
    ):
        """The failed reminder is 失敗 in the outbox (staff resend it there); the next run does
        not queue a second one."""
        from django.core.mail import EmailMessage

        register(event)
        now = event.sessions.first().starts_at - dt.timedelta(hours=1)

        def broken(*args, **kwargs):
            raise OSError("SMTP down")

        monkeypatch.setattr(EmailMessage, "send", broken)
        with django_capture_on_commit_callbacks(execute=True):
            assert services.reminders_send_due(now=now) == 1
        failed = OutboxMessage.objects.get(kind="events.reminder")
        assert failed.status == OutboxMessage.Status.FAILED and "SMTP down" in failed.error_detail
        monkeypatch.undo()
        with django_capture_on_commit_callbacks(execute=True):
            assert services.reminders_send_due(now=now) == 0
            outbox_resend(message=failed)
        failed.refresh_from_db()
        assert failed.status == OutboxMessage.Status.SENT

    def test_guest_without_email_gets_nothing(self, event):
        register(event, PersonFactory(email="", phone="000-1234-5678"))
        assert services.reminders_send_due(now=event.sessions.first().starts_at - dt.timedelta(hours=1)) == 0
        assert not OutboxMessage.objects.filter(kind="events.reminder").exists()


class TestSurveys:
    def test_survey_mail_once_to_attendees_after_the_event(self, django_capture_on_commit_callbacks):
        event = EventFactory(starts_at=timezone.now() - dt.timedelta(days=2), capacity=None)
        came = RegistrationFactory(event=event)
        RegistrationFactory(event=event)  # did not come
        attend(registration=came, session=event.sessions.first(), present=True)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            assert services.surveys_send_due() == 1
            assert services.surveys_send_due() == 0
        assert mail.outbox[0].to == [came.person.email]
        token = mail.outbox[0].body.split("/events/survey/")[1].split("/")[0]
        assert services.registration_from_survey_token(token).pk == came.pk

    def test_old_events_are_not_surveyed(self):
        event = EventFactory(starts_at=timezone.now() - dt.timedelta(days=40))
        came = RegistrationFactory(event=event)
        attend(registration=came, session=event.sessions.first(), present=True)
        assert services.surveys_send_due() == 0

    def test_forged_token_is_refused(self):
        with pytest.raises(ValidationError):
            services.registration_from_survey_token("1:forged")

    def test_submit_replaces_the_previous_answer(self):
        registration = RegistrationFactory()
        services.survey_submit(registration=registration, satisfaction=3, comment="ふつう")
        services.survey_submit(registration=registration, satisfaction=5, comment="とてもよかった")
        response = SurveyResponse.objects.get()
        assert (response.satisfaction, response.comment) == (5, "とてもよかった")
        with pytest.raises(ValidationError):
            services.survey_submit(registration=registration, satisfaction=6)


def test_certificate_pdf_names_the_person_with_an_embedded_japanese_font(course):
    from io import BytesIO

    from pypdf import PdfReader

    registration = RegistrationFactory(event=course, person=PersonFactory(name="高橋 美咲"))
    for session in course.sessions.all():
        attend(registration=registration, session=session, present=True)
    pdf = services.certificate_pdf(registration=registration)
    reader = PdfReader(BytesIO(pdf))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "修了証" in text and "高橋 美咲" in text and registration.certificate_number in text
    fonts = [font.get_object() for font in reader.pages[0]["/Resources"]["/Font"].values()]
    japanese = [f for f in fonts if "KyodoGothic" in str(f["/BaseFont"])]
    assert japanese, [str(f["/BaseFont"]) for f in fonts]
    descriptor = japanese[0]["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
    assert "/FontFile2" in descriptor or "/FontFile3" in descriptor  # embedded, not a system font


def test_certificate_refused_before_completion(course):
    with pytest.raises(ValidationError):
        services.certificate_pdf(registration=RegistrationFactory(event=course))


def test_waitlist_position_counts_from_one(event):
    from events.selectors import waitlist_position

    register(event)
    register(event)
    waiting = [register(event) for _ in range(3)]
    assert [waitlist_position(r) for r in waiting] == [1, 2, 3]
    assert waitlist_position(event.registrations.first()) is None


def test_attendance_of_a_future_session_is_refused(course):
    """Staff check people in on the session's day or correct a past one, never a future session."""
    registration = RegistrationFactory(event=course)
    session = course.sessions.order_by("starts_at").last()
    with time_machine.travel(session.starts_at - dt.timedelta(days=1), tick=False):
        with pytest.raises(ValidationError, match="出席は開催日から記録できます"):
            services.attendance_set(registration=registration, session=session, present=True)
    assert not Attendance.objects.filter(registration=registration).exists()
    with time_machine.travel(session.starts_at + dt.timedelta(days=30), tick=False):
        services.attendance_set(registration=registration, session=session, present=True)
    assert Attendance.objects.filter(registration=registration, session=session).exists()


def test_completion_waits_for_the_last_session_and_is_dated_that_day(course):
    """Four sessions attended before the course ends are not yet 修了; when attendance is taken at
    the last session, everyone who met the requirement is completed, dated that session's end."""
    early = RegistrationFactory(event=course)
    last_only = RegistrationFactory(event=course)
    sessions = list(course.sessions.order_by("starts_at"))
    for session in sessions[:4]:
        attend(registration=early, session=session)
    early.refresh_from_db()
    assert early.completed_at is None
    attend(registration=last_only, session=sessions[4])
    early.refresh_from_db()
    assert early.completed_at == sessions[4].ends_at
    last_only.refresh_from_db()
    assert last_only.completed_at is None
