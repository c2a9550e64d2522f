"""One small world for the trust tests: every role, and objects that belong to someone.

Group A is the owner's group; group B belongs to the editor of another group. The official works
in 子ども家庭支援課 (own department), which reviews call C and runs project P-own; call A and project
P are another department's. Every object id a role asks for in the matrix is either its own or
clearly someone else's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import partial
from types import SimpleNamespace

from django.contrib.auth.models import Group as RoleGroup
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.utils import timezone

PASSWORD = "correct-horse-battery-42"

ROLES = (
    "anonymous",
    "member",
    "other_editor",
    "owner",
    "official",
    "committee",
    "staff",
    "staff_no_consult",
    "reviewer",
)

PDF_BYTES = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@dataclass
class World:
    users: dict = field(default_factory=dict)
    objects: SimpleNamespace = field(default_factory=SimpleNamespace)

    def user(self, role: str):
        return self.users.get(role)

    def client(self, role: str):
        """A test client signed in as the role's user (not signed in for "anonymous")."""
        from django.test import Client

        client = Client()
        if self.user(role) is not None:
            client.force_login(self.user(role))
        return client

    def __getattr__(self, name):
        try:
            return getattr(self.__dict__["objects"], name)
        except KeyError as exc:
            raise AttributeError(name) from exc


def _account(mailbox: str, full_name: str, *roles: str):
    """A verified account of the world (password PASSWORD), named for the pages that show it."""
    from core.services import user_create

    return user_create(
        email=f"{mailbox}@example.jp",
        password=PASSWORD,
        full_name_kana="しけん",
        full_name=full_name,
        roles=roles,
    )


def _attach_pdf(proposal, name: str, *, by):
    """A small PDF attached to the proposal, stored where proposals' attachments go."""
    from projects.models import Attachment

    attachment = Attachment(
        proposal=proposal,
        original_name=name,
        content_type="application/pdf",
        size=len(PDF_BYTES),
        uploaded_by=by,
    )
    attachment.file.save(name, ContentFile(PDF_BYTES), save=False)
    attachment.save()
    return attachment


def take_consultation_access_from_staff_role() -> None:
    """The centre decides that not every staff member may see consultations (as in consultations' tests)."""
    permission = Permission.objects.get(
        content_type__app_label="consultations", codename="access_consultation"
    )
    RoleGroup.objects.get(name="センター職員").permissions.remove(permission)


