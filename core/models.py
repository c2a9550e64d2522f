"""What every app shares: accounts, activity fields, districts, departments and people."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.fields import actor_field, mapping_field, optional_link
from core.text import reading_sort_key, search_document
from core.validators import fiscal_year_validators


class JapaneseNames:
    """Base of a model's Meta: Japanese has no plural, so verbose_name_plural is verbose_name
    (Django would add an "s") unless the Meta names a plural of its own."""

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if "verbose_name" in vars(cls) and "verbose_name_plural" not in vars(cls):
            cls.verbose_name_plural = cls.verbose_name


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("email is required")
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


# What stands for the name of an account made before names were asked for: never its e-mail address.
UNNAMED_IN_LISTS = _("（氏名未登録）")
UNNAMED_IN_GREETINGS = _("ご利用者")


def listed_name(full_name: str) -> str:
    """User.__str__ from the name alone: how a page, list, export or mail names someone other than
    its reader (「（氏名未登録）」 without a name, never the greeting 「ご利用者」 nor the address)."""
    return full_name or str(UNNAMED_IN_LISTS)


def addressed_name(full_name: str) -> str:
    """User.get_full_name() from the name alone (for lists read as values)."""
    return full_name or str(UNNAMED_IN_GREETINGS)


class User(AbstractUser):
    """A person with an account. Signs in with an e-mail address; there is no username."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("メールアドレス"), unique=True)
    full_name = models.CharField(_("氏名"), max_length=100, blank=True)
    full_name_kana = models.CharField(_("ふりがな"), max_length=100, blank=True)
    phone = models.CharField(_("電話番号"), max_length=20, blank=True)
    # Which optional notices the person wants. Mails about their own applications (申込の確定、
    # 取消、審査の結果) always go; the newsletter and saved-search digests have their own settings.
    notify_event_reminders = models.BooleanField(
        _("催しの前のお知らせ（リマインダー）を受け取る"), default=True
    )
    notify_event_surveys = models.BooleanField(_("催しのあとのアンケートのお願いを受け取る"), default=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta(JapaneseNames):
        verbose_name = _("利用者")
        ordering = ["email"]

    # A person is named by their profile, never by their e-mail address.
    def __str__(self) -> str:
        return listed_name(self.full_name)

    def get_full_name(self) -> str:
        """The name to address the person by: 「山田 花子」 in 「山田 花子 様」."""
        return addressed_name(self.full_name)

    def get_short_name(self) -> str:
        return self.get_full_name()

    @property
    def has_complete_profile(self) -> bool:
        """氏名 and ふりがな are given: needed before registering for an event, applying for a
        group or proposing a project (core.permissions.profile_required)."""
        return bool(self.full_name.strip() and self.full_name_kana.strip())

    def has_role(self, role: str) -> bool:
        """True when the user belongs to the Django group of that role (see core.roles)."""
        from core.roles import user_has_role

        return user_has_role(self, role)


class KeywordSearchableQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        # bulk_create skips save(): the derived columns are made here, so no bulk writer forgets them.
        objs = list(objs)
        for obj in objs:
            obj.refresh_derived_fields()
        return super().bulk_create(objs, *args, **kwargs)


class KeywordSearchable(models.Model):
    """A record that a list's keyword finds however its words are typed: full or half width,
    kana, ヶ/ケ, 法人格, synonyms. `search_text` is made from SEARCH_FIELDS on every save and
    bulk_create (core.text.search_document); the list filters it with
    ``KeywordFilter(lookups=["search_text__contains"])``. A manager of a subclass must come from
    KeywordSearchableQuerySet."""

    SEARCH_FIELDS: tuple[str, ...] = ()

    search_text = models.TextField(editable=False, blank=True, default="")

    objects = KeywordSearchableQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        self.refresh_derived_fields()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            # A column made from a field that is saved is saved with it.
            changed = set(update_fields)
            kwargs["update_fields"] = changed | {
                column for column, sources in self.derived_from().items() if not changed.isdisjoint(sources)
            }
        super().save(*args, **kwargs)

    @classmethod
    def derived_from(cls) -> dict[str, tuple[str, ...]]:
        """Each column refresh_derived_fields makes → the fields it is made from; a subclass that
        makes more adds them here too."""
        return {"search_text": cls.SEARCH_FIELDS}

    def refresh_derived_fields(self) -> None:
        """The columns made from the others, on save and bulk_create; a subclass adds its own."""
        self.refresh_search_text()

    def refresh_search_text(self) -> None:
        self.search_text = search_document(*(getattr(self, name) for name in self.SEARCH_FIELDS))


class ThemeQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Vocabulary(models.Model):
    """An entry of a list staff keep (themes, districts, topics, programs): shown in their `order`
    and named by its `name`. Each list declares both fields, with its own label and size."""

    class Meta(JapaneseNames):
        abstract = True
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class Theme(Vocabulary):
    """活動分野: the 20 fields of the NPO Act, and local priority themes (重点テーマ) per fiscal year."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    short_name = models.CharField(_("略称"), max_length=30, blank=True)
    is_npo_act_field = models.BooleanField(_("NPO法の活動分野"), default=False)
    priority_fiscal_year = models.PositiveIntegerField(
        _("重点テーマの年度"),
        null=True,
        blank=True,
        help_text=_("重点テーマのときだけ、その年度（開始年、例: 2025）。"),
        validators=fiscal_year_validators,
    )
    order = models.PositiveIntegerField(_("並び順"), default=100)
    is_active = models.BooleanField(_("使用中"), default=True)

    objects = ThemeQuerySet.as_manager()

    class Meta(Vocabulary.Meta):
        verbose_name = _("テーマ")
        verbose_name_plural = _("テーマ（活動分野）")

    def __str__(self) -> str:
        return self.short_name or self.name


class Area(Vocabulary):
    """地域・地区: a district of the municipality."""

    name = models.CharField(_("地区名"), max_length=50, unique=True)
    name_kana = models.CharField(_("ふりがな"), max_length=100, blank=True)
    order = models.PositiveIntegerField(_("並び順"), default=100)

    class Meta(Vocabulary.Meta):
        verbose_name = _("地区")


class Department(KeywordSearchable):
    """市の担当課, and other public partners such as the 社会福祉協議会. Found by a keyword in its
    name, reading or 部局 however typed (search_text)."""

    SEARCH_FIELDS = ("name", "name_kana", "division")

    class Kind(models.TextChoices):
        CITY = "city", _("市の部署")
        SOCIAL_WELFARE_COUNCIL = "swc", _("社会福祉協議会")
        OTHER_PUBLIC = "public", _("その他の公的機関")

    name = models.CharField(_("名称"), max_length=100, unique=True)
    name_kana = models.CharField(_("ふりがな"), max_length=200, blank=True)
    kind = models.CharField(_("種別"), max_length=10, choices=Kind.choices, default=Kind.CITY)
    division = models.CharField(_("部局"), max_length=100, blank=True, help_text=_("例: 市民生活部"))
    description = models.TextField(_("所管・概要"), blank=True)
    themes = models.ManyToManyField(
        Theme, verbose_name=_("担当テーマ"), blank=True, related_name="departments"
    )
    areas = models.ManyToManyField(Area, verbose_name=_("担当地区"), blank=True, related_name="departments")
    email = models.EmailField(_("連絡先メール"), blank=True)
    phone = models.CharField(_("電話番号"), max_length=20, blank=True)
    officials = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("所属職員"), blank=True, related_name="departments"
    )
    is_active = models.BooleanField(_("使用中"), default=True)

    class Meta(JapaneseNames):
        verbose_name = _("担当課・公的機関")
        ordering = ["name_kana", "name"]

    def __str__(self) -> str:
        return self.name


class ReadingOrdered(KeywordSearchable):
    """A person, a business or a group: listed in the order of the reading of its name (`sort_key`, made on
    save and bulk_create from name_kana, or from the name when it has none). Each declares `sort_key`."""

    class Meta(JapaneseNames):
        abstract = True
        ordering = ["sort_key", "id"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def derived_from(cls) -> dict[str, tuple[str, ...]]:
        return {**super().derived_from(), "sort_key": ("name", "name_kana")}

    def refresh_derived_fields(self) -> None:
        super().refresh_derived_fields()
        self.sort_key = reading_sort_key(self.name_kana or self.name)


class Person(ReadingOrdered):
    """Someone the center deals with: a participant, a person who asks for advice.

    Linked to an account when there is one, so that the same person is recognised across
    programs and years; a guest record (phoned in, walked in) has no account and staff may
    merge duplicates into one record (`merged_into`).
    """

    SEARCH_FIELDS = ("name", "name_kana", "email")

    name = models.CharField(_("氏名"), max_length=100)
    name_kana = models.CharField(_("ふりがな"), max_length=100, blank=True)
    email = models.EmailField(_("メールアドレス"), blank=True)
    phone = models.CharField(_("電話番号"), max_length=20, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("アカウント"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    merged_into = optional_link("self", _("統合先"), on_delete=models.SET_NULL, related_name="merged")
    sort_key = models.CharField(max_length=200, editable=False, blank=True, default="")
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)

    class Meta(ReadingOrdered.Meta):
        verbose_name = _("個人")


class DemoDataset(models.Model):
    """Which app's demo data is loaded: `seed_demo` loads each app's once."""

    app_label = models.CharField(max_length=50, unique=True)
    scale = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(JapaneseNames):
        verbose_name = _("デモデータ")

    def __str__(self) -> str:
        return f"{self.app_label} ×{self.scale}"


# Mails whose body is a capability of the recipient: staff do not see it in the outbox.
SECRET_KINDS = frozenset({"core.mfa_enrol", "core.mfa_enrol_staff"})

# What staff read for a message's kind ("<app>.<mail>", as each app passes it to core.outbox) on
# /staff/outbox/: one table, the word for the app and the word for the mail. A kind not listed
# (a new mail, an allauth notice) still reads in Japanese: the app's word and メール.
OUTBOX_KIND_APPS = {
    "account": _("アカウント"),
    "core": _("アカウント"),
    "events": _("催し"),
    "groups": _("団体"),
    "projects": _("協働事業"),
    "matching": _("マッチング"),
    "spaces": _("活動の場"),
    "info": _("情報発信"),
}
OUTBOX_KIND_MAILS = {
    "account.email_confirmation": _("メールアドレスの確認"),
    "account.email_confirmation_signup": _("登録時のメールアドレスの確認"),
    "account.password_reset_key": _("パスワードの再設定"),
    "account.account_already_exists": _("登録済みのお知らせ"),
    "account.unknown_account": _("未登録のお知らせ"),
    "core.mfa_enrol": _("2段階認証の設定"),
    "core.mfa_enrol_staff": _("2段階認証の設定（職員が発行）"),
    "events.confirmed": _("申込確定"),
    "events.waitlisted": _("キャンセル待ち受付"),
    "events.promoted": _("繰り上げ確定"),
    "events.cancelled": _("取消"),
    "events.reminder": _("開催前のお知らせ"),
    "events.survey": _("アンケートのお願い"),
    "groups.submitted": _("登録申請の受付"),
    "groups.approved": _("登録の承認"),
    "groups.returned": _("登録申請の差し戻し"),
    "groups.status_changed": _("登録状況の変更"),
    "groups.invitation": _("編集者への招待"),
    "groups.contact": _("団体へのお問い合わせ"),
    "groups.renewal_reminder": _("更新のお願い"),
    "projects.proposal_submitted": _("提案の受付"),
    "projects.proposal_review_started": _("審査の開始"),
    "projects.proposal_stage_advanced": _("審査の次の段階"),
    "projects.proposal_decided": _("審査の結果"),
    "projects.project_status_changed": _("事業の状況の変更"),
    "projects.review_requested": _("審査のお願い"),
    "projects.reviewer_invitation": _("審査員への招待"),
    "matching.business_approved": _("企業登録の承認"),
    "matching.business_returned": _("企業登録の差し戻し"),
    "matching.introduction": _("紹介"),
    "spaces.booked": _("予約の受付"),
    "spaces.cancelled": _("予約の取消"),
    "spaces.moved": _("予約の変更"),
    "info.newsletter_confirm": _("メールマガジン登録の確認"),
    "info.newsletter": _("メールマガジン"),
    "info.digest": _("新着情報のお知らせ"),
}


def outbox_kind_label(kind: str) -> str:
    """「催し：アンケートのお願い」 for "events.survey"; the code itself only for an unknown app."""
    app = OUTBOX_KIND_APPS.get(kind.partition(".")[0])
    if app is None:
        return kind
    return _("%(app)s：%(mail)s") % {"app": app, "mail": OUTBOX_KIND_MAILS.get(kind, _("メール"))}


class OutboxMessage(models.Model):
    """One e-mail the portal sends: written in the transaction of the change that causes it and
    sent after commit by the retrying tasks of core.tasks. Staff see every message
    with its state and resend a failed one; nothing leaves the portal any other way."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待機中")
        SENT = "sent", _("送信済み")
        FAILED = "failed", _("失敗")

    kind = models.CharField(_("種類"), max_length=60, help_text=_("例: groups.approved"))
    to = models.JSONField(_("宛先"), default=list)
    reply_to = models.JSONField(_("返信先"), default=list, blank=True)
    subject = models.CharField(_("件名"), max_length=300)
    body = models.TextField(_("本文"))
    headers = mapping_field(_("ヘッダー"))
    # [{"filename": ..., "content": base64, "mimetype": ...}]
    attachments = models.JSONField(_("添付ファイル"), default=list, blank=True)
    # Indexed with object_id in Meta (the lookup of a record's messages), not on its own.
    content_type = models.ForeignKey(
        ContentType,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name=_("関連するデータの種類"),
        db_index=False,
    )
    object_id = models.PositiveBigIntegerField(_("関連するデータのID"), null=True, blank=True)
    related = GenericForeignKey("content_type", "object_id")
    # Set by outbox_enqueue_once: the same key is never enqueued twice (reminders, surveys). Unique
    # by a constraint in Meta (unique=True would add a second index, for LIKE, that nothing asks);
    # NULL, not "", for the many messages without a key, which the constraint must not compare.
    once_key = models.CharField(max_length=200, null=True, blank=True, editable=False)  # noqa: DJ001
    status = models.CharField(_("状態"), max_length=10, choices=Status.choices, default=Status.PENDING)
    # Written by outbox_enqueue_many (newsletters, digests): sent by the tasks of the queue "bulk",
    # never by the sender of the queue "mail" (core.tasks.outbox_send_pending).
    is_bulk = models.BooleanField(_("一斉送信"), default=False, editable=False)
    attempts = models.PositiveSmallIntegerField(_("送信回数"), default=0)
    last_error = models.CharField(_("エラー"), max_length=300, blank=True)
    error_detail = models.TextField(_("エラーの詳細"), blank=True)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(_("送信日時"), null=True, blank=True)

    class Meta(JapaneseNames):
        verbose_name = _("送信メール")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["content_type", "object_id"]),
            models.Index(fields=["kind", "created_at"]),
        ]
        constraints = [models.UniqueConstraint(fields=["once_key"], name="core_outbox_once_key_unique")]

    def __str__(self) -> str:
        return f"{self.subject}（{self.get_status_display()}）"

    @property
    def kind_label(self) -> str:
        return outbox_kind_label(self.kind)

    @property
    def body_is_secret(self) -> bool:
        # Account mails (verification, password reset) carry links that sign someone in.
        return self.kind.startswith("account.") or self.kind in SECRET_KINDS

    @property
    def can_resend(self) -> bool:
        # Rows moved from the old notification tables have no body (it was never stored).
        return self.status != self.Status.SENT and bool(self.body) and bool(self.to)

    @property
    def recipients_display(self) -> str:
        return "、".join(self.to)


