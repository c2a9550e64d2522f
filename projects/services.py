"""Writes for the projects app. Views, admin actions, commands and seed data all call these."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.models import absolute_url
from core.outbox import outbox_enqueue, outbox_enqueue_template
from core.services import save_validated
from projects import workflow
from projects.models import (
    DEFAULT_CRITERIA,
    UNCALLED_KINDS,
    Agreement,
    Attachment,
    BudgetLine,
    Criterion,
    Decision,
    DecisionOutcome,
    ExternalReviewer,
    MidtermReview,
    MutualEvaluation,
    Partner,
    ProgressReport,
    Project,
    ProjectKind,
    ProjectStatus,
    Proposal,
    ProposalCall,
    ProposalStatus,
    ResolutionChoice,
    ResultsPresentation,
    Review,
    ReviewStage,
    Score,
    SideResolution,
    StaffNote,
    StageKind,
    StatusChange,
    SupportLog,
)
from projects.validators import validate_attachment

# --- Calls ------------------------------------------------------------------------------------


def _call_save(call: ProposalCall, *, fields: dict, reviewer_departments, reviewer_staff) -> None:
    """Sets the call's fields (its kinds checked), then validates and saves it with its reviewers
    (None leaves them as they are). A name that is not a field of the call is refused."""
    unknown = set(fields) - {field.name for field in ProposalCall._meta.concrete_fields}
    if unknown:
        raise TypeError(f"not fields of a call: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(call, name, value)
    if "kinds" in fields:
        call.kinds = list(fields["kinds"])
        _validate_kinds(call.kinds)
    save_validated(call, reviewer_departments=reviewer_departments, reviewer_staff=reviewer_staff)


@transaction.atomic
def call_create(
    *,
    kinds: Iterable[str],
    with_presentation: bool = False,
    reviewer_departments: Iterable = (),
    reviewer_staff: Iterable = (),
    **fields,
) -> ProposalCall:
    """A call of the given fields (title, fiscal_year, opens_on and closes_on at least; the others
    have the model's defaults) with its stages (書類審査, and 公開プレゼンテーション審査 if asked),
    each with the default rubric."""
    call = ProposalCall()
    _call_save(
        call,
        fields={**fields, "kinds": kinds},
        reviewer_departments=reviewer_departments,
        reviewer_staff=reviewer_staff,
    )
    stage_kinds = [StageKind.DOCUMENT] + ([StageKind.PRESENTATION] if with_presentation else [])
    for order, kind in enumerate(stage_kinds, start=1):
        stage_create(call=call, kind=kind, order=order)
    return call


def _validate_kinds(kinds: list[str]) -> None:
    if not kinds:
        raise ValidationError({"kinds": _("募集する事業の種類を1つ以上選んでください。")})
    unknown = set(kinds) - set(ProjectKind.values)
    if unknown:
        raise ValidationError({"kinds": _("事業の種類が正しくありません。")})


@transaction.atomic
def call_update(
    *,
    call: ProposalCall,
    with_presentation: bool | None = None,
    reviewer_departments=None,
    reviewer_staff=None,
    **fields,
) -> ProposalCall:
    _call_save(call, fields=fields, reviewer_departments=reviewer_departments, reviewer_staff=reviewer_staff)
    if with_presentation is not None:
        has = call.stages.filter(kind=StageKind.PRESENTATION).exists()
        if with_presentation and not has:
            stage_create(call=call, kind=StageKind.PRESENTATION, order=2)
        elif not with_presentation and has:
            stage = call.stages.get(kind=StageKind.PRESENTATION)
            if stage.reviews.exists() or Proposal.objects.filter(current_stage=stage).exists():
                raise ValidationError(_("公開プレゼンテーション審査はすでに始まっているため、なくせません。"))
            stage.delete()
    return call


def stage_create(
    *, call: ProposalCall, kind: str, order: int, with_default_criteria: bool = True
) -> ReviewStage:
    stage = ReviewStage(call=call, kind=kind, order=order)
    stage.full_clean()
    stage.save()
    if with_default_criteria:
        Criterion.objects.bulk_create(
            Criterion(stage=stage, name=str(name), description=str(description), weight=weight, order=i)
            for i, (name, description, weight) in enumerate(DEFAULT_CRITERIA, start=1)
        )
    return stage


def criteria_editable(stage: ReviewStage) -> bool:
    """The rubric is fixed once a reviewer has scored against it."""
    return not Score.objects.filter(criterion__stage=stage).exists()


# --- Proposals ---------------------------------------------------------------------------------


def _record_status(*, obj, from_status: str, to_status: str, by, note: str = "") -> StatusChange:
    kwargs = {"proposal": obj} if isinstance(obj, Proposal) else {"project": obj}
    return StatusChange.objects.create(
        from_status=from_status, to_status=to_status, changed_by=by, note=note, **kwargs
    )


def _move_proposal(proposal: Proposal, to_status: str, *, by, note: str = "") -> None:
    workflow.PROPOSAL_WORKFLOW.apply(proposal.status, to_status)
    from_status = proposal.status
    proposal.status = to_status
    proposal.save()
    _record_status(obj=proposal, from_status=from_status, to_status=to_status, by=by, note=note)


_notifications_muted: ContextVar[bool] = ContextVar("projects_notifications_muted", default=False)


@contextmanager
def notifications_muted():
    """Demo data and imports: the same services, without e-mailing anyone."""
    token = _notifications_muted.set(True)
    try:
        yield
    finally:
        _notifications_muted.reset(token)


# Subjects of the e-mails to the proposer, by kind.
NOTIFICATION_SUBJECTS = {
    "proposal_submitted": gettext_lazy("協働事業の提案を受け付けました"),
    "proposal_review_started": gettext_lazy("提案の審査が始まりました"),
    "proposal_stage_advanced": gettext_lazy("提案が次の審査に進みました"),
    "proposal_decided": gettext_lazy("提案の審査結果をお知らせします"),
    "project_status_changed": gettext_lazy("協働事業の状況が変わりました"),
}


def _notify(kind: str, proposal_id: int | None = None, project_id: int | None = None) -> None:
    """E-mails the proposer through the outbox (sent once the transaction commits)."""
    from projects.selectors import latest_decision

    if _notifications_muted.get():
        return
    project = None
    if project_id:
        project = Project.objects.select_related("proposal__created_by", "proposal__call").get(pk=project_id)
        proposal = project.proposal
    else:
        proposal = (
            Proposal.objects.select_related("call", "group", "created_by", "current_stage")
            .prefetch_related("decisions")
            .get(pk=proposal_id)
        )
    if proposal is None or not proposal.created_by.email:
        return
    context = {
        "proposal": proposal,
        "project": project,
        "decision": latest_decision(proposal),
        "proposal_url": absolute_url(reverse("projects:proposal_detail", args=[proposal.pk])),
        "project_url": absolute_url(reverse("projects:workspace", args=[project.pk])) if project else "",
        "center_name": settings.CENTER_NAME,
        "center_email": settings.CENTER_EMAIL,
        "center_phone": settings.CENTER_PHONE,
    }
    with translation.override("ja"):
        outbox_enqueue(
            to=[proposal.created_by.email],
            subject=str(NOTIFICATION_SUBJECTS[kind]),
            body=render_to_string(f"projects/email/{kind}.txt", context),
            kind=f"projects.{kind}",
            related=project or proposal,
        )


@transaction.atomic
def proposal_create(*, call: ProposalCall, group, created_by, title: str, kind: str, **fields) -> Proposal:
    """A draft proposal by a member of an approved (登録) group."""
    from groups.models import GroupStatus

    if group.status != GroupStatus.APPROVED:
        raise ValidationError(
            _("登録済みの団体だけが提案できます。団体の登録が承認されてから提案してください。")
        )
    if not group.memberships.filter(user=created_by).exists():
        raise PermissionDenied
    if kind not in call.kinds:
        raise ValidationError({"kind": _("この募集では選べない事業の種類です。")})
    themes = fields.pop("themes", None)
    proposal = Proposal(call=call, group=group, created_by=created_by, title=title, kind=kind, **fields)
    return save_validated(proposal, themes=themes)


@transaction.atomic
def proposal_update(*, proposal: Proposal, **fields) -> Proposal:
    if not proposal.is_editable:
        raise ValidationError(_("提出した提案は編集できません。差戻しになったときに編集できます。"))
    themes = fields.pop("themes", None)
    for name, value in fields.items():
        setattr(proposal, name, value)
    if proposal.kind not in proposal.call.kinds:
        raise ValidationError({"kind": _("この募集では選べない事業の種類です。")})
    return save_validated(proposal, themes=themes)


def proposal_missing_items(proposal: Proposal) -> list[str]:
    """What must be filled before submitting: the summary and the eight items of the 6W2H plan."""
    missing = [str(Proposal._meta.get_field("summary").verbose_name)] if not proposal.summary.strip() else []
    missing += [str(label) for label, text in proposal.plan_items() if not text.strip()]
    if not proposal.budget_lines.exists():
        missing.append(_("予算（1行以上）"))
    return missing


def _japanese_date(day: dt.date) -> str:
    from django.utils.formats import date_format

    return date_format(day, _("Y年n月j日"))


@transaction.atomic
def proposal_submit(*, proposal: Proposal, by, now: dt.datetime | None = None) -> Proposal:
    """提出: refused after 23:59:59 JST of the call's last day, and while items are missing.

    A proposal returned for revision (差戻し) may be resubmitted after the deadline.
    """
    now = now or timezone.now()
    Proposal.objects.select_for_update().filter(pk=proposal.pk).first()  # one submission at a time
    proposal.refresh_from_db()
    call = proposal.call
    if proposal.status == ProposalStatus.DRAFT:
        if now < call.opens_at:
            raise ValidationError(
                _("この募集はまだ受付を始めていません（受付開始: %(date)s）。")
                % {"date": _japanese_date(call.opens_on)}
            )
        if now > call.deadline:
            raise ValidationError(
                _("締切（%(date)s 23時59分）を過ぎたため、提出できません。センターにご相談ください。")
                % {"date": _japanese_date(call.closes_on)}
            )
    missing = proposal_missing_items(proposal)
    if missing:
        raise ValidationError(
            _("次の項目を入力してから提出してください: %(items)s") % {"items": "、".join(missing)}
        )
    resubmitted = proposal.status == ProposalStatus.RETURNED
    new_round = resubmitted and (
        Review.objects.filter(proposal=proposal, round=proposal.review_round).exists()
        or SideResolution.objects.filter(proposal=proposal, round=proposal.review_round).exists()
    )
    if new_round:
        # The revised proposal is reviewed afresh: the last round's scores are kept for reading
        # but never count again (completeness, totals, ranking, decisions).
        proposal.review_round += 1
    note = _("第%(number)s回審査のための再提出") % {"number": proposal.review_round} if new_round else ""
    _move_proposal(proposal, ProposalStatus.SUBMITTED, by=by, note=note)
    proposal.submitted_at = now
    proposal.current_stage = None
    proposal.save(update_fields=["submitted_at", "current_stage", "review_round", "updated_at"])
    _notify("proposal_submitted", proposal_id=proposal.pk)
    return proposal


@transaction.atomic
def proposal_review_start(*, proposal: Proposal, by) -> Proposal:
    """審査開始: the proposal enters its call's first stage."""
    stage = proposal.call.stages.order_by("order", "id").first()
    if stage is None:
        raise ValidationError(_("この募集には審査段階がありません。"))
    note = stage.get_kind_display()
    if proposal.review_round > 1:
        note = _("%(stage)s（第%(number)s回審査）") % {"stage": note, "number": proposal.review_round}
    _move_proposal(proposal, ProposalStatus.UNDER_REVIEW, by=by, note=note)
    proposal.current_stage = stage
    proposal.save(update_fields=["current_stage", "updated_at"])
    _notify("proposal_review_started", proposal_id=proposal.pk)
    _ask_reviewers(proposal)
    return proposal


@transaction.atomic
def proposal_advance_stage(*, proposal: Proposal, by) -> Proposal:
    """Moves a proposal under review on to the next stage (e.g. 公開プレゼンテーション審査)."""
    if proposal.status != ProposalStatus.UNDER_REVIEW or proposal.current_stage is None:
        raise ValidationError(_("審査中の提案だけが次の審査に進めます。"))
    next_stage = (
        proposal.call.stages.filter(order__gt=proposal.current_stage.order).order_by("order", "id").first()
    )
    if next_stage is None:
        raise ValidationError(_("次の審査段階はありません。"))
    proposal.current_stage = next_stage
    proposal.save(update_fields=["current_stage", "updated_at"])
    _record_status(
        obj=proposal,
        from_status=proposal.status,
        to_status=proposal.status,
        by=by,
        note=next_stage.get_kind_display(),
    )
    _notify("proposal_stage_advanced", proposal_id=proposal.pk)
    _ask_reviewers(proposal)
    return proposal


@transaction.atomic
def proposal_decide(
    *,
    proposal: Proposal,
    by,
    outcome: str,
    reason: str,
    department=None,
    form: str = "",
) -> Decision:
    """採択 / 不採択 / 差戻し with a reason. Adoption creates the project."""
    if not reason.strip():
        raise ValidationError({"reason": _("決定の理由を入力してください。提案者に伝わります。")})
    if outcome not in DecisionOutcome.values:
        raise ValidationError({"outcome": _("決定の内容を選んでください。")})
    if outcome in (ProposalStatus.ADOPTED, ProposalStatus.REJECTED):
        _ensure_scored(proposal)
    _move_proposal(proposal, outcome, by=by, note=reason)
    if outcome == ProposalStatus.RETURNED:
        proposal.current_stage = None
        proposal.save(update_fields=["current_stage", "updated_at"])
    decision = Decision(proposal=proposal, outcome=outcome, reason=reason, decided_by=by)
    decision.full_clean()
    decision.save()
    if outcome == ProposalStatus.ADOPTED:
        project_create_from_proposal(proposal=proposal, by=by, department=department, form=form)
    _notify("proposal_decided", proposal_id=proposal.pk)
    return decision


def _ensure_scored(proposal: Proposal) -> None:
    """採択・不採択 rest on a total of the current round's scores at the current stage: never on
    the scores given to an earlier version (a round before a 差戻し), never on unfinished ones."""
    from projects.selectors import current_stage_result

    if proposal.status != ProposalStatus.UNDER_REVIEW or proposal.current_stage_id is None:
        return  # the workflow refuses the move with its own message
    result = current_stage_result(proposal)
    if result is None or result.total is None:
        raise ValidationError(
            {
                "outcome": _(
                    "第%(number)s回審査の合計点がまだ出ていないため、採択・不採択は決められません"
                    "（差戻しはできます）。審査の状況を確認してください。"
                )
                % {"number": proposal.review_round}
            }
        )


def _reviewer_context(proposal: Proposal) -> dict:
    deadline = proposal.call.review_deadline
    return {
        "proposal": proposal,
        "stage_label": proposal.current_stage.get_kind_display() if proposal.current_stage else "",
        "round": proposal.review_round,
        "deadline": _japanese_date(deadline) if deadline else "",
        "review_url": absolute_url(reverse("projects:review", args=[proposal.pk])),
        "list_url": absolute_url(reverse("projects:my_reviews")),
    }


def _ask_reviewers(proposal: Proposal, *, only=None) -> None:
    """E-mails each reviewer of the proposal's current stage and round (or `only` these users):
    what to review and by when."""
    from core.models import User
    from projects.selectors import proposal_reviewer_sides

    if _notifications_muted.get():
        return
    ids = proposal_reviewer_sides(proposal) if only is None else [user.pk for user in only]
    context = _reviewer_context(proposal)
    for reviewer in User.objects.filter(pk__in=ids, is_active=True).order_by("pk"):
        if not reviewer.email:
            continue
        with translation.override("ja"):
            outbox_enqueue_template(
                to=[reviewer.email],
                template="projects/email/review_requested",
                context={**context, "reviewer": reviewer},
                kind="projects.review_requested",
                related=proposal,
            )


@transaction.atomic
def side_resolution_record(
    *, proposal: Proposal, side: str, choice: str, by, substitute=None
) -> SideResolution:
    """Staff decide what stands when a side of a split call has no reviewer left (all declared
    conflicts): a substitute reviewer for that side, or the remaining side's average as the total.
    Recorded with who and when; a substitute is asked to review by e-mail."""
    from projects.selectors import current_stage_result, substitute_candidates

    Proposal.objects.select_for_update().filter(pk=proposal.pk).first()
    proposal.refresh_from_db()
    if proposal.status != ProposalStatus.UNDER_REVIEW or proposal.current_stage_id is None:
        raise ValidationError(_("審査中の提案だけについて決められます。"))
    result = current_stage_result(proposal)
    if result is None or side not in result.missing_sides:
        raise ValidationError(_("この側には採点できる審査員がいます。決める必要はありません。"))
    if choice == ResolutionChoice.SUBSTITUTE:
        if substitute is None:
            raise ValidationError({"substitute": _("代わりの審査員を選んでください。")})
        if not substitute_candidates(proposal).filter(pk=substitute.pk).exists():
            raise ValidationError(
                {
                    "substitute": _(
                        "この方は代わりの審査員にできません（すでに審査員か、提案団体のメンバーです）。"
                    )
                }
            )
    elif choice == ResolutionChoice.REMAINING_SIDE:
        if len(result.missing_sides) > 1:
            raise ValidationError(
                _("どちらの側にも採点できる審査員がいないため、代わりの審査員を指名してください。")
            )
        substitute = None
    else:
        raise ValidationError({"choice": _("どうするかを選んでください。")})
    resolution = SideResolution(
        proposal=proposal,
        stage_id=proposal.current_stage_id,
        round=proposal.review_round,
        side=side,
        choice=choice,
        substitute=substitute,
        decided_by=by,
    )
    save_validated(resolution)
    if substitute is not None:
        _ask_reviewers(proposal, only=[substitute])
    return resolution


# --- External 審査委員 ------------------------------------------------------------------------------

INVITATION_SALT = "projects.external-reviewer-invitation"


def external_reviewer_token(invitation: ExternalReviewer) -> str:
    return signing.dumps({"invitation": invitation.pk, "email": invitation.email}, salt=INVITATION_SALT)


def external_reviewer_from_token(token: str) -> ExternalReviewer:
    """The invitation a signed link names; ValidationError when the link is wrong or too old."""
    try:
        data = signing.loads(
            token, salt=INVITATION_SALT, max_age=dt.timedelta(days=ExternalReviewer.VALID_DAYS)
        )
        return ExternalReviewer.objects.select_related("call", "invited_by", "user").get(
            pk=data["invitation"], email=data["email"]
        )
    except signing.SignatureExpired:
        raise ValidationError(
            _("招待のリンクの有効期限（%(days)s日）が切れています。センターに再度の招待を依頼してください。")
            % {"days": ExternalReviewer.VALID_DAYS}
        ) from None
    except (signing.BadSignature, KeyError, TypeError, ExternalReviewer.DoesNotExist):
        raise ValidationError(_("招待のリンクが正しくありません。")) from None


@transaction.atomic
def external_reviewer_invite(
    *, call: ProposalCall, email: str, full_name: str, by, side: str = "center", affiliation: str = ""
) -> ExternalReviewer:
    """Staff invite an external 審査委員 to review one call; the e-mail carries a signed link.

    Inviting the same address again sends a new link (the old one still works until it expires).
    """
    from core.models import User

    email = User.objects.normalize_email(email.strip()).lower()
    invitation = ExternalReviewer.objects.filter(call=call, email=email).first() or ExternalReviewer(
        call=call, email=email
    )
    if invitation.is_accepted:
        raise ValidationError({"email": _("この方はすでにこの募集の審査委員です。")})
    invitation.full_name = full_name.strip()
    invitation.affiliation = affiliation.strip()
    invitation.side = side
    invitation.invited_by = by
    invitation.invited_at = timezone.now()
    invitation.full_clean()
    invitation.save()
    if _notifications_muted.get():
        return invitation
    with translation.override("ja"):
        outbox_enqueue_template(
            to=[email],
            template="projects/email/reviewer_invitation",
            context={
                "invitation": invitation,
                "call": call,
                "days": ExternalReviewer.VALID_DAYS,
                "accept_url": absolute_url(
                    reverse("projects:reviewer_invitation", args=[external_reviewer_token(invitation)])
                ),
                "deadline": _japanese_date(call.review_deadline) if call.review_deadline else "",
            },
            kind="projects.reviewer_invitation",
            related=call,
        )
    return invitation


def invitation_is_for(invitation: ExternalReviewer, user) -> bool:
    """Whether the signed-in person owns the invited address (login address or a verified one)."""
    from allauth.account.models import EmailAddress

    if user.email.lower() == invitation.email.lower():
        return True
    return EmailAddress.objects.filter(user=user, email__iexact=invitation.email, verified=True).exists()


@transaction.atomic
def external_reviewer_accept(*, token: str, user) -> ExternalReviewer:
    """The invited person, signed in with the invited address, becomes a 審査委員 of the call."""
    from django.contrib.auth.models import Group as RoleGroup

    from core.roles import Role

    invitation = external_reviewer_from_token(token)
    invitation = ExternalReviewer.objects.select_for_update().select_related("call").get(pk=invitation.pk)
    if invitation.is_accepted:
        if invitation.user_id == user.pk:
            return invitation
        raise ValidationError(_("この招待はすでに承諾されています。"))
    if not invitation_is_for(invitation, user):
        # A forwarded link must not make someone else a reviewer.
        raise ValidationError(
            _(
                "この招待は %(invited)s あてです。ログイン中のアカウント（%(current)s）では承諾できません。"
                "招待されたアドレスのアカウントでログインしてから、もう一度リンクを開いてください。"
            )
            % {"invited": invitation.email, "current": user.email}
        )
    invitation.user = user
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["user", "accepted_at"])
    user.groups.add(RoleGroup.objects.get_or_create(name=Role.REVIEWER)[0])
    for cached in ("_kyodo_role_names", "_projects_call_ids"):
        if hasattr(user, cached):
            delattr(user, cached)
    return invitation


