"""Reads for the projects app. List pages use a fixed number of queries whatever the data size."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils.translation import gettext

from core.filters import valid_or_empty
from core.fiscal import fiscal_year_range
from core.history import HistoryEntry, HistorySource, history_entries
from core.models import Theme, User
from core.predicates import is_center_staff
from core.roles import Role
from projects import scoring
from projects.filters import PublicProjectFilter, StaffProjectFilter
from projects.models import (
    Criterion,
    Decision,
    DecisionOutcome,
    ExternalReviewer,
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
    SideResolution,
    SupportLog,
)
from projects.rules import member_group_ids, proposal_reader_q

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
        Prefetch("external_reviewers", queryset=ExternalReviewer.objects.select_related("user")),
        Prefetch("stages", queryset=ReviewStage.objects.prefetch_related("criteria")),
    ).get(pk=pk)


@dataclass
class ReviewerIndex:
    """Who reviews which proposals, read in four queries for any number of calls and proposals.

    The reviewers of a proposal (at a stage, in a round) are, with their side:
    - the call's named center staff (center);
    - the call's external 審査委員 who accepted staff's invitation (the side staff chose);
    - the officials of the proposal's desired department (希望する担当課), when that department
      reviews the call (department). Someone named twice counts on the department side;
    - a substitute named by staff for a side left without reviewers by conflicts, for that stage
      and round only (that side).
    """

    staff: dict[int, set[int]]
    externals: dict[int, dict[int, str]]
    officials: dict[tuple[int, int], set[int]]
    substitutes: dict[tuple[int, int, int], dict[int, str]]

    def sides(self, proposal, *, stage_id: int | None = None, round: int | None = None) -> dict[int, str]:
        stage_id = proposal.current_stage_id if stage_id is None else stage_id
        round = proposal.review_round if round is None else round
        sides: dict[int, str] = {}
        for user_id in self.staff.get(proposal.call_id, ()):
            sides[user_id] = ReviewerSide.CENTER
        sides.update(self.externals.get(proposal.call_id, {}))
        if proposal.desired_department_id:
            for user_id in self.officials.get((proposal.call_id, proposal.desired_department_id), ()):
                sides[user_id] = ReviewerSide.DEPARTMENT
        for user_id, side in self.substitutes.get((proposal.pk, stage_id, round), {}).items():
            sides.setdefault(user_id, side)
        return sides


def reviewer_index(*, call_ids, proposal_ids=()) -> ReviewerIndex:
    call_ids = list(call_ids)
    staff: dict[int, set[int]] = defaultdict(set)
    for call_id, user_id in ProposalCall.reviewer_staff.through.objects.filter(
        proposalcall_id__in=call_ids, user__is_active=True
    ).values_list("proposalcall_id", "user_id"):
        staff[call_id].add(user_id)
    externals: dict[int, dict[int, str]] = defaultdict(dict)
    for call_id, user_id, side in ExternalReviewer.objects.filter(
        call_id__in=call_ids, user__isnull=False, user__is_active=True
    ).values_list("call_id", "user_id", "side"):
        externals[call_id][user_id] = side
    officials: dict[tuple[int, int], set[int]] = defaultdict(set)
    rows = (
        User.objects.filter(
            departments__review_calls__in=call_ids, groups__name=Role.OFFICIAL, is_active=True
        )
        .values_list("departments__review_calls", "departments", "id")
        .distinct()
    )
    for call_id, department_id, user_id in rows:
        officials[(call_id, department_id)].add(user_id)
    substitutes: dict[tuple[int, int, int], dict[int, str]] = defaultdict(dict)
    if proposal_ids:
        for proposal_id, stage_id, round_number, user_id, side in SideResolution.objects.filter(
            proposal_id__in=list(proposal_ids), substitute__isnull=False, substitute__is_active=True
        ).values_list("proposal_id", "stage_id", "round", "substitute_id", "side"):
            substitutes[(proposal_id, stage_id, round_number)][user_id] = side
    return ReviewerIndex(staff=staff, externals=externals, officials=officials, substitutes=substitutes)


def proposal_reviewer_sides(proposal: Proposal, *, stage_id=None, round=None) -> dict[int, str]:
    """{reviewer id → side} of one proposal at a stage and round (default: its current ones)."""
    index = reviewer_index(call_ids=[proposal.call_id], proposal_ids=[proposal.pk])
    return index.sides(proposal, stage_id=stage_id, round=round)


def call_reviewers(call: ProposalCall) -> list[tuple[User, str]]:
    """The call's reviewers for its staff page: (person, how they review), by name."""
    index = reviewer_index(call_ids=[call.pk])
    labels: dict[int, str] = {}
    for user_id in index.staff.get(call.pk, ()):
        labels[user_id] = str(ReviewerSide.CENTER.label)
    for user_id, side in index.externals.get(call.pk, {}).items():
        labels[user_id] = gettext("審査委員・%(side)s") % {"side": ReviewerSide(side).label}
    departments = {d.pk: d for d in call.reviewer_departments.all()}
    for (_call_id, department_id), user_ids in index.officials.items():
        for user_id in user_ids:
            department = departments.get(department_id)
            labels[user_id] = gettext("担当課・%(department)s") % {"department": department}
    users = User.objects.filter(pk__in=labels).order_by("full_name_kana", "full_name", "email")
    return [(user, labels[user.pk]) for user in users]


