"""協働事業: calls for proposals, proposals, reviews, decisions, projects and their record.

The flow (seeds 002 and 003):

    募集 ProposalCall ─┬─ 審査段階 ReviewStage (書類審査, 公開プレゼンテーション審査) ─ 評価項目 Criterion
                      └─ 提案 Proposal (6W2H, partners, budget, attachments)
                            下書き → 提出 → 審査中 → 採択 / 不採択 / 差戻し
                            ├─ 審査 Review (one reviewer, one stage) ─ Score per criterion
                            └─ 決定 Decision (with the reason the proposer sees)
    採択 → 協働事業 Project (協定準備 → 協定締結 → 実施中 → 評価 → 完了)
            ├─ 協働協定書 Agreement (PDF)
            ├─ ProgressReport, StaffNote, MidtermReview, MutualEvaluation, ResultsPresentation
            └─ SupportLog (プロジェクト登録 / プロジェクト支援)

Every status change of a proposal or a project is recorded in StatusChange (who, when).
The allowed changes live in projects.workflow; the score formula in projects.scoring.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.storage import storages
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.constraints import exactly_one_of, unless_either_empty
from core.fields import actor_field, optional_link, party_link
from core.fiscal import (
    FISCAL_YEAR_BOUNDS,
    fiscal_year_end,
    fiscal_year_label,
    fiscal_year_of,
    fiscal_year_start,
)
from core.models import Department, JapaneseNames, KeywordSearchable, KeywordSearchableQuerySet, Theme
from core.predicates import is_official
from core.validators import not_after_today
from projects.validators import (
    AUDIENCE_MESSAGE,
    SUPPORT_MINUTES_MESSAGE,
    BoundedPositiveIntegerField,
    BoundedPositiveSmallIntegerField,
    audience_max,
    budget_line_max,
    fiscal_year_field,
    support_minutes_max,
)

JST = ZoneInfo("Asia/Tokyo")


def private_storage():
    """Attachments are never under MEDIA_URL: they are served by a view that checks permission."""
    return storages["private"]


def attachment_upload_to(instance, filename: str) -> str:
    """A generated name: the uploader's file name is kept only in the database."""
    suffix = Path(filename).suffix.lower()[:10]
    return f"projects/attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


# --- Vocabulary ----------------------------------------------------------------------------------


class ProjectKind(models.TextChoices):
    CITIZEN_PROPOSAL = "citizen", _("市民提案型")
    CITY_PROPOSAL = "city", _("行政提案型")
    REGISTRATION = "registration", _("プロジェクト登録")
    SUPPORT = "support", _("プロジェクト支援")


# Kinds that staff register without a call and support with mentoring.
UNCALLED_KINDS = (ProjectKind.REGISTRATION, ProjectKind.SUPPORT)


class ProjectForm(models.TextChoices):
    SPONSORSHIP = "sponsorship", _("名義後援")
    CO_HOSTING = "co_hosting", _("共催")
    COMMITTEE = "committee", _("実行委員会・協議会")
    SUBSIDY = "subsidy", _("補助")
    CONSIGNMENT = "consignment", _("委託")
    COOPERATION = "cooperation", _("事業協力")
    INFORMATION = "information", _("情報交換")


class ProposalStatus(models.TextChoices):
    DRAFT = "draft", _("下書き")
    SUBMITTED = "submitted", _("提出")
    UNDER_REVIEW = "under_review", _("審査中")
    ADOPTED = "adopted", _("採択")
    REJECTED = "rejected", _("不採択")
    RETURNED = "returned", _("差戻し")


class ProjectStatus(models.TextChoices):
    PREPARING = "preparing", _("協定準備中")
    AGREED = "agreed", _("協定締結")
    RUNNING = "running", _("実施中")
    EVALUATING = "evaluating", _("評価")
    DONE = "done", _("完了")
    CANCELLED = "cancelled", _("中止")


# What the public may see (公開の原則): adopted, running and finished projects.
PUBLIC_PROJECT_STATUSES = (
    ProjectStatus.PREPARING,
    ProjectStatus.AGREED,
    ProjectStatus.RUNNING,
    ProjectStatus.EVALUATING,
    ProjectStatus.DONE,
)


class StageKind(models.TextChoices):
    DOCUMENT = "document", _("書類審査")
    PRESENTATION = "presentation", _("公開プレゼンテーション審査")


class ReviewerSide(models.TextChoices):
    DEPARTMENT = "department", _("担当課")
    CENTER = "center", _("センター")


class Recommendation(models.TextChoices):
    ADOPT = "adopt", _("採択がふさわしい")
    CONDITIONAL = "conditional", _("条件付きで採択がふさわしい")
    REJECT = "reject", _("採択は難しい")


class Payer(models.TextChoices):
    PROPOSER = "proposer", _("提案団体")
    CITY = "city", _("市（協働事業負担金）")
    PARTNER = "partner", _("協力団体・企業")
    OTHER = "other", _("その他（参加費・助成金など）")


class PartnerSector(models.TextChoices):
    GROUP = "group", _("市民活動団体・NPO")
    BUSINESS = "business", _("企業・事業者")
    PUBLIC = "public", _("行政・公的機関")
    OTHER = "other", _("その他")


