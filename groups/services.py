"""Writes for the group registry. Views, admin actions, tasks and the CSV importer call these."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.fiscal import current_fiscal_year, fiscal_year_of, fiscal_year_short_code
from core.models import Area, Theme, User, absolute_url
from core.outbox import outbox_enqueue
from core.permissions import may
from groups.models import (
    CORPORATE_LEGAL_FORMS,
    GROUP_WORKFLOW,
    Group,
    GroupAction,
    GroupInvitation,
    GroupMembership,
    GroupRenewal,
    GroupStatus,
    RegistrationCounter,
)
from groups.validators import validate_corporate_number, validate_postal_code

# Fields a draft may leave empty although a submitted application needs them.
DRAFT_OPTIONAL_FIELDS = ("name_kana", "legal_form")


# --- helpers --------------------------------------------------------------------------------------


def _require_action(group: Group, action: str) -> None:
    GROUP_WORKFLOW.apply(group.status, action)


def _set_status(group: Group, action: str) -> None:
    group.status = GROUP_WORKFLOW.apply(group.status, action)


def _by(group: Group, user: User | None, reason: str) -> None:
    """Who and why, for the change history (simple_history)."""
    group._history_user = user
    group._change_reason = reason[:100]


def _clean_reason(reason: str) -> str:
    """A reason (差戻し・休止・退会 …) as it will be stored and mailed: the model's checks of
    status_reason (no NUL or other control characters, a bounded length), under the form's field."""
    reason = reason.strip()
    try:
        Group._meta.get_field("status_reason").run_validators(reason)
    except ValidationError as exc:
        raise ValidationError({"reason": exc.messages}) from None
    return reason


def completeness_errors(group: Group, *, themes: Iterable | None = None) -> dict[str, list[str]]:
    """What an application must have before staff can review it (a draft may lack these)."""
    errors: dict[str, list[str]] = {}
    if not group.name_kana:
        errors["name_kana"] = [_("団体名のふりがなを入力してください。")]
    if not group.legal_form:
        errors["legal_form"] = [_("法人格・団体の種類を選んでください。")]
    if group.legal_form in CORPORATE_LEGAL_FORMS and not group.corporate_number:
        errors["corporate_number"] = [_("法人の場合は法人番号（13桁）を入力してください。")]
    if themes is not None and not list(themes):
        errors["themes"] = [_("活動分野を1つ以上選んでください。")]
    if not group.email and not group.phone:
        errors["email"] = [_("センターから連絡できるよう、メールアドレスか電話番号を入力してください。")]
    return errors


def _validate(group: Group, *, complete: bool, themes: Iterable | None = None) -> None:
    """Field checks always; completeness (with specific Japanese messages) unless it is a draft."""
    errors: dict[str, list[str]] = completeness_errors(group, themes=themes) if complete else {}
    exclude = [f for f in DRAFT_OPTIONAL_FIELDS if not getattr(group, f)]
    try:
        group.full_clean(exclude=exclude)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            if field not in errors:
                errors[field] = messages
    if group.corporate_number and "corporate_number" not in errors:
        try:
            validate_corporate_number(group.corporate_number)
        except ValidationError as exc:
            errors["corporate_number"] = exc.messages
    if group.postal_code and "postal_code" not in errors:
        try:
            validate_postal_code(group.postal_code)
        except ValidationError as exc:
            errors["postal_code"] = exc.messages
    if errors:
        raise ValidationError(errors)


def _set_m2m(group: Group, *, themes: Iterable[Theme] | None, areas: Iterable[Area] | None) -> None:
    # One history record per change: the m2m updates themselves record nothing; the save after
    # them snapshots the new themes and areas together with the fields.
    group.skip_history_when_saving = True
    try:
        if themes is not None:
            group.themes.set(themes)
        if areas is not None:
            group.areas.set(areas)
    finally:
        del group.skip_history_when_saving


def _owners_emails(group: Group) -> list[str]:
    return list(
        GroupMembership.objects.filter(group=group, user__is_active=True)
        .order_by("-role", "pk")
        .values_list("user__email", flat=True)
    )


