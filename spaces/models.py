"""活動の場: the center's rooms, machines, lockers and mailboxes, their bookings and machine use.

Writes go through spaces.services (every booking rule lives there, and each refusal names its
rule); reads that are more than a line live in spaces.selectors.

No double booking: on PostgreSQL an exclusion constraint over (resource, tstzrange) that is not
cancelled (migration 0002, with btree_gist) makes it impossible at the database level; on every
database the service checks the same rule after locking the resource row.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.constraints import ends_after_start
from core.fields import actor_field, optional_link
from core.history import person_label
from core.models import JapaneseNames
from groups.models import Group


def validate_photo(file) -> None:
    """Photos are JPEG, PNG or WebP, told by their content (not by the name)."""
    import filetype

    head = file.read(261)
    file.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in {"image/jpeg", "image/png", "image/webp"}:
        raise ValidationError(_("写真は JPEG・PNG・WebP の画像を選んでください。"))


# The highest price of a machine, per unit or per use (1万円): more is a typing mistake.
MACHINE_PRICE_MAX = 10_000
# The highest fee of one logged use (1,000万円): 単価 × 枚数 beyond it is a slip of the count, and
# would not fit a PostgreSQL integer long before 1万円 × 1,000,000枚.
MACHINE_FEE_MAX = 10_000_000


class Resource(models.Model):
    """A room, a machine, a locker or a mailbox (レターケース) of the center."""

    class Kind(models.TextChoices):
        ROOM = "room", _("部屋")
        MACHINE = "machine", _("機器")
        LOCKER = "locker", _("ロッカー")
        MAILBOX = "mailbox", _("レターケース")

    class Eligibility(models.TextChoices):
        REGISTERED_GROUPS = "groups", _("登録団体だけ")
        SIGNED_IN = "anyone", _("ログインした人なら誰でも")

    class Unit(models.TextChoices):
        """How a machine's use is counted. Uses counted in 枚 are the printed sheets of the
        annual report (spaces.selectors.usage_figures): a unit typed by hand (「枚 」「まい」)
        would drop out of that count, so the unit is chosen."""

        SHEET = "枚", _("枚")  # data, not UI text
        TIME = "回", _("回")  # data, not UI text

    kind = models.CharField(_("種類"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=100, help_text=_("例: 会議室A、印刷機"))
    description = models.TextField(_("説明"), blank=True)
    order = models.PositiveIntegerField(_("並び順"), default=100)
    is_active = models.BooleanField(_("利用できる"), default=True)
    # Rooms
    capacity = models.PositiveIntegerField(_("定員"), null=True, blank=True)
    equipment = models.TextField(
        _("設備・備品"), blank=True, help_text=_("例: ホワイトボード、プロジェクター、長机6台")
    )
    wheelchair_accessible = models.BooleanField(_("車いすで利用できる"), default=False)
    hearing_loop = models.BooleanField(_("補聴ループあり"), default=False)
    accessibility_note = models.TextField(_("配慮についての補足"), blank=True)
    photo = models.FileField(
        _("写真"), upload_to="spaces/", blank=True, max_length=200, validators=[validate_photo]
    )
    photo_alt = models.CharField(_("写真の説明（代替テキスト）"), max_length=200, blank=True)
    venue_keyword = models.CharField(
        _("催しの会場名"),
        max_length=100,
        blank=True,
        help_text=_(
            "催しの回の会場にこの文字が含まれると、その時間はセンターの催しとして自動で押さえます。"
            "例: 会議室A"
        ),
    )
    # Booking rules (rooms), set by staff
    eligibility = models.CharField(
        _("予約できる人"), max_length=10, choices=Eligibility.choices, default=Eligibility.REGISTERED_GROUPS
    )
    # Bounded: far larger values overflow the dates of the week page and the rules (a public 500).
    book_ahead_days = models.PositiveIntegerField(
        _("何日先まで予約できるか"),
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(730)],
        help_text=_("例: 90（最大730日）"),
    )
    opens_at = models.TimeField(_("利用開始時刻"), default=dt.time(9, 0))
    closes_at = models.TimeField(_("利用終了時刻"), default=dt.time(21, 0))
    slot_minutes = models.PositiveIntegerField(
        _("予約の単位（分）"),
        default=60,
        validators=[MinValueValidator(15), MaxValueValidator(240)],
        help_text=_("例: 60（1時間単位）"),
    )
    max_hours_per_month = models.PositiveIntegerField(
        _("1団体の月の上限（時間）"), null=True, blank=True, help_text=_("空欄は上限なし")
    )
    cancel_deadline_hours = models.PositiveIntegerField(
        _("取消の期限（利用開始の何時間前まで）"),
        default=24,
        validators=[MaxValueValidator(2160)],
        help_text=_("例: 24（最大2160時間＝90日）"),
    )
    requires_approval = models.BooleanField(_("職員の承認が必要"), default=False)
    # Machines
    unit = models.CharField(
        _("数える単位"),
        max_length=10,
        blank=True,
        choices=Unit.choices,
        error_messages={"invalid_choice": _("数える単位は「枚」か「回」から選んでください。")},
        help_text=_("印刷機・コピー機は「枚」（報告書の印刷・コピーの枚数に数えます）"),
    )
    unit_price = models.PositiveIntegerField(
        _("単価（円）"),
        default=0,
        validators=[MaxValueValidator(MACHINE_PRICE_MAX, message=_("単価は1万円以下で入力してください。"))],
        help_text=_("1単位あたり。1万円まで"),
    )
    use_price = models.PositiveIntegerField(
        _("1回あたりの料金（円）"),
        default=0,
        validators=[
            MaxValueValidator(MACHINE_PRICE_MAX, message=_("1回あたりの料金は1万円以下で入力してください。"))
        ],
        help_text=_("例: 印刷機の製版代。なければ 0。1万円まで"),
    )

    class Meta(JapaneseNames):
        verbose_name = _("施設・機器")
        ordering = ["kind", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")),
                name="spaces_resource_hours_order",
                violation_error_message=_("利用終了時刻は開始時刻より後にしてください。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("spaces:week", args=[self.pk])

    @property
    def is_room(self) -> bool:
        return self.kind == self.Kind.ROOM

    @property
    def accessibility_labels(self) -> list[str]:
        labels = []
        if self.wheelchair_accessible:
            labels.append(str(_("車いすで利用できます")))
        if self.hearing_loop:
            labels.append(str(_("補聴ループがあります")))
        return labels


class Closure(models.Model):
    """A day the center is closed besides the weekly closing day, 年末年始 and 祝日 (e.g. 設備点検)."""

    date = models.DateField(_("日付"), unique=True)
    reason = models.CharField(_("理由"), max_length=100, help_text=_("例: 設備点検のため"))

    class Meta(JapaneseNames):
        verbose_name = _("臨時休館日")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.reason}"


class Allotment(models.Model):
    """A locker or a mailbox given to a group for one fiscal year."""

    resource = models.ForeignKey(
        Resource,
        on_delete=models.PROTECT,
        related_name="allotments",
        verbose_name=_("ロッカー・レターケース"),
        limit_choices_to={"kind__in": [Resource.Kind.LOCKER, Resource.Kind.MAILBOX]},
    )
    group = models.ForeignKey(
        Group, on_delete=models.PROTECT, related_name="allotments", verbose_name=_("団体")
    )
    fiscal_year = models.PositiveIntegerField(_("年度（開始年）"), help_text=_("例: 令和8年度なら 2026"))
    note = models.CharField(_("備考"), max_length=200, blank=True)

    class Meta(JapaneseNames):
        verbose_name = _("ロッカー・レターケースの割り当て")
        ordering = ["-fiscal_year", "resource__order", "resource_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "fiscal_year"],
                name="spaces_allotment_one_group_per_year",
                violation_error_message=_("この年度は、すでに別の団体に割り当てています。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fiscal_year} {self.resource} / {self.group}"


class Booking(models.Model):
    """A booking of a room: by a group, or a block of time for the center (its events, maintenance)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("承認待ち")
        CONFIRMED = "confirmed", _("予約済み")
        CANCELLED = "cancelled", _("取消")
        NO_SHOW = "no_show", _("無断不使用")

    class Channel(models.TextChoices):
        WEB = "web", _("ウェブ")
        PHONE = "phone", _("電話")
        COUNTER = "counter", _("窓口")

    # Statuses that hold the time (the exclusion constraint in migration 0002 says the same).
    HOLDING = (Status.PENDING, Status.CONFIRMED, Status.NO_SHOW)

    # No index of their own: Meta's (resource, starts_at) and (group, starts_at) serve every
    # lookup by them, and each index is one more write on every booking.
    resource = models.ForeignKey(
        Resource, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("部屋"), db_index=False
    )
    group = optional_link(
        Group,
        _("団体"),
        on_delete=models.PROTECT,
        related_name="space_bookings",
        help_text=_("センターが押さえる時間（催し・点検）と個人の予約は空欄"),
        db_index=False,
    )
    booked_by = optional_link(
        settings.AUTH_USER_MODEL, _("予約した人"), on_delete=models.SET_NULL, related_name="space_bookings"
    )
    starts_at = models.DateTimeField(_("開始日時"))
    ends_at = models.DateTimeField(_("終了日時"))
    purpose = models.CharField(_("利用目的"), max_length=200, help_text=_("例: 定例会の打合せ"))
    people = models.PositiveIntegerField(_("人数"), default=1, validators=[MinValueValidator(1)])
    status = models.CharField(_("状態"), max_length=10, choices=Status.choices, default=Status.CONFIRMED)
    channel = models.CharField(_("受付方法"), max_length=10, choices=Channel.choices, default=Channel.WEB)
    is_block = models.BooleanField(_("センターの利用"), default=False)
    event_session = models.OneToOneField(
        "events.EventSession",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="space_booking",
        verbose_name=_("催しの回"),
    )
    series = models.UUIDField(_("繰り返し予約の番号"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("受付日時"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("取消日時"), null=True, blank=True)
    # The iCalendar SEQUENCE (RFC 5545 3.8.7.4): raised by every change a calendar must follow (a
    # move, a cancellation), so a calendar that imported the booking takes the newer .ics.
    sequence = models.PositiveIntegerField(_("改訂の回数"), default=0, editable=False)
    # Changes after booking (a move to another room or time for a center event, a cancellation),
    # who made them and why (core.history). Bulk writes (seed_demo, the bench) record nothing.
    # Its rows are read by booking (id) and date, never by these links: no index to write for them.
    history = HistoricalRecords(
        excluded_fields=["series", "created_at", "sequence"],
        no_db_index=["resource", "group", "booked_by", "event_session"],
    )

    class Meta(JapaneseNames):
        verbose_name = _("予約")
        ordering = ["starts_at", "id"]
        constraints = [ends_after_start("spaces_booking_ends_after_start")]
        indexes = [
            models.Index(fields=["resource", "starts_at"]),
            models.Index(fields=["group", "starts_at"]),
        ]

    def __str__(self) -> str:
        local = timezone.localtime(self.starts_at)
        return f"{self.resource} {local:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("spaces:booking", args=[self.pk])

    @property
    def holds_time(self) -> bool:
        return self.status in self.HOLDING

    @property
    def hours(self) -> float:
        return (self.ends_at - self.starts_at).total_seconds() / 3600

    @property
    def holder_label(self) -> str:
        """Who holds the time, as the week view shows it (a group's name is public anyway)."""
        if self.is_block:
            return str(_("センターの催し")) if self.event_session_id else str(_("センター使用"))
        return self.group.name if self.group_id else str(_("個人の予約"))

    @property
    def party_label(self) -> str:
        """Who the booking is for, on the pages of the people who may open it (the booker, the
        group's editors, staff): the holder, the group, or the person who booked for themselves
        by name, never by e-mail address. Read it with booked_by selected."""
        if self.is_block or self.group_id:
            return self.holder_label
        return _("個人：%(name)s") % {"name": person_label(self.booked_by)}


class MachineUse(models.Model):
    """One use of a machine at the counter: the fee is computed when it is logged and kept as is."""

    machine = models.ForeignKey(
        Resource,
        on_delete=models.PROTECT,
        related_name="uses",
        verbose_name=_("機器"),
        limit_choices_to={"kind": Resource.Kind.MACHINE},
    )
    group = models.ForeignKey(
        Group, on_delete=models.PROTECT, related_name="machine_uses", verbose_name=_("団体")
    )
    used_on = models.DateField(_("利用日"))
    count = models.PositiveIntegerField(_("枚数・回数"), validators=[MinValueValidator(1)])
    uses = models.PositiveIntegerField(
        _("利用回数（製版など）"), default=1, validators=[MinValueValidator(1)]
    )
    unit_price = models.PositiveIntegerField(_("単価（円）"))
    use_price = models.PositiveIntegerField(_("1回あたりの料金（円）"))
    fee = models.PositiveIntegerField(_("利用料（円）"))
    note = models.CharField(_("備考"), max_length=200, blank=True)
    recorded_by = actor_field(_("記録した職員"), blank=True)
    recorded_at = models.DateTimeField(_("記録日時"), default=timezone.now)

    class Meta(JapaneseNames):
        verbose_name = _("機器の利用")
        ordering = ["-used_on", "-id"]
        indexes = [models.Index(fields=["group", "used_on"])]

    def __str__(self) -> str:
        return f"{self.used_on:%Y-%m-%d} {self.machine} {self.count}{self.machine.unit}"
