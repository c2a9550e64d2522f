"""Officials see the proposals of calls their department reviews that are assigned to their
department (or that they reviewed), nothing else (README 役割)."""

import pytest

from projects.selectors import proposals_visible_to, review_assignments

pytestmark = pytest.mark.django_db


def test_the_official_lists_only_their_departments_proposals(world):
    official = world.user("official")
    visible = set(proposals_visible_to(official))
    assert world.own_review_proposal in visible
    assert world.other_department_proposal not in visible
    assert world.submitted_proposal not in visible  # a call another department reviews
    assignments = {a.proposal for a in review_assignments(official)}
    assert world.other_department_proposal not in assignments


def test_a_proposal_the_official_reviewed_stays_visible_after_reassignment(world):
    from projects.models import Review

    official = world.user("official")
    proposal = world.other_department_proposal
    Review.objects.create(
        proposal=proposal, stage=proposal.current_stage, reviewer=official, side="department"
    )
    assert proposal in set(proposals_visible_to(official))
    assert official.has_perm("projects.view_proposal", proposal)


def test_staff_still_see_every_proposal(world):
    assert world.other_department_proposal in set(proposals_visible_to(world.user("staff")))
