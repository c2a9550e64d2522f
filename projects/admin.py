from django.contrib import admin

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


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0


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


class DecisionInline(admin.TabularInline):
    model = Decision
    extra = 0
    readonly_fields = ["decided_at", "decided_by"]


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ["title", "group", "call", "status", "submitted_at"]
    list_filter = ["status", "call"]
    search_fields = ["title", "group__name"]
    raw_id_fields = ["group", "created_by"]
    # Status changes go through projects.services (the workflow), not through the admin.
    readonly_fields = ["status", "current_stage", "submitted_at"]
    inlines = [BudgetLineInline, ProposalPartnerInline, AttachmentInline, DecisionInline]


class ScoreInline(admin.TabularInline):
    model = Score
    extra = 0


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["proposal", "stage", "reviewer", "side", "conflict_of_interest", "submitted_at"]
    list_filter = ["side", "conflict_of_interest"]
    inlines = [ScoreInline]


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
