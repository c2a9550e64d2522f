"""Input validation for each screen of the projects app."""

from __future__ import annotations

from django import forms
from django.forms import inlineformset_factory, modelformset_factory
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from core.form_fields import DateInput, YenField, department_choice, offered_with_linked
from core.form_helpers import text_area
from core.forms import RequiredToSubmit, RequiredWhen, RequirementsMixin
from core.models import Department, Theme, User
from core.roles import Role
from core.validators import end_not_before_start
from projects.models import (
    PRINCIPLE_QUESTIONS,
    UNCALLED_KINDS,
    Agreement,
    BudgetLine,
    Criterion,
    DecisionOutcome,
    ExternalReviewer,
    MidtermReview,
    MutualEvaluation,
    Partner,
    ProgressReport,
    Project,
    ProjectForm,
    ProjectKind,
    Proposal,
    ProposalCall,
    Recommendation,
    ResolutionChoice,
    ResultsPresentation,
    ReviewerSide,
    Score,
    SixPrinciples,
    StaffNote,
    SupportKind,
    SupportLog,
)
from projects.validators import ALLOWED_ACCEPT as ATTACHMENT_ACCEPT
from projects.validators import ALLOWED_LABEL as ATTACHMENT_LABEL
from projects.validators import (
    AUDIENCE_MAX,
    BUDGET_LINE_MAX,
    FISCAL_YEAR_MAX,
    FISCAL_YEAR_MIN,
    SUPPORT_MINUTES_MAX,
    budget_line_max,
)


class CheckboxList(forms.CheckboxSelectMultiple):
    """Checkboxes in a fieldset (the global field template renders the legend)."""


# What an empty select choice means, in Japanese (never Django's raw 「---------」).
NOT_CHOSEN = _("（選ばない）")
CHOOSE = _("（選んでください）")
FORM_CHOICES = [("", _("（あとで決める）")), *ProjectForm.choices]


def textareas(names, rows: int = 3) -> dict:
    return {name: forms.Textarea(attrs={"rows": rows}) for name in names}


def number_input(*, min_value: int = 0, max_value: int) -> forms.NumberInput:
    """A whole number within the model's bounds (projects.validators): the browser says so before
    sending, the server's own check keeps what was typed and says it in Japanese."""
    return forms.NumberInput(attrs={"min": min_value, "max": max_value, "step": 1, "inputmode": "numeric"})


def fiscal_year_input() -> forms.NumberInput:
    return number_input(min_value=FISCAL_YEAR_MIN, max_value=FISCAL_YEAR_MAX)


def approved_groups():
    from groups.models import Group

    return Group.objects.public()


# --- Calls (staff) -------------------------------------------------------------------------------


