"""相談記録: consultations, their referrals (つなぎ先) and follow-ups, and the access log.

Consultations hold citizens' personal information. Only centre staff holding the permission
`consultations.access_consultation` may see them (see consultations.rules), every view, change
and export is written to ConsultationAccessLog, and after settings.CONSULTATION_RETENTION_YEARS
the personal fields are anonymised (services.consultations_anonymise_expired) while the
statistics (date, channel, topics, themes, duration) stay.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.constraints import exactly_one_of
from core.fields import actor_field, optional_link, party_link
from core.models import Department, JapaneseNames, Person, Theme, Vocabulary
from core.text import search_document
from core.validators import not_after_today


class Channel(models.TextChoices):
    VISIT = "visit", _("来所")
    PHONE = "phone", _("電話")
    EMAIL = "email", _("メール")
    ONLINE = "online", _("オンライン")
    OUTREACH = "outreach", _("訪問（アウトリーチ）")


class ConsultationStatus(models.TextChoices):
    OPEN = "open", _("対応中")
    CLOSED = "closed", _("完了")


def choice_label(choices: type[models.TextChoices], value: str) -> str:
    """The label of one stored value (a value no longer among the choices: itself)."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def client_label(*, group: str | None, person: str | None, anonymous: bool) -> str:
    """Who asked, as staff see it: 「団体名 ／ 氏名」, either one, 匿名 or （相談者未記録）."""
    parts = [name for name in (group, person) if name is not None]
    if not parts:
        return str(_("匿名")) if anonymous else str(_("（相談者未記録）"))
    return " ／ ".join(parts)


class Topic(Vocabulary):
    """相談の分野: the nine topics (seeded by migration 0002), editable by staff."""

    code = models.SlugField(
        _("コード"), max_length=30, unique=True, help_text=_("例: founding（変更しないでください）")
    )
    name = models.CharField(_("名称"), max_length=50, unique=True)
    order = models.PositiveSmallIntegerField(_("並び順"), default=100)
    is_active = models.BooleanField(_("使用中"), default=True)

    class Meta(Vocabulary.Meta):
        verbose_name = _("相談の分野")


class ConsultationQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=ConsultationStatus.OPEN)

    def expired(self, *, before):
        """Consultations dated before `before` whose personal fields are still there."""
        return self.filter(consulted_on__lt=before, anonymised_at__isnull=True)


