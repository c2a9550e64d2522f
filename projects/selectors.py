"""Reads for the projects app. List pages use a fixed number of queries whatever the data size."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext

from core.filters import valid_or_empty
from core.fiscal import fiscal_year_range
from core.history import HistoryEntry, HistorySource, history_entries
from core.models import User
from core.predicates import is_center_staff, is_official
from core.roles import Role
from projects import scoring
from projects.filters import PublicProjectFilter, StaffProjectFilter
from projects.models import (
    Criterion,
    Decision,
    DecisionOutcome,
    Partner,
    Project,
    ProjectKind,
    ProjectStatus,
    Proposal,
    ProposalCall,
    ProposalStatus,
    Review,
    ReviewerSide,
    ReviewStage,
    Score,
    SupportLog,
)
from projects.rules import department_ids, member_group_ids, reviewed_call_ids

# --- Calls ------------------------------------------------------------------------------------


def open_calls() -> list[ProposalCall]:
    """Published calls whose period includes now (a few; the public index shows them)."""
    from django.utils import timezone

    today = timezone.localdate()
    return list(
        ProposalCall.objects.published()
        .filter(opens_on__lte=today, closes_on__gte=today)
        .order_by("closes_on")
    )


def call_list_for_staff() -> QuerySet[ProposalCall]:
    return (
        ProposalCall.objects.annotate(
            proposal_count=Count(
                "proposals", filter=~Q(proposals__status=ProposalStatus.DRAFT), distinct=True
            ),
            adopted_count=Count(
                "proposals", filter=Q(proposals__status=ProposalStatus.ADOPTED), distinct=True
            ),
        )
        .prefetch_related("reviewer_departments", "stages")
        .order_by("-opens_on", "-id")
    )


def call_detail(pk: int) -> ProposalCall:
    return ProposalCall.objects.prefetch_related(
        "reviewer_departments",
        "reviewer_staff",
        Prefetch("stages", queryset=ReviewStage.objects.prefetch_related("criteria")),
    ).get(pk=pk)


def reviewer_sides_for_calls(call_ids) -> dict[int, dict[int, str]]:
    """call id → {reviewer user id → side}. Two queries for any number of calls.

    Officials of the call's departments review for the department side, named staff for the
    center. Someone who is both counts on the department side.
    """
    sides: dict[int, dict[int, str]] = defaultdict(dict)
    staff_rows = ProposalCall.reviewer_staff.through.objects.filter(
        proposalcall_id__in=call_ids, user__is_active=True
    ).values_list("proposalcall_id", "user_id")
    for call_id, user_id in staff_rows:
        sides[call_id][user_id] = ReviewerSide.CENTER
    official_rows = (
        User.objects.filter(
            departments__review_calls__in=call_ids, groups__name=Role.OFFICIAL, is_active=True
        )
        .values_list("departments__review_calls", "id")
        .distinct()
    )
    for call_id, user_id in official_rows:
        sides[call_id][user_id] = ReviewerSide.DEPARTMENT
    return sides


def call_reviewer_sides(call: ProposalCall) -> dict[int, str]:
    return reviewer_sides_for_calls([call.pk]).get(call.pk, {})


def call_reviewers(call: ProposalCall) -> list[tuple[User, str]]:
    sides = call_reviewer_sides(call)
    users = User.objects.filter(pk__in=sides).order_by("full_name", "email")
    return [(user, ReviewerSide(sides[user.pk]).label) for user in users]


# --- Proposals --------------------------------------------------------------------------------


def proposals_visible_to(user) -> QuerySet[Proposal]:
    """Staff: all. Others: their groups' proposals, and the submitted ones of calls they review."""
    if not getattr(user, "is_authenticated", False):
        return Proposal.objects.none()
    if is_center_staff(user):
        return Proposal.objects.all()
    condition = Q(group_id__in=member_group_ids(user))
    call_ids = reviewed_call_ids(user)
    if call_ids:
        condition |= Q(call_id__in=call_ids) & ~Q(status=ProposalStatus.DRAFT) & official_assignment_q(user)
    return Proposal.objects.filter(condition)


def official_assignment_q(user) -> Q:
    """Officials: only proposals assigned to their department or already reviewed by them
    (projects.rules.official_is_assigned); other reviewers: the whole call."""
    if not is_official(user) or is_center_staff(user):
        return Q()
    reviewed = Review.objects.filter(proposal=OuterRef("pk"), reviewer=user)
    return Q(desired_department_id__in=department_ids(user)) | Q(Exists(reviewed))


def proposal_list_for_member(user) -> QuerySet[Proposal]:
    return (
        Proposal.objects.filter(group_id__in=member_group_ids(user))
        .select_related("call", "group")
        .order_by("-updated_at", "-id")
    )


