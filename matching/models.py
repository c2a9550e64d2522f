"""マッチング: businesses, needs and offers of any party (group, business, department).

The matching helper extends this module (scoring, Match, pipeline).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.models import Area, Department, Theme
from core.text import normalize_for_search, reading_sort_key


class BusinessStatus(models.TextChoices):
    PENDING = "pending", _("承認待ち")
    APPROVED = "approved", _("承認済み")
    REJECTED = "rejected", _("差戻し")
    INACTIVE = "inactive", _("休止")


class Business(models.Model):
    """企業・事業者: a local business that contributes skills, venues, funds or goods."""

    name = models.CharField(_("事業者名"), max_length=200)
    name_kana = models.CharField(_("事業者名ふりがな"), max_length=300)
    industry = models.CharField(_("業種"), max_length=100, blank=True, help_text=_("例: デザイン・印刷"))
    description = models.TextField(_("事業内容・地域貢献への思い"), blank=True)
    themes = models.ManyToManyField(Theme, verbose_name=_("関心のあるテーマ"), related_name="businesses", blank=True)
    areas = models.ManyToManyField(Area, verbose_name=_("活動地域"), related_name="businesses", blank=True)
    website = models.URLField(_("ウェブサイト"), blank=True)
    contact_name = models.CharField(_("担当者名"), max_length=100, blank=True)
    email = models.EmailField(_("メールアドレス"), blank=True)
    phone = models.CharField(_("電話番号"), max_length=20, blank=True)
    status = models.CharField(_("状態"), max_length=20, choices=BusinessStatus.choices, default=BusinessStatus.PENDING)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("担当アカウント"), related_name="businesses", blank=True
    )
    sort_key = models.CharField(max_length=300, editable=False, blank=True, default="", db_index=True)
    search_text = models.TextField(editable=False, blank=True, default="")
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        verbose_name = _("企業・事業者")
        verbose_name_plural = _("企業・事業者")
        ordering = ["sort_key", "id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("matching:business_detail", args=[self.pk])

    def save(self, *args, **kwargs) -> None:
        self.sort_key = reading_sort_key(self.name_kana or self.name)
        self.search_text = normalize_for_search(" ".join(filter(None, [self.name, self.name_kana, self.description])))
        super().save(*args, **kwargs)


class ExchangeKind(models.TextChoices):
    PEOPLE = "people", _("人材")
    PRO_BONO = "pro_bono", _("プロボノ")
    FUNDS = "funds", _("資金")
    VENUE = "venue", _("場所")
    GOODS = "goods", _("物品")
    PUBLICITY = "publicity", _("情報発信")
    PARTNER = "partner", _("連携先")


class ProBonoDeliverable(models.TextChoices):
    """Seed 004's pro bono deliverables."""

    WEBSITE = "website", _("ウェブサイト制作")
    FLYER = "flyer", _("チラシ制作")
    PRINTED = "printed", _("印刷物制作")
    MARKET_RESEARCH = "market_research", _("マーケティング基礎調査")
    BUSINESS_PLAN = "business_plan", _("事業計画立案")
    MANUAL = "manual", _("運営マニュアル作成")
    VIDEO = "video", _("映像制作")
    WORKSHOP = "workshop", _("課題整理ワークショップ")
    SNS = "sns", _("SNS活用法提案")
    CLOUD_TOOLS = "cloud_tools", _("クラウドツール活用")
    EVALUATION = "evaluation", _("事業評価")
    WORKFLOW = "workflow", _("業務フロー設計")
    CROWDFUNDING = "crowdfunding", _("クラウドファンディング")


class PartyQuerySet(models.QuerySet):
    def open(self):
        return self.filter(is_open=True)


class PartyOwned(models.Model):
    """Something that belongs to exactly one party: a group, a business or a department."""

    group = models.ForeignKey(
        "groups.Group", verbose_name=_("団体"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    business = models.ForeignKey(
        Business, verbose_name=_("企業・事業者"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("担当課"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        abstract = True

    @property
    def party(self):
        return self.group or self.business or self.department


def exactly_one_party(name: str) -> models.CheckConstraint:
    one = Q(group__isnull=False, business__isnull=True, department__isnull=True)
    two = Q(group__isnull=True, business__isnull=False, department__isnull=True)
    three = Q(group__isnull=True, business__isnull=True, department__isnull=False)
    return models.CheckConstraint(condition=one | two | three, name=name)


class Need(PartyOwned):
    """ニーズ: what a party is looking for."""

    title = models.CharField(_("タイトル"), max_length=200, help_text=_("例: 子ども食堂のチラシを作ってほしい"))
    kind = models.CharField(_("種類"), max_length=20, choices=ExchangeKind.choices)
    deliverable = models.CharField(
        _("プロボノの成果物"), max_length=30, choices=ProBonoDeliverable.choices, blank=True
    )
    description = models.TextField(_("内容"), blank=True)
    themes = models.ManyToManyField(Theme, verbose_name=_("テーマ"), related_name="needs", blank=True)
    areas = models.ManyToManyField(Area, verbose_name=_("地域"), related_name="needs", blank=True)
    is_open = models.BooleanField(_("募集中"), default=True)
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    objects = PartyQuerySet.as_manager()

    class Meta:
        verbose_name = _("ニーズ")
        verbose_name_plural = _("ニーズ")
        ordering = ["-created_at", "-id"]
        constraints = [exactly_one_party("need_exactly_one_party")]

    def __str__(self) -> str:
        return self.title


class Offer(PartyOwned):
    """提供: what a party can give."""

    title = models.CharField(_("タイトル"), max_length=200, help_text=_("例: チラシ・ポスターのデザイン"))
    kind = models.CharField(_("種類"), max_length=20, choices=ExchangeKind.choices)
    deliverable = models.CharField(
        _("プロボノの成果物"), max_length=30, choices=ProBonoDeliverable.choices, blank=True
    )
    description = models.TextField(_("内容"), blank=True)
    themes = models.ManyToManyField(Theme, verbose_name=_("テーマ"), related_name="offers", blank=True)
    areas = models.ManyToManyField(Area, verbose_name=_("地域"), related_name="offers", blank=True)
    is_open = models.BooleanField(_("受付中"), default=True)
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    objects = PartyQuerySet.as_manager()

    class Meta:
        verbose_name = _("提供")
        verbose_name_plural = _("提供")
        ordering = ["-created_at", "-id"]
        constraints = [exactly_one_party("offer_exactly_one_party")]

    def __str__(self) -> str:
        return self.title