# The default rubric of a stage: name, what the reviewer asks, weight.
DEFAULT_CRITERIA: tuple[tuple[str, str, int], ...] = (
    (_("公益性"), _("地域や社会の課題の解決につながり、広く市民の利益になるか。"), 20),
    (
        _("協働の必要性・相乗効果"),
        _("市と協働することで、単独で行うより高い効果が見込めるか。役割分担は適切か。"),
        20,
    ),
    (_("実現可能性"), _("実施体制・スケジュール・予算は現実的か。"), 20),
    (_("継続性・自立性"), _("事業終了後も活動が続く見通しがあるか。市に頼りきりにならないか。"), 20),
    (_("地域性"), _("みらい市の地域の実情やニーズをふまえているか。"), 20),
)

SCORE_MIN, SCORE_MAX = 1, 5


class SixPrinciples(models.TextChoices):
    """協働の6原則 (横浜コード: 対等, 自主性尊重, 自立化, 相互理解, 目的共有, 公開)."""

    EQUALITY = "equality", _("対等の原則")
    AUTONOMY = "autonomy", _("自主性尊重の原則")
    INDEPENDENCE = "independence", _("自立化の原則")
    MUTUAL_UNDERSTANDING = "mutual_understanding", _("相互理解の原則")
    SHARED_PURPOSE = "shared_purpose", _("目的共有の原則")
    OPENNESS = "openness", _("公開の原則")


PRINCIPLE_QUESTIONS = {
    SixPrinciples.EQUALITY: _("対等の立場で話し合い、決めることができた"),
    SixPrinciples.AUTONOMY: _("団体の自主的な活動が尊重された"),
    SixPrinciples.INDEPENDENCE: _("それぞれが自立した存在として協働を進めた"),
    SixPrinciples.MUTUAL_UNDERSTANDING: _("互いの長所・短所や立場を理解しあえた"),
    SixPrinciples.SHARED_PURPOSE: _("事業の目的を共有できた"),
    SixPrinciples.OPENNESS: _("協働の関係や経過を市民に公開した"),
}


class SelfCheck(models.IntegerChoices):
    FULLY = 4, _("できた")
    MOSTLY = 3, _("おおむねできた")
    PARTLY = 2, _("あまりできなかった")
    NOT_AT_ALL = 1, _("できなかった")


# --- The 6W2H plan (誰が、誰を対象に、何処で、何を、なぜ、いつまでに、いくらぐらいで、どのように)


class SixWTwoHPlan(models.Model):
    plan_who = models.TextField(
        _("誰が（実施体制）"),
        blank=True,
        help_text=_("例: 当団体の子育て経験者10名と、子ども家庭支援課の担当職員2名"),
    )
    plan_whom = models.TextField(
        _("誰に（対象）"), blank=True, help_text=_("例: 市内で0〜3歳の子を育てる親子、年間延べ600組")
    )
    plan_where = models.TextField(
        _("どこで（場所）"), blank=True, help_text=_("例: 桜川地区センター 和室（毎週水曜）")
    )
    plan_what = models.TextField(
        _("何を（事業内容）"),
        blank=True,
        help_text=_("例: 親子が気軽に立ち寄れるひろばを開き、子育て相談と交流の場をつくる"),
    )
    plan_why = models.TextField(
        _("なぜ（課題と目的）"),
        blank=True,
        help_text=_("例: 転入世帯が多く、身近に相談できる人がいない親が孤立しがちなため"),
    )
    plan_until = models.TextField(
        _("いつまでに（期間・スケジュール）"),
        blank=True,
        help_text=_("例: 2026年5月開始、2027年3月まで。9月に中間ふりかえり"),
    )
    plan_how_much = models.TextField(
        _("いくらで（費用の考え方）"),
        blank=True,
        help_text=_("例: 会場費と講師謝礼を市が負担し、運営は団体のボランティアで行う。詳しくは予算表に記入"),
    )
    plan_how = models.TextField(
        _("どのように（進め方・役割分担）"),
        blank=True,
        help_text=_("例: 団体がひろばを運営し、市は広報と専門職の派遣を担う。毎月1回、運営会議で振り返る"),
    )

    class Meta:
        abstract = True

    PLAN_FIELDS = (
        "plan_who",
        "plan_whom",
        "plan_where",
        "plan_what",
        "plan_why",
        "plan_until",
        "plan_how_much",
        "plan_how",
    )

    def plan_items(self) -> list[tuple[str, str]]:
        """(label, text) for each of the eight items, in order."""
        return [(self._meta.get_field(name).verbose_name, getattr(self, name)) for name in self.PLAN_FIELDS]


# --- 募集 -------------------------------------------------------------------------------------------


class ProposalCallQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def reviewed_by(self, user):
        """Calls the user reviews: as a named staff reviewer, an official of a named department, or
        an external 審査委員 who accepted the invitation."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        condition = Q(reviewer_staff=user) | Q(external_reviewers__user=user)
        if is_official(user):
            condition |= Q(reviewer_departments__officials=user)
        return self.filter(condition).distinct()


class ProposalCall(models.Model):
    """募集: a call for proposals with its period, kinds, stages and reviewers."""

    title = models.CharField(_("募集名"), max_length=200, help_text=_("例: 令和8年度 市民提案型協働事業"))
    fiscal_year = fiscal_year_field(_("年度"), help_text=_("事業を実施する年度の開始年（例: 2026）"))
    description = models.TextField(
        _("募集の概要"),
        blank=True,
        help_text=_("例: 子育て・防災など、地域の課題を市と協働で解決する事業を募集します。"),
    )
    opens_on = models.DateField(_("受付開始日"))
    closes_on = models.DateField(
        _("締切日"), help_text=_("この日の23時59分59秒（日本時間）まで受け付けます。")
    )
    kinds = models.JSONField(_("募集する事業の種類"), default=list)
    split_weights = models.BooleanField(
        _("担当課とセンターで配点を分ける"),
        default=False,
        help_text=_("例: 担当課50点＋センター50点。分けない場合は全審査員の平均点です。"),
    )
    department_share = BoundedPositiveSmallIntegerField(
        _("担当課の配点（100点中）"),
        default=50,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        bounds_message=_("担当課の配点は0〜100点で入力してください（例: 50）。"),
        help_text=_("配点を分けるときの担当課の点数。残りがセンターの点数です（例: 50）。"),
    )
    reviewer_departments = models.ManyToManyField(
        Department,
        verbose_name=_("審査する担当課"),
        blank=True,
        related_name="review_calls",
        help_text=_("この課の職員が審査員になります。"),
    )
    reviewer_staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("審査するセンター職員"),
        blank=True,
        related_name="review_calls",
    )
    review_deadline = models.DateField(
        _("審査の締切日"),
        null=True,
        blank=True,
        help_text=_("審査員はこの日までに採点を終えます（例: 2027年1月20日）。過ぎると職員に知らせます。"),
    )
    is_published = models.BooleanField(_("公開する"), default=True)
    created_by = actor_field(_("作成者"), blank=True)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)

    history = HistoricalRecords(m2m_fields=["reviewer_departments", "reviewer_staff"])
    objects = ProposalCallQuerySet.as_manager()

    class Meta(JapaneseNames):
        verbose_name = _("募集")
        ordering = ["-opens_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")),
                name="call_period_order",
                violation_error_message=_("締切日は受付開始日より後の日にしてください。"),
            ),
            models.CheckConstraint(condition=Q(department_share__lte=100), name="call_department_share_max"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("projects:call_detail", args=[self.pk])

    @property
    def center_share(self) -> int:
        return 100 - self.department_share

    def share_of(self, side: str) -> int:
        """The points a side is worth when the weights are split."""
        return self.department_share if side == ReviewerSide.DEPARTMENT else self.center_share

    def review_overdue_on(self, day: dt.date) -> bool:
        """Whether reviews not finished by the end of the review deadline are late on `day`."""
        return self.review_deadline is not None and day > self.review_deadline

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        errors = self._period_errors()
        if self.review_deadline and self.closes_on and self.review_deadline < self.closes_on:
            errors["review_deadline"] = _("審査の締切日は、提案の締切日以降の日にしてください。")
        if errors:
            raise ValidationError(errors)

    def _period_errors(self) -> dict[str, str]:
        """The call for a fiscal year takes proposals in the year before it (the regular call, so
        the projects chosen start in April) or in the year itself (a second round), never later:
        a call for 令和8年度 closing in 2031 is a slip of the year."""
        if self.fiscal_year not in FISCAL_YEAR_BOUNDS:
            return {}  # the field's own error
        errors = {}
        label = fiscal_year_label(self.fiscal_year)
        earliest, latest = fiscal_year_start(self.fiscal_year - 1), fiscal_year_end(self.fiscal_year)
        if self.opens_on and self.opens_on < earliest:
            errors["opens_on"] = _(
                "受付開始日は%(label)sの前の年度の初め（%(day)s）以降の日にしてください。"
            ) % {"label": label, "day": date_format(earliest, "DATE_FORMAT")}
        if self.closes_on and self.closes_on > latest:
            errors["closes_on"] = _("締切日は%(label)sの終わり（%(day)s）までの日にしてください。") % {
                "label": label,
                "day": date_format(latest, "DATE_FORMAT"),
            }
        return errors

    @property
    def opens_at(self) -> dt.datetime:
        return dt.datetime.combine(self.opens_on, dt.time.min, tzinfo=JST)

    @property
    def deadline(self) -> dt.datetime:
        """The last moment a proposal is accepted: 23:59:59 JST of the last day."""
        return dt.datetime.combine(self.closes_on, dt.time(23, 59, 59, 999999), tzinfo=JST)

    def accepts_at(self, moment: dt.datetime) -> bool:
        return self.opens_at <= moment <= self.deadline

    def is_open(self) -> bool:
        return self.accepts_at(timezone.now())

    def phase_label(self) -> str:
        now = timezone.now()
        if now < self.opens_at:
            return _("受付前")
        if now <= self.deadline:
            return _("受付中")
        return _("受付終了")

    def kind_labels(self) -> list[str]:
        return [ProjectKind(kind).label for kind in self.kinds if kind in ProjectKind.values]


class ReviewStage(models.Model):
    """書類審査 or 公開プレゼンテーション審査, with its own rubric."""

    call = models.ForeignKey(
        ProposalCall, on_delete=models.CASCADE, related_name="stages", verbose_name=_("募集")
    )
    kind = models.CharField(_("審査の種類"), max_length=20, choices=StageKind.choices)
    order = models.PositiveSmallIntegerField(_("順番"), default=1)
    held_on = models.DateField(_("審査日"), null=True, blank=True)

    class Meta(JapaneseNames):
        verbose_name = _("審査段階")
        ordering = ["call", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["call", "kind"], name="stage_kind_once_per_call")]

    def __str__(self) -> str:
        return f"{self.call}｜{self.get_kind_display()}"


class Criterion(models.Model):
    """評価項目: scored 1-5 by each reviewer; worth `weight` points at 5."""

    stage = models.ForeignKey(
        ReviewStage, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("審査段階")
    )
    name = models.CharField(_("評価項目"), max_length=100, help_text=_("例: 公益性"))
    description = models.CharField(_("着眼点"), max_length=300, blank=True)
    weight = BoundedPositiveSmallIntegerField(
        _("配点"),
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        bounds_message=_("配点は1〜100点で入力してください（例: 20）。"),
        help_text=_("5段階の5のときの点数（例: 20）。"),
    )
    order = models.PositiveSmallIntegerField(_("並び順"), default=1)

    class Meta(JapaneseNames):
        verbose_name = _("評価項目")
        ordering = ["stage", "order", "id"]

    def __str__(self) -> str:
        return self.name


# --- 提案 -------------------------------------------------------------------------------------------


class Proposal(SixWTwoHPlan):
    """提案: a group's proposal to a call."""

    call = models.ForeignKey(
        ProposalCall, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("募集")
    )
    group = models.ForeignKey(
        "groups.Group", on_delete=models.PROTECT, related_name="proposals", verbose_name=_("提案団体")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("提案者")
    )
    title = models.CharField(
        _("事業名"), max_length=200, help_text=_("例: 親子のたまり場「さくらんぼひろば」")
    )
    kind = models.CharField(_("事業の種類"), max_length=20, choices=ProjectKind.choices)
    summary = models.TextField(
        _("事業の概要"), blank=True, help_text=_("200字程度で。例: 転入して間もない親子が…")
    )
    desired_department = optional_link(
        Department, _("協働を希望する担当課"), on_delete=models.SET_NULL, related_name="desired_proposals"
    )
    themes = models.ManyToManyField(Theme, verbose_name=_("テーマ"), blank=True, related_name="proposals")
    status = models.CharField(
        _("状態"), max_length=20, choices=ProposalStatus.choices, default=ProposalStatus.DRAFT
    )
    current_stage = optional_link(ReviewStage, _("審査段階"), on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(_("提出日時"), null=True, blank=True)
    review_round = models.PositiveSmallIntegerField(
        _("審査の回"),
        default=1,
        help_text=_("差戻しのあと再提出すると次の回になり、その回の採点だけが数えられます。"),
    )
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    history = HistoricalRecords(m2m_fields=["themes"])

    class Meta(JapaneseNames):
        verbose_name = _("提案")
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["call", "status"]),
            # The annual report counts the proposals received in a fiscal year.
            models.Index(fields=["submitted_at"], name="proposal_submitted_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("projects:proposal_detail", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        return self.status in (ProposalStatus.DRAFT, ProposalStatus.RETURNED)

    def budget_totals(self) -> dict:
        """Totals of the budget lines: overall and by who pays (uses prefetched lines)."""
        return budget_totals(self.budget_lines.all())


def budget_totals(lines) -> dict:
    by_payer = {payer: 0 for payer in Payer.values}
    for line in lines:
        by_payer[line.payer] += line.amount
    return {
        "total": sum(by_payer.values()),
        "by_payer": [(Payer(payer).label, amount) for payer, amount in by_payer.items() if amount],
    }


class BudgetLine(models.Model):
    """予算: one line of the budget, with who pays it."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="budget_lines", verbose_name=_("提案")
    )
    item = models.CharField(_("費目"), max_length=100, help_text=_("例: 会場使用料"))
    description = models.CharField(_("内訳"), max_length=200, blank=True, help_text=_("例: 2,000円×24回"))
    amount = models.PositiveIntegerField(_("金額（円）"), validators=[budget_line_max])
    payer = models.CharField(_("負担者"), max_length=20, choices=Payer.choices, default=Payer.PROPOSER)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta(JapaneseNames):
        verbose_name = _("予算の項目")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return _("%(item)s %(amount)s円") % {"item": self.item, "amount": f"{self.amount:,}"}


class Partner(models.Model):
    """協働の相手: a party of any sector, on a proposal or on a project."""

    proposal = optional_link(Proposal, _("提案"), on_delete=models.CASCADE, related_name="partners")
    project = optional_link("Project", _("協働事業"), on_delete=models.CASCADE, related_name="partners")
    sector = models.CharField(_("区分"), max_length=20, choices=PartnerSector.choices)
    group = party_link("groups.Group", _("登録団体"), on_delete=models.SET_NULL)
    business = party_link("matching.Business", _("企業・事業者"), on_delete=models.SET_NULL)
    department = party_link(Department, _("担当課・公的機関"), on_delete=models.SET_NULL)
    name = models.CharField(
        _("名称（登録されていない相手）"), max_length=200, blank=True, help_text=_("例: 桜川小学校PTA")
    )
    role = models.CharField(_("役割"), max_length=300, blank=True, help_text=_("例: 会場の提供と広報"))

    class Meta(JapaneseNames):
        verbose_name = _("協働の相手")
        ordering = ["id"]
        constraints = [exactly_one_of("proposal", "project", name="partner_on_proposal_or_project")]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        party = self.group or self.business or self.department
        return str(party) if party else self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if not (self.group_id or self.business_id or self.department_id or self.name.strip()):
            raise ValidationError(_("協働の相手を選ぶか、名称を入力してください。"))


class Attachment(models.Model):
    """添付資料: PDF, Office files and images, checked by content."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("提案")
    )
    file = models.FileField(
        _("ファイル"), upload_to=attachment_upload_to, storage=private_storage, max_length=200
    )
    original_name = models.CharField(_("ファイル名"), max_length=255)
    content_type = models.CharField(_("種類"), max_length=100)
    size = models.PositiveIntegerField(_("大きさ（バイト）"))
    uploaded_by = actor_field(_("登録者"))
    uploaded_at = models.DateTimeField(_("登録日時"), auto_now_add=True)

    class Meta(JapaneseNames):
        verbose_name = _("添付資料")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("projects:attachment_download", args=[self.pk])