def proposal_list_for_call(call: ProposalCall) -> QuerySet[Proposal]:
    return (
        call.proposals.select_related("group", "desired_department", "current_stage")
        .exclude(status=ProposalStatus.DRAFT)
        .order_by("submitted_at", "id")
    )


def proposal_detail(*, pk: int, user) -> Proposal:
    """A proposal the user may see, with everything its page shows; DoesNotExist otherwise."""
    return (
        proposals_visible_to(user)
        .select_related("call", "group", "created_by", "desired_department", "current_stage")
        .prefetch_related(
            "themes",
            "budget_lines",
            "attachments",
            Prefetch("partners", queryset=Partner.objects.select_related("group", "business", "department")),
            Prefetch("decisions", queryset=Decision.objects.select_related("decided_by")),
            "status_changes__changed_by",
        )
        .get(pk=pk)
    )


def latest_decision(proposal: Proposal) -> Decision | None:
    decisions = list(proposal.decisions.all())
    return decisions[0] if decisions else None


# --- Reviews and ranking --------------------------------------------------------------------------


def _stage_reviews(stage: ReviewStage, proposal_ids) -> dict[int, list[Review]]:
    reviews = (
        Review.objects.filter(stage=stage, proposal_id__in=proposal_ids)
        .select_related("reviewer")
        .prefetch_related(Prefetch("scores", queryset=Score.objects.select_related("criterion")))
    )
    by_proposal: dict[int, list[Review]] = defaultdict(list)
    for review in reviews:
        by_proposal[review.proposal_id].append(review)
    return by_proposal


def call_ranking(*, call: ProposalCall, stage: ReviewStage) -> tuple[list[scoring.StageResult], bool]:
    """The proposals that reached this stage, ranked; and whether every reviewer has finished.

    Ranks are shown only when all have finished (the second value).
    """
    proposals = list(
        call.proposals.filter(Q(current_stage=stage) | Q(reviews__stage=stage))
        .exclude(status__in=[ProposalStatus.DRAFT, ProposalStatus.SUBMITTED])
        .select_related("group")
        .distinct()
    )
    criteria = list(stage.criteria.all())
    sides = call_reviewer_sides(call)
    reviews = _stage_reviews(stage, [p.pk for p in proposals])
    results = [
        scoring.stage_result(
            proposal=proposal,
            call=call,
            criteria=criteria,
            reviews=reviews.get(proposal.pk, []),
            reviewer_sides=sides,
        )
        for proposal in proposals
    ]
    all_done = bool(results) and all(result.complete for result in results)
    if all_done:
        results = scoring.rank_results(results)
    else:
        results.sort(key=lambda r: (r.proposal.submitted_at or r.proposal.created_at, r.proposal.pk))
    return results, all_done


def proposal_stage_results(proposal: Proposal) -> list[tuple[ReviewStage, scoring.StageResult]]:
    """For the staff view of one proposal: each stage it went through, with its result."""
    call = proposal.call
    stages = list(call.stages.prefetch_related("criteria"))
    sides = call_reviewer_sides(call)
    reviews = (
        Review.objects.filter(proposal=proposal)
        .select_related("reviewer")
        .prefetch_related(Prefetch("scores", queryset=Score.objects.select_related("criterion")))
    )
    by_stage: dict[int, list[Review]] = defaultdict(list)
    for review in reviews:
        by_stage[review.stage_id].append(review)
    out = []
    for stage in stages:
        if stage.pk not in by_stage and proposal.current_stage_id != stage.pk:
            continue
        out.append(
            (
                stage,
                scoring.stage_result(
                    proposal=proposal,
                    call=call,
                    criteria=list(stage.criteria.all()),
                    reviews=by_stage.get(stage.pk, []),
                    reviewer_sides=sides,
                ),
            )
        )
    return out


@dataclass
class Assignment:
    proposal: Proposal
    stage: ReviewStage
    review: Review | None

    @property
    def state_label(self) -> str:
        from django.utils.translation import gettext as _

        if self.review is None:
            return _("未着手")
        if self.review.conflict_of_interest:
            return _("利害関係のため審査しない")
        if self.review.submitted_at:
            return _("審査済み")
        return _("入力中")


