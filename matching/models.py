"""マッチング: businesses, needs and offers of any party (group, business, department), and the
matches the center brokers between two parties (提案 → 紹介済 → 協議中 → 成立 / 不成立).

The scoring that suggests partners lives in matching.scoring (pure functions); the reads that
feed it in matching.selectors; every write in matching.services.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.constraints import exactly_one_of
from core.fields import actor_field, optional_link, party_link
from core.models import (
    Area,
    Department,
    JapaneseNames,
    KeywordSearchable,
    KeywordSearchableQuerySet,
    ReadingOrdered,
    Theme,
)
from core.workflow import Workflow


class BusinessStatus(models.TextChoices):
    PENDING = "pending", _("承認待ち")
    APPROVED = "approved", _("承認済み")
    REJECTED = "rejected", _("差戻し")
    INACTIVE = "inactive", _("休止")


class Business(ReadingOrdered):
    """企業・事業者: a local business that contributes skills, venues, funds or goods."""

    SEARCH_FIELDS = ("name", "name_kana", "description")

    name = models.CharField(_("事業者名"), max_length=200)
    name_kana = models.CharField(_("事業者名ふりがな"), max_length=300)
    industry = models.CharField(_("業種"), max_length=100, blank=True, help_text=_("例: デザイン・印刷"))
    description = models.TextField(_("事業内容・地域貢献への思い"), blank=True)
    themes = models.ManyToManyField(
        Theme, verbose_name=_("関心のあるテーマ"), related_name="businesses", blank=True
    )
    areas = models.ManyToManyField(Area, verbose_name=_("活動地域"), related_name="businesses", blank=True)
    website = models.URLField(_("ウェブサイト"), blank=True)
    contact_name = models.CharField(_("担当者名"), max_length=100, blank=True)
    email = models.EmailField(_("メールアドレス"), blank=True)
    phone = models.CharField(_("電話番号"), max_length=20, blank=True)
    status = models.CharField(
        _("状態"), max_length=20, choices=BusinessStatus.choices, default=BusinessStatus.PENDING
    )
    approved_at = models.DateTimeField(_("承認日時"), null=True, blank=True, editable=False)
    status_reason = models.TextField(
        _("差戻しの理由"),
        blank=True,
        help_text=_("差し戻したとき、事業者のページとメールでそのまま伝わります。"),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("担当アカウント"), related_name="businesses", blank=True
    )
    sort_key = models.CharField(max_length=300, editable=False, blank=True, default="", db_index=True)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["sort_key", "search_text"], m2m_fields=["themes", "areas"])

    class Meta(ReadingOrdered.Meta):
        verbose_name = _("企業・事業者")

    def get_absolute_url(self) -> str:
        return reverse("matching:business_detail", args=[self.pk])


class ExchangeKind(models.TextChoices):
    PEOPLE = "people", _("人材")
    PRO_BONO = "pro_bono", _("プロボノ")
    FUNDS = "funds", _("資金")
    VENUE = "venue", _("場所")
    GOODS = "goods", _("物品")
    PUBLICITY = "publicity", _("情報発信")
    PARTNER = "partner", _("連携先")


class ProBonoDeliverable(models.TextChoices):
    """What a business can deliver as pro bono work."""

    WEBSITE = "website", _("ウェブサイト制作")
    SITE_RENOVATION = "site_renovation", _("サイト改修")
    FLYER = "flyer", _("チラシ制作")
    POSTER = "poster", _("ポスター制作")
    PAMPHLET = "pamphlet", _("パンフレット制作")
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


class PartyQuerySet(KeywordSearchableQuerySet):
    def open(self):
        return self.filter(is_open=True)


class PartyOwned(models.Model):
    """Something that belongs to exactly one party: a group, a business or a department."""

    group = party_link("groups.Group", _("団体"), on_delete=models.CASCADE)
    business = party_link(Business, _("企業・事業者"), on_delete=models.CASCADE)
    department = party_link(Department, _("担当課"), on_delete=models.CASCADE)

    # Staff may post and edit for a party that asked them to (at the counter, by phone): the
    # record keeps who entered it and says so on its page (matching.services._by_staff).
    entered_by = actor_field(_("登録した人"), blank=True, editable=False)
    entered_on_behalf = models.BooleanField(_("職員が代理で登録"), default=False, editable=False)
    updated_on_behalf = models.BooleanField(_("職員が代理で更新"), default=False, editable=False)

    class Meta:
        abstract = True

    @property
    def party(self):
        return self.group or self.business or self.department


def exactly_one_party(name: str) -> models.CheckConstraint:
    return exactly_one_of("group", "business", "department", name=name)


class Exchange(KeywordSearchable, PartyOwned):
    """What a need and an offer share: a party's request or offer, by kind, theme and area."""

    SEARCH_FIELDS = ("title", "description")

    title = models.CharField(_("タイトル"), max_length=200)
    kind = models.CharField(_("種類"), max_length=20, choices=ExchangeKind.choices)
    deliverable = models.CharField(
        _("プロボノの成果物"), max_length=30, choices=ProBonoDeliverable.choices, blank=True
    )
    description = models.TextField(_("内容"), blank=True)
    # %(class)s: Need's are theme.needs, Offer's theme.offers.
    themes = models.ManyToManyField(Theme, verbose_name=_("テーマ"), related_name="%(class)ss", blank=True)
    areas = models.ManyToManyField(Area, verbose_name=_("地域"), related_name="%(class)ss", blank=True)
    is_open = models.BooleanField(_("募集中"), default=True)
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    objects = PartyQuerySet.as_manager()

    class Meta(JapaneseNames):
        abstract = True
        ordering = ["-created_at", "-id"]
        constraints = [exactly_one_party("%(class)s_exactly_one_party")]
        indexes = [models.Index(fields=["is_open", "kind", "deliverable"], name="%(class)s_open_kind_idx")]

    def __str__(self) -> str:
        return self.title