# --- Budget, partners, attachments ------------------------------------------------------------------


def _ensure_editable(proposal: Proposal) -> None:
    if not proposal.is_editable:
        raise ValidationError(_("提出した提案は編集できません。"))


@transaction.atomic
def attachment_add(*, proposal: Proposal, upload, by) -> Attachment:
    _ensure_editable(proposal)
    content_type = validate_attachment(upload)
    attachment = Attachment(
        proposal=proposal,
        original_name=upload.name[:255],
        content_type=content_type,
        size=upload.size,
        uploaded_by=by,
    )
    field = attachment.file.field
    storage = attachment.file.storage
    name = storage.get_available_name(
        field.generate_filename(attachment, upload.name), max_length=field.max_length
    )
    try:
        attachment.file.name = storage.save(name, upload, max_length=field.max_length)
    except OSError as exc:
        # A full disk leaves a partly written file: remove it and say so plainly.
        storage.delete(name)
        raise ValidationError(
            _(
                "ファイルを保存できませんでした（保存先の空き容量が足りません）。時間をおいてもう一度お試しください。"
            ),
            code="disk_full",
        ) from exc
    try:
        attachment.save()
    except Exception:
        storage.delete(attachment.file.name)
        raise
    return attachment


@transaction.atomic
def attachment_delete(*, attachment: Attachment) -> None:
    _ensure_editable(attachment.proposal)
    storage, name = attachment.file.storage, attachment.file.name
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(name))


