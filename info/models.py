"""情報集約・発信: grants and support programs, and the saved searches that alert people."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.constraints import unless_either_empty
from core.fields import actor_field, optional_link
from core.models import Area, Department, JapaneseNames, KeywordSearchable, KeywordSearchableQuerySet, Theme
from core.text import tidy_fields
from groups.models import LegalForm


class GrantQuerySet(KeywordSearchableQuerySet):
    def published(self):
        return self.filter(is_published=True)

    def open_on(self, day: dt.date):
        """Grants still taking applications on `day` (no deadline counts as open)."""
        return self.published().filter(Q(closes_on__isnull=True) | Q(closes_on__gte=day))

    def past_on(self, day: dt.date):
        return self.published().filter(closes_on__lt=day)


# The largest amount a grant may name (10億円): more is a typing mistake, and PostgreSQL's integer
# ends at about 21億 while SQLite has no end.
GRANT_AMOUNT_MAX = 1_000_000_000
GRANT_YEARS_ACTIVE_MAX = 100


def _amount_max_validator():
    return MaxValueValidator(GRANT_AMOUNT_MAX, message=_("金額は10億円以下で入力してください。"))


class Grant(KeywordSearchable):
    """助成金・支援制度: one program of a provider (city, foundation, company, prefecture...)."""

    SEARCH_FIELDS = ("title", "provider", "summary")
    # Stored in one spelling however typed or pasted, as a group's name (core.text.tidy_text).
    TIDIED_FIELDS = ("title", "provider")

    provider = models.CharField(_("実施団体"), max_length=200, help_text=_("例: みらい市 市民協働推進課"))
    title = models.CharField(_("制度の名前"), max_length=200, help_text=_("例: 市民活動応援補助金"))
    summary = models.TextField(_("内容"), help_text=_("対象となる活動、補助率などを書きます。"))
    amount_min = models.PositiveIntegerField(
        _("金額（下限・円）"),
        null=True,
        blank=True,
        validators=[_amount_max_validator()],
        help_text=_("例: 100000、10万円。なければ空欄。"),
    )
    amount_max = models.PositiveIntegerField(
        _("金額（上限・円）"),
        null=True,
        blank=True,
        validators=[_amount_max_validator()],
        help_text=_("例: 500000、50万円。上限がなければ空欄。"),
    )
    # Legal forms that may apply, stored as ",npo,voluntary," so one LIKE finds a form on every
    # database (SQLite has no JSON containment); empty means every form may apply.
    legal_forms = models.CharField(_("応募できる法人格"), max_length=200, blank=True, default="")
    areas = models.ManyToManyField(
        Area, verbose_name=_("対象地区"), blank=True, related_name="grants", help_text=_("空欄は市内全域")
    )
    min_years_active = models.PositiveSmallIntegerField(
        _("必要な活動年数"),
        null=True,
        blank=True,
        validators=[
            MaxValueValidator(GRANT_YEARS_ACTIVE_MAX, message=_("活動年数は100年以下で入力してください。"))
        ],
        help_text=_("例: 1（1年以上の活動実績）。条件がなければ空欄。"),
    )
    themes = models.ManyToManyField(Theme, verbose_name=_("対象分野"), blank=True, related_name="grants")
    opens_on = models.DateField(_("受付開始日"), null=True, blank=True)
    closes_on = models.DateField(_("締切日"), null=True, blank=True, help_text=_("随時受付なら空欄"))
    how_to_apply = models.TextField(_("応募の方法"), blank=True, help_text=_("例: 申請書を郵送または持参"))
    url = models.URLField(_("詳しい情報（URL）"), blank=True)
    department = optional_link(
        Department,
        _("担当課"),
        on_delete=models.SET_NULL,
        related_name="grants",
        help_text=_("市の制度のとき。担当課の職員も編集できます。"),
    )
    is_published = models.BooleanField(_("公開する"), default=True)
    published_at = models.DateTimeField(_("公開日時"), null=True, blank=True, db_index=True)
    created_by = actor_field(blank=True)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    objects = GrantQuerySet.as_manager()

    class Meta(JapaneseNames):
        verbose_name = _("助成金・支援制度")
        ordering = [models.F("closes_on").asc(nulls_last=True), "id"]
        indexes = [models.Index(fields=["is_published", "closes_on"], name="grant_published_closes_idx")]
        constraints = [
            models.CheckConstraint(
                condition=unless_either_empty("amount_min", "lte", "amount_max"),
                name="grant_amount_order",
                violation_error_message=_("金額の下限は上限以下にしてください。"),
            ),
            models.CheckConstraint(
                condition=unless_either_empty("opens_on", "lte", "closes_on"),
                name="grant_period_order",
                violation_error_message=_("締切日は受付開始日より後にしてください。"),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("info:grant_detail", args=[self.pk])

    def clean(self) -> None:
        # Here, as every write path runs full_clean: the services (the portal's form) and the admin.
        tidy_fields(self, self.TIDIED_FIELDS)

    @property
    def legal_form_list(self) -> list[str]:
        return [value for value in self.legal_forms.split(",") if value]

    @property
    def legal_form_labels(self) -> list[str]:
        labels = dict(LegalForm.choices)
        return [str(labels.get(value, value)) for value in self.legal_form_list]

    def days_left(self, today: dt.date) -> int | None:
        return None if self.closes_on is None else (self.closes_on - today).days


class SearchKind(models.TextChoices):
    """The lists whose filters can be saved (the sources are in info.sources)."""

    GROUPS = "groups", _("団体をさがす")
    EVENTS = "events", _("催し")
    GRANTS = "grants", _("助成金・支援制度")
    NEEDS = "needs", _("ニーズ")
    OFFERS = "offers", _("提供")


class Frequency(models.TextChoices):
    IMMEDIATE = "immediate", _("すぐに（新着があれば1時間ごとにまとめて）")
    WEEKLY = "weekly", _("週に1回（月曜の朝）")


class SavedSearch(models.Model):
    """保存した検索条件: the filters of a list, and how often to be told about new matches."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_searches",
        verbose_name=_("利用者"),
    )
    kind = models.CharField(_("一覧"), max_length=20, choices=SearchKind.choices)
    name = models.CharField(_("名前"), max_length=100, help_text=_("例: 子育ての団体"))
    query = models.CharField(_("条件"), max_length=1000, blank=True, help_text=_("一覧の URL の ? より後"))
    frequency = models.CharField(
        _("お知らせの頻度"), max_length=10, choices=Frequency.choices, default=Frequency.WEEKLY
    )
    is_active = models.BooleanField(_("お知らせを受け取る"), default=True)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    # New matches are items that appeared after this instant (then moved forward by each run).
    checked_at = models.DateTimeField(_("最後に確認した日時"))

    class Meta(JapaneseNames):
        verbose_name = _("保存した検索条件")
        ordering = ["user_id", "created_at", "id"]
        indexes = [models.Index(fields=["frequency", "is_active", "kind"], name="savedsearch_run_idx")]

    def __str__(self) -> str:
        return self.name


