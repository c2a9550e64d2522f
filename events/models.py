"""事業・プログラム, 催し and everything that happens around them: sessions, registrations,
attendance, completion (修了), surveys and the e-mails sent about them.

Writes go through events.services (capacity, waitlist, cancellation and completion rules live
there); reads that are more than a line live in events.selectors.
"""

from __future__ import annotations

import datetime as dt

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.constraints import ends_after_start, unless_either_empty
from core.fields import actor_field
from core.models import Area, JapaneseNames, KeywordSearchable, Person, Theme, Vocabulary


class Program(Vocabulary):
    """A program of the center, with a stable code that reports and URLs rely on."""

    code = models.SlugField(
        _("コード"), max_length=40, unique=True, help_text=_("例: mirai_taiwa（変更しないでください）")
    )
    name = models.CharField(_("名称"), max_length=100)
    description = models.TextField(_("説明"), blank=True)
    journey_step = models.PositiveSmallIntegerField(
        _("担い手育成の段階"),
        null=True,
        blank=True,
        help_text=_("ミライ対話=1, ALP=2, プロジェクト登録=3, プロジェクト支援=4。段階のない事業は空欄。"),
    )
    order = models.PositiveIntegerField(_("並び順"), default=100)
    is_active = models.BooleanField(_("実施中"), default=True)

    class Meta(Vocabulary.Meta):
        verbose_name = _("事業（プログラム）")


class Event(KeywordSearchable):
    """催し: one event (or a course of several sessions) of a program."""

    SEARCH_FIELDS = ("title", "description")

    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="events", verbose_name=_("事業")
    )
    title = models.CharField(_("名称"), max_length=200)
    description = models.TextField(_("内容"), blank=True)
    venue = models.CharField(
        _("会場"), max_length=200, blank=True, help_text=_("例: 市民活動プラザ 2階 会議室A")
    )
    area = models.ForeignKey(
        Area, verbose_name=_("地区"), null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    themes = models.ManyToManyField(Theme, verbose_name=_("テーマ"), related_name="events", blank=True)
    capacity = models.PositiveIntegerField(_("定員"), null=True, blank=True, help_text=_("空欄は定員なし"))
    is_public = models.BooleanField(_("公開"), default=True)
    registration_opens_at = models.DateTimeField(
        _("申込受付の開始"), null=True, blank=True, help_text=_("空欄は公開と同時に受付開始")
    )
    registration_closes_at = models.DateTimeField(
        _("申込受付の締切"), null=True, blank=True, help_text=_("空欄は初回の開始時刻まで受付")
    )
    completion_min_sessions = models.PositiveSmallIntegerField(
        _("修了に必要な出席回数"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("連続講座で修了証を出すとき、例: 全5回のうち4回なら 4。空欄は修了の扱いなし。"),
    )
    # Accessibility (情報保障・配慮): shown in words on the event page.
    wheelchair_accessible = models.BooleanField(_("車いす対応"), default=False)
    childcare = models.BooleanField(_("託児あり"), default=False)
    sign_language = models.BooleanField(_("手話通訳あり"), default=False)
    captioning = models.BooleanField(_("要約筆記あり"), default=False)
    online = models.BooleanField(_("オンライン参加可"), default=False)
    accessibility_note = models.TextField(
        _("配慮についての補足"), blank=True, help_text=_("例: 託児は2歳以上・5日前までに要予約。")
    )
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["search_text"], m2m_fields=["themes"])

    class Meta(JapaneseNames):
        verbose_name = _("催し")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=unless_either_empty("registration_opens_at", "lt", "registration_closes_at"),
                name="events_event_registration_window_order",
                violation_error_message=_("申込受付の締切は開始より後にしてください。"),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:detail", args=[self.pk])

    ACCESSIBILITY_FIELDS = ("wheelchair_accessible", "childcare", "sign_language", "captioning", "online")

    @property
    def accessibility_labels(self) -> list[str]:
        """The accessibility features offered, in words (車いす対応, 託児あり, ...)."""
        return [
            str(self._meta.get_field(name).verbose_name)
            for name in self.ACCESSIBILITY_FIELDS
            if getattr(self, name)
        ]

    def registration_phase(self, *, first_starts_at: dt.datetime | None, now: dt.datetime) -> str:
        """ "before", "open" or "closed": whether people may register themselves right now.

        Without an explicit deadline, registration closes when the first session starts.
        """
        closes_at = self.registration_closes_at or first_starts_at
        if self.registration_opens_at and now < self.registration_opens_at:
            return "before"
        if closes_at and now >= closes_at:
            return "closed"
        return "open"


def event_link(related_name: str) -> models.ForeignKey:
    """The event a session or a registration is part of: deleted with it."""
    return models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name=related_name, verbose_name=_("催し")
    )


