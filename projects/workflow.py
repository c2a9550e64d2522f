"""The allowed status changes of proposals and projects: the one place these rules live."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.workflow import Workflow
from projects.models import DecisionOutcome, ProjectStatus, ProposalStatus

PROPOSAL_TRANSITIONS: dict[str, tuple[str, ...]] = {
    ProposalStatus.DRAFT: (ProposalStatus.SUBMITTED,),
    ProposalStatus.SUBMITTED: (ProposalStatus.UNDER_REVIEW, ProposalStatus.RETURNED),
    ProposalStatus.UNDER_REVIEW: (ProposalStatus.ADOPTED, ProposalStatus.REJECTED, ProposalStatus.RETURNED),
    ProposalStatus.RETURNED: (ProposalStatus.SUBMITTED,),
    ProposalStatus.ADOPTED: (),
    ProposalStatus.REJECTED: (),
}

PROJECT_TRANSITIONS: dict[str, tuple[str, ...]] = {
    ProjectStatus.PREPARING: (ProjectStatus.AGREED, ProjectStatus.RUNNING, ProjectStatus.CANCELLED),
    ProjectStatus.AGREED: (ProjectStatus.RUNNING, ProjectStatus.CANCELLED),
    ProjectStatus.RUNNING: (ProjectStatus.EVALUATING, ProjectStatus.CANCELLED),
    ProjectStatus.EVALUATING: (ProjectStatus.DONE, ProjectStatus.RUNNING),
    ProjectStatus.DONE: (),
    ProjectStatus.CANCELLED: (),
}


PROPOSAL_WORKFLOW = Workflow.from_moves(
    ProposalStatus, PROPOSAL_TRANSITIONS, refused=_("「%(from)s」の提案を「%(to)s」にすることはできません。")
)
PROJECT_WORKFLOW = Workflow.from_moves(
    ProjectStatus,
    PROJECT_TRANSITIONS,
    refused=_("「%(from)s」の協働事業を「%(to)s」にすることはできません。"),
)


def proposal_decisions(proposal) -> list[tuple[str, str]]:
    """The decisions (value, label) staff may record now: those the workflow allows from the
    proposal's status. A proposal (re)submitted but not yet under review may only be returned."""
    allowed = set(PROPOSAL_WORKFLOW.next(proposal.status))
    return [(value, label) for value, label in DecisionOutcome.choices if value in allowed]


def proposal_can_start_review(proposal) -> bool:
    return PROPOSAL_WORKFLOW.can(proposal.status, ProposalStatus.UNDER_REVIEW)


def proposal_review_comes_first(proposal) -> bool:
    """採択・不採択 wait until the review (of this round) has started: say so on the page."""
    return proposal_can_start_review(proposal) and not PROPOSAL_WORKFLOW.can(
        proposal.status, ProposalStatus.ADOPTED
    )


def project_next_statuses(project) -> list[str]:
    """The changes offered on the project page (the service still checks the conditions)."""
    options = PROJECT_WORKFLOW.next(project.status)
    if project.status == ProjectStatus.PREPARING:
        # Projects from a call start with an agreement; registered ones start running directly.
        drop = ProjectStatus.RUNNING if project.needs_agreement else ProjectStatus.AGREED
        options.remove(drop)
    return options


def project_lifecycle(project) -> list[str]:
    """The steps shown on the project page: from the agreement (projects from a call) to 完了."""
    lifecycle = [
        ProjectStatus.PREPARING,
        ProjectStatus.AGREED,
        ProjectStatus.RUNNING,
        ProjectStatus.EVALUATING,
        ProjectStatus.DONE,
    ]
    if not project.needs_agreement:
        lifecycle = lifecycle[2:]
    if project.status == ProjectStatus.CANCELLED:
        lifecycle.append(ProjectStatus.CANCELLED)
    return lifecycle