# --- 審査 -------------------------------------------------------------------------------------------


class Review(models.Model):
    """審査: one reviewer's assessment of one proposal at one stage."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("提案")
    )
    stage = models.ForeignKey(
        ReviewStage, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("審査段階")
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="project_reviews",
        verbose_name=_("審査員"),
    )
    side = models.CharField(_("審査の立場"), max_length=20, choices=ReviewerSide.choices)
    round = models.PositiveSmallIntegerField(_("審査の回"), default=1)
    conflict_of_interest = models.BooleanField(_("利害関係あり"), default=False)
    conflict_reason = models.TextField(
        _("利害関係の内容"), blank=True, help_text=_("例: 提案団体の役員を務めているため")
    )
    recommendation = models.CharField(
        _("総合所見"), max_length=20, choices=Recommendation.choices, blank=True
    )
    comment = models.TextField(_("総評"), blank=True)
    submitted_at = models.DateTimeField(_("審査完了日時"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta(JapaneseNames):
        verbose_name = _("審査")
        ordering = ["proposal", "round", "stage", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "stage", "reviewer", "round"], name="review_once_per_stage_and_round"
            )
        ]

    def __str__(self) -> str:
        return f"{self.proposal}｜{self.reviewer}"

    @property
    def is_done(self) -> bool:
        """A declared conflict counts as done: that reviewer does not score."""
        return self.conflict_of_interest or self.submitted_at is not None


class Score(models.Model):
    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, related_name="scores", verbose_name=_("審査")
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.CASCADE, related_name="scores", verbose_name=_("評価項目")
    )
    score = models.PositiveSmallIntegerField(
        _("評点"), validators=[MinValueValidator(SCORE_MIN), MaxValueValidator(SCORE_MAX)]
    )
    comment = models.TextField(_("コメント"), blank=True)

    class Meta(JapaneseNames):
        verbose_name = _("評点")
        ordering = ["criterion__order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="score_once_per_criterion"),
            models.CheckConstraint(
                condition=Q(score__gte=SCORE_MIN, score__lte=SCORE_MAX), name="score_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.score}"


class ResolutionChoice(models.TextChoices):
    SUBSTITUTE = "substitute", _("代わりの審査員を指名する")
    REMAINING_SIDE = "remaining_side", _("残る側の平均点を合計点とする")


class SideResolution(models.Model):
    """What staff decided when a side of a split call was left without reviewers by conflicts.

    Either a substitute reviewer scores for that side (in that stage and round), or the remaining
    side's average stands as the total. Who decided and when is kept; the page says which.
    """

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="side_resolutions", verbose_name=_("提案")
    )
    stage = models.ForeignKey(
        ReviewStage, on_delete=models.CASCADE, related_name="+", verbose_name=_("審査段階")
    )
    round = models.PositiveSmallIntegerField(_("審査の回"))
    side = models.CharField(_("審査員がいない側"), max_length=20, choices=ReviewerSide.choices)
    choice = models.CharField(_("決めたこと"), max_length=20, choices=ResolutionChoice.choices)
    substitute = optional_link(
        settings.AUTH_USER_MODEL,
        _("代わりの審査員"),
        on_delete=models.PROTECT,
        related_name="substitute_reviews",
    )
    decided_by = actor_field(_("決めた職員"))
    decided_at = models.DateTimeField(_("決めた日時"), default=timezone.now)

    class Meta(JapaneseNames):
        verbose_name = _("審査員がいない側の扱い")
        ordering = ["decided_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(choice="substitute", substitute__isnull=False)
                | Q(choice="remaining_side", substitute__isnull=True),
                name="side_resolution_substitute_iff_chosen",
            )
        ]

    def __str__(self) -> str:
        return f"{self.proposal}｜{self.get_side_display()}｜{self.get_choice_display()}"


class ExternalReviewer(models.Model):
    """審査委員 from outside the city (学識経験者, 市民委員), invited by staff to review one call.

    The invitation is e-mailed with a signed link; it counts once the invited person (signed in
    with the invited address) accepts it, and they then review the call's proposals.
    """

    call = models.ForeignKey(
        ProposalCall, on_delete=models.CASCADE, related_name="external_reviewers", verbose_name=_("募集")
    )
    email = models.EmailField(_("メールアドレス"), help_text=_("例: yamada@example.ac.jp"))
    full_name = models.CharField(_("氏名"), max_length=100, help_text=_("例: 山田 太郎"))
    affiliation = models.CharField(
        _("所属・肩書"), max_length=200, blank=True, help_text=_("例: みらい大学 教授（学識経験者）")
    )
    side = models.CharField(
        _("審査の立場"),
        max_length=20,
        choices=ReviewerSide.choices,
        default=ReviewerSide.CENTER,
        help_text=_("配点を分ける募集で、どちらの側の点に入るか。"),
    )
    user = optional_link(
        settings.AUTH_USER_MODEL, _("アカウント"), on_delete=models.PROTECT, related_name="external_reviews"
    )
    invited_by = actor_field(_("招待した職員"))
    invited_at = models.DateTimeField(_("招待日時"), default=timezone.now)
    accepted_at = models.DateTimeField(_("承諾日時"), null=True, blank=True)

    VALID_DAYS = 30

    class Meta(JapaneseNames):
        verbose_name = _("審査委員")
        ordering = ["invited_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["call", "email"], name="external_reviewer_once_per_call")
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def is_accepted(self) -> bool:
        return self.user_id is not None


class DecisionOutcome(models.TextChoices):
    ADOPTED = ProposalStatus.ADOPTED.value, _("採択")
    REJECTED = ProposalStatus.REJECTED.value, _("不採択")
    RETURNED = ProposalStatus.RETURNED.value, _("差戻し")


class Decision(models.Model):
    """決定: the outcome and its reason. The proposer sees it; the public sees adopted ones."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("提案")
    )
    outcome = models.CharField(_("決定"), max_length=20, choices=DecisionOutcome.choices)
    reason = models.TextField(_("理由"), help_text=_("提案者に伝わります。採択の場合は公開されます。"))
    decided_by = actor_field(_("決定者"))
    decided_at = models.DateTimeField(_("決定日時"), default=timezone.now)

    class Meta(JapaneseNames):
        verbose_name = _("決定")
        ordering = ["-decided_at", "-id"]
        get_latest_by = "decided_at"
        # The annual report counts the decisions of a fiscal year.
        indexes = [models.Index(fields=["decided_at"], name="decision_decided_idx")]

    def __str__(self) -> str:
        return f"{self.proposal}｜{self.get_outcome_display()}"