def review_assignments(user) -> list[Assignment]:
    """Proposals under review at their current stage in the calls the user reviews (fixed queries)."""
    call_ids = reviewed_call_ids(user)
    if not call_ids:
        return []
    sides = reviewer_sides_for_calls(call_ids)
    proposals = list(
        Proposal.objects.filter(
            official_assignment_q(user),
            call_id__in=call_ids,
            status=ProposalStatus.UNDER_REVIEW,
            current_stage__isnull=False,
        )
        .select_related("call", "group", "current_stage")
        .order_by("call__closes_on", "submitted_at", "id")
    )
    proposals = [p for p in proposals if user.pk in sides.get(p.call_id, {})]
    reviews = {
        (review.proposal_id, review.stage_id): review
        for review in Review.objects.filter(reviewer=user, proposal__in=proposals)
    }
    return [
        Assignment(proposal=p, stage=p.current_stage, review=reviews.get((p.pk, p.current_stage_id)))
        for p in proposals
    ]


def review_for(*, proposal: Proposal, reviewer) -> Review | None:
    return (
        Review.objects.filter(proposal=proposal, stage_id=proposal.current_stage_id, reviewer=reviewer)
        .prefetch_related("scores")
        .first()
    )


def stage_criteria(stage: ReviewStage) -> list[Criterion]:
    return list(stage.criteria.all())


# --- Projects -----------------------------------------------------------------------------------

_LIST_PREFETCH = (
    "themes",
    Prefetch("partners", queryset=Partner.objects.select_related("group", "business", "department")),
)


def _project_list_queryset() -> QuerySet[Project]:
    return Project.objects.select_related("lead_group", "department").prefetch_related(*_LIST_PREFETCH)


def public_project_list(*, data=None) -> tuple[PublicProjectFilter, QuerySet[Project]]:
    filterset = PublicProjectFilter(data=data or None, queryset=_project_list_queryset().public())
    valid_or_empty(filterset)
    return filterset, filterset.qs.order_by("-fiscal_year", "title", "id")


def staff_project_list(*, data=None) -> tuple[StaffProjectFilter, QuerySet[Project]]:
    queryset = _project_list_queryset().annotate(support_count=Count("support_logs", distinct=True))
    filterset = StaffProjectFilter(data=data or None, queryset=queryset)
    valid_or_empty(filterset)
    return filterset, filterset.qs.order_by("-fiscal_year", "status", "title", "id")


def projects_for_group(group) -> QuerySet[Project]:
    """A group's public projects (as lead or as a partner), for the group's page."""
    return (
        _project_list_queryset()
        .public()
        .filter(Q(lead_group=group) | Q(partners__group=group))
        .distinct()
        .order_by("-fiscal_year", "title", "id")
    )


def projects_for_department(department) -> QuerySet[Project]:
    """A department's public projects (responsible or partner), for the department's page."""
    return (
        _project_list_queryset()
        .public()
        .filter(Q(department=department) | Q(partners__department=department))
        .distinct()
        .order_by("-fiscal_year", "title", "id")
    )


def project_detail(pk: int) -> Project:
    return (
        Project.objects.select_related(
            "lead_group", "department", "proposal", "proposal__call", "registered_by"
        )
        .prefetch_related(
            "themes",
            Prefetch("partners", queryset=Partner.objects.select_related("group", "business", "department")),
            Prefetch(
                "proposal__decisions",
                queryset=Decision.objects.filter(outcome=DecisionOutcome.ADOPTED),
                to_attr="adopted_decisions",
            ),
            "presentations",
            "evaluations",
        )
        .get(pk=pk)
    )


def project_workspace(pk: int) -> Project:
    return (
        Project.objects.select_related("lead_group", "department", "proposal", "proposal__call")
        .prefetch_related(
            "themes",
            Prefetch("partners", queryset=Partner.objects.select_related("group", "business", "department")),
            Prefetch("progress_reports", queryset=project_records("progress_reports")),
            Prefetch("staff_notes", queryset=project_records("staff_notes")),
            Prefetch("midterm_reviews", queryset=project_records("midterm_reviews")),
            Prefetch("evaluations", queryset=project_records("evaluations")),
            Prefetch("presentations", queryset=project_records("presentations")),
            Prefetch("support_logs", queryset=project_records("support_logs")),
            "status_changes__changed_by",
        )
        .get(pk=pk)
    )


def project_records(related_name: str):
    model = Project._meta.get_field(related_name).related_model
    return model.objects.select_related("author")


def agreement_of(project: Project):
    from projects.models import Agreement

    return Agreement.objects.filter(project=project).first()


def support_log_list(*, fiscal_year: int | None = None) -> QuerySet[SupportLog]:
    logs = SupportLog.objects.select_related("project", "project__lead_group", "author")
    if fiscal_year:
        start, end = fiscal_year_range(fiscal_year)
        logs = logs.filter(held_on__range=(start, end))
    return logs.order_by("-held_on", "-id")


# --- For other apps: the journey funnel (ミライ対話 → ALP → プロジェクト登録 → プロジェクト支援)