def send_group_email(
    *, template: str, subject: str, to: list[str], context: dict, reply_to: str = ""
) -> bool:
    """Renders groups/email/<template>.txt into the outbox (sent after the transaction commits).
    False when there is no one to send it to (nothing queued)."""
    to = [address for address in to if address]
    if not to:
        return False
    body = render_to_string(
        f"groups/email/{template}.txt",
        {
            "center_name": settings.CENTER_NAME,
            "center_email": settings.CENTER_EMAIL,
            "center_phone": settings.CENTER_PHONE,
            **context,
        },
    )
    outbox_enqueue(
        to=to,
        subject=subject,
        body=body,
        kind=f"groups.{template}",
        reply_to=[reply_to] if reply_to else (),
        related=context.get("group"),
    )
    return True


# --- applying and editing --------------------------------------------------------------------------


@transaction.atomic
def group_create(
    *,
    owner: User,
    fields: dict,
    themes: Iterable[Theme] = (),
    areas: Iterable[Area] = (),
    submit: bool = False,
) -> Group:
    """団体登録申請: a new group owned by `owner`, saved as a draft or submitted for review."""
    themes, areas = list(themes), list(areas)
    group = Group(**fields, status=GroupStatus.DRAFT)
    _validate(group, complete=submit, themes=themes)
    if submit:
        group.status = GroupStatus.PENDING
        group.submitted_at = timezone.now()
    _by(group, owner, _("申請") if submit else _("下書き保存"))
    group.save()
    GroupMembership.objects.create(group=group, user=owner, role=GroupMembership.Role.OWNER)
    _set_m2m(group, themes=themes, areas=areas)
    _by(group, owner, _("活動分野・地域の設定"))
    group.save(update_fields=["updated_at"])
    if submit:
        _notify_submitted(group)
    return group


@transaction.atomic
def group_update(
    *,
    group: Group,
    user: User | None,
    fields: dict,
    themes: Iterable[Theme] | None = None,
    areas: Iterable[Area] | None = None,
    reason: str = "",
) -> Group:
    """Edits a group's details. For an approved group the change goes live at once; the history
    keeps who changed what, for staff."""
    if not group.is_editable_status:
        raise ValidationError(
            _("「%(status)s」の団体は編集できません。") % {"status": group.get_status_display()}
        )
    for name, value in fields.items():
        setattr(group, name, value)
    themes = list(themes) if themes is not None else None
    complete = group.status != GroupStatus.DRAFT
    _validate(group, complete=complete, themes=themes if themes is not None else group.themes.all())
    _set_m2m(group, themes=themes, areas=areas)
    _by(group, user, reason or _("内容の編集"))
    group.save()
    return group


@transaction.atomic
def group_submit(*, group: Group, user: User) -> Group:
    """A draft or returned application goes to the staff queue."""
    group = Group.objects.select_for_update().get(pk=group.pk)
    _require_action(group, GroupAction.SUBMIT)
    group.status = GroupStatus.PENDING
    _validate(group, complete=True, themes=group.themes.all())
    group.submitted_at = timezone.now()
    _by(group, user, _("申請"))
    group.save()
    _notify_submitted(group)
    return group


def _notify_submitted(group: Group) -> None:
    send_group_email(
        template="submitted",
        subject=_("団体登録の申請を受け付けました"),
        to=_owners_emails(group),
        context={"group": group, "manage_url": absolute_url(reverse("groups:manage", args=[group.pk]))},
    )


# --- staff decisions -------------------------------------------------------------------------------