# --- 協働事業 ---------------------------------------------------------------------------------------


class ProjectQuerySet(KeywordSearchableQuerySet):
    def public(self):
        return self.filter(is_public=True, status__in=PUBLIC_PROJECT_STATUSES)


class Project(KeywordSearchable, SixWTwoHPlan):
    """協働事業: adopted from a proposal, or registered by staff (プロジェクト登録 / プロジェクト支援).

    The lists' keyword finds a project by its title and summary in any spelling (search_text),
    and by its lead group's name (the group's own name_key, so a renamed group is found by its
    new name without rewriting its projects)."""

    SEARCH_FIELDS = ("title", "summary")

    title = models.CharField(_("事業名"), max_length=200)
    kind = models.CharField(_("事業の種類"), max_length=20, choices=ProjectKind.choices)
    form = models.CharField(_("協働の形態"), max_length=20, choices=ProjectForm.choices, blank=True)
    proposal = models.OneToOneField(
        Proposal,
        verbose_name=_("もとの提案"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="project",
    )
    lead_group = optional_link(
        "groups.Group", _("実施団体"), on_delete=models.PROTECT, related_name="led_projects"
    )
    department = optional_link(Department, _("担当課"), on_delete=models.SET_NULL, related_name="projects")
    themes = models.ManyToManyField(Theme, verbose_name=_("テーマ"), blank=True, related_name="projects")
    summary = models.TextField(_("事業の概要"), blank=True)
    fiscal_year = fiscal_year_field(_("年度"), db_index=True)
    starts_on = models.DateField(_("開始日"), null=True, blank=True)
    ends_on = models.DateField(_("終了日"), null=True, blank=True)
    status = models.CharField(
        _("状態"), max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.PREPARING
    )
    results = models.TextField(_("成果（公開）"), blank=True, help_text=_("完了後に公開ページに載ります。"))
    is_public = models.BooleanField(_("公開する"), default=True)
    registered_by = actor_field(_("登録者"), blank=True)
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["search_text"], m2m_fields=["themes"])
    objects = ProjectQuerySet.as_manager()

    class Meta(JapaneseNames):
        verbose_name = _("協働事業")
        ordering = ["-fiscal_year", "-id"]
        indexes = [models.Index(fields=["status", "fiscal_year"])]
        constraints = [
            models.CheckConstraint(
                condition=unless_either_empty("ends_on", "gte", "starts_on"),
                name="project_period_order",
                violation_error_message=_("終了日は開始日と同じ日か、それより後の日にしてください。"),
            )
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        if not self.fiscal_year and self.starts_on:
            self.fiscal_year = fiscal_year_of(self.starts_on)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("projects:detail", args=[self.pk])

    @property
    def is_publicly_visible(self) -> bool:
        return self.is_public and self.status in PUBLIC_PROJECT_STATUSES

    @property
    def needs_agreement(self) -> bool:
        return self.kind not in UNCALLED_KINDS


class StatusChange(models.Model):
    """Who changed the status of a proposal or a project, when, from what to what."""

    proposal = optional_link(Proposal, _("提案"), on_delete=models.CASCADE, related_name="status_changes")
    project = optional_link(Project, _("協働事業"), on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(_("変更前"), max_length=20, blank=True)
    to_status = models.CharField(_("変更後"), max_length=20)
    changed_by = actor_field(_("変更者"))
    changed_at = models.DateTimeField(_("変更日時"), default=timezone.now)
    note = models.TextField(_("メモ"), blank=True)

    class Meta(JapaneseNames):
        verbose_name = _("状態の変更履歴")
        ordering = ["changed_at", "id"]
        constraints = [exactly_one_of("proposal", "project", name="status_change_on_proposal_or_project")]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"

    def _label(self, value: str) -> str:
        choices = ProposalStatus if self.proposal_id else ProjectStatus
        return choices(value).label if value in choices.values else value

    @property
    def from_label(self) -> str:
        return self._label(self.from_status) if self.from_status else ""

    @property
    def to_label(self) -> str:
        return self._label(self.to_status)


class Agreement(models.Model):
    """協働協定書: purpose, each party's role, method, responsibility, cost sharing, period."""

    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, related_name="agreement", verbose_name=_("協働事業")
    )
    purpose = models.TextField(
        _("目的"), help_text=_("例: 子育て中の親子が地域で孤立しないよう、身近な交流と相談の場をつくる。")
    )
    group_role = models.TextField(
        _("団体の役割"), help_text=_("例: ひろばの企画・運営、ボランティアの募集と研修")
    )
    department_role = models.TextField(
        _("市（担当課）の役割"), help_text=_("例: 広報紙での周知、保健師の派遣、関係機関との調整")
    )
    center_role = models.TextField(
        _("センターの役割"), blank=True, help_text=_("例: 進行管理と中間ふりかえりの進行")
    )
    method = models.TextField(
        _("実施方法"), help_text=_("例: 毎週水曜10時〜12時に開設。月1回、三者で運営会議を開く。")
    )
    responsibility = models.TextField(
        _("責任の所在"), help_text=_("例: ひろばの運営中の事故は団体が加入する保険で対応し、市と協議する。")
    )
    cost_sharing = models.TextField(
        _("費用の負担"), help_text=_("例: 会場費・講師謝礼は市、消耗品費は団体が負担する。")
    )
    period_start = models.DateField(_("協定期間（開始）"))
    period_end = models.DateField(_("協定期間（終了）"))
    other_terms = models.TextField(
        _("その他の取り決め"), blank=True, help_text=_("例: 個人情報の取り扱い、成果物の著作権")
    )
    city_signatory = models.CharField(
        _("市の署名者"), max_length=100, blank=True, help_text=_("例: みらい市長 未来 太郎")
    )
    group_signatory = models.CharField(
        _("団体の署名者"), max_length=100, blank=True, help_text=_("例: 代表 佐藤 陽子")
    )
    signed_on = models.DateField(_("締結日"), null=True, blank=True)
    updated_by = actor_field(_("更新者"))
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_by"])

    class Meta(JapaneseNames):
        verbose_name = _("協働協定書")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="agreement_period_order"
            )
        ]
        # The annual report counts the agreements signed in a fiscal year.
        indexes = [models.Index(fields=["signed_on"], name="agreement_signed_idx")]

    def __str__(self) -> str:
        return _("%(title)s 協働協定書") % {"title": self.project.title}