def budget_line_save(*, line: BudgetLine) -> BudgetLine:
    _ensure_editable(line.proposal)
    line.full_clean()
    line.save()
    return line


def partner_save(*, partner: Partner) -> Partner:
    if partner.proposal_id:
        _ensure_editable(partner.proposal)
    sector_by_party = [("group", "group"), ("business", "business"), ("department", "public")]
    partner.sector = next(
        (sector for field, sector in sector_by_party if getattr(partner, f"{field}_id")), "other"
    )
    partner.full_clean()
    partner.save()
    return partner


# --- Reviews -----------------------------------------------------------------------------------


def _review_for(*, proposal: Proposal, reviewer) -> Review:
    """The reviewer's review of the proposal at its current stage, in its current round."""
    from projects.selectors import proposal_reviewer_sides

    if proposal.status != ProposalStatus.UNDER_REVIEW or proposal.current_stage_id is None:
        raise ValidationError(_("この提案は審査中ではありません。"))
    sides = proposal_reviewer_sides(proposal)
    if reviewer.pk not in sides:
        raise PermissionDenied
    review, _created = Review.objects.select_for_update().get_or_create(
        proposal=proposal,
        stage_id=proposal.current_stage_id,
        reviewer=reviewer,
        round=proposal.review_round,
        defaults={"side": sides[reviewer.pk]},
    )
    return review


