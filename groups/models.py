"""団体: the registry of citizen groups and NPOs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import Area, Theme
from core.text import kana_row, normalize_for_search, reading_sort_key


class LegalForm(models.TextChoices):
    NPO = "npo", _("NPO法人")
    GENERAL_INCORPORATED = "general", _("一般社団法人")
    VOLUNTARY = "voluntary", _("任意団体")
    SOCIAL_WELFARE = "welfare", _("社会福祉法人")
    NEIGHBORHOOD = "neighborhood", _("自治会・町内会")
    COMPANY = "company", _("企業")
    OTHER = "other", _("その他")


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


class GroupQuerySet(models.QuerySet):
    def public(self):
        """Groups the public directory shows: approved ones."""
        return self.filter(status=GroupStatus.APPROVED)

    def editable_by(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user)


class Group(models.Model):
    name = models.CharField(_("団体名"), max_length=200)
    name_kana = models.CharField(_("団体名ふりがな"), max_length=300, help_text=_("例: みらいこどもしょくどう"))
    legal_form = models.CharField(_("法人格・団体の種類"), max_length=20, choices=LegalForm.choices)
    corporate_number = models.CharField(
        _("法人番号"), max_length=13, blank=True, help_text=_("法人の場合は13桁の法人番号（半角数字）。")
    )
    themes = models.ManyToManyField(Theme, verbose_name=_("活動分野"), related_name="groups", blank=True)
    areas = models.ManyToManyField(Area, verbose_name=_("活動地域"), related_name="groups", blank=True)
    purpose = models.TextField(_("活動の目的"), blank=True)
    activities = models.TextField(_("主な活動内容"), blank=True)
    founded_year = models.PositiveSmallIntegerField(_("設立年"), null=True, blank=True, help_text=_("西暦（例: 2015）"))
    member_count = models.PositiveIntegerField(_("会員数"), null=True, blank=True)

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
    sns = models.TextField(_("SNS"), blank=True, help_text=_("1行に1つ、URLを入力してください。"))

    status = models.CharField(_("登録状況"), max_length=20, choices=GroupStatus.choices, default=GroupStatus.DRAFT)
    status_reason = models.TextField(_("差戻し・状態変更の理由"), blank=True)
    registration_number = models.CharField(_("登録番号"), max_length=20, blank=True)
    registered_on = models.DateField(_("登録日"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("申請日時"), null=True, blank=True)
    last_renewed_fiscal_year = models.PositiveIntegerField(_("最終更新年度"), null=True, blank=True)

    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="GroupMembership", related_name="kyodo_groups", verbose_name=_("編集者")
    )
    # Normalised copies for search (NFKC, hiragana, lower case) and あいうえお order.
    search_text = models.TextField(editable=False, blank=True, default="")
    sort_key = models.CharField(max_length=300, editable=False, blank=True, default="", db_index=True)
    kana_row = models.CharField(max_length=10, editable=False, blank=True, default="")

    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["search_text", "sort_key", "kana_row"])
    objects = GroupQuerySet.as_manager()

    class Meta:
        verbose_name = _("団体")
        verbose_name_plural = _("団体")
        ordering = ["sort_key", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration_number"],
                condition=~models.Q(registration_number=""),
                name="group_registration_number_unique",
            )
        ]
        indexes = [models.Index(fields=["status", "sort_key"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("groups:detail", args=[self.pk])

    def refresh_search_fields(self) -> None:
        self.search_text = normalize_for_search(
            " ".join(filter(None, [self.name, self.name_kana, self.purpose, self.activities]))
        )
        self.sort_key = reading_sort_key(self.name_kana or self.name)
        self.kana_row = kana_row(self.name_kana or self.name)

    def save(self, *args, **kwargs) -> None:
        self.refresh_search_fields()
        super().save(*args, **kwargs)


class GroupMembership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("代表編集者")
        EDITOR = "editor", _("共同編集者")

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("団体"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_memberships", verbose_name=_("利用者")
    )
    role = models.CharField(_("役割"), max_length=10, choices=Role.choices, default=Role.EDITOR)
    created_at = models.DateTimeField(_("追加日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("団体の編集者")
        verbose_name_plural = _("団体の編集者")
        constraints = [models.UniqueConstraint(fields=["group", "user"], name="group_membership_unique")]

    def __str__(self) -> str:
        return f"{self.group} / {self.user} ({self.get_role_display()})"