def project_link(related_name: str) -> models.ForeignKey:
    """The project a record is part of: deleted with it."""
    return models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name=related_name, verbose_name=_("協働事業")
    )


class ProjectRecord(models.Model):
    """What is written down about a project while it runs, by whom and when.

    `day_field` names the day a record is about (held, reported): it is written afterwards, so
    that day is not after today (the Japan date). A slip of the year (2062 for 2026) would sit on
    top of 「新しい順」 and count in a fiscal year not begun (the report reads support records
    by the day they were held)."""

    day_field: str | None = None

    project = project_link("+")
    author = actor_field(_("記録者"))
    created_at = models.DateTimeField(_("記録日時"), auto_now_add=True)

    class Meta:
        abstract = True

    def clean(self) -> None:
        super().clean()
        if self.day_field:
            not_after_today(self, self.day_field)


class HeldRecord(ProjectRecord):
    """A record of something held on a day (a review meeting, a presentation, a support session):
    listed newest first and named by project and day. Each declares `held_on` under its own label."""

    day_field = "held_on"

    class Meta(JapaneseNames):
        abstract = True
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.project}｜{self.held_on}"


class ProgressReport(ProjectRecord):
    """進捗報告 by the group."""

    day_field = "reported_on"

    project = project_link("progress_reports")
    reported_on = models.DateField(_("報告日"), default=timezone.localdate)
    activities = models.TextField(
        _("実施したこと"), help_text=_("例: 6月はひろばを4回開き、延べ52組が参加した。")
    )
    achievements = models.TextField(_("見えてきた成果"), blank=True)
    issues = models.TextField(_("課題・相談したいこと"), blank=True)

    class Meta(JapaneseNames):
        verbose_name = _("進捗報告")
        ordering = ["-reported_on", "-id"]

    def __str__(self) -> str:
        return f"{self.project}｜{self.reported_on}"