class Need(Exchange):
    """ニーズ: what a party is looking for."""

    title = models.CharField(
        _("タイトル"), max_length=200, help_text=_("例: 子ども食堂のチラシを作ってほしい")
    )

    history = HistoricalRecords(excluded_fields=["search_text"], m2m_fields=["themes", "areas"])

    class Meta(Exchange.Meta):
        verbose_name = _("ニーズ")


class Offer(Exchange):
    """提供: what a party can give."""

    title = models.CharField(_("タイトル"), max_length=200, help_text=_("例: チラシ・ポスターのデザイン"))
    is_open = models.BooleanField(_("受付中"), default=True)

    history = HistoricalRecords(excluded_fields=["search_text"], m2m_fields=["themes", "areas"])

    class Meta(Exchange.Meta):
        verbose_name = _("提供")


# --- Parties -------------------------------------------------------------------------------------


class PartyKind(models.TextChoices):
    GROUP = "group", _("団体")
    BUSINESS = "business", _("企業・事業者")
    DEPARTMENT = "department", _("担当課")


@dataclass(frozen=True)
class PartyRef:
    """A party named by kind and id, e.g. PartyRef("group", 12), written "group-12" in URLs and forms."""

    kind: str
    id: int

    @classmethod
    def parse(cls, key: str) -> PartyRef:
        kind, _sep, number = (key or "").partition("-")
        if kind not in PartyKind.values or not number.isdigit():
            raise ValueError(f"not a party key: {key!r}")
        return cls(kind, int(number))

    @classmethod
    def of(cls, party) -> PartyRef:
        from groups.models import Group

        if isinstance(party, Group):
            return cls(PartyKind.GROUP, party.pk)
        if isinstance(party, Business):
            return cls(PartyKind.BUSINESS, party.pk)
        if isinstance(party, Department):
            return cls(PartyKind.DEPARTMENT, party.pk)
        raise TypeError(f"not a party: {party!r}")

    @property
    def key(self) -> str:
        return f"{self.kind}-{self.id}"

    @property
    def kind_label(self) -> str:
        return PartyKind(self.kind).label

    def model(self) -> type[models.Model]:
        from groups.models import Group

        return {PartyKind.GROUP: Group, PartyKind.BUSINESS: Business, PartyKind.DEPARTMENT: Department}[
            self.kind
        ]

    def get(self):
        return self.model().objects.get(pk=self.id)

    def owner_filter(self, prefix: str = "") -> Q:
        """Q(group_id=12) for things owned by this party (Need, Offer), or with a prefix (Match sides)."""
        return Q(**{f"{self.kind}{prefix}_id": self.id})


# --- Matches -------------------------------------------------------------------------------------


class MatchStatus(models.TextChoices):
    PROPOSED = "proposed", _("提案")
    INTRODUCED = "introduced", _("紹介済")
    NEGOTIATING = "negotiating", _("協議中")
    CONCLUDED = "concluded", _("成立")
    DECLINED = "declined", _("不成立")


# The only moves staff may make. Everything else is refused by services.match_transition.
MATCH_WORKFLOW = Workflow.from_moves(
    MatchStatus,
    {
        MatchStatus.PROPOSED: (MatchStatus.INTRODUCED, MatchStatus.DECLINED),
        MatchStatus.INTRODUCED: (MatchStatus.NEGOTIATING, MatchStatus.DECLINED),
        MatchStatus.NEGOTIATING: (MatchStatus.CONCLUDED, MatchStatus.DECLINED),
        MatchStatus.CONCLUDED: (),
        MatchStatus.DECLINED: (),
    },
    refused=_("「%(from)s」から「%(to)s」へは変更できません。"),
)
CLOSED_MATCH_STATUSES = (MatchStatus.CONCLUDED, MatchStatus.DECLINED)


def exactly_one_side(side: str) -> models.CheckConstraint:
    return exactly_one_of(
        f"group_{side}", f"business_{side}", f"department_{side}", name=f"match_exactly_one_party_{side}"
    )