def build_world() -> World:
    from consultations.apps import CONSULTATION_AUDITOR_ROLE, CONSULTATION_HANDLER_ROLE
    from core.models import Department
    from core.roles import Role
    from core.services import official_assign
    from events import services as event_services
    from events.models import Attendance
    from groups.models import GroupInvitation, GroupMembership
    from matching import services as matching_services
    from projects import services as project_services
    from projects.models import Agreement, ProposalStatus
    from reports.models import ReportStatus
    from tests.consultations.factories import ConsultationFactory, FollowUpFactory, ReferralFactory
    from tests.events.factories import EventFactory, RegistrationFactory
    from tests.groups.factories import GroupFactory
    from tests.matching.factories import BusinessFactory, NeedFactory, OfferFactory
    from tests.projects.factories import CallFactory, ProjectFactory, ProposalFactory, submit_reviews
    from tests.reports.factories import OutcomeRecordFactory, ReportFactory, ensure_programs

    ensure_programs()
    take_consultation_access_from_staff_role()

    w = World()
    u = w.users
    u["anonymous"] = None
    u["member"] = _account("trust-member", "会員 一郎")
    u["other_editor"] = _account("trust-other", "他団体 二郎")
    u["owner"] = _account("trust-owner", "代表 花子")
    u["official"] = _account("trust-official", "市役所 三郎", Role.OFFICIAL)
    u["committee"] = _account("trust-committee", "委員 四郎", Role.COMMITTEE)
    u["staff"] = _account(
        "trust-staff", "職員 五郎", Role.STAFF, CONSULTATION_HANDLER_ROLE, CONSULTATION_AUDITOR_ROLE
    )
    u["staff_no_consult"] = _account("trust-staff2", "職員 六郎", Role.STAFF)
    coeditor = _account("trust-coeditor", "共同 七子")
    business_person = _account("trust-business", "企業 八郎")
    u["reviewer"] = _account("trust-reviewer", "審査 九子", Role.REVIEWER)
    o = w.objects

    # --- departments -------------------------------------------------------------------------
    o.own_department = Department.objects.create(name="子ども家庭支援課", name_kana="こどもかていしえんか")
    o.other_department = Department.objects.create(name="都市計画課", name_kana="としけいかくか")
    official_assign(user=u["official"], department=o.own_department)

    # --- groups ------------------------------------------------------------------------------
    # Group A's contact details are private (the default): the leak tests look for them on public pages.
    o.group_a = GroupFactory(
        name="さくらの会",
        name_kana="さくらのかい",
        owner=u["owner"],
        editors=[coeditor],
        email="sakura-private@example.jp",
        phone="000-987-6543",
        representative_name="非公開 代表子",
        contact_name="非公開 担当男",
        address="みらい市秘密町9-8-7",
    )
    o.group_b = GroupFactory(name="もみじの会", name_kana="もみじのかい", owner=u["other_editor"])
    o.group_draft = GroupFactory(draft=True, name="つぼみの会", name_kana="つぼみのかい", owner=u["owner"])
    o.invitation = GroupInvitation.objects.create(
        group=o.group_a, email="invitee@example.jp", invited_by=u["owner"]
    )
    o.coeditor_membership = GroupMembership.objects.get(group=o.group_a, user=coeditor)

    # --- events ------------------------------------------------------------------------------
    o.event = EventFactory(title="ミライ対話「まちのこれから」")
    o.private_event = EventFactory(title="関係者だけの打合せ", is_public=False)
    owner_person = event_services.person_for_user(user=u["owner"])
    o.registration = RegistrationFactory(event=o.event, person=owner_person)
    o.course = EventFactory(course=True, past=True)
    o.done_registration = RegistrationFactory(event=o.course, person=owner_person)
    for session in o.course.sessions.all():
        Attendance.objects.create(registration=o.done_registration, session=session)
    event_services.registration_update_completion(registration=o.done_registration)
    o.session = o.event.sessions.first()
    o.survey_token = event_services.survey_token(o.done_registration)

    # --- projects ----------------------------------------------------------------------------
    today = timezone.localdate()
    open_now = {"opens_on": today - dt.timedelta(days=10), "closes_on": today + dt.timedelta(days=20)}
    o.call_a = CallFactory(
        title="他課の募集", departments=[o.other_department], staff=[u["staff"]], **open_now
    )
    o.call_c = CallFactory(title="自課の募集", departments=[o.own_department], **open_now)
    o.unpublished_call = CallFactory(title="準備中の募集", is_published=False)
    o.stage = o.call_a.stages.first()
    # Group A's proposals to call A, and group B's under review in call C.
    owners_proposal = partial(ProposalFactory, call=o.call_a, group=o.group_a, created_by=u["owner"])
    call_c_proposal = partial(
        ProposalFactory, call=o.call_c, group=o.group_b, created_by=u["other_editor"], under_review=True
    )
    o.draft_proposal = owners_proposal(title="下書きの提案")
    o.submitted_proposal = owners_proposal(submitted=True, title="提出した提案")
    o.review_proposal = owners_proposal(under_review=True, title="審査中の提案")
    o.own_review_proposal = call_c_proposal(title="自課が審査する提案")
    # Call C is reviewed by the official's department, but this proposal is assigned to another
    # department: the official must not read it (officials once saw every proposal).
    o.other_department_proposal = call_c_proposal(
        desired_department=o.other_department, title="他課に割り当てた提案"
    )
    # The external 審査委員 reviews call A (accepted invitation), and nothing of call C.
    project_services.external_reviewer_accept(
        token=project_services.external_reviewer_token(
            project_services.external_reviewer_invite(
                call=o.call_a, email=u["reviewer"].email, full_name="審査 九子", by=u["staff"]
            )
        ),
        user=u["reviewer"],
    )
    pending_reviewer_invitation = project_services.external_reviewer_invite(
        call=o.call_a, email="invited-reviewer@example.jp", full_name="招待 十子", by=u["staff"]
    )
    o.reviewer_invitation_token = project_services.external_reviewer_token(pending_reviewer_invitation)
    # Reviewed by call A's reviewers and decided: its reviewers keep reading it and their 審査票.
    o.decided_proposal = owners_proposal(submitted=True, title="審査を終えた提案")
    project_services.proposal_review_start(proposal=o.decided_proposal, by=u["staff"])
    submit_reviews(o.decided_proposal, (u["staff"], u["reviewer"]))
    project_services.proposal_decide(
        proposal=o.decided_proposal, by=u["staff"], outcome=ProposalStatus.REJECTED, reason="予算が不足"
    )
    o.reviewer_review = o.decided_proposal.reviews.get(reviewer=u["reviewer"])
    o.staff_review = o.decided_proposal.reviews.get(reviewer=u["staff"])
    assert o.review_proposal.status == ProposalStatus.UNDER_REVIEW
    o.attachment = _attach_pdf(o.submitted_proposal, "計画書.pdf", by=u["owner"])
    o.draft_attachment = _attach_pdf(o.draft_proposal, "予算書.pdf", by=u["owner"])
    o.project = ProjectFactory(title="親子のひろば", lead_group=o.group_a, department=o.other_department)
    o.hidden_project = ProjectFactory(
        title="非公開の事業", lead_group=o.group_a, department=o.other_department, is_public=False
    )
    o.own_project = ProjectFactory(title="自課の協働事業", lead_group=o.group_b, department=o.own_department)
    defaults = project_services.agreement_defaults(o.project)
    Agreement.objects.create(
        project=o.project,
        **{key: value for key, value in defaults.items() if key in {f.name for f in Agreement._meta.fields}}
        | {
            "purpose": "目的",
            "group_role": "団体",
            "department_role": "市",
            "method": "方法",
            "cost_sharing": "費用",
            "responsibility": "責任",
            "period_start": today,
            "period_end": today + dt.timedelta(days=300),
        },
    )

    # --- matching ----------------------------------------------------------------------------
    o.business_person = business_person
    o.business = BusinessFactory(name="みらい印刷", name_kana="みらいいんさつ", members=[business_person])
    o.pending_business = BusinessFactory(
        pending=True, name="審査待ち商事", name_kana="しんさまちしょうじ", members=[business_person]
    )
    o.need = NeedFactory(group=o.group_a, title="チラシを作りたい")
    o.closed_need = NeedFactory(group=o.group_a, title="終わったニーズ", closed=True)
    o.offer = OfferFactory(group=o.group_a, title="会場を貸せます")
    o.closed_offer = OfferFactory(group=o.group_a, title="終わった提供", closed=True)
    o.match = matching_services.match_create(party_a=o.group_a, party_b=o.business, created_by=u["staff"])

    # --- consultations -----------------------------------------------------------------------
    o.consultation = ConsultationFactory(group=o.group_a, staff=u["staff"])
    o.referral = ReferralFactory(consultation=o.consultation, department=o.own_department)
    o.follow_up = FollowUpFactory(consultation=o.consultation, owner=u["staff"])

    # --- spaces ------------------------------------------------------------------------------
    from spaces.models import Booking, Resource
    from tests.spaces.factories import BookingFactory, MachineFactory, RoomFactory

    o.room = RoomFactory(name="会議室T", venue_keyword="会議室T")
    week_later = timezone.localdate() + dt.timedelta(days=10)
    starts = timezone.make_aware(dt.datetime.combine(week_later, dt.time(18)))
    o.booking_a = BookingFactory(resource=o.room, group=o.group_a, booked_by=u["owner"], starts_at=starts)
    o.pending_booking = BookingFactory(
        resource=o.room,
        group=o.group_b,
        starts_at=starts + dt.timedelta(hours=1),
        status=Booking.Status.PENDING,
    )
    o.started_booking = BookingFactory(
        resource=o.room, group=o.group_a, starts_at=timezone.now() - dt.timedelta(minutes=30)
    )
    o.printer = MachineFactory()
    assert o.printer.kind == Resource.Kind.MACHINE

    # --- reports -----------------------------------------------------------------------------
    # --- info --------------------------------------------------------------------------------
    from info import services as info_services

    grant_fields = {"provider": "みらい市", "summary": "内容", "user": u["staff"]}
    o.grant_own = info_services.grant_create(
        title="自課の助成金", department=o.own_department, **grant_fields
    )
    o.grant_other = info_services.grant_create(
        title="他課の助成金", department=o.other_department, **grant_fields
    )
    o.grant_hidden = info_services.grant_create(title="非公開の助成金", is_published=False, **grant_fields)
    o.saved_search = info_services.saved_search_create(
        user=u["owner"], kind="groups", name="子育て", query="q=子育て", frequency="weekly"
    )
    o.unsubscribe_token = info_services.unsubscribe_token(u["owner"])
    from info import newsletter
    from info.models import Flyer, FlyerStatus, IssueStatus, NewsletterIssue, Subscriber

    pending_subscriber = Subscriber.objects.create(email="reader@example.jp")
    active_subscriber = Subscriber.objects.create(email="reader2@example.jp", status="active")
    o.issue_sent = NewsletterIssue.objects.create(
        number=1, title="市民活動通信 第1号", status=IssueStatus.SENT, sent_at=timezone.now()
    )
    o.issue_draft = NewsletterIssue.objects.create(number=2, title="市民活動通信 第2号")
    o.newsletter_confirm_token = newsletter.confirm_url(pending_subscriber).rstrip("/").rsplit("/", 1)[-1]
    o.newsletter_unsubscribe_token = (
        newsletter.unsubscribe_url(active_subscriber).rstrip("/").rsplit("/", 1)[-1]
    )

    flyer_fields = {"group": o.group_a, "alt_text": "夏祭りのお知らせ", "content_type": "application/pdf"}
    o.flyer_shown = Flyer.objects.create(
        title="掲示中のチラシ",
        status=FlyerStatus.APPROVED,
        display_from=today - dt.timedelta(days=1),
        display_until=today + dt.timedelta(days=30),
        file="flyers/trust-shown.pdf",
        thumbnail="flyers/thumbs/trust-shown.png",
        **flyer_fields,
    )
    o.flyer_pending = Flyer.objects.create(
        title="確認待ちのチラシ",
        display_from=today,
        display_until=today + dt.timedelta(days=30),
        file="flyers/trust-pending.pdf",
        thumbnail="flyers/thumbs/trust-pending.png",
        **flyer_fields,
    )

    o.done_report = ReportFactory(done=True, pdf="")
    o.done_report.pdf.save(f"reports/trust-{o.done_report.pk}.pdf", ContentFile(PDF_BYTES), save=True)
    o.failed_report = ReportFactory(failed=True, fiscal_year=2024)
    assert o.done_report.status == ReportStatus.DONE
    o.outcome = OutcomeRecordFactory()

    # --- the outbox ----------------------------------------------------------------------------
    from core.models import OutboxMessage

    o.failed_outbox_message = OutboxMessage.objects.create(
        kind="groups.approved",
        to=[u["owner"].email],
        subject="[テスト] 団体登録のお知らせ",
        body="本文",
        status=OutboxMessage.Status.FAILED,
        attempts=3,
        last_error="メールサーバーにつながりませんでした。",
    )
    return w


def restore_private_files(world: World) -> None:
    """Writes the world's attachments and report PDF again where their rows say they are."""
    from pathlib import Path

    flyers = (world.flyer_shown, world.flyer_pending)
    for field_file in (
        world.attachment.file,
        world.draft_attachment.file,
        world.done_report.pdf,
        *(flyer.file for flyer in flyers),
        *(flyer.thumbnail for flyer in flyers),
    ):
        path = Path(field_file.path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(PDF_BYTES)
