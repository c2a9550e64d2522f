"""Object permissions for calls, proposals and projects.

- Staff see and manage everything.
- A group member sees and edits their own group's proposals (editing only while 下書き / 差戻し).
- A reviewer (a named staff member, or an official of a named department) sees the submitted
  proposals of the calls they review, and nothing of the others. An official of a department
  that does not review a call sees none of its proposals.
- The public sees adopted, running and finished projects (公開の原則), never proposals.
"""

from __future__ import annotations

import rules

from core.predicates import is_center_staff, is_official
from projects.models import ProposalCall, ProposalStatus


def member_group_ids(user) -> set[int]:
    """The groups the user edits (cached on the user object for the request)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_projects_group_ids", None)
    if cached is None:
        cached = set(user.group_memberships.values_list("group_id", flat=True))
        user._projects_group_ids = cached
    return cached


def reviewed_call_ids(user) -> set[int]:
    if not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_projects_call_ids", None)
    if cached is None:
        cached = set(ProposalCall.objects.reviewed_by(user).values_list("id", flat=True))
        user._projects_call_ids = cached
    return cached


def department_ids(user) -> set[int]:
    if not is_official(user):
        return set()
    cached = getattr(user, "_projects_department_ids", None)
    if cached is None:
        cached = set(user.departments.values_list("id", flat=True))
        user._projects_department_ids = cached
    return cached


@rules.predicate
def is_proposal_group_member(user, proposal) -> bool:
    return proposal is not None and proposal.group_id in member_group_ids(user)


@rules.predicate
def is_proposal_editable(user, proposal) -> bool:
    return proposal is not None and proposal.is_editable


def official_is_assigned(user, proposal) -> bool:
    """An official reviews only the proposals assigned to their department (希望する担当課), or one
    they have already reviewed; other departments' proposals of the same call are not theirs."""
    if proposal.desired_department_id in department_ids(user):
        return True
    from projects.models import Review

    return Review.objects.filter(proposal=proposal, reviewer=user).exists()


@rules.predicate
def is_call_reviewer(user, proposal) -> bool:
    if (
        proposal is None
        or proposal.status == ProposalStatus.DRAFT
        or proposal.call_id not in reviewed_call_ids(user)
    ):
        return False
    if is_official(user) and not is_center_staff(user):
        return official_is_assigned(user, proposal)
    return True


@rules.predicate
def is_under_review(user, proposal) -> bool:
    return (
        proposal is not None and proposal.status == ProposalStatus.UNDER_REVIEW and proposal.current_stage_id
    )


@rules.predicate
def is_public_project(user, project) -> bool:
    return project is not None and project.is_publicly_visible


@rules.predicate
def is_project_group_member(user, project) -> bool:
    return project is not None and project.lead_group_id in member_group_ids(user)


@rules.predicate
def is_project_department_official(user, project) -> bool:
    return project is not None and project.department_id in department_ids(user)


@rules.predicate
def is_group_member(user) -> bool:
    return bool(member_group_ids(user))


@rules.predicate
def is_seated_reviewer(user, proposal) -> bool:
    """On the call's panel today: a named staff member or an active official of a named
    department (projects.selectors.call_reviewer_sides)."""
    from projects.selectors import call_reviewer_sides

    return proposal is not None and user.pk in call_reviewer_sides(proposal.call)


@rules.predicate
def is_open_for_evaluation(user, project) -> bool:
    from projects.services import OPEN_FOR

    return project is not None and project.status in OPEN_FOR["evaluation"]


@rules.predicate
def are_criteria_editable(user, stage) -> bool:
    from projects.services import criteria_editable

    return stage is not None and criteria_editable(stage)


rules.add_perm("projects.view_proposal", is_center_staff | is_proposal_group_member | is_call_reviewer)
rules.add_perm("projects.change_proposal", is_proposal_group_member & is_proposal_editable)
rules.add_perm("projects.review_proposal", is_call_reviewer & is_under_review)
# Scoring asks, besides, that the reviewer still sits on the call's panel.
rules.add_perm("projects.score_proposal", is_call_reviewer & is_under_review & is_seated_reviewer)
rules.add_perm("projects.decide_proposal", is_center_staff)
rules.add_perm("projects.add_proposal", is_group_member)

rules.add_perm(
    "projects.view_project",
    is_public_project | is_center_staff | is_project_group_member | is_project_department_official,
)
rules.add_perm(
    "projects.view_project_workspace",
    is_center_staff | is_project_group_member | is_project_department_official,
)
rules.add_perm("projects.change_project", is_center_staff)
rules.add_perm(
    "projects.view_agreement", is_center_staff | is_project_group_member | is_project_department_official
)
rules.add_perm("projects.change_agreement", is_center_staff)
rules.add_perm("projects.add_progressreport", is_center_staff | is_project_group_member)
# 相互評価: staff write either side; the lead group's members the group's; an official of the
# responsible department the department's (unless they are also a member of the lead group).
rules.add_perm(
    "projects.evaluate_project_as_group",
    is_open_for_evaluation & (is_center_staff | is_project_group_member),
)
rules.add_perm(
    "projects.evaluate_project_as_department",
    is_open_for_evaluation & (is_center_staff | (~is_project_group_member & is_project_department_official)),
)
rules.add_perm("projects.view_staffnote", is_center_staff)
rules.add_perm("projects.add_staffnote", is_center_staff)
rules.add_perm("projects.add_supportlog", is_center_staff)
rules.add_perm("projects.manage_calls", is_center_staff)
# A stage's criteria change until the first score is given.
rules.add_perm("projects.change_criteria", is_center_staff & are_criteria_editable)
rules.add_perm("projects.use_staff_pages", is_center_staff)

# The change history of a call, a proposal or a project and its agreement (core.history): center staff.
rules.add_perm("projects.view_history", is_center_staff)