class Consultation(models.Model):
    consulted_on = models.DateField(_("相談日"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("所要時間（分）"), default=30, help_text=_("例: 30")
    )
    channel = models.CharField(_("相談方法"), max_length=10, choices=Channel.choices, default=Channel.VISIT)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("対応職員"),
        on_delete=models.PROTECT,
        related_name="consultations_handled",
    )
    group = optional_link("groups.Group", _("団体"), on_delete=models.SET_NULL, related_name="consultations")
    person = optional_link(Person, _("相談者"), on_delete=models.SET_NULL, related_name="consultations")
    is_anonymous = models.BooleanField(
        _("匿名の相談"), default=False, help_text=_("名前を聞かなかった・名乗らなかった相談。")
    )
    topics = models.ManyToManyField(Topic, verbose_name=_("相談の分野"), related_name="consultations")
    themes = models.ManyToManyField(
        Theme, verbose_name=_("活動分野"), related_name="consultations", blank=True
    )
    question = models.TextField(
        _("相談内容"), help_text=_("例: 子ども食堂を始めたいが、場所と資金の当てがない。")
    )
    answer = models.TextField(
        _("対応内容"), blank=True, help_text=_("例: 市の助成金を案内し、社協の場所貸しを紹介した。")
    )
    status = models.CharField(
        _("状況"), max_length=10, choices=ConsultationStatus.choices, default=ConsultationStatus.CLOSED
    )
    related_events = models.ManyToManyField(
        "events.Event", verbose_name=_("この相談から生まれた催し"), related_name="consultations", blank=True
    )
    related_projects = models.ManyToManyField(
        "projects.Project",
        verbose_name=_("この相談から生まれた協働事業"),
        related_name="consultations",
        blank=True,
    )
    anonymised_at = models.DateTimeField(_("匿名化日時"), null=True, blank=True, editable=False)
    search_text = models.TextField(editable=False, blank=True, default="")
    created_by = actor_field(_("記録者"), blank=True, editable=False)
    created_at = models.DateTimeField(_("記録日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    # search_text copies the personal fields: the history keeps the fields themselves (and the
    # anonymisation clears them there too).
    history = HistoricalRecords(
        excluded_fields=["search_text"], m2m_fields=["topics", "themes", "related_events", "related_projects"]
    )
    objects = ConsultationQuerySet.as_manager()

    class Meta(JapaneseNames):
        verbose_name = _("相談記録")
        ordering = ["-consulted_on", "-id"]
        permissions = [("access_consultation", _("相談記録を閲覧・記録できる（個人情報）"))]
        indexes = [
            models.Index(fields=["consulted_on", "channel"]),
            models.Index(fields=["status", "consulted_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__lte=24 * 60), name="consultation_duration_max_day"
            ),
        ]

    def __str__(self) -> str:
        # No personal data here: other apps (matching's origin_consultation) may print it.
        return _("相談記録 No.%(id)s（%(date)s）") % {"id": self.pk, "date": self.consulted_on}

    def save(self, *args, **kwargs) -> None:
        self.refresh_search_text()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("consultations:detail", args=[self.pk])

    # get_FOO_display() translates every choice's label to find one (Django hashes the lazy
    # labels): on each row of a list that was a quarter of rendering the table.
    @property
    def channel_label(self) -> str:
        return choice_label(Channel, self.channel)

    @property
    def status_label(self) -> str:
        return choice_label(ConsultationStatus, self.status)

    @property
    def client_label(self) -> str:
        """Who asked, as staff see it: the group and/or the person, or 匿名."""
        return client_label(
            group=str(self.group) if self.group_id else None,
            person=str(self.person) if self.person_id else None,
            anonymous=self.is_anonymous or self.anonymised_at is not None,
        )

    @property
    def is_anonymised(self) -> bool:
        return self.anonymised_at is not None

    def clean(self) -> None:
        if not self.anonymised_at:  # an anonymised record is never edited again
            not_after_today(self, "consulted_on")
        if self.is_anonymous and self.person_id:
            raise ValidationError({"person": _("匿名の相談には相談者を登録できません。")})
        if not (self.is_anonymous or self.person_id or self.group_id or self.anonymised_at):
            raise ValidationError(_("団体か相談者を選ぶか、「匿名の相談」にしてください。"))

    def refresh_search_text(self) -> None:
        self.search_text = search_document(
            self.question,
            self.answer,
            self.person.name if self.person_id else "",
            self.person.name_kana if self.person_id else "",
            self.group.name if self.group_id else "",
            self.group.name_kana if self.group_id else "",
        )


class ReferralResult(models.TextChoices):
    PENDING = "pending", _("未確認")
    CONNECTED = "connected", _("つながった")
    NOT_CONNECTED = "not_connected", _("つながらなかった")


class Referral(models.Model):
    """つなぎ先: a department, a group or a business the centre connected the client to."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="referrals", verbose_name=_("相談記録")
    )
    department = party_link(Department, _("担当課・公的機関"), on_delete=models.PROTECT)
    group = party_link("groups.Group", _("団体"), on_delete=models.PROTECT)
    business = party_link("matching.Business", _("企業・事業者"), on_delete=models.PROTECT)
    note = models.TextField(_("つないだ内容"), blank=True, help_text=_("例: 助成金の窓口として担当者を紹介"))
    result = models.CharField(
        _("結果"), max_length=20, choices=ReferralResult.choices, default=ReferralResult.PENDING
    )
    result_note = models.TextField(_("結果のメモ"), blank=True)
    result_recorded_on = models.DateField(_("結果の記録日"), null=True, blank=True)
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)

    class Meta(JapaneseNames):
        verbose_name = _("つなぎ先")
        ordering = ["id"]
        constraints = [exactly_one_of("department", "group", "business", name="referral_exactly_one_target")]

    def __str__(self) -> str:
        return str(self.target)

    @property
    def target(self):
        return self.department or self.group or self.business

    @property
    def target_kind_label(self) -> str:
        if self.department_id:
            return str(_("担当課・公的機関"))
        if self.group_id:
            return str(_("団体"))
        return str(_("企業・事業者"))

    def clean(self) -> None:
        if sum(1 for x in (self.department_id, self.group_id, self.business_id) if x) != 1:
            raise ValidationError(_("つなぎ先を1つ選んでください（担当課・団体・企業のどれか）。"))


class FollowUpQuerySet(models.QuerySet):
    def pending(self):
        """Still to do: not done, of a record not anonymised (which can no longer be changed)."""
        return self.filter(done=False, consultation__anonymised_at__isnull=True)


class FollowUp(models.Model):
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="follow_ups", verbose_name=_("相談記録")
    )
    due_on = models.DateField(_("期限"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("担当職員"),
        on_delete=models.PROTECT,
        related_name="consultation_follow_ups",
    )
    description = models.CharField(
        _("やること"), max_length=200, blank=True, help_text=_("例: 助成金の申請書が書けたか電話で確認する")
    )
    done = models.BooleanField(_("完了"), default=False)
    done_on = models.DateField(_("完了日"), null=True, blank=True)
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)

    objects = FollowUpQuerySet.as_manager()

    class Meta(JapaneseNames):
        verbose_name = _("フォローアップ")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["done", "due_on"])]

    def __str__(self) -> str:
        return _("%(date)s までに: %(what)s") % {
            "date": self.due_on,
            "what": self.description or _("フォローアップ"),
        }

    def clean(self) -> None:
        consulted_on = self.consultation.consulted_on if self.consultation_id else None
        if self.due_on and consulted_on and self.due_on < consulted_on and not self.done:
            raise ValidationError(
                {
                    "due_on": _("期限は相談日（%(day)s）より前にできません。")
                    % {"day": date_format(consulted_on, _("Y年n月j日"))}
                }
            )


class AccessAction(models.TextChoices):
    VIEW = "view", _("閲覧")
    CREATE = "create", _("登録")
    CHANGE = "change", _("変更")
    EXPORT = "export", _("書き出し")
    ANONYMISE = "anonymise", _("匿名化")


class AppendOnlyQuerySet(models.QuerySet):
    """The access log is append-only: no bulk update or delete through the ORM."""

    def update(self, **kwargs):
        # The one update allowed: an account is deleted (on_delete=SET_NULL); user_label keeps the name.
        if set(kwargs) == {"user"} and kwargs["user"] is None:
            return super().update(**kwargs)
        raise PermissionError("ConsultationAccessLog is append-only")

    def delete(self):
        raise PermissionError("ConsultationAccessLog is append-only")


class ConsultationAccessLog(models.Model):
    """Who saw or changed which consultations, when, and how. Written by services.access_log_write."""

    at = models.DateTimeField(_("日時"), auto_now_add=True, db_index=True)
    user = actor_field(_("利用者"), blank=True)
    user_label = models.CharField(
        _("利用者（記録時）"),
        max_length=254,
        blank=True,
        help_text=_("アカウントが消えても残る氏名・メール。"),
    )
    action = models.CharField(_("操作"), max_length=10, choices=AccessAction.choices)
    consultation_ids = models.JSONField(_("対象の相談記録（ID）"), default=list, blank=True)
    record_count = models.PositiveIntegerField(_("件数"), default=0)
    path = models.CharField(_("画面・操作"), max_length=300, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta(JapaneseNames):
        verbose_name = _("相談記録のアクセスログ")
        ordering = ["-at", "-id"]
        default_permissions = ()
        permissions = [("view_accesslog", _("相談記録のアクセスログを閲覧できる（監査）"))]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_label} {self.get_action_display()} ({self.record_count})"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise PermissionError("ConsultationAccessLog is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("ConsultationAccessLog is append-only")