class StaffNote(ProjectRecord):
    """職員メモ: only staff read these."""

    project = project_link("staff_notes")
    body = models.TextField(_("メモ"))

    class Meta(JapaneseNames):
        verbose_name = _("職員メモ")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.body[:30]


class MidtermReview(HeldRecord):
    """中間ふりかえり: the parties look back together halfway."""

    project = project_link("midterm_reviews")
    held_on = models.DateField(_("実施日"))
    participants = models.CharField(
        _("参加者"), max_length=300, help_text=_("例: 団体3名、子ども家庭支援課2名、センター1名")
    )
    progress = models.TextField(_("進み具合"))
    issues = models.TextField(_("課題"), blank=True)
    adjustments = models.TextField(_("これからの見直し"), blank=True)

    class Meta(HeldRecord.Meta):
        verbose_name = _("中間ふりかえり")


class MutualEvaluation(ProjectRecord):
    """相互評価: the group and the department each assess the project, against the six principles."""

    project = project_link("evaluations")
    side = models.CharField(
        _("評価する側"), max_length=20, choices=[("group", _("団体")), ("department", _("担当課"))]
    )
    results = models.TextField(
        _("成果"), help_text=_("例: 延べ640組の親子が利用し、常連の親が運営ボランティアになった。")
    )
    lessons = models.TextField(_("学び・課題"), help_text=_("例: 広報の役割分担を早めに決めるべきだった。"))
    next_steps = models.TextField(
        _("これから"), help_text=_("例: 来年度は自主事業として続け、他地区にも広げる。")
    )
    equality = models.PositiveSmallIntegerField(SixPrinciples.EQUALITY.label, choices=SelfCheck.choices)
    autonomy = models.PositiveSmallIntegerField(SixPrinciples.AUTONOMY.label, choices=SelfCheck.choices)
    independence = models.PositiveSmallIntegerField(
        SixPrinciples.INDEPENDENCE.label, choices=SelfCheck.choices
    )
    mutual_understanding = models.PositiveSmallIntegerField(
        SixPrinciples.MUTUAL_UNDERSTANDING.label, choices=SelfCheck.choices
    )
    shared_purpose = models.PositiveSmallIntegerField(
        SixPrinciples.SHARED_PURPOSE.label, choices=SelfCheck.choices
    )
    openness = models.PositiveSmallIntegerField(SixPrinciples.OPENNESS.label, choices=SelfCheck.choices)
    principles_comment = models.TextField(_("6原則についてのふりかえり"), blank=True)

    class Meta(JapaneseNames):
        verbose_name = _("相互評価")
        ordering = ["side", "id"]
        constraints = [models.UniqueConstraint(fields=["project", "side"], name="evaluation_once_per_side")]

    def __str__(self) -> str:
        return f"{self.project}｜{self.get_side_display()}"

    def principle_items(self) -> list[tuple[str, str, str]]:
        """(principle, question, answer) for the six principles."""
        return [
            (principle.label, PRINCIPLE_QUESTIONS[principle], SelfCheck(getattr(self, principle.value)).label)
            for principle in SixPrinciples
        ]