class EventSession(models.Model):
    """One date of an event: a single-day event has one, an ALP course several (第1回, 第2回, ...)."""

    event = event_link("sessions")
    title = models.CharField(
        _("回の内容"), max_length=200, blank=True, help_text=_("例: 地域の課題を見つける")
    )
    starts_at = models.DateTimeField(_("開始日時"))
    ends_at = models.DateTimeField(_("終了日時"))
    venue = models.CharField(_("会場（この回だけ違うとき）"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta(JapaneseNames):
        verbose_name = _("開催日（回）")
        ordering = ["starts_at", "id"]
        constraints = [ends_after_start("events_session_ends_after_start")]
        indexes = [
            models.Index(fields=["starts_at"]),
            # Coming events: those with a session that has not ended yet.
            models.Index(fields=["ends_at"], name="eventsession_ends_idx"),
        ]

    def __str__(self) -> str:
        local = timezone.localtime(self.starts_at)
        return f"{self.event.title} {local:%Y-%m-%d %H:%M}"

    @property
    def effective_venue(self) -> str:
        return self.venue or self.event.venue

    def attendance_is_open(self, today: dt.date | None = None) -> bool:
        """Attendance is taken from the session's day on (a past session may be corrected)."""
        return timezone.localdate(self.starts_at) <= (today or timezone.localdate())


class Registration(models.Model):
    """参加申込: a person's enrolment in an event (for a course: the whole course)."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("参加確定")
        WAITLISTED = "waitlisted", _("キャンセル待ち")
        CANCELLED = "cancelled", _("取消")

    class Channel(models.TextChoices):
        WEB = "web", _("ウェブ")
        PHONE = "phone", _("電話")
        COUNTER = "counter", _("窓口")

    event = event_link("registrations")
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("参加者")
    )
    status = models.CharField(_("状態"), max_length=12, choices=Status.choices, default=Status.CONFIRMED)
    channel = models.CharField(_("申込方法"), max_length=10, choices=Channel.choices, default=Channel.WEB)
    needs = models.TextField(
        _("必要な配慮"), blank=True, help_text=_("例: 車いすで参加します。託児を希望します（3歳1人）。")
    )
    registered_by = actor_field(_("受付した職員"), blank=True)
    created_at = models.DateTimeField(_("申込日時"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("確定日時"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消日時"), null=True, blank=True)
    completed_at = models.DateTimeField(_("修了日時"), null=True, blank=True)

    class Meta(JapaneseNames):
        verbose_name = _("参加申込")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "person"],
                condition=~Q(status="cancelled"),
                name="events_registration_one_active_per_person",
                violation_error_message=_("この方はすでにこの催しに申し込んでいます。"),
            ),
        ]
        indexes = [models.Index(fields=["event", "status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.person} / {self.event}"

    @property
    def certificate_number(self) -> str:
        """修了証番号, e.g. R7-ALP-12-0345: era and fiscal year, program, event, registration."""
        from core.fiscal import fiscal_year_of, fiscal_year_short_code

        day = self.completed_at or timezone.now()
        return (
            f"{fiscal_year_short_code(fiscal_year_of(day))}-{self.event.program.code.upper()}"
            f"-{self.event_id}-{self.pk:04d}"
        )


class Attendance(models.Model):
    """出席: one person present at one session (a row exists only when they came)."""

    session = models.ForeignKey(
        EventSession, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("回")
    )
    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("参加申込")
    )
    checked_in_at = models.DateTimeField(_("受付日時"), default=timezone.now)
    recorded_by = actor_field(_("記録した職員"), blank=True)

    class Meta(JapaneseNames):
        verbose_name = _("出席")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "registration"], name="events_attendance_once_per_session"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.registration.person} @ {self.session}"


class SurveyResponse(models.Model):
    """A participant's answer to the short survey after an event."""

    registration = models.OneToOneField(
        Registration, on_delete=models.CASCADE, related_name="survey_response", verbose_name=_("参加申込")
    )
    satisfaction = models.PositiveSmallIntegerField(
        _("満足度"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("感想・ご意見"), blank=True)
    submitted_at = models.DateTimeField(_("回答日時"), default=timezone.now)

    class Meta(JapaneseNames):
        verbose_name = _("アンケート回答")
        ordering = ["-submitted_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(satisfaction__gte=1, satisfaction__lte=5), name="events_survey_satisfaction_1_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.registration} ({self.satisfaction})"