# --- Proposals --------------------------------------------------------------------------------


def proposals_visible_to(user) -> QuerySet[Proposal]:
    """Staff: all. Others: their groups' proposals, and those they review or reviewed
    (projects.rules.proposal_reader_q)."""
    if not getattr(user, "is_authenticated", False):
        return Proposal.objects.none()
    if is_center_staff(user):
        return Proposal.objects.all()
    return Proposal.objects.filter(Q(group_id__in=member_group_ids(user)) | proposal_reader_q(user))


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


def _reviews_with_scores():
    return Review.objects.select_related("reviewer").prefetch_related(
        Prefetch("scores", queryset=Score.objects.select_related("criterion"))
    )


def call_ranking(*, call: ProposalCall, stage: ReviewStage) -> tuple[list[scoring.StageResult], bool]:
    """The proposals that reached this stage in their current review round, ranked; and whether
    every reviewer has finished. Earlier rounds' scores never count here.

    Ranks are shown only when all have finished (the second value).
    """
    this_round = Q(reviews__stage=stage, reviews__round=F("review_round"))
    proposals = list(
        call.proposals.filter(Q(current_stage=stage) | this_round)
        .exclude(status__in=[ProposalStatus.DRAFT, ProposalStatus.SUBMITTED])
        .select_related("group")
        .distinct()
    )
    ids = [p.pk for p in proposals]
    criteria = list(stage.criteria.all())
    index = reviewer_index(call_ids=[call.pk], proposal_ids=ids)
    reviews: dict[int, list[Review]] = defaultdict(list)
    for review in _reviews_with_scores().filter(
        stage=stage, proposal_id__in=ids, round=F("proposal__review_round")
    ):
        reviews[review.proposal_id].append(review)
    resolutions: dict[int, list[SideResolution]] = defaultdict(list)
    for resolution in SideResolution.objects.filter(
        stage=stage, proposal_id__in=ids, round=F("proposal__review_round")
    ).select_related("decided_by", "substitute"):
        resolutions[resolution.proposal_id].append(resolution)
    results = [
        scoring.stage_result(
            proposal=proposal,
            call=call,
            criteria=criteria,
            reviews=reviews.get(proposal.pk, []),
            reviewer_sides=index.sides(proposal, stage_id=stage.pk, round=proposal.review_round),
            resolutions=resolutions.get(proposal.pk, []),
        )
        for proposal in proposals
    ]
    all_done = bool(results) and all(result.complete for result in results)
    if all_done:
        results = scoring.rank_results(results)
    else:
        results.sort(key=lambda r: (r.proposal.submitted_at or r.proposal.created_at, r.proposal.pk))
    return results, all_done


@dataclass
class RoundResults:
    """One review round of a proposal: 第1回審査, 第2回審査 …, each stage it went through."""

    number: int
    stages: list  # (stage, StageResult)
    current: bool

    @property
    def label(self) -> str:
        return gettext("第%(number)s回審査") % {"number": self.number}


def proposal_review_rounds(proposal: Proposal) -> list[RoundResults]:
    """Every review round of a proposal with its results, oldest first (fixed queries).

    Only the current round (the last) counts for completeness, totals and decisions; earlier
    rounds are kept for reading.
    """
    call = proposal.call
    stages = list(call.stages.prefetch_related("criteria"))
    index = reviewer_index(call_ids=[call.pk], proposal_ids=[proposal.pk])
    by_round_stage: dict[tuple[int, int], list[Review]] = defaultdict(list)
    for review in _reviews_with_scores().filter(proposal=proposal):
        by_round_stage[(review.round, review.stage_id)].append(review)
    resolutions: dict[tuple[int, int], list[SideResolution]] = defaultdict(list)
    for resolution in SideResolution.objects.filter(proposal=proposal).select_related(
        "decided_by", "substitute"
    ):
        resolutions[(resolution.round, resolution.stage_id)].append(resolution)
    rounds = []
    for number in range(1, proposal.review_round + 1):
        current = number == proposal.review_round
        results = []
        for stage in stages:
            key = (number, stage.pk)
            reached = key in by_round_stage or key in resolutions
            if not reached and not (current and proposal.current_stage_id == stage.pk):
                continue
            results.append(
                (
                    stage,
                    scoring.stage_result(
                        proposal=proposal,
                        call=call,
                        criteria=list(stage.criteria.all()),
                        reviews=by_round_stage.get(key, []),
                        reviewer_sides=index.sides(proposal, stage_id=stage.pk, round=number),
                        resolutions=resolutions.get(key, []),
                    ),
                )
            )
        if results or current:
            rounds.append(RoundResults(number=number, stages=results, current=current))
    return rounds