def counted_projects(
    *, kind: str, fiscal_year: int | None = None, since_fiscal_year: int | None = None
) -> QuerySet[Project]:
    """The projects of a kind that the reports count, in that fiscal year or in it and any later
    one (since_fiscal_year): every state but 中止. The one formula of the figures (プロジェクト登録・
    支援の件数) and of the journey's group steps."""
    projects = Project.objects.filter(kind=kind).exclude(status=ProjectStatus.CANCELLED)
    if fiscal_year is not None:
        projects = projects.filter(fiscal_year=fiscal_year)
    if since_fiscal_year is not None:
        projects = projects.filter(fiscal_year__gte=since_fiscal_year)
    return projects


def groups_with_project_kind(
    *, kind: str, fiscal_year: int | None = None, since_fiscal_year: int | None = None
):
    """Groups leading a counted project of that kind (counted_projects)."""
    from groups.models import Group

    projects = counted_projects(kind=kind, fiscal_year=fiscal_year, since_fiscal_year=since_fiscal_year)
    return Group.objects.filter(pk__in=projects.values("lead_group_id"))


# --- For the annual outcome report (hooks.report_figures) -----------------------------------------


def _of_year(fiscal_year: int) -> Q:
    start, end = fiscal_year_range(fiscal_year)
    supported = SupportLog.objects.filter(held_on__range=(start, end)).values("project_id")
    return Q(fiscal_year=fiscal_year) | Q(pk__in=supported)


def projects_of_year(*, fiscal_year: int) -> QuerySet[Project]:
    """Every 協働事業 of the fiscal year, whatever its kind or state: those of the year and those of
    earlier years supported in it. `support_sessions` counts its support records held in the year,
    so the column adds up to the figure 伴走支援の回数."""
    start, end = fiscal_year_range(fiscal_year)
    in_year = Q(support_logs__held_on__range=(start, end))
    return (
        Project.objects.filter(_of_year(fiscal_year))
        .select_related("lead_group", "department")
        .annotate(support_sessions=Count("support_logs", filter=in_year))
        .order_by("kind", "title", "pk")
    )


def _aware_range(fiscal_year: int):
    import datetime as dt

    from projects.models import JST

    start, end = fiscal_year_range(fiscal_year)
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=JST),
        dt.datetime.combine(end, dt.time.max, tzinfo=JST),
    )


def project_support_figures(fiscal_year: int) -> list:
    from core.app_hooks import Figure
    from projects.models import Agreement

    start, end = fiscal_year_range(fiscal_year)
    moments = _aware_range(fiscal_year)
    received = Proposal.objects.filter(submitted_at__range=moments).count()
    adopted = Decision.objects.filter(outcome=DecisionOutcome.ADOPTED, decided_at__range=moments).count()
    signed = Agreement.objects.filter(signed_on__range=(start, end)).count()
    registered = counted_projects(kind=ProjectKind.REGISTRATION, fiscal_year=fiscal_year).count()
    supported = counted_projects(kind=ProjectKind.SUPPORT, fiscal_year=fiscal_year).count()
    sessions = SupportLog.objects.filter(held_on__range=(start, end)).count()
    return [
        Figure("projects.proposals_received", received),
        Figure("projects.proposals_adopted", adopted),
        Figure("projects.agreements_signed", signed),
        Figure("projects.registered", registered),
        Figure("projects.supported", supported),
        Figure("projects.support_sessions", sessions),
    ]


def projects_by_department(*, fiscal_year: int) -> dict[int, int]:
    """協働事業 of the fiscal year (projects_of_year) per 担当課: department id → count."""
    return dict(
        Project.objects.filter(_of_year(fiscal_year), department__isnull=False)
        .values_list("department")
        .annotate(n=Count("pk", distinct=True))
        .order_by()
    )


# --- Change history (core.history) ----------------------------------------------------------------


def _kind_labels(kinds) -> str:
    labels = [
        str(ProjectKind(kind).label) if kind in ProjectKind.values else str(kind) for kind in kinds or ()
    ]
    return "、".join(labels) or gettext("（なし）")


def call_history(call: ProposalCall) -> list[HistoryEntry]:
    return history_entries(HistorySource(records=call.history.all(), display={"kinds": _kind_labels}))


def proposal_history(proposal: Proposal) -> list[HistoryEntry]:
    return history_entries(proposal)


def project_history(project: Project) -> list[HistoryEntry]:
    """The project's changes and its agreement's, in one list."""
    from projects.models import Agreement

    return history_entries(
        HistorySource(records=project.history.all(), subject=lambda row: gettext("協働事業")),
        HistorySource(
            records=Agreement.history.filter(project_id=project.pk), subject=lambda row: gettext("協働協定書")
        ),
    )