def registration_number_allocate(*, fiscal_year: int) -> str:
    """The next registration number of the fiscal year, e.g. R7-0001.

    Must run inside a transaction: the counter row is locked (SELECT ... FOR UPDATE) until the
    approval commits, so concurrent approvals wait for each other instead of sharing a number.
    """
    prefix = fiscal_year_short_code(fiscal_year)
    try:
        with transaction.atomic():
            RegistrationCounter.objects.get_or_create(
                fiscal_year=fiscal_year, defaults={"last_number": _highest_number_in_use(prefix)}
            )
    except IntegrityError:  # another approval created the row first: use theirs
        pass
    counter = RegistrationCounter.objects.select_for_update().get(fiscal_year=fiscal_year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"{prefix}-{counter.last_number:04d}"


def _highest_number_in_use(prefix: str) -> int:
    numbers = Group.objects.filter(registration_number__startswith=f"{prefix}-").values_list(
        "registration_number", flat=True
    )
    highest = 0
    for number in numbers:
        match = re.fullmatch(rf"{re.escape(prefix)}-(\d+)", number)
        if match:
            highest = max(highest, int(match.group(1)))
    return highest


def registration_counters_sync() -> None:
    """After an import with registration numbers: counters never fall below a number in use."""
    years = {
        fiscal_year_of(d)
        for d in Group.objects.exclude(registered_on=None).values_list("registered_on", flat=True)
    }
    for fiscal_year in years:
        highest = _highest_number_in_use(fiscal_year_short_code(fiscal_year))
        counter, _created = RegistrationCounter.objects.select_for_update().get_or_create(
            fiscal_year=fiscal_year
        )
        if counter.last_number < highest:
            counter.last_number = highest
            counter.save(update_fields=["last_number"])


@transaction.atomic
def group_approve(*, group: Group, staff: User, today: dt.date | None = None) -> Group:
    """登録: gives the registration number of the fiscal year and the date, and tells the applicant.

    The returned group's `notified_by_email` says whether the e-mail was queued: a group with no
    editor (imported from CSV) has no one to tell, and staff must not be told it was sent."""
    if not may(staff, "groups.review_groups"):
        raise PermissionDenied
    group = Group.objects.select_for_update().get(pk=group.pk)
    _set_status(group, GroupAction.APPROVE)
    today = today or timezone.localdate()
    fiscal_year = fiscal_year_of(today)
    if not group.registration_number:
        group.registration_number = registration_number_allocate(fiscal_year=fiscal_year)
    group.registered_on = group.registered_on or today
    group.last_renewed_fiscal_year = fiscal_year
    group.status_reason = ""
    _validate(group, complete=True)
    _by(group, staff, _("承認（登録番号 %(number)s）") % {"number": group.registration_number})
    group.save()
    GroupRenewal.objects.get_or_create(group=group, fiscal_year=fiscal_year, defaults={"confirmed_by": staff})
    group.notified_by_email = send_group_email(
        template="approved",
        subject=_("団体登録が完了しました（登録番号 %(number)s）") % {"number": group.registration_number},
        to=_owners_emails(group),
        context={
            "group": group,
            "group_url": absolute_url(group.get_absolute_url()),
            "manage_url": absolute_url(reverse("groups:manage", args=[group.pk])),
        },
    )
    return group


@transaction.atomic
def group_return(*, group: Group, staff: User, reason: str) -> Group:
    """差戻し: back to the applicant with the reason, which they see and receive by e-mail
    (`notified_by_email` on the returned group: whether there was anyone to send it to)."""
    if not may(staff, "groups.review_groups"):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": [_("差し戻す理由を入力してください。申請者にそのまま伝わります。")]})
    reason = _clean_reason(reason)
    group = Group.objects.select_for_update().get(pk=group.pk)
    _set_status(group, GroupAction.RETURN)
    group.status_reason = reason
    _by(group, staff, _("差戻し"))
    group.save()
    group.notified_by_email = send_group_email(
        template="returned",
        subject=_("団体登録の申請について（差戻し）"),
        to=_owners_emails(group),
        context={
            "group": group,
            "reason": group.status_reason,
            "edit_url": absolute_url(reverse("groups:edit", args=[group.pk])),
        },
    )
    return group


# --- owners: pause, resume, withdraw, renew --------------------------------------------------------


@transaction.atomic
def group_change_status(*, group: Group, user: User, action: str, reason: str = "") -> Group:
    """休止 / 再開 / 退会 by an owner or staff; 申請の取り下げ by the applicant."""
    if action not in (GroupAction.PAUSE, GroupAction.RESUME, GroupAction.WITHDRAW, GroupAction.RECALL):
        raise ValueError(action)
    if not may(user, f"groups.{action}_group", group):
        raise PermissionDenied
    reason = _clean_reason(reason)
    group = Group.objects.select_for_update().get(pk=group.pk)
    _set_status(group, action)
    group.status_reason = reason
    _by(group, user, GroupAction(action).label)
    group.save()
    if group.status == GroupStatus.WITHDRAWN:
        # No one joins a group that has left: its open invitations end with it.
        GroupInvitation.objects.filter(group=group, accepted_at=None, cancelled_at=None).update(
            cancelled_at=timezone.now()
        )
    staff_emails = [settings.CENTER_EMAIL] if settings.CENTER_EMAIL else []
    send_group_email(
        template="status_changed",
        subject=_("団体の登録状況が「%(status)s」になりました") % {"status": group.get_status_display()},
        to=_owners_emails(group) + staff_emails,
        context={"group": group, "reason": group.status_reason, "user": user},
    )
    return group


@transaction.atomic
def group_renew(*, group: Group, user: User, fiscal_year: int | None = None) -> GroupRenewal:
    """更新: the group confirms its details for this fiscal year (once; again is harmless)."""
    if not may(user, "groups.renew_group", group):
        raise PermissionDenied
    fiscal_year = fiscal_year or current_fiscal_year()
    group = Group.objects.select_for_update().get(pk=group.pk)
    _require_action(group, GroupAction.RENEW)
    renewal, _created = GroupRenewal.objects.get_or_create(
        group=group, fiscal_year=fiscal_year, defaults={"confirmed_by": user}
    )
    if group.last_renewed_fiscal_year is None or group.last_renewed_fiscal_year < fiscal_year:
        group.last_renewed_fiscal_year = fiscal_year
        _by(group, user, _("年次更新の確認"))
        group.save(update_fields=["last_renewed_fiscal_year", "updated_at"])
    return renewal


# --- co-editors ------------------------------------------------------------------------------------


@transaction.atomic
def invitation_create(
    *, group: Group, email: str, invited_by: User, role: str = GroupMembership.Role.EDITOR
) -> GroupInvitation:
    """Invites someone by e-mail to edit the group; the e-mail carries a one-time link."""
    if not may(invited_by, "groups.manage_members", group):
        raise PermissionDenied
    email = User.objects.normalize_email(email.strip()).lower()
    if GroupMembership.objects.filter(group=group, user__email__iexact=email).exists():
        raise ValidationError({"email": [_("この方はすでにこの団体の編集者です。")]})
    GroupInvitation.objects.filter(
        group=group, email__iexact=email, accepted_at=None, cancelled_at=None
    ).update(cancelled_at=timezone.now())
    invitation = GroupInvitation(group=group, email=email, invited_by=invited_by, role=role)
    invitation.full_clean(exclude=["token"])
    invitation.save()
    send_group_email(
        template="invitation",
        subject=_("「%(group)s」の編集者に招待されました") % {"group": group.name},
        to=[email],
        context={
            "group": group,
            "invitation": invitation,
            "invited_by": invited_by,
            "accept_url": absolute_url(reverse("groups:invitation_accept", args=[invitation.token])),
        },
    )
    return invitation


def invitation_is_for(invitation: GroupInvitation, user: User) -> bool:
    """Whether ``user`` owns the invited address: their login address or another verified one."""
    from allauth.account.models import EmailAddress

    if user.email.lower() == invitation.email.lower():
        return True
    return EmailAddress.objects.filter(user=user, email__iexact=invitation.email, verified=True).exists()


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> GroupMembership:
    try:
        invitation = GroupInvitation.objects.select_for_update().select_related("group").get(token=token)
    except GroupInvitation.DoesNotExist:
        raise ValidationError(_("招待のリンクが正しくありません。")) from None
    if invitation.group.status == GroupStatus.WITHDRAWN:
        raise ValidationError(
            _("「%(group)s」は退会したため、この招待は使えません。") % {"group": invitation.group}
        )
    if not invitation.is_pending:
        raise ValidationError(
            _(
                "この招待は使用済みか、期限（%(days)s日）が切れています。団体の代表編集者に再度招待を依頼してください。"
            )
            % {"days": GroupInvitation.VALID_DAYS}
        )
    if not invitation_is_for(invitation, user):
        # A forwarded or leaked link must not make someone else an editor of the group.
        raise ValidationError(
            _(
                "この招待は %(invited)s あてです。ログイン中のアカウント（%(current)s）では承諾できません。"
                "そのアドレスのアカウントでログインするか、アカウントにそのアドレスを追加して確認してから、"
                "もう一度招待のリンクを開いてください。"
            )
            % {"invited": invitation.email, "current": user.email}
        )
    membership, created = GroupMembership.objects.get_or_create(
        group=invitation.group, user=user, defaults={"role": invitation.role}
    )
    if not created and invitation.role == GroupMembership.Role.OWNER and membership.role != invitation.role:
        membership.role = invitation.role
        membership.save(update_fields=["role"])
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


@transaction.atomic
def invitation_cancel(*, invitation: GroupInvitation, user: User) -> GroupInvitation:
    if not may(user, "groups.manage_members", invitation.group):
        raise PermissionDenied
    invitation.cancelled_at = timezone.now()
    invitation.save(update_fields=["cancelled_at"])
    return invitation


@transaction.atomic
def membership_remove(*, membership: GroupMembership, user: User) -> None:
    """Removes a co-editor. The last owner cannot be removed (someone must answer for the group)."""
    group = membership.group
    if not (may(user, "groups.manage_members", group) or membership.user_id == user.pk):
        raise PermissionDenied
    if (
        membership.role == GroupMembership.Role.OWNER
        and not GroupMembership.objects.filter(group=group, role=GroupMembership.Role.OWNER)
        .exclude(pk=membership.pk)
        .exists()
    ):
        raise ValidationError(
            _("代表編集者がいなくなるため、削除できません。先に別の方を代表編集者にしてください。")
        )
    membership.delete()


# --- contact form -----------------------------------------------------------------------------------


def group_contact_send(*, group: Group, sender_name: str, sender_email: str, body: str) -> None:
    """Forwards a visitor's message to the group's address, which the visitor never sees."""
    if group.status != GroupStatus.APPROVED or not group.email:
        raise ValidationError(_("この団体にはフォームから連絡できません。"))
    send_group_email(
        template="contact",
        subject=_("【お問い合わせ】%(group)sへのメッセージ") % {"group": group.name},
        to=[group.email],
        context={"group": group, "sender_name": sender_name, "sender_email": sender_email, "body": body},
        reply_to=sender_email,
    )


# --- annual renewal reminder -------------------------------------------------------------------------


@transaction.atomic
def renewal_reminder_send(*, group: Group, fiscal_year: int | None = None) -> None:
    """E-mails the group's editors (or its own address) a reminder to confirm this year's details."""
    from core.fiscal import fiscal_year_label
    from groups.models import RenewalReminder

    fiscal_year = fiscal_year or current_fiscal_year()
    recipients = _owners_emails(group) or ([group.email] if group.email else [])
    if not recipients:
        return
    send_group_email(
        template="renewal_reminder",
        subject=_("%(year)sの団体情報の更新のお願い") % {"year": fiscal_year_label(fiscal_year)},
        to=recipients,
        context={
            "group": group,
            "fiscal_year_label": fiscal_year_label(fiscal_year),
            "renew_url": absolute_url(reverse("groups:renew", args=[group.pk])),
        },
    )
    RenewalReminder.objects.create(group=group, fiscal_year=fiscal_year, recipients=", ".join(recipients))