def proposal_stage_results(proposal: Proposal) -> list[tuple[ReviewStage, scoring.StageResult]]:
    """For the staff view of one proposal: each stage of its current round, with its result."""
    rounds = proposal_review_rounds(proposal)
    return rounds[-1].stages if rounds else []


def current_stage_result(proposal: Proposal) -> scoring.StageResult | None:
    """The result of the proposal's current stage in its current round (what a decision rests on)."""
    for stage, result in proposal_stage_results(proposal):
        if stage.pk == proposal.current_stage_id:
            return result
    return None


def substitute_candidates(proposal: Proposal) -> QuerySet[User]:
    """Who staff may name as a substitute reviewer: active staff, officials and 審査委員 who do not
    already review the proposal and are not members of the proposing group."""
    current = proposal_reviewer_sides(proposal)
    conflicted = Review.objects.filter(
        proposal=proposal, round=proposal.review_round, stage_id=proposal.current_stage_id
    ).values("reviewer_id")
    members = proposal.group.memberships.values("user_id")
    return (
        User.objects.filter(is_active=True, groups__name__in=[Role.STAFF, Role.OFFICIAL, Role.REVIEWER])
        .exclude(pk__in=current)
        .exclude(pk__in=conflicted)
        .exclude(pk__in=members)
        .distinct()
        .order_by("full_name_kana", "full_name", "email")
    )


@dataclass
class Assignment:
    proposal: Proposal
    stage: ReviewStage
    review: Review | None
    deadline: object = None  # the call's review deadline (a date) or None
    overdue: bool = False

    @property
    def done(self) -> bool:
        return self.review is not None and self.review.is_done

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
    """The proposals the user reviews now: under review, the user one of its reviewers at its
    current stage and round (fixed queries), with the call's review deadline."""
    from django.utils import timezone

    if not getattr(user, "is_authenticated", False):
        return []
    proposals = list(
        Proposal.objects.filter(
            proposal_reader_q(user), status=ProposalStatus.UNDER_REVIEW, current_stage__isnull=False
        )
        .select_related("call", "group", "current_stage")
        .order_by(F("call__review_deadline").asc(nulls_last=True), "call__closes_on", "submitted_at", "id")
    )
    if not proposals:
        return []
    index = reviewer_index(call_ids={p.call_id for p in proposals}, proposal_ids=[p.pk for p in proposals])
    proposals = [p for p in proposals if user.pk in index.sides(p)]
    reviews = {
        (review.proposal_id, review.stage_id, review.round): review
        for review in Review.objects.filter(reviewer=user, proposal__in=proposals)
    }
    today = timezone.localdate()
    assignments = []
    for p in proposals:
        review = reviews.get((p.pk, p.current_stage_id, p.review_round))
        assignment = Assignment(
            proposal=p, stage=p.current_stage, review=review, deadline=p.call.review_deadline
        )
        assignment.overdue = not assignment.done and p.call.review_overdue_on(today)
        assignments.append(assignment)
    return assignments


def finished_reviews(user) -> QuerySet[Review]:
    """The reviews the user finished (scored or declared a conflict), in any round, newest first;
    their proposals stay listed after the decision (審査済み)."""
    return (
        Review.objects.filter(reviewer=user)
        .filter(Q(submitted_at__isnull=False) | Q(conflict_of_interest=True))
        .select_related("proposal__call", "proposal__group", "stage")
        .order_by(F("submitted_at").desc(nulls_last=True), "-updated_at", "-id")
    )


def review_sheet(pk: int) -> Review:
    """One review with its scores, for the 審査票 page."""
    return (
        Review.objects.select_related(
            "proposal__call", "proposal__group", "proposal__desired_department", "stage", "reviewer"
        )
        .prefetch_related(Prefetch("scores", queryset=Score.objects.select_related("criterion")))
        .get(pk=pk)
    )


@dataclass
class OverdueReview:
    proposal: Proposal
    reviewer: User
    side: str
    deadline: object