@transaction.atomic
def review_declare_conflict(*, proposal: Proposal, reviewer, reason: str) -> Review:
    """利害関係の申告: the reviewer then cannot score this proposal (at this stage)."""
    if not reason.strip():
        raise ValidationError(
            {"conflict_reason": _("利害関係の内容を入力してください（例: 提案団体の役員を務めている）。")}
        )
    review = _review_for(proposal=proposal, reviewer=reviewer)
    if review.submitted_at:
        raise ValidationError(_("審査を終えた後は利害関係を申告できません。センターにご連絡ください。"))
    review.scores.all().delete()
    review.conflict_of_interest = True
    review.conflict_reason = reason
    review.recommendation = ""
    review.full_clean()
    review.save()
    return review


@transaction.atomic
def review_save(
    *,
    proposal: Proposal,
    reviewer,
    scores: dict[int, tuple[int, str]],
    recommendation: str = "",
    comment: str = "",
    submit: bool = False,
) -> Review:
    """Saves a reviewer's scores (criterion id → (1-5, comment)); `submit` finishes the review.

    Refused when the reviewer declared a conflict of interest, and after the review is finished.
    """
    review = _review_for(proposal=proposal, reviewer=reviewer)
    if review.conflict_of_interest:
        raise ValidationError(_("利害関係を申告しているため、この提案は採点できません。"))
    if review.submitted_at:
        raise ValidationError(_("この審査はすでに完了しています。"))
    criteria = {c.pk: c for c in proposal.current_stage.criteria.all()}
    unknown = set(scores) - set(criteria)
    if unknown:
        raise ValidationError(_("この審査段階にない評価項目です。"))
    if submit:
        missing = [criteria[pk].name for pk in criteria if pk not in scores]
        if missing:
            raise ValidationError(
                _("すべての評価項目を採点してください（未採点: %(items)s）。") % {"items": "、".join(missing)}
            )
        if not recommendation:
            raise ValidationError({"recommendation": _("総合所見を選んでください。")})
    existing = {score.criterion_id: score for score in review.scores.all()}
    for criterion_id, (value, score_comment) in scores.items():
        score = existing.get(criterion_id) or Score(review=review, criterion_id=criterion_id)
        score.score = value
        score.comment = score_comment
        score.full_clean()
        score.save()
    review.recommendation = recommendation
    review.comment = comment
    if submit:
        review.submitted_at = timezone.now()
    review.full_clean()
    review.save()
    return review