class CallForm(forms.ModelForm):
    kinds = forms.MultipleChoiceField(
        label=_("募集する事業の種類"),
        choices=ProjectKind.choices,
        widget=CheckboxList,
        initial=[ProjectKind.CITIZEN_PROPOSAL],
    )
    with_presentation = forms.BooleanField(
        label=_("書類審査のあとに公開プレゼンテーション審査を行う"),
        required=False,
        help_text=_("それぞれの審査段階に評価項目と配点を設定できます。"),
    )

    class Meta:
        model = ProposalCall
        fields = [
            "title",
            "fiscal_year",
            "description",
            "opens_on",
            "closes_on",
            "review_deadline",
            "kinds",
            "split_weights",
            "department_share",
            "reviewer_departments",
            "reviewer_staff",
            "is_published",
        ]
        widgets = {
            "fiscal_year": fiscal_year_input(),
            "opens_on": DateInput,
            "closes_on": DateInput,
            "review_deadline": DateInput,
            "reviewer_departments": CheckboxList,
            "reviewer_staff": CheckboxList,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The active ones, and those the call already names: a reviewer who has since left (or a
        # department closed) stays checked, or saving the call would drop them without a word.
        active = Department.objects.filter(is_active=True).values_list("pk", flat=True)
        self.fields["reviewer_departments"].queryset = Department.objects.filter(
            pk__in=offered_with_linked(active, self.instance, "reviewer_departments")
        )
        staff = User.objects.filter(groups__name=Role.STAFF, is_active=True).values_list("pk", flat=True)
        self.fields["reviewer_staff"].queryset = User.objects.filter(
            pk__in=offered_with_linked(staff, self.instance, "reviewer_staff")
        ).order_by("full_name_kana", "email")
        if self.instance.pk:
            self.fields["with_presentation"].initial = self.instance.stages.filter(
                kind="presentation"
            ).exists()

    def clean(self):
        return end_not_before_start(
            self, super().clean(), "opens_on", "closes_on", _("締切日は受付開始日より後の日にしてください。")
        )


class CriterionForm(forms.ModelForm):
    class Meta:
        model = Criterion
        fields = ["name", "description", "weight", "order"]


CriterionFormSet = modelformset_factory(Criterion, form=CriterionForm, extra=1, can_delete=True)


# --- Proposals -------------------------------------------------------------------------------------


class ProposalForm(RequirementsMixin, forms.ModelForm):
    # A draft may be incomplete; projects.services.proposal_missing_items refuses to submit
    # without the summary and the eight items: the marks say so.
    requirements = (RequiredToSubmit(("summary", *Proposal.PLAN_FIELDS)),)

    class Meta:
        model = Proposal
        fields = [
            "title",
            "kind",
            "summary",
            "desired_department",
            "themes",
            *Proposal.PLAN_FIELDS,
        ]
        widgets = {"themes": CheckboxList, **textareas(("summary", *Proposal.PLAN_FIELDS), rows=4)}

    def __init__(self, *args, call: ProposalCall, groups=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.call = call
        self.fields["kind"].choices = [(k, ProjectKind(k).label) for k in call.kinds]
        self.fields["themes"].queryset = Theme.objects.active()
        self.fields["desired_department"].queryset = Department.objects.filter(is_active=True)
        self.fields["desired_department"].empty_label = _("（未定・センターに相談したい）")
        # Drafts may be incomplete; the summary and the eight items are needed to submit.
        for name in ("summary", *Proposal.PLAN_FIELDS):
            self.fields[name].help_text = _("提出までに入力してください。%(example)s") % {
                "example": self.fields[name].help_text
            }
        if groups is not None:
            self.fields["group"] = forms.ModelChoiceField(
                label=_("提案する団体"),
                queryset=groups,
                empty_label=None,
                help_text=_("あなたが編集者になっている登録団体です。"),
            )
            self.order_fields(["group"])

    def plan_fields(self):
        """The eight items of the plan (6W2H), shown together under one legend."""
        return [self[name] for name in Proposal.PLAN_FIELDS]


class ChoiceCache:
    """Choices of a select read once for all the rows of a formset (not once per row)."""

    def __init__(self) -> None:
        self.choices: dict[str, list] = {}

    def apply(self, field_name: str, field: forms.ModelChoiceField) -> None:
        if field_name not in self.choices:
            self.choices[field_name] = [("", field.empty_label), *((o.pk, str(o)) for o in field.queryset)]
        field.choices = self.choices[field_name]


class PartnerForm(forms.ModelForm):
    class Meta:
        model = Partner
        fields = ["group", "business", "department", "name", "role"]

    def __init__(self, *args, choice_cache: ChoiceCache | None = None, **kwargs):
        from matching.models import Business, BusinessStatus

        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = approved_groups()
        self.fields["group"].empty_label = _("（選ばない）")
        self.fields["business"].queryset = Business.objects.filter(status=BusinessStatus.APPROVED)
        self.fields["business"].empty_label = _("（選ばない）")
        self.fields["department"].queryset = Department.objects.filter(is_active=True)
        self.fields["department"].empty_label = _("（選ばない）")
        if choice_cache is not None:
            for name in ("group", "business", "department"):
                choice_cache.apply(name, self.fields[name])

    def clean(self):
        data = super().clean()
        chosen = [name for name in ("group", "business", "department") if data.get(name)]
        if len(chosen) > 1:
            raise forms.ValidationError(_("協働の相手は1行に1つだけ選んでください。"))
        if not chosen and not (data.get("name") or "").strip() and self.has_changed():
            raise forms.ValidationError(_("協働の相手を選ぶか、名称を入力してください。"))
        return data


PartnerFormSet = inlineformset_factory(
    Proposal, Partner, form=PartnerForm, fk_name="proposal", extra=2, can_delete=True, max_num=20
)
ProjectPartnerFormSet = inlineformset_factory(
    Project, Partner, form=PartnerForm, fk_name="project", extra=2, can_delete=True, max_num=20
)


class BudgetLineForm(forms.ModelForm):
    # Typed as a budget sheet writes it: 「48,000」「４８０００円」「4.8万円」, up to 1億円.
    amount = YenField(
        label=_("金額（円）"),
        max_value=BUDGET_LINE_MAX,
        help_text=_("例: 48000、48,000円、4.8万円"),
        error_messages={"max_value": budget_line_max.message},
    )

    class Meta:
        model = BudgetLine
        fields = ["item", "description", "amount", "payer"]


BudgetFormSet = inlineformset_factory(
    Proposal, BudgetLine, form=BudgetLineForm, extra=3, can_delete=True, max_num=50
)


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("添付資料"),
        # The kinds are written once, in projects.validators, which also checks the upload.
        help_text=format_lazy(_("{kinds}。例: 団体の活動報告書.pdf"), kinds=ATTACHMENT_LABEL),
        widget=forms.ClearableFileInput(attrs={"accept": ATTACHMENT_ACCEPT}),
    )


# --- Reviews ----------------------------------------------------------------------------------------


class ExternalReviewerForm(forms.ModelForm):
    """Staff invite an external 審査委員 to a call."""

    class Meta:
        model = ExternalReviewer
        fields = ["full_name", "email", "affiliation", "side"]

    def __init__(self, *args, call=None, **kwargs):
        super().__init__(*args, **kwargs)
        if call is not None and not call.split_weights:
            # Without split weights the side does not change the total: keep the default.
            del self.fields["side"]


class SideResolutionForm(RequirementsMixin, forms.Form):
    """What stands when a side has no reviewer left: a substitute, or the remaining side's average."""

    requirements = (
        RequiredWhen(
            "substitute",
            when=lambda data: data.get("choice") == ResolutionChoice.SUBSTITUTE,
            mark=_("代わりの審査員を指名する場合は必須"),
            message=_("代わりの審査員を選んでください。"),
        ),
    )

    side = forms.ChoiceField(choices=ReviewerSide.choices, widget=forms.HiddenInput)
    choice = forms.ChoiceField(
        label=_("どうしますか"), choices=ResolutionChoice.choices, widget=forms.RadioSelect
    )
    substitute = forms.ModelChoiceField(
        label=_("代わりの審査員"),
        queryset=User.objects.none(),
        required=False,
        empty_label=NOT_CHOSEN,
        help_text=_(
            "「代わりの審査員を指名する」を選んだときに選びます。指名した方にメールで審査を依頼します。"
        ),
    )

    def __init__(self, *args, candidates=None, **kwargs):
        super().__init__(*args, **kwargs)
        if candidates is not None:
            self.fields["substitute"].queryset = candidates


class ConflictForm(forms.Form):
    conflict_reason = text_area(
        _("利害関係の内容"),
        rows=3,
        max_length=2000,
        error_messages={"required": _("利害関係の内容を入力してください。")},
        help_text=_(
            "例: 提案団体の役員を務めている／家族が提案団体の職員である。申告するとこの提案は採点できません。"
        ),
    )


SCORE_CHOICES = [
    (5, _("5 とても優れている")),
    (4, _("4 優れている")),
    (3, _("3 ふつう")),
    (2, _("2 やや不十分")),
    (1, _("1 不十分")),
]


class ReviewForm(RequirementsMixin, forms.Form):
    """One score (1-5) and a comment per criterion of the stage, a recommendation and a comment.
    Saving part-way relaxes the scores, but the marks keep saying what finishing needs."""

    recommendation = forms.ChoiceField(
        label=_("総合所見"),
        choices=Recommendation.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("総合所見を選んでください。"),
            "invalid_choice": _("総合所見は一覧の中から選んでください。"),
        },
    )
    comment = text_area(
        _("総評"),
        rows=4,
        required=False,
        help_text=_("提案者への助言にもなります。例: 地域のニーズは明確。広報の役割分担を具体的に。"),
    )

    def __init__(self, *args, criteria, review=None, partial: bool = False, **kwargs):
        """`partial`: saving part-way, so scores may still be missing (finishing needs them all)."""
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        existing = {s.criterion_id: s for s in review.scores.all()} if review else {}
        for criterion in self.criteria:
            score = existing.get(criterion.pk)
            self.fields[f"score_{criterion.pk}"] = forms.TypedChoiceField(
                label=_("%(name)s（配点 %(weight)s点）")
                % {"name": criterion.name, "weight": criterion.weight},
                choices=SCORE_CHOICES,
                coerce=int,
                widget=forms.RadioSelect,
                help_text=criterion.description,
                initial=score.score if score else None,
                error_messages={
                    "required": _("%(name)sの評価を選んでください。") % {"name": criterion.name},
                    "invalid_choice": _("%(name)sの評価は5〜1の中から選んでください。")
                    % {"name": criterion.name},
                },
            )
            self.fields[f"comment_{criterion.pk}"] = text_area(
                _("%(name)sについてのコメント") % {"name": criterion.name},
                rows=2,
                required=False,
                initial=score.comment if score else "",
                # What the score's comment holds, said here: the service's refusal names the
                # score's field 「comment」, which on this form is 総評.
                validators=Score._meta.get_field("comment").validators,
            )
        self.remember_required()
        if partial:
            self.relax_for_draft()
        if review:
            self.fields["recommendation"].initial = review.recommendation
            self.fields["comment"].initial = review.comment
        self.order_fields(
            [
                *(name for c in self.criteria for name in (f"score_{c.pk}", f"comment_{c.pk}")),
                "recommendation",
                "comment",
            ]
        )

    def criterion_fields(self):
        return [(c, self[f"score_{c.pk}"], self[f"comment_{c.pk}"]) for c in self.criteria]

    def scores(self) -> dict[int, tuple[int, str]]:
        out = {}
        for criterion in self.criteria:
            value = self.cleaned_data.get(f"score_{criterion.pk}")
            if value not in (None, ""):
                out[criterion.pk] = (int(value), self.cleaned_data.get(f"comment_{criterion.pk}", ""))
        return out


# --- Decisions and projects (staff) ------------------------------------------------------------------


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("決定"), choices=DecisionOutcome.choices, widget=forms.RadioSelect)
    reason = text_area(
        _("理由"),
        rows=5,
        help_text=_(
            "提案者に伝わります。採択の場合は公開ページにも載ります。"
            "例: 地域の子育て世帯の孤立という課題が明確で、担当課との役割分担も具体的であるため。"
        ),
    )
    department = department_choice(
        _("担当課（採択の場合）"),
        empty_label=NOT_CHOSEN,
        help_text=_("選ばない場合は、提案で希望された担当課になります。"),
    )
    form = forms.ChoiceField(label=_("協働の形態（採択の場合）"), choices=FORM_CHOICES, required=False)

    def __init__(self, *args, outcomes: list[tuple[str, str]] | None = None, **kwargs):
        """`outcomes`: the decisions the workflow allows now (projects.workflow.proposal_decisions)."""
        super().__init__(*args, **kwargs)
        if outcomes is not None:
            self.fields["outcome"].choices = outcomes


