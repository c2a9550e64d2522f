"""The allowed status changes of proposals and projects: the one place these rules live."""

from __future__ import annotations

from projects.models import ProjectStatus, ProposalStatus

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


def proposal_can_move(from_status: str, to_status: str) -> bool:
    return to_status in PROPOSAL_TRANSITIONS.get(from_status, ())


def project_can_move(from_status: str, to_status: str) -> bool:
    return to_status in PROJECT_TRANSITIONS.get(from_status, ())


def project_next_statuses(project) -> list[str]:
    """The changes offered on the project page (the service still checks the conditions)."""
    options = list(PROJECT_TRANSITIONS.get(project.status, ()))
    if project.status == ProjectStatus.PREPARING:
        # Projects from a call start with an agreement; registered ones start running directly.
        drop = ProjectStatus.RUNNING if project.needs_agreement else ProjectStatus.AGREED
        options.remove(drop)
    return options