# --- Projects ------------------------------------------------------------------------------------

# In which states each record of a project may be written (the pages offer the links accordingly).
OPEN_FOR: dict[str, tuple[str, ...]] = {
    "agreement": (ProjectStatus.PREPARING, ProjectStatus.AGREED),
    "progress": (ProjectStatus.AGREED, ProjectStatus.RUNNING, ProjectStatus.EVALUATING),
    "midterm": (ProjectStatus.RUNNING, ProjectStatus.EVALUATING),
    "evaluation": (ProjectStatus.RUNNING, ProjectStatus.EVALUATING),
    "presentation": (ProjectStatus.RUNNING, ProjectStatus.EVALUATING, ProjectStatus.DONE),
}


def open_records(project: Project) -> set[str]:
    """The records that can be written now, e.g. {"progress", "midterm"}."""
    return {name for name, statuses in OPEN_FOR.items() if project.status in statuses}


def _require_open(project: Project, record: str, refusal: str) -> None:
    """Refuses writing `record` while the project's status is not one of OPEN_FOR[record]."""
    if project.status not in OPEN_FOR[record]:
        raise ValidationError(refusal)


def _revise(instance, fields: dict, **written_by):
    """Sets the fields and who wrote them, then validates and saves (a first version or a revision)."""
    for name, value in {**fields, **written_by}.items():
        setattr(instance, name, value)
    return save_validated(instance)