class MfaEnrolmentLink(models.Model):
    """A one-time link that opens the TOTP set-up page of one account (core/mfa.py).

    Asked for by the person (mailed to their verified address, valid 30 minutes) or issued by
    staff who know the person (valid 3 days). It works once, only for the signed-in account it
    was made for; a newer link replaces the older ones. Only a hash of the token is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="mfa_enrolment_links",
        verbose_name=_("利用者"),
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    issued_by = actor_field(_("発行した職員"), blank=True)
    created_at = models.DateTimeField(_("発行日時"), auto_now_add=True)
    expires_at = models.DateTimeField(_("有効期限"))
    used_at = models.DateTimeField(_("使用日時"), null=True, blank=True)

    class Meta(JapaneseNames):
        verbose_name = _("二段階認証の設定リンク")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user}（{self.created_at:%Y-%m-%d %H:%M}）"


class SearchSynonym(models.Model):
    """Spellings that search treats as one word (子ども/こども/子供): one set per row, staff-editable.

    The first rows come from core.text.DEFAULT_SYNONYMS. A keyword containing any spelling is
    searched with every spelling of its set, and the search page says which it added.
    """

    variants = models.CharField(
        _("同じ意味の書き方"),
        max_length=200,
        unique=True,
        help_text=_("「/」で区切って2つ以上。例: 子ども/こども/子供"),
    )
    note = models.CharField(_("メモ"), max_length=200, blank=True)

    class Meta(JapaneseNames):
        verbose_name = _("検索の同義語")
        ordering = ["variants"]

    def __str__(self) -> str:
        return self.variants

    def spellings(self) -> list[str]:
        return [part.strip() for part in self.variants.replace("／", "/").split("/") if part.strip()]

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if len(self.spellings()) < 2:
            raise ValidationError({"variants": _("書き方を「/」で区切って2つ以上入力してください。")})


def _forget_synonyms(**kwargs) -> None:
    from core.search import forget_synonyms

    forget_synonyms()


models.signals.post_save.connect(_forget_synonyms, sender=SearchSynonym, dispatch_uid="search_synonym_saved")
models.signals.post_delete.connect(
    _forget_synonyms, sender=SearchSynonym, dispatch_uid="search_synonym_deleted"
)


def absolute_url(path: str) -> str:
    """An address for e-mails: SITE_URL + path."""
    return f"{settings.SITE_URL}{path}"
