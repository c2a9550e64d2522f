"""Object permissions for calls, proposals and projects.

- Staff see and manage everything.
- A group member sees and edits their own group's proposals (editing only while 下書き / 差戻し).
- The reviewers of a proposal (projects.selectors.proposal_reviewer_sides) are the call's named
  staff, the officials of the proposal's department (希望する担当課) when that department reviews
  the call, the call's external 審査委員 who accepted staff's invitation, and a substitute staff
  named for a side left without reviewers. They read the submitted proposal and score it while it
  is under review. Someone who reviewed a proposal keeps reading it and their own scores after
  the decision. Nobody else reads a proposal: an official of another department, or a 審査委員
  of another call, sees nothing of it.
- The public sees adopted, running and finished projects (公開の原則), never proposals.
"""

from __future__ import annotations

import rules
from django.db.models import Exists, OuterRef, Q

from core.predicates import is_center_staff, is_official, remembered
from projects.models import ProposalCall, ProposalStatus


def member_group_ids(user) -> set[int]:
    """The groups the user edits (cached on the user object for the request)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    return remembered(
        user, "_projects_group_ids", lambda: set(user.group_memberships.values_list("group_id", flat=True))
    )


def department_ids(user) -> set[int]:
    if not is_official(user):
        return set()
    return remembered(
        user, "_projects_department_ids", lambda: set(user.departments.values_list("id", flat=True))
    )


def reviewed_call_ids(user) -> set[int]:
    """Calls the user reviews in some way: named staff, official of a named department, 審査委員."""
    if not getattr(user, "is_authenticated", False):
        return set()
    return remembered(
        user,
        "_projects_call_ids",
        lambda: set(ProposalCall.objects.reviewed_by(user).values_list("id", flat=True)),
    )


def proposal_reader_q(user) -> Q:
    """The proposals a reviewer reads (besides their own group's): the one definition of it, used
    by the selectors for lists and pages and by the predicate below."""
    from projects.models import Review, SideResolution

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    submitted = ~Q(status=ProposalStatus.DRAFT)
    whole_calls = ProposalCall.objects.filter(
        Q(reviewer_staff=user) | Q(external_reviewers__user=user)
    ).values("pk")
    condition = submitted & Q(call_id__in=whole_calls)
    departments = department_ids(user)
    if departments:
        department_reviews_call = ProposalCall.reviewer_departments.through.objects.filter(
            proposalcall_id=OuterRef("call_id"),
            department_id=OuterRef("desired_department_id"),
            department_id__in=departments,
        )
        condition |= submitted & Exists(department_reviews_call)
    condition |= Exists(SideResolution.objects.filter(proposal=OuterRef("pk"), substitute=user))
    condition |= Exists(Review.objects.filter(proposal=OuterRef("pk"), reviewer=user))
    return condition


@rules.predicate
def is_proposal_group_member(user, proposal) -> bool:
    return proposal is not None and proposal.group_id in member_group_ids(user)


@rules.predicate
def is_proposal_editable(user, proposal) -> bool:
    return proposal is not None and proposal.is_editable


@rules.predicate
def is_proposal_reader(user, proposal) -> bool:
    from projects.models import Proposal

    if proposal is None or not getattr(user, "is_authenticated", False):
        return False
    return Proposal.objects.filter(proposal_reader_q(user), pk=proposal.pk).exists()


@rules.predicate
def is_current_reviewer(user, proposal) -> bool:
    """One of the proposal's reviewers at its current stage in its current round."""
    from projects.selectors import proposal_reviewer_sides

    if proposal is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.pk in proposal_reviewer_sides(proposal)


@rules.predicate
def is_own_review(user, review) -> bool:
    return review is not None and getattr(user, "pk", None) == review.reviewer_id


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
def is_open_for_evaluation(user, project) -> bool:
    from projects.services import OPEN_FOR

    return project is not None and project.status in OPEN_FOR["evaluation"]


@rules.predicate
def are_criteria_editable(user, stage) -> bool:
    from projects.services import criteria_editable

    return stage is not None and criteria_editable(stage)


rules.add_perm("projects.view_proposal", is_center_staff | is_proposal_group_member | is_proposal_reader)
rules.add_perm("projects.change_proposal", is_proposal_group_member & is_proposal_editable)
rules.add_perm("projects.review_proposal", is_under_review & is_current_reviewer)
# Scoring: one of the proposal's reviewers at its current stage and round (the same rule).
rules.add_perm("projects.score_proposal", is_under_review & is_current_reviewer)
rules.add_perm("projects.view_review", is_center_staff | is_own_review)
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
