"""団体: the registry of citizen groups and NPOs."""

from __future__ import annotations

import secrets
from datetime import date, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.fields import actor_field
from core.models import Area, JapaneseNames, KeywordSearchableQuerySet, ReadingOrdered, Theme
from core.text import kana_row, name_key, tidy_fields
from core.workflow import Transition, Workflow
from groups.validators import (
    validate_founded_year_min,
    validate_founded_year_not_future,
    validate_member_count_max,
    validate_sns_lines,
)


class LegalForm(models.TextChoices):
    NPO = "npo", _("NPO法人")
    GENERAL_INCORPORATED = "general", _("一般社団法人")
    VOLUNTARY = "voluntary", _("任意団体")
    SOCIAL_WELFARE = "welfare", _("社会福祉法人")
    NEIGHBORHOOD = "neighborhood", _("自治会・町内会")
    COMPANY = "company", _("企業")
    OTHER = "other", _("その他")


# A 法人格 as a keyword search spells it (core.text.LEGAL_FORM_SPELLINGS) → the legal form a
# group records, so that 「NPO法人」 alone finds the NPOs whose names do not write it. Every kind
# of company is recorded as 企業.
LEGAL_FORM_OF_SEARCH_WORD: dict[str, str] = {
    "npo法人": LegalForm.NPO,  # data, not UI text
    "一般社団法人": LegalForm.GENERAL_INCORPORATED,  # data, not UI text
    "社会福祉法人": LegalForm.SOCIAL_WELFARE,  # data, not UI text
    **dict.fromkeys(
        ("株式会社", "有限会社", "合同会社", "合資会社", "合名会社"),  # data, not UI text
        LegalForm.COMPANY,
    ),
}

# Legal forms that are corporations and so have a 法人番号.
CORPORATE_LEGAL_FORMS = {
    LegalForm.NPO,
    LegalForm.GENERAL_INCORPORATED,
    LegalForm.SOCIAL_WELFARE,
    LegalForm.COMPANY,
}


class GroupStatus(models.TextChoices):
    DRAFT = "draft", _("下書き")
    PENDING = "pending", _("申請中")
    APPROVED = "approved", _("登録")
    RETURNED = "returned", _("差戻し")
    PAUSED = "paused", _("休止")
    WITHDRAWN = "withdrawn", _("退会")


class GroupAction(models.TextChoices):
    """What can happen to a group's registration, and from which states (the one place for it)."""

    SUBMIT = "submit", _("申請する")
    APPROVE = "approve", _("承認する")
    RETURN = "return", _("差し戻す")
    PAUSE = "pause", _("休止する")
    RESUME = "resume", _("活動を再開する")
    WITHDRAW = "withdraw", _("退会する")
    RENEW = "renew", _("年次更新を確認する")
    RECALL = "recall", _("申請を取り下げる")


def _action(action: GroupAction, sources: set[str], target: str | None) -> Transition:
    return Transition(name=action.value, sources=frozenset(sources), target=target, label=action.label)


# The registration's life cycle: each action, the states it may start from and the state it
# leads to (None: unchanged, the yearly renewal).
GROUP_WORKFLOW = Workflow(
    GroupStatus,
    [
        _action(GroupAction.SUBMIT, {GroupStatus.DRAFT, GroupStatus.RETURNED}, GroupStatus.PENDING),
        _action(GroupAction.APPROVE, {GroupStatus.PENDING}, GroupStatus.APPROVED),
        _action(GroupAction.RETURN, {GroupStatus.PENDING}, GroupStatus.RETURNED),
        # The applicant takes an application back to correct it (and submits it again).
        _action(GroupAction.RECALL, {GroupStatus.PENDING}, GroupStatus.DRAFT),
        _action(GroupAction.PAUSE, {GroupStatus.APPROVED}, GroupStatus.PAUSED),
        _action(GroupAction.RESUME, {GroupStatus.PAUSED}, GroupStatus.APPROVED),
        _action(
            GroupAction.WITHDRAW,
            {
                GroupStatus.DRAFT,
                GroupStatus.PENDING,
                GroupStatus.RETURNED,
                GroupStatus.APPROVED,
                GroupStatus.PAUSED,
            },
            GroupStatus.WITHDRAWN,
        ),
        _action(GroupAction.RENEW, {GroupStatus.APPROVED, GroupStatus.PAUSED}, None),
    ],
    refused=_("「%(from)s」の団体には「%(to)s」の操作はできません。"),
)
# Typed by people and pasted from spreadsheets: stored in one spelling (core.text.tidy_text).
TIDIED_FIELDS = ("name", "representative_name", "contact_name", "address")
# States in which the group's own editors may change its details (not while staff review it).
EDITABLE_STATUSES = frozenset(
    {GroupStatus.DRAFT, GroupStatus.RETURNED, GroupStatus.APPROVED, GroupStatus.PAUSED}
)