class MatchQuerySet(models.QuerySet):
    def involving(self, ref: PartyRef):
        return self.filter(ref.owner_filter("_a") | ref.owner_filter("_b"))

    def with_parties(self):
        return self.select_related(*Match.PARTY_FIELDS, "need", "offer", "program")


class Match(models.Model):
    """マッチング: two parties the center connects, with the score and reasons of the suggestion.

    Side A is the party the suggestion was made for (the one with the need, when there is a
    need/offer pair); side B is the partner.
    """

    # Each side is a group, a business or a department (exactly one: exactly_one_side).
    PARTY_FIELDS = ("group_a", "business_a", "department_a", "group_b", "business_b", "department_b")

    group_a = party_link("groups.Group", _("団体（A）"), on_delete=models.PROTECT)
    business_a = party_link(Business, _("企業・事業者（A）"), on_delete=models.PROTECT)
    department_a = party_link(Department, _("担当課（A）"), on_delete=models.PROTECT)
    group_b = party_link("groups.Group", _("団体（B）"), on_delete=models.PROTECT)
    business_b = party_link(Business, _("企業・事業者（B）"), on_delete=models.PROTECT)
    department_b = party_link(Department, _("担当課（B）"), on_delete=models.PROTECT)
    need = optional_link(Need, _("ニーズ"), on_delete=models.SET_NULL, related_name="matches")
    offer = optional_link(Offer, _("提供"), on_delete=models.SET_NULL, related_name="matches")
    score = models.PositiveSmallIntegerField(_("スコア"), default=0)
    reasons = models.JSONField(_("理由"), default=list, blank=True)
    status = models.CharField(
        _("状態"), max_length=20, choices=MatchStatus.choices, default=MatchStatus.PROPOSED, db_index=True
    )
    status_changed_at = models.DateTimeField(_("状態の変更日時"), default=timezone.now)
    note = models.TextField(
        _("職員メモ"), blank=True, help_text=_("例: 3月の交流会で名刺交換。チラシの件で紹介。")
    )
    program = optional_link(
        "events.Program",
        _("事業"),
        on_delete=models.PROTECT,
        related_name="matches",
        help_text=_("どの事業の成果として数えるか（任意）"),
    )
    origin_event = optional_link(
        "events.Event", _("きっかけの催し"), on_delete=models.SET_NULL, related_name="matches"
    )
    origin_consultation = optional_link(
        "consultations.Consultation", _("きっかけの相談"), on_delete=models.SET_NULL, related_name="matches"
    )
    mail_sent_at = models.DateTimeField(_("紹介メール送信日時"), null=True, blank=True)
    mail_error = models.TextField(_("紹介メールのエラー"), blank=True)
    created_by = actor_field(_("作成者"), blank=True)
    created_at = models.DateTimeField(_("作成日時"), default=timezone.now)

    objects = MatchQuerySet.as_manager()

    class Meta(JapaneseNames):
        verbose_name = _("マッチング")
        ordering = ["-status_changed_at", "-id"]
        constraints = [exactly_one_side("a"), exactly_one_side("b")]

    def __str__(self) -> str:
        return f"{self.party_a} ↔ {self.party_b}"

    def get_absolute_url(self) -> str:
        return reverse("matching:match_detail", args=[self.pk])

    @property
    def party_a(self):
        return self.group_a or self.business_a or self.department_a

    @property
    def party_b(self):
        return self.group_b or self.business_b or self.department_b

    @property
    def ref_a(self) -> PartyRef:
        return PartyRef.of(self.party_a)

    @property
    def ref_b(self) -> PartyRef:
        return PartyRef.of(self.party_b)

    def allowed_transitions(self) -> tuple[str, ...]:
        return tuple(MATCH_WORKFLOW.next(self.status))

    def allowed_transition_choices(self) -> list[tuple[str, str]]:
        return [(s, MatchStatus(s).label) for s in self.allowed_transitions()]

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_MATCH_STATUSES


class MatchStatusChange(models.Model):
    """One step of a match's life: who moved it, when, from which state to which."""

    match = models.ForeignKey(
        Match, on_delete=models.CASCADE, related_name="history", verbose_name=_("マッチング")
    )
    from_status = models.CharField(_("変更前"), max_length=20, choices=MatchStatus.choices, blank=True)
    to_status = models.CharField(_("変更後"), max_length=20, choices=MatchStatus.choices)
    changed_by = actor_field(_("変更者"), blank=True)
    changed_at = models.DateTimeField(_("変更日時"), default=timezone.now)
    note = models.TextField(_("メモ"), blank=True)

    class Meta(JapaneseNames):
        verbose_name = _("マッチングの状態履歴")
        ordering = ["changed_at", "id"]
        indexes = [models.Index(fields=["to_status", "changed_at"])]

    def __str__(self) -> str:
        return f"{self.match_id}: {self.from_status or '-'} → {self.to_status}"