def _copied_to_project(partner: Partner, *, project: Project) -> Partner:
    """A new row with the proposal's partner's fields, on the project instead of the proposal."""
    partner.pk, partner.proposal, partner.project = None, None, project
    partner._state.adding = True
    return partner


def _copy_plan(source, target) -> None:
    for name in source.PLAN_FIELDS:
        setattr(target, name, getattr(source, name))


@transaction.atomic
def project_create_from_proposal(*, proposal: Proposal, by, department=None, form: str = "") -> Project:
    """An adopted proposal becomes a project with its partners, themes and plan."""
    if proposal.status != ProposalStatus.ADOPTED:
        raise ValidationError(_("採択された提案だけが協働事業になります。"))
    if Project.objects.filter(proposal=proposal).exists():
        return proposal.project
    project = Project(
        title=proposal.title,
        kind=proposal.kind,
        form=form,
        proposal=proposal,
        lead_group=proposal.group,
        department=department or proposal.desired_department,
        summary=proposal.summary,
        fiscal_year=proposal.call.fiscal_year,
        registered_by=by,
        status=ProjectStatus.PREPARING,
    )
    _copy_plan(proposal, project)
    project.full_clean()
    project.save()
    project.themes.set(proposal.themes.all())
    Partner.objects.bulk_create(
        _copied_to_project(partner, project=project) for partner in proposal.partners.all()
    )
    _record_status(
        obj=project, from_status="", to_status=project.status, by=by, note=_("提案の採択により登録")
    )
    return project