class ProjectRegisterForm(forms.ModelForm):
    """プロジェクト登録 / プロジェクト支援 registered by staff."""

    class Meta:
        model = Project
        fields = [
            "title",
            "kind",
            "form",
            "lead_group",
            "department",
            "themes",
            "summary",
            "fiscal_year",
            "starts_on",
            "ends_on",
            *Project.PLAN_FIELDS,
        ]
        widgets = {
            "themes": CheckboxList,
            "fiscal_year": fiscal_year_input(),
            "starts_on": DateInput,
            "ends_on": DateInput,
            **textareas(("summary", *Project.PLAN_FIELDS)),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k.value, k.label) for k in UNCALLED_KINDS]
        self.fields["form"].choices = FORM_CHOICES
        self.fields["lead_group"].queryset = approved_groups()
        self.fields["lead_group"].required = True
        self.fields["lead_group"].empty_label = CHOOSE
        self.fields["themes"].queryset = Theme.objects.active()
        self.fields["department"].queryset = Department.objects.filter(is_active=True)
        self.fields["department"].empty_label = NOT_CHOSEN
        self.fields["fiscal_year"].help_text = _("開始年（例: 2026 → 令和8年度）")


class ProjectEditForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = [
            "title",
            "form",
            "department",
            "themes",
            "summary",
            "starts_on",
            "ends_on",
            "results",
            "is_public",
        ]
        widgets = {
            "themes": CheckboxList,
            "starts_on": DateInput,
            "ends_on": DateInput,
            "summary": forms.Textarea(attrs={"rows": 4}),
            "results": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["form"].choices = FORM_CHOICES
        self.fields["themes"].queryset = Theme.objects.active()
        self.fields["department"].queryset = Department.objects.filter(is_active=True)
        self.fields["department"].empty_label = NOT_CHOSEN


class TransitionForm(forms.Form):
    to_status = forms.CharField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("メモ"), max_length=200, required=False, help_text=_("例: 協定書に双方が押印")
    )


