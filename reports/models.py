"""成果 (outcome episodes) and 成果報告書 (annual outcome reports rendered to PDF by a worker)."""

from __future__ import annotations

from django.core.files.storage import storages
from django.db import models
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.fields import actor_field, mapping_field, optional_link
from core.fiscal import fiscal_year_label
from core.models import JapaneseNames, KeywordSearchable, KeywordSearchableQuerySet
from core.workflow import Transition, Workflow


class OutcomeAxis(models.TextChoices):
    """評価の軸, in the order of the report."""

    GOVERNANCE = "governance", _("協働のガバナンス")
    TRANSFORMATION = "transformation", _("変革促進")
    PROCESS = "process", _("プロセス支援")
    RESOURCES = "resources", _("資源連結")
    SOLUTION = "solution", _("問題解決提示")
    LEARNING = "learning", _("社会的学習")
    COMMUNITY = "community", _("地域へのアウトカム")

    @classmethod
    def intermediary(cls) -> tuple[OutcomeAxis, ...]:
        """The four axes of 中間支援機能."""
        return (cls.TRANSFORMATION, cls.PROCESS, cls.RESOURCES, cls.SOLUTION)

    @classmethod
    def order(cls, value: str) -> int:
        return list(cls.values).index(value)


OUTCOME_AXIS_DESCRIPTIONS = {
    OutcomeAxis.GOVERNANCE: _("市は協働の取り組みを推進するための仕組みをつくり、運営してきたか"),
    OutcomeAxis.TRANSFORMATION: _("事業構築のために、変革を促す場や機会を提供できたか"),
    OutcomeAxis.PROCESS: _("事業を進める過程に寄り添い、支援できたか"),
    OutcomeAxis.RESOURCES: _("人・団体・企業・行政などの資源をつなげることができたか"),
    OutcomeAxis.SOLUTION: _("課題の再設定や解決の道筋を示すことができたか"),
    OutcomeAxis.LEARNING: _("市・担い手・市民の間で学びあい、育みあいができ、それが定着しているか"),
    OutcomeAxis.COMMUNITY: _("地域にどのような変化が生まれたか"),
}


class OutcomeSource(models.TextChoices):
    INTERVIEW = "interview", _("インタビュー")
    SURVEY = "survey", _("アンケート")
    OBSERVATION = "observation", _("職員の観察")


def program_scope(*, related_name: str, help_text) -> models.ForeignKey:
    """The program a record is about; empty for every program at once (全事業)."""
    return optional_link(
        "events.Program", _("事業"), on_delete=models.PROTECT, related_name=related_name, help_text=help_text
    )


def fiscal_year_field() -> models.PositiveIntegerField:
    """The fiscal year a record counts in, named by the calendar year it starts in."""
    return models.PositiveIntegerField(_("年度"), help_text=_("開始年（例: 令和7年度は 2025）"))


class ProgramYearQuerySet(models.QuerySet):
    """Rows about one program (None: 全事業) and fiscal year: reports and assessments."""

    def for_scope(self, *, program, fiscal_year: int):
        return self.filter(program=program, fiscal_year=fiscal_year)


class OutcomeRecordQuerySet(KeywordSearchableQuerySet):
    def for_report(self, *, program_code: str | None, fiscal_year: int):
        qs = self.filter(fiscal_year=fiscal_year)
        if program_code:
            qs = qs.filter(program__code=program_code)
        return qs