@transaction.atomic
def project_register(*, kind: str, by, themes: Iterable = (), **fields) -> Project:
    """プロジェクト登録 / プロジェクト支援: registered by staff without a call, running from the start
    (title, lead_group and fiscal_year at least; the other fields and the plan as given)."""
    if kind not in UNCALLED_KINDS:
        raise ValidationError(
            {"kind": _("募集を通さずに登録できるのは、プロジェクト登録とプロジェクト支援です。")}
        )
    project = Project(kind=kind, registered_by=by, status=ProjectStatus.RUNNING, **fields)
    save_validated(project, themes=themes)
    _record_status(obj=project, from_status="", to_status=project.status, by=by, note=_("職員が登録"))
    return project


@transaction.atomic
def project_update(*, project: Project, **fields) -> Project:
    themes = fields.pop("themes", None)
    for name, value in fields.items():
        setattr(project, name, value)
    return save_validated(project, themes=themes)


def project_transition_problems(project: Project, to_status: str) -> list[str]:
    """Why a change the life cycle allows cannot happen yet (empty when it can)."""
    problems = []
    if to_status == ProjectStatus.AGREED:
        agreement = Agreement.objects.filter(project=project).first()
        if agreement is None or agreement.signed_on is None:
            problems.append(_("協働協定書を作成し、締結日を入力してください。"))
    if (
        to_status == ProjectStatus.RUNNING
        and project.status == ProjectStatus.PREPARING
        and project.needs_agreement
    ):
        problems.append(_("提案から生まれた協働事業は、協定を締結してから実施に移ります。"))
    if to_status == ProjectStatus.DONE and project.needs_agreement:
        sides = set(project.evaluations.values_list("side", flat=True))
        if {"group", "department"} - sides:
            problems.append(_("団体と担当課の両方の相互評価を記録してから完了にしてください。"))
    return problems


@transaction.atomic
def project_transition(*, project: Project, to_status: str, by, note: str = "") -> Project:
    """The one place a project's status changes; every change is recorded (who, when)."""
    Project.objects.select_for_update().filter(pk=project.pk).first()
    project.refresh_from_db()
    workflow.PROJECT_WORKFLOW.apply(project.status, to_status)
    problems = project_transition_problems(project, to_status)
    if problems:
        raise ValidationError(problems)
    from_status = project.status
    project.status = to_status
    if to_status == ProjectStatus.RUNNING and project.starts_on is None:
        project.starts_on = timezone.localdate()
    if to_status == ProjectStatus.DONE and project.ends_on is None:
        project.ends_on = timezone.localdate()
    project.save()
    _record_status(obj=project, from_status=from_status, to_status=to_status, by=by, note=note)
    if project.proposal_id:
        _notify("project_status_changed", project_id=project.pk)
    return project


@transaction.atomic
def agreement_save(*, project: Project, by, **fields) -> Agreement:
    """協働協定書: staff write and revise it; once the project has moved past 協定締結 it is fixed."""
    _require_open(project, "agreement", _("実施が始まった後は協定書を変更できません。"))
    agreement = Agreement.objects.filter(project=project).first() or Agreement(project=project)
    return _revise(agreement, fields, updated_by=by)