class AlertDelivery(models.Model):
    """One item sent to one person in a digest: the same item is never sent to them twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    saved_search = models.ForeignKey(
        SavedSearch, null=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    kind = models.CharField(max_length=20, choices=SearchKind.choices)
    object_id = models.PositiveBigIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta(JapaneseNames):
        verbose_name = _("新着のお知らせ（送信済み）")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "object_id"], name="alertdelivery_once_per_item")
        ]
        # The annual report counts the alerts sent in a fiscal year.
        indexes = [models.Index(fields=["sent_at"], name="alertdelivery_sent_idx")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id}"


def private_storage():
    from django.core.files.storage import storages

    return storages["private"]


def flyer_upload_to(flyer: Flyer, filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"flyers/{uuid.uuid4().hex}.{suffix}"


class FlyerStatus(models.TextChoices):
    PENDING = "pending", _("確認待ち")
    APPROVED = "approved", _("掲示中")
    REJECTED = "rejected", _("掲示できません")


class FlyerQuerySet(models.QuerySet):
    def on_display(self, day: dt.date):
        """Approved flyers whose display period includes `day`: expired ones leave by themselves."""
        return self.filter(status=FlyerStatus.APPROVED, display_from__lte=day, display_until__gte=day)


class Flyer(models.Model):
    """チラシの配架: a group's flyer (PDF or image) shown on the rack for a period, after staff approve."""

    group = models.ForeignKey(
        "groups.Group", on_delete=models.CASCADE, related_name="flyers", verbose_name=_("団体")
    )
    title = models.CharField(_("チラシの題名"), max_length=200, help_text=_("例: 夏休み子ども食堂のお知らせ"))
    alt_text = models.TextField(
        _("チラシの内容（画像の代わりの文章）"),
        max_length=1000,
        help_text=_(
            "目の見えない方や画像が表示されない方のために、チラシに書いてあることを文章で書いてください。"
        ),
    )
    file = models.FileField(_("ファイル"), upload_to=flyer_upload_to, storage=private_storage, max_length=200)
    content_type = models.CharField(max_length=100)
    thumbnail = models.FileField(
        upload_to="flyers/thumbs/", storage=private_storage, max_length=200, blank=True
    )
    display_from = models.DateField(_("掲示の開始日"))
    display_until = models.DateField(_("掲示の終了日"))
    status = models.CharField(
        _("状態"), max_length=10, choices=FlyerStatus.choices, default=FlyerStatus.PENDING
    )
    review_note = models.TextField(_("センターからの連絡"), blank=True)
    uploaded_by = actor_field(_("登録者"))
    reviewed_by = actor_field(blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)

    objects = FlyerQuerySet.as_manager()

    class Meta(JapaneseNames):
        verbose_name = _("チラシ")
        ordering = ["-display_from", "-id"]
        indexes = [models.Index(fields=["status", "display_until"], name="flyer_display_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(display_from__lte=models.F("display_until")),
                name="flyer_period_order",
                violation_error_message=_("掲示の終了日は開始日より後にしてください。"),
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("info:flyer_file", args=[self.pk])

    def is_on_display(self, day: dt.date) -> bool:
        return self.status == FlyerStatus.APPROVED and self.display_from <= day <= self.display_until


class SubscriberStatus(models.TextChoices):
    PENDING = "pending", _("確認待ち")
    ACTIVE = "active", _("購読中")
    UNSUBSCRIBED = "unsubscribed", _("解除済み")


class Subscriber(models.Model):
    """情報紙の購読者: double opt-in, with or without an account. Unsubscribed and never confirmed
    addresses are deleted after settings.NEWSLETTER_RETENTION_DAYS (APPI: keep no more than needed)."""

    email = models.EmailField(_("メールアドレス"), unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("状態"), max_length=15, choices=SubscriberStatus.choices, default=SubscriberStatus.PENDING
    )
    created_at = models.DateTimeField(_("申込日時"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("確認日時"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("解除日時"), null=True, blank=True)

    class Meta(JapaneseNames):
        verbose_name = _("情報紙の購読者")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "id"], name="subscriber_status_idx"),
            # The annual report counts the readers subscribed at the end of a fiscal year.
            models.Index(fields=["confirmed_at"], name="subscriber_confirmed_idx"),
        ]

    def __str__(self) -> str:
        return self.email


class IssueStatus(models.TextChoices):
    DRAFT = "draft", _("作成中")
    SENDING = "sending", _("送信中")
    SENT = "sent", _("送信済み")
    # The sending task stopped half-way: staff send the rest (info.newsletter.issue_send).
    FAILED = "failed", _("送信が止まりました")


class NewsletterIssue(models.Model):
    """情報紙の1号: blocks in a fixed order (a message, chosen events, new groups, grants with
    deadlines, a project story), sent by e-mail and printed as an A4 PDF."""

    number = models.PositiveIntegerField(_("号"), unique=True, help_text=_("例: 12（第12号）"))
    title = models.CharField(_("題名"), max_length=200, help_text=_("例: みらい市民活動通信 第12号（夏号）"))
    message = models.TextField(_("センターからのメッセージ"), blank=True)
    events = models.ManyToManyField(
        "events.Event", verbose_name=_("紹介する催し"), blank=True, related_name="+"
    )
    include_new_groups = models.BooleanField(_("新しく登録された団体を載せる"), default=True)
    include_grants = models.BooleanField(_("締切が近い助成金を載せる"), default=True)
    story_title = models.CharField(_("協働事業の紹介（見出し）"), max_length=200, blank=True)
    story_body = models.TextField(_("協働事業の紹介（本文）"), blank=True)
    status = models.CharField(
        _("状態"), max_length=10, choices=IssueStatus.choices, default=IssueStatus.DRAFT
    )
    sent_at = models.DateTimeField(_("送信日時"), null=True, blank=True)
    recipients = models.PositiveIntegerField(_("送信数"), default=0)
    created_by = actor_field(blank=True)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta(JapaneseNames):
        verbose_name = _("情報紙")
        ordering = ["-number"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("info:newsletter_detail", args=[self.pk])


class NewsletterDelivery(models.Model):
    """One issue queued for one subscriber: a re-run of the sending task never mails twice."""

    issue = models.ForeignKey(NewsletterIssue, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="+")
    queued_at = models.DateTimeField(auto_now_add=True)

    class Meta(JapaneseNames):
        verbose_name = _("情報紙の送信")
        constraints = [
            models.UniqueConstraint(fields=["issue", "subscriber"], name="newsletter_delivery_once")
        ]

    def __str__(self) -> str:
        return f"{self.issue_id}:{self.subscriber_id}"