class ResultsPresentation(HeldRecord):
    """成果発表: when and where the results were presented, and to how many."""

    project = project_link("presentations")
    held_on = models.DateField(_("発表日"))
    venue = models.CharField(
        _("会場・場"), max_length=200, help_text=_("例: 協働事業成果発表会（市民活動プラザ ホール）")
    )
    audience = BoundedPositiveIntegerField(
        _("参加者数"), null=True, blank=True, validators=[audience_max], bounds_message=AUDIENCE_MESSAGE
    )
    summary = models.TextField(_("発表の内容・反響"), blank=True)

    class Meta(HeldRecord.Meta):
        verbose_name = _("成果発表")


class SupportKind(models.TextChoices):
    MENTOR = "mentor", _("メンター面談")
    HANDS_ON = "hands_on", _("ハンズオン支援")
    WORKSHOP = "workshop", _("講座・研修")
    INTRODUCTION = "introduction", _("紹介・つなぎ")
    OTHER = "other", _("その他")


class SupportLog(KeywordSearchable, HeldRecord):
    """支援記録: mentor meetings and hands-on sessions for プロジェクト登録 / プロジェクト支援.

    The staff list's keyword finds a record by its content and supporters in any spelling
    (search_text), and by its project's title and summary (the project's own search_text)."""

    SEARCH_FIELDS = ("content", "supporters")

    project = project_link("support_logs")
    held_on = models.DateField(_("実施日"))
    kind = models.CharField(_("支援の種類"), max_length=20, choices=SupportKind.choices)
    supporters = models.CharField(
        _("支援した人"), max_length=200, help_text=_("例: センター職員 協働、メンター 山田（中小企業診断士）")
    )
    attendees = models.CharField(
        _("参加した人"), max_length=200, blank=True, help_text=_("例: 団体の代表と会計担当")
    )
    content = models.TextField(_("内容"), help_text=_("例: 事業計画書の収支計画を一緒に見直した。"))
    next_action = models.TextField(_("次にすること"), blank=True)
    minutes = BoundedPositiveIntegerField(
        _("時間（分）"),
        null=True,
        blank=True,
        validators=[support_minutes_max],
        bounds_message=SUPPORT_MINUTES_MESSAGE,
    )

    class Meta(HeldRecord.Meta):
        verbose_name = _("支援記録")
        # The annual report reads the support records held in a fiscal year.
        indexes = [models.Index(fields=["held_on"], name="supportlog_held_idx")]

    def __str__(self) -> str:
        return f"{super().__str__()}｜{self.get_kind_display()}"
