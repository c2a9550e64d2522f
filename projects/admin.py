from django.contrib import admin

from projects import services
from projects.models import (
    Agreement,
    Attachment,
    BudgetLine,
    Criterion,
    Decision,
    MidtermReview,
    MutualEvaluation,
    Partner,
    ProgressReport,
    Project,
    Proposal,
    ProposalCall,
    ResultsPresentation,
    Review,
    ReviewStage,
    Score,
    StaffNote,
    StatusChange,
    SupportLog,
)


class ReadOnlyInline(admin.TabularInline):
    """A record the workflow writes (decisions, scores): shown, never edited here, so that the
    only way to write one is the service that checks who may and when."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class CriterionInline(admin.TabularInline):
    """The rubric: editable until a reviewer has scored against it (services.criteria_editable)."""

    model = Criterion
    extra = 0

    def _editable(self, obj) -> bool:
        return obj is None or services.criteria_editable(obj)

    def has_add_permission(self, request, obj=None) -> bool:
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._editable(obj) and super().has_delete_permission(request, obj)


@admin.register(ReviewStage)
class ReviewStageAdmin(admin.ModelAdmin):
    list_display = ["call", "kind", "order", "held_on"]
    inlines = [CriterionInline]


class ReviewStageInline(admin.TabularInline):
    model = ReviewStage
    extra = 0
    show_change_link = True


@admin.register(ProposalCall)
class ProposalCallAdmin(admin.ModelAdmin):
    list_display = ["title", "fiscal_year", "opens_on", "closes_on", "split_weights", "is_published"]
    list_filter = ["fiscal_year", "is_published"]
    filter_horizontal = ["reviewer_departments", "reviewer_staff"]
    inlines = [ReviewStageInline]


class BudgetLineInline(admin.TabularInline):
    model = BudgetLine
    extra = 0


class ProposalPartnerInline(admin.TabularInline):
    model = Partner
    fk_name = "proposal"
    extra = 0
    autocomplete_fields: list[str] = []
    raw_id_fields = ["group", "business", "department"]


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ["original_name", "content_type", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields


class DecisionInline(ReadOnlyInline):
    """Decisions are made on the staff page (services.proposal_decide), never here."""

    model = Decision


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ["title", "group", "call", "status", "submitted_at"]
    list_filter = ["status", "call"]
    search_fields = ["title", "group__name"]
    raw_id_fields = ["group", "created_by"]
    # Status changes go through projects.services (the workflow), not through the admin.
    readonly_fields = ["status", "current_stage", "submitted_at"]
    inlines = [BudgetLineInline, ProposalPartnerInline, AttachmentInline, DecisionInline]


class ScoreInline(ReadOnlyInline):
    """Scores are the reviewer's (services.review_save)."""

    model = Score


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["proposal", "stage", "reviewer", "side", "conflict_of_interest", "submitted_at"]
    list_filter = ["side", "conflict_of_interest"]
    inlines = [ScoreInline]

    # A review is the reviewer's own record, written on the review page (services.review_save).
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class ProjectPartnerInline(ProposalPartnerInline):
    fk_name = "project"


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "fiscal_year", "lead_group", "department", "status", "is_public"]
    list_filter = ["kind", "status", "fiscal_year", "is_public"]
    search_fields = ["title", "lead_group__name"]
    raw_id_fields = ["lead_group", "proposal", "registered_by"]
    readonly_fields = ["status"]
    inlines = [ProjectPartnerInline]


@admin.register(StatusChange)
class StatusChangeAdmin(admin.ModelAdmin):
    list_display = ["changed_at", "proposal", "project", "from_status", "to_status", "changed_by"]
    readonly_fields = ["proposal", "project", "from_status", "to_status", "changed_by", "changed_at", "note"]

    def has_add_permission(self, request):
        return False


for model in (
    Agreement,
    ProgressReport,
    StaffNote,
    MidtermReview,
    MutualEvaluation,
    ResultsPresentation,
    SupportLog,
):
    admin.site.register(model)