class OutcomeRecord(KeywordSearchable):
    """成果: one episode (・) under a category heading (○), on one evaluation axis. The staff list's
    keyword finds it by its heading and episode however typed (search_text)."""

    SEARCH_FIELDS = ("category", "episode")

    program = program_scope(related_name="outcome_records", help_text=_("事業全体を通じた成果のときは空欄"))
    fiscal_year = fiscal_year_field()
    axis = models.CharField(_("評価の軸"), max_length=20, choices=OutcomeAxis.choices)
    category = models.CharField(
        _("見出し（○）"), max_length=200, help_text=_("例: 担い手育成の入口（流入導線入口）")
    )
    episode = models.TextField(
        _("エピソード（・）"),
        help_text=_("例: ALP講座を受講する前に、プロジェクト参加者の様子等を知る場として機能"),
    )
    source = models.CharField(_("把握の方法"), max_length=20, choices=OutcomeSource.choices)
    groups = models.ManyToManyField(
        "groups.Group", verbose_name=_("関係する団体"), blank=True, related_name="outcome_records"
    )
    events = models.ManyToManyField(
        "events.Event", verbose_name=_("関係する催し"), blank=True, related_name="outcome_records"
    )
    projects = models.ManyToManyField(
        "projects.Project", verbose_name=_("関係する協働事業"), blank=True, related_name="outcome_records"
    )
    order = models.PositiveIntegerField(_("並び順"), default=100)
    recorded_by = actor_field(_("記録した職員"), blank=True)
    created_at = models.DateTimeField(_("記録日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    objects = OutcomeRecordQuerySet.as_manager()

    class Meta(JapaneseNames):
        verbose_name = _("成果")
        ordering = ["fiscal_year", "program__order", "axis", "category", "order", "id"]
        indexes = [models.Index(fields=["fiscal_year", "program", "axis"])]

    def __str__(self) -> str:
        return f"○{self.category} ・{self.episode[:30]}"


def private_storage():
    return storages["private"]


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("待機中")
    RUNNING = "running", _("作成中")
    DONE = "done", _("完了")
    FAILED = "failed", _("失敗")


ACTIVE_REPORT_STATUSES = (ReportStatus.QUEUED, ReportStatus.RUNNING)

_ALL = frozenset(ReportStatus.values)
# A request's life: 待機中 → 作成中 → 完了 / 失敗; a failed one may be asked again. A worker may take
# over a request left 作成中 (claim), and a late success wins over a failure (complete).
REPORT_WORKFLOW = Workflow(
    ReportStatus,
    [
        Transition("claim", frozenset(ACTIVE_REPORT_STATUSES), ReportStatus.RUNNING, _("作成開始")),
        Transition("requeue", frozenset(ACTIVE_REPORT_STATUSES), ReportStatus.QUEUED, _("再依頼")),
        Transition("complete", _ALL, ReportStatus.DONE),
        Transition("fail", _ALL - {ReportStatus.DONE}, ReportStatus.FAILED),
        Transition("retry", frozenset({ReportStatus.FAILED}), ReportStatus.QUEUED, _("再試行")),
    ],
    refused=_("「%(from)s」の報告書は「%(to)s」にできません。"),
)


class ReportQuerySet(ProgramYearQuerySet):
    def active(self):
        return self.filter(status__in=ACTIVE_REPORT_STATUSES)

    def locked(self):
        """Rows locked for update (the report only: no join of the default ordering is locked)."""
        return self.order_by().select_for_update(of=("self",))


class Report(models.Model):
    """成果報告書: one request for the PDF of one program (or all programs) and fiscal year.

    The row is the source of truth: the worker reads it, moves it through 待機中 → 作成中 →
    完了/失敗, and the sweeper re-queues rows left waiting or running too long.
    """

    program = program_scope(related_name="reports", help_text=_("空欄は全事業"))
    fiscal_year = fiscal_year_field()
    status = models.CharField(
        _("状態"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("進み具合（%）"), default=0)
    pdf = models.FileField(
        _("PDF"), storage=private_storage, upload_to="reports/", blank=True, max_length=200
    )
    pdf_size = models.PositiveIntegerField(_("PDFのサイズ（バイト）"), null=True, blank=True)
    error = models.TextField(_("エラー"), blank=True)
    requested_by = actor_field(_("依頼者"), blank=True)
    requested_at = models.DateTimeField(_("依頼日時"))
    started_at = models.DateTimeField(_("開始日時"), null=True, blank=True)
    finished_at = models.DateTimeField(_("終了日時"), null=True, blank=True)
    task_id = models.CharField(_("タスクID"), max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(_("依頼回数"), default=0)
    version = models.PositiveSmallIntegerField(
        _("版"), null=True, blank=True, help_text=_("確定版の版番号（第1版、第2版…）。空欄は確定前の案")
    )
    data_as_of = models.DateTimeField(_("データ基準日時"), null=True, blank=True)
    figures = mapping_field(
        _("数値（作成時のもの）"), help_text=_("PDFに載せた数値。確定版はこの数値のまま残ります。")
    )

    objects = ReportQuerySet.as_manager()

    class Meta(JapaneseNames):
        verbose_name = _("成果報告書")
        ordering = ["-fiscal_year", "program__order", "-requested_at", "-id"]
        constraints = [
            # Only one request per program (NULL = all programs) and year may be waiting or running.
            models.UniqueConstraint(
                Coalesce("program", 0),
                "fiscal_year",
                condition=models.Q(status__in=["queued", "running"]),
                name="report_one_active_per_program_year",
                violation_error_message=_(
                    "同じ事業・年度の報告書を作成中です。完了してから依頼してください。"
                ),
            ),
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="report_progress_max_100"),
            # One 第N版 per program and year.
            models.UniqueConstraint(
                Coalesce("program", 0),
                "fiscal_year",
                "version",
                condition=models.Q(version__isnull=False),
                name="report_one_version_number_per_program_year",
            ),
        ]

    def __str__(self) -> str:
        return _("%(year)s %(program)s 成果報告書") % {
            "year": self.fiscal_year_label,
            "program": self.program_name,
        }

    def get_absolute_url(self) -> str:
        return reverse("reports:index") + f"?year={self.fiscal_year}"

    @property
    def fiscal_year_label(self) -> str:
        return fiscal_year_label(self.fiscal_year)

    @property
    def program_name(self) -> str:
        return self.program.name if self.program_id else str(_("全事業"))

    @property
    def program_code(self) -> str | None:
        return self.program.code if self.program_id else None

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_REPORT_STATUSES

    @property
    def is_final(self) -> bool:
        return self.version is not None

    @property
    def version_label(self) -> str:
        return _("第%(n)s版") % {"n": self.version} if self.version else str(_("案"))

    @property
    def download_filename(self) -> str:
        code = self.program.code if self.program_id else "all"
        suffix = f"-v{self.version}" if self.version else ""
        return f"outcome-report-{self.fiscal_year}-{code}{suffix}.pdf"

    def pdf_storage_name(self) -> str:
        """Where the PDF of this request lives in the private storage: one file per request."""
        return f"reports/{self.fiscal_year}/report-{self.pk}.pdf"


class Assessment(models.Model):
    """事業の評価: what staff write per program (or 全事業) and fiscal year, printed before the
    evidence: 総括, 目標 against 実績, 課題と次年度の方針, and why an axis has no episode."""

    program = program_scope(related_name="assessments", help_text=_("空欄は全事業（全体を通じて）"))
    fiscal_year = fiscal_year_field()
    summary = models.TextField(_("総括"), blank=True)
    targets = mapping_field(_("目標"), help_text=_("年度の初めに決めた数値の目標（数値の項目 → 目標値）"))
    issues = models.TextField(_("課題と次年度の方針"), blank=True)
    axis_notes = mapping_field(_("成果のない評価の軸の説明"), help_text=_("評価の軸 → エピソードがない理由"))
    updated_by = actor_field(_("更新した職員"), blank=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    objects = ProgramYearQuerySet.as_manager()

    class Meta(JapaneseNames):
        verbose_name = _("事業の評価")
        ordering = ["-fiscal_year", "program__order"]
        constraints = [
            models.UniqueConstraint(
                Coalesce("program", 0),
                "fiscal_year",
                name="assessment_one_per_program_year",
                violation_error_message=_("この事業・年度の評価はすでにあります。"),
            )
        ]

    def __str__(self) -> str:
        name = self.program.name if self.program_id else _("全事業")
        return _("%(year)s %(program)s の評価") % {
            "year": fiscal_year_label(self.fiscal_year),
            "program": name,
        }