def overdue_reviews(
    *, call: ProposalCall | None = None, proposal: Proposal | None = None
) -> list[OverdueReview]:
    """Reviews not finished after their call's review deadline (fixed queries): proposals under
    review whose reviewer, at the current stage and round, has neither scored nor declared a
    conflict. For the staff dashboard (a count), the call's page and the proposal's page."""
    from django.utils import timezone

    today = timezone.localdate()
    proposals = Proposal.objects.filter(
        status=ProposalStatus.UNDER_REVIEW, current_stage__isnull=False, call__review_deadline__lt=today
    ).select_related("call", "group", "current_stage")
    if call is not None:
        proposals = proposals.filter(call=call)
    if proposal is not None:
        proposals = proposals.filter(pk=proposal.pk)
    proposals = list(proposals.order_by("call__review_deadline", "submitted_at", "id"))
    if not proposals:
        return []
    index = reviewer_index(call_ids={p.call_id for p in proposals}, proposal_ids=[p.pk for p in proposals])
    done = {
        (review.proposal_id, review.reviewer_id)
        for review in Review.objects.filter(
            proposal__in=proposals,
            stage_id=F("proposal__current_stage_id"),
            round=F("proposal__review_round"),
        ).filter(Q(submitted_at__isnull=False) | Q(conflict_of_interest=True))
    }
    late = [
        (p, user_id, side)
        for p in proposals
        for user_id, side in index.sides(p).items()
        if (p.pk, user_id) not in done
    ]
    users = User.objects.in_bulk({user_id for _p, user_id, _side in late})
    return [
        OverdueReview(proposal=p, reviewer=users[user_id], side=side, deadline=p.call.review_deadline)
        for p, user_id, side in late
        if user_id in users
    ]


def review_for(*, proposal: Proposal, reviewer) -> Review | None:
    return (
        Review.objects.filter(
            proposal=proposal,
            stage_id=proposal.current_stage_id,
            reviewer=reviewer,
            round=proposal.review_round,
        )
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
    # The lists show the lead group by its name: its long texts and search column stay unread.
    return (
        Project.objects.select_related("lead_group", "department")
        .prefetch_related(*_LIST_PREFETCH)
        .defer("search_text", "lead_group__search_text", "lead_group__purpose", "lead_group__activities")
    )


def public_project_list(*, data=None) -> tuple[PublicProjectFilter, QuerySet[Project]]:
    filterset = PublicProjectFilter(data=data or None, queryset=_project_list_queryset().public())
    valid_or_empty(filterset)
    return filterset, filterset.qs.order_by("-fiscal_year", "title", "id")


def staff_project_list(*, data=None) -> tuple[StaffProjectFilter, QuerySet[Project]]:
    queryset = _project_list_queryset().annotate(support_count=Count("support_logs", distinct=True))
    filterset = StaffProjectFilter(data=data or None, queryset=queryset)
    valid_or_empty(filterset)
    return filterset, filterset.qs.order_by("-fiscal_year", "status", "title", "id")


# What a project card (projects/_project_card.html) shows, and no more.
_CARD_FIELDS = (
    "title",
    "status",
    "fiscal_year",
    "kind",
    "form",
    "results",
    "lead_group",
    "lead_group__name",
    "department",
    "department__name",
)
_CARD_PARTNERS = Partner.objects.select_related("group", "business", "department").only(
    "project", "name", "group__name", "business__name", "department__name"
)


def projects_for_group(group) -> QuerySet[Project]:
    """A group's public projects (as lead or as a partner), for the group's page and its list.

    The card's columns only, and the partner condition as a subquery: a join with DISTINCT over
    every column (the plans' long texts, the whole lead group) took 8 ms to plan and sort."""
    partnered = Partner.objects.filter(group=group).values("project_id")
    return (
        Project.objects.public()
        .filter(Q(lead_group=group) | Q(pk__in=partnered))
        .select_related("lead_group", "department")
        .only(*_CARD_FIELDS)
        .prefetch_related(
            Prefetch("themes", queryset=Theme.objects.only("pk", "name", "short_name")),
            Prefetch("partners", queryset=_CARD_PARTNERS),
        )
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


def support_log_list(*, data=None):
    """支援記録 and its filters (the shared search component): (filterset, logs)."""
    from projects.filters import SupportLogFilter

    logs = SupportLog.objects.select_related("project", "project__lead_group", "author").defer(
        "search_text", "project__search_text"
    )
    filterset = SupportLogFilter(data=data or None, queryset=logs)
    valid_or_empty(filterset)
    return filterset, filterset.qs.order_by("-held_on", "-id")


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