class GroupQuerySet(KeywordSearchableQuerySet):
    def public(self):
        """Groups the public directory shows: approved ones."""
        return self.filter(status=GroupStatus.APPROVED)

    def editable_by(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user)


class Group(ReadingOrdered):
    SEARCH_FIELDS = ("name", "name_kana", "purpose", "activities")

    name = models.CharField(_("団体名"), max_length=200)
    name_kana = models.CharField(
        _("団体名ふりがな"), max_length=300, help_text=_("例: みらいこどもしょくどう")
    )
    legal_form = models.CharField(_("法人格・団体の種類"), max_length=20, choices=LegalForm.choices)
    corporate_number = models.CharField(
        _("法人番号"), max_length=13, blank=True, help_text=_("法人の場合は13桁の法人番号（半角数字）。")
    )
    themes = models.ManyToManyField(Theme, verbose_name=_("活動分野"), related_name="groups", blank=True)
    areas = models.ManyToManyField(Area, verbose_name=_("活動地域"), related_name="groups", blank=True)
    purpose = models.TextField(_("活動の目的"), blank=True)
    activities = models.TextField(_("主な活動内容"), blank=True)
    founded_year = models.PositiveSmallIntegerField(
        _("設立年"),
        null=True,
        blank=True,
        help_text=_("西暦（例: 2015）"),
        validators=[validate_founded_year_min, validate_founded_year_not_future],
    )
    member_count = models.PositiveIntegerField(
        _("会員数"), null=True, blank=True, validators=[validate_member_count_max]
    )

    # Contact details: each one public or private, as the group chooses.
    representative_name = models.CharField(_("代表者名"), max_length=100, blank=True)
    representative_name_public = models.BooleanField(_("代表者名を公開する"), default=False)
    contact_name = models.CharField(_("連絡担当者名"), max_length=100, blank=True)
    contact_name_public = models.BooleanField(_("連絡担当者名を公開する"), default=False)
    email = models.EmailField(_("メールアドレス"), blank=True)
    email_public = models.BooleanField(_("メールアドレスを公開する"), default=False)
    phone = models.CharField(_("電話番号"), max_length=20, blank=True, help_text=_("例: 000-123-4567"))
    phone_public = models.BooleanField(_("電話番号を公開する"), default=False)
    postal_code = models.CharField(_("郵便番号"), max_length=8, blank=True, help_text=_("例: 100-0001"))
    address = models.CharField(_("所在地"), max_length=300, blank=True)
    address_public = models.BooleanField(_("所在地を公開する"), default=False)
    website = models.URLField(_("ウェブサイト"), blank=True)
    sns = models.TextField(
        _("SNS"),
        blank=True,
        help_text=_("1行に1つ、URLを入力してください。"),
        validators=[validate_sns_lines],
    )

    status = models.CharField(
        _("登録状況"), max_length=20, choices=GroupStatus.choices, default=GroupStatus.DRAFT
    )
    status_reason = models.TextField(_("差戻し・状態変更の理由"), blank=True)
    registration_number = models.CharField(_("登録番号"), max_length=20, blank=True)
    # Its own bounds: a center may keep registrations older than the portal's DATE_YEARS (1998).
    registered_on = models.DateField(
        _("登録日"),
        null=True,
        blank=True,
        validators=[
            MinValueValidator(
                date(1868, 1, 1), message=_("登録日は1868年（明治元年）以降の日付にしてください。")
            ),
            MaxValueValidator(date(2100, 12, 31), message=_("登録日は2100年までの日付にしてください。")),
        ],
    )
    submitted_at = models.DateTimeField(_("申請日時"), null=True, blank=True)
    last_renewed_fiscal_year = models.PositiveIntegerField(_("最終更新年度"), null=True, blank=True)

    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="GroupMembership",
        related_name="kyodo_groups",
        verbose_name=_("編集者"),
    )
    # Normalised copies (refresh_derived_fields) beside search_text: name_key is the name without
    # 法人格 and spaces, which tells an application or an import row that names a group already
    # registered; sort_key and kana_row give the あいうえお order and its 行.
    name_key = models.CharField(max_length=200, editable=False, blank=True, default="", db_index=True)
    sort_key = models.CharField(max_length=300, editable=False, blank=True, default="", db_index=True)
    kana_row = models.CharField(max_length=10, editable=False, blank=True, default="")

    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    history = HistoricalRecords(
        excluded_fields=["search_text", "name_key", "sort_key", "kana_row"], m2m_fields=[themes, areas]
    )
    objects = GroupQuerySet.as_manager()

    class Meta(JapaneseNames):
        verbose_name = _("団体")
        ordering = ["sort_key", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration_number"],
                condition=~models.Q(registration_number=""),
                name="group_registration_number_unique",
            )
        ]
        indexes = [
            models.Index(fields=["status", "sort_key"]),
            # The report's 担い手育成 flow: groups registered since a fiscal year began.
            models.Index(fields=["registered_on"], name="group_registered_on_idx"),
        ]

    def get_absolute_url(self) -> str:
        return reverse("groups:detail", args=[self.pk])

    def clean(self) -> None:
        # Here, as every write path runs full_clean: the services (the portal's forms), the CSV
        # import (which tidies its preview the same way) and the admin's form.
        tidy_fields(self, TIDIED_FIELDS)

    def can(self, action: str) -> bool:
        """Whether the registration status allows the action (who may do it is in groups.rules)."""
        return GROUP_WORKFLOW.can(self.status, action)

    def renewal_due(self, fiscal_year: int) -> bool:
        """Whether the group is asked to confirm its details (年次更新) for the fiscal year: its
        status allows renewing and it has not confirmed that year (or never has)."""
        return self.can(GroupAction.RENEW) and (self.last_renewed_fiscal_year or 0) < fiscal_year

    @property
    def is_editable_status(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def is_corporation(self) -> bool:
        return self.legal_form in CORPORATE_LEGAL_FORMS

    @property
    def is_listed(self) -> bool:
        """Shown in the public directory."""
        return self.status == GroupStatus.APPROVED

    def public_contact(self) -> list[tuple[str, str]]:
        """(label, value) of the contact details the group chose to publish."""
        pairs = [
            (_("代表者名"), self.representative_name, self.representative_name_public),
            (_("連絡担当者名"), self.contact_name, self.contact_name_public),
            (_("メールアドレス"), self.email, self.email_public),
            (_("電話番号"), self.phone, self.phone_public),
            (
                _("所在地"),
                " ".join(filter(None, [f"〒{self.postal_code}" if self.postal_code else "", self.address])),
                self.address_public,
            ),
        ]
        return [(label, value) for label, value, public in pairs if public and value]

    def sns_links(self) -> list[str]:
        # Only http(s): a row saved before the model validator must not become a javascript: link.
        lines = (line.strip() for line in self.sns.splitlines())
        return [line for line in lines if line.lower().startswith(("http://", "https://"))]

    @classmethod
    def derived_from(cls) -> dict[str, tuple[str, ...]]:
        return {**super().derived_from(), "name_key": ("name",), "kana_row": ("name", "name_kana")}

    def refresh_derived_fields(self) -> None:
        super().refresh_derived_fields()  # search_text, sort_key
        self.name_key = name_key(self.name)[:200]
        self.kana_row = kana_row(self.name_kana or self.name)


class GroupMembership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("代表編集者")
        EDITOR = "editor", _("共同編集者")

    group = models.ForeignKey(
        Group, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("団体")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="group_memberships",
        verbose_name=_("利用者"),
    )
    role = models.CharField(_("役割"), max_length=10, choices=Role.choices, default=Role.EDITOR)
    created_at = models.DateTimeField(_("追加日時"), auto_now_add=True)

    class Meta(JapaneseNames):
        verbose_name = _("団体の編集者")
        constraints = [models.UniqueConstraint(fields=["group", "user"], name="group_membership_unique")]

    def __str__(self) -> str:
        return f"{self.group} / {self.user} ({self.get_role_display()})"


class GroupInvitation(models.Model):
    """共同編集者の招待: an owner invites someone by e-mail; the link in the e-mail makes them an editor."""

    VALID_DAYS = 14

    group = models.ForeignKey(
        Group, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("団体")
    )
    email = models.EmailField(_("招待するメールアドレス"))
    role = models.CharField(
        _("役割"), max_length=10, choices=GroupMembership.Role.choices, default=GroupMembership.Role.EDITOR
    )
    token = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = actor_field(_("招待した人"))
    created_at = models.DateTimeField(_("招待日時"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("承諾日時"), null=True, blank=True)
    accepted_by = actor_field(_("承諾した利用者"), blank=True)
    cancelled_at = models.DateTimeField(_("取消日時"), null=True, blank=True)

    class Meta(JapaneseNames):
        verbose_name = _("共同編集者の招待")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.group} → {self.email}"

    def save(self, *args, **kwargs) -> None:
        if not self.token:
            self.token = secrets.token_urlsafe(32)
        super().save(*args, **kwargs)

    @property
    def expires_at(self):
        return (self.created_at or timezone.now()) + timedelta(days=self.VALID_DAYS)

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.cancelled_at is None and timezone.now() < self.expires_at


class GroupRenewal(models.Model):
    """更新: a group confirmed its details for a fiscal year."""

    group = models.ForeignKey(
        Group, on_delete=models.CASCADE, related_name="renewals", verbose_name=_("団体")
    )
    fiscal_year = models.PositiveIntegerField(_("年度"))
    confirmed_by = actor_field(_("確認した人"))
    confirmed_at = models.DateTimeField(_("確認日時"), auto_now_add=True)

    class Meta(JapaneseNames):
        verbose_name = _("年次更新")
        ordering = ["-fiscal_year", "-confirmed_at"]
        constraints = [
            models.UniqueConstraint(fields=["group", "fiscal_year"], name="group_renewal_once_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.group} ({self.fiscal_year})"


class RenewalReminder(models.Model):
    """A renewal reminder e-mail sent to a group (so the scheduled task does not repeat itself)."""

    group = models.ForeignKey(
        Group, on_delete=models.CASCADE, related_name="renewal_reminders", verbose_name=_("団体")
    )
    fiscal_year = models.PositiveIntegerField(_("年度"))
    sent_at = models.DateTimeField(_("送信日時"), auto_now_add=True)
    recipients = models.TextField(_("送信先"), blank=True)

    class Meta(JapaneseNames):
        verbose_name = _("更新のお知らせ")
        ordering = ["-sent_at"]
        indexes = [models.Index(fields=["fiscal_year", "group"])]

    def __str__(self) -> str:
        return f"{self.group} ({self.fiscal_year})"


class RegistrationCounter(models.Model):
    """The last registration number given in a fiscal year (R7-0001, R7-0002, ...).

    Locked with SELECT ... FOR UPDATE while a number is taken, so two approvals at the same time
    never get the same number (groups.services.group_approve).
    """

    fiscal_year = models.PositiveIntegerField(_("年度"), unique=True)
    last_number = models.PositiveIntegerField(_("最後の番号"), default=0)

    class Meta(JapaneseNames):
        verbose_name = _("登録番号の採番")

    def __str__(self) -> str:
        return f"{self.fiscal_year}: {self.last_number}"