# The articles of the agreement (協定書の条項), each a paragraph of text.
AGREEMENT_ARTICLES = (
    "purpose",
    "group_role",
    "department_role",
    "center_role",
    "method",
    "responsibility",
    "cost_sharing",
)


class AgreementForm(forms.ModelForm):
    class Meta:
        model = Agreement
        fields = [
            *AGREEMENT_ARTICLES,
            "period_start",
            "period_end",
            "other_terms",
            "city_signatory",
            "group_signatory",
            "signed_on",
        ]
        widgets = {
            "period_start": DateInput,
            "period_end": DateInput,
            "signed_on": DateInput,
            **textareas((*AGREEMENT_ARTICLES, "other_terms")),
        }

    def clean(self):
        return end_not_before_start(
            self,
            super().clean(),
            "period_start",
            "period_end",
            _("協定期間の終了日は開始日より後の日にしてください。"),
        )


class ProgressReportForm(forms.ModelForm):
    class Meta:
        model = ProgressReport
        fields = ["reported_on", "activities", "achievements", "issues"]
        widgets = {
            "reported_on": DateInput,
            "activities": forms.Textarea(attrs={"rows": 4}),
            **textareas(("achievements", "issues")),
        }


class StaffNoteForm(forms.ModelForm):
    class Meta:
        model = StaffNote
        fields = ["body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 3})}


class MidtermReviewForm(forms.ModelForm):
    class Meta:
        model = MidtermReview
        fields = ["held_on", "participants", "progress", "issues", "adjustments"]
        widgets = {
            "held_on": DateInput,
            **textareas(("progress", "issues", "adjustments")),
        }


# MutualEvaluation has one field per principle, named by its value.
PRINCIPLE_FIELDS = list(SixPrinciples.values)
REFLECTION_FIELDS = ["results", "lessons", "next_steps"]


class MutualEvaluationForm(forms.ModelForm):
    class Meta:
        model = MutualEvaluation
        fields = [*REFLECTION_FIELDS, *PRINCIPLE_FIELDS, "principles_comment"]
        widgets = {
            **dict.fromkeys(PRINCIPLE_FIELDS, forms.RadioSelect),
            **textareas((*REFLECTION_FIELDS, "principles_comment")),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in PRINCIPLE_FIELDS:
            field = self.fields[name]
            field.choices = [c for c in field.choices if c[0] != ""]
            field.help_text = PRINCIPLE_QUESTIONS[SixPrinciples(name)]

    def reflection_fields(self):
        """Results, lessons and next steps: the page's first part."""
        return [self[name] for name in REFLECTION_FIELDS]

    def principle_fields(self):
        """The self-check of the six principles and the comment on them: the second part."""
        return [self[name] for name in (*PRINCIPLE_FIELDS, "principles_comment")]


class ResultsPresentationForm(forms.ModelForm):
    class Meta:
        model = ResultsPresentation
        fields = ["held_on", "venue", "audience", "summary"]
        widgets = {
            "held_on": DateInput,
            "audience": number_input(max_value=AUDIENCE_MAX),
            "summary": forms.Textarea(attrs={"rows": 3}),
        }


class SupportLogForm(forms.ModelForm):
    class Meta:
        model = SupportLog
        fields = ["held_on", "kind", "supporters", "attendees", "content", "next_action", "minutes"]
        widgets = {
            "held_on": DateInput,
            "content": forms.Textarea(attrs={"rows": 3}),
            "next_action": forms.Textarea(attrs={"rows": 2}),
            "minutes": number_input(max_value=SUPPORT_MINUTES_MAX),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", CHOOSE), *SupportKind.choices]