def agreement_defaults(project: Project) -> dict:
    """A first draft of the agreement from the project's plan."""
    start = project.starts_on or dt.date(project.fiscal_year, 4, 1)
    end = project.ends_on or dt.date(project.fiscal_year + 1, 3, 31)
    return {
        "purpose": project.summary or project.plan_why,
        "group_role": project.plan_who,
        "department_role": "",
        "center_role": _("事業の進行管理、中間ふりかえりと相互評価の進行、関係者のつなぎ役"),
        "method": project.plan_how,
        "responsibility": _(
            "本事業の実施に伴う事故等については、乙が加入する保険で対応するとともに、甲乙協議のうえ誠意をもって対応する。"
        ),
        "cost_sharing": project.plan_how_much,
        "period_start": start,
        "period_end": end,
    }


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def agreement_articles(agreement: Agreement, project: Project, partners: list[Partner]) -> list[tuple]:
    """The articles of the agreement in order: (heading, paragraphs, numbered items)."""
    from core.fiscal import wareki_date

    roles = [
        _("甲の役割: %(text)s") % {"text": " ".join(_lines(agreement.department_role))},
        _("乙の役割: %(text)s") % {"text": " ".join(_lines(agreement.group_role))},
    ]
    if agreement.center_role.strip():
        roles.append(
            _("甲及び乙は、%(center)sの支援を受けるものとし、その役割は次のとおりとする。%(text)s")
            % {"center": settings.CENTER_NAME, "text": " ".join(_lines(agreement.center_role))}
        )
    articles = [
        (
            _("目的"),
            [
                _("本協定は、本事業を甲乙の協働により実施するにあたり、必要な事項を定めることを目的とする。"),
                *_lines(agreement.purpose),
            ],
            [],
        ),
        (_("役割分担"), [_("甲及び乙は、対等な立場で互いの特性をいかし、次のとおり役割を分担する。")], roles),
        (_("実施方法"), _lines(agreement.method), []),
    ]
    if partners:
        articles.append(
            (
                _("協力者"),
                [_("本事業は、次の者の協力を得て実施する。")],
                [f"{p.display_name}{'（' + p.role + '）' if p.role else ''}" for p in partners],
            )
        )
    articles += [
        (_("責任の所在"), _lines(agreement.responsibility), []),
        (_("費用の負担"), _lines(agreement.cost_sharing), []),
        (
            _("協定期間"),
            [
                _("本協定の期間は、%(start)sから%(end)sまでとする。")
                % {"start": wareki_date(agreement.period_start), "end": wareki_date(agreement.period_end)}
            ],
            [],
        ),
        (
            _("情報の公開"),
            [
                _(
                    "甲及び乙は、本事業の内容、経過及び成果を、協働の6原則のうち公開の原則に基づき、市民に公開する。ただし、個人情報その他公開に適さない情報はこの限りでない。"
                )
            ],
            [],
        ),
        (
            _("評価"),
            [
                _(
                    "甲及び乙は、本事業の実施期間の中間にふりかえりを行い、事業終了後に相互評価を行って、その結果を次の取組にいかす。"
                )
            ],
            [],
        ),
    ]
    if agreement.other_terms.strip():
        articles.append((_("その他の取り決め"), _lines(agreement.other_terms), []))
    articles.append(
        (
            _("協議"),
            [
                _(
                    "本協定に定めのない事項又は本協定の解釈について疑義が生じたときは、甲乙協議の上、誠意をもって解決するものとする。"
                )
            ],
            [],
        )
    )
    return articles


def agreement_pdf(agreement: Agreement) -> bytes:
    """The agreement as a PDF, in the form of a Japanese agreement (第1条（目的）..., signatures)."""
    from core.pdf import render_pdf
    from projects.selectors import project_detail

    project = project_detail(agreement.project_id)
    partners = list(project.partners.all())
    return render_pdf(
        template_name="projects/pdf/agreement.html",
        context={
            "agreement": agreement,
            "project": project,
            "articles": agreement_articles(agreement, project, partners),
        },
        title=str(agreement),
    )


def _record(model, *, project: Project, by, **fields):
    return save_validated(model(project=project, author=by, **fields))


def progress_report_create(*, project: Project, by, **fields) -> ProgressReport:
    _require_open(project, "progress", _("進捗報告は、協定締結から評価までの間に記録できます。"))
    return _record(ProgressReport, project=project, by=by, **fields)


def staff_note_create(*, project: Project, by, body: str) -> StaffNote:
    return _record(StaffNote, project=project, by=by, body=body)


def midterm_review_create(*, project: Project, by, **fields) -> MidtermReview:
    _require_open(project, "midterm", _("中間ふりかえりは、実施中の協働事業について記録できます。"))
    return _record(MidtermReview, project=project, by=by, **fields)


@transaction.atomic
def mutual_evaluation_save(*, project: Project, side: str, by, **fields) -> MutualEvaluation:
    """相互評価: one per side (group, department); saving again revises it."""
    _require_open(project, "evaluation", _("相互評価は、実施中または評価中の協働事業について記録できます。"))
    evaluation = MutualEvaluation.objects.filter(project=project, side=side).first() or MutualEvaluation(
        project=project, side=side
    )
    return _revise(evaluation, fields, author=by)


def results_presentation_create(*, project: Project, by, **fields) -> ResultsPresentation:
    _require_open(
        project, "presentation", _("成果発表は、実施中・評価・完了の協働事業について記録できます。")
    )
    return _record(ResultsPresentation, project=project, by=by, **fields)


def support_log_create(*, project: Project, by, **fields) -> SupportLog:
    if project.kind not in UNCALLED_KINDS:
        raise ValidationError(_("支援記録は、プロジェクト登録・プロジェクト支援の事業について記録します。"))
    return _record(SupportLog, project=project, by=by, **fields)
