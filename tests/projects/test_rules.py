"""Who sees what: a matrix of roles against proposals and projects in each state."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from projects.models import ProjectStatus, ProposalStatus
from projects.selectors import proposals_visible_to, review_assignments
from tests.projects.factories import CallFactory, ProjectFactory, ProposalFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(proposer, other_proposer, official_user, outside_official, reviewer_staff, staff_user, make_user):
    return {
        "anonymous": AnonymousUser(),
        "proposer": proposer,
        "other_proposer": other_proposer,
        "reviewer_official": official_user,
        "outside_official": outside_official,
        "reviewer_staff": reviewer_staff,
        "staff": staff_user,
        "citizen": make_user(),
    }


# who → may see a proposal of `group` in call `call` in this state
SEES = {
    "anonymous": set(),
    "proposer": set(ProposalStatus.values),
    "other_proposer": set(),
    "reviewer_official": set(ProposalStatus.values) - {ProposalStatus.DRAFT},
    "outside_official": set(),
    "reviewer_staff": set(ProposalStatus.values),  # staff see everything
    "staff": set(ProposalStatus.values),
    "citizen": set(),
}


@pytest.mark.parametrize("who", list(SEES))
@pytest.mark.parametrize("status", ProposalStatus.values)
def test_proposal_visibility_matrix(people, call, group, who, status):
    proposal = ProposalFactory(call=call, group=group, status=status)
    user = people[who]
    expected = status in SEES[who]
    assert user.has_perm("projects.view_proposal", proposal) is expected
    if user.is_authenticated:
        assert proposals_visible_to(user).filter(pk=proposal.pk).exists() is expected


def test_an_official_whose_department_does_not_review_a_call_sees_none_of_its_proposals(
    call, group, outside_official, official_user, client_for
):
    """Even proposals under review; and the official's own department's call stays visible to them only."""
    proposals = [ProposalFactory(call=call, group=group, status=s) for s in ProposalStatus.values]
    assert not proposals_visible_to(outside_official).exists()
    client = client_for(outside_official)
    for proposal in proposals:
        assert client.get(f"/projects/proposals/{proposal.pk}/").status_code == 404
        assert client.get(f"/projects/proposals/{proposal.pk}/review/").status_code == 404
    assert client.get("/projects/reviews/").content.decode().count("/review/") == 0


def test_reviewers_see_only_the_calls_they_review(call, group, official_user, reviewer_staff):
    other_call = CallFactory()  # reviewed by nobody named
    mine = ProposalFactory(call=call, group=group, under_review=True)
    theirs = ProposalFactory(call=other_call, group=group, under_review=True)
    visible = set(proposals_visible_to(official_user).values_list("pk", flat=True))
    assert visible == {mine.pk}
    assert [a.proposal for a in review_assignments(official_user)] == [mine]
    assert [a.proposal for a in review_assignments(reviewer_staff)] == [mine]
    assert theirs.pk not in {a.proposal.pk for a in review_assignments(official_user)}


def test_proposers_see_only_their_own_groups_proposals_by_direct_url(
    call, group, other_group, proposer, client_for
):
    mine = ProposalFactory(call=call, group=group)
    theirs = ProposalFactory(call=call, group=other_group, submitted=True)
    client = client_for(proposer)
    assert client.get(f"/projects/proposals/{mine.pk}/").status_code == 200
    for url in (
        f"/projects/proposals/{theirs.pk}/",
        f"/projects/proposals/{theirs.pk}/edit/",
        f"/projects/proposals/{theirs.pk}/review/",
    ):
        assert client.get(url).status_code == 404
    assert client.post(f"/projects/proposals/{theirs.pk}/submit/").status_code == 404
    page = client.get("/projects/proposals/").content.decode()
    assert mine.title in page and theirs.title not in page


def test_only_the_reviewer_may_open_the_scoring_page(call, group, official_user, proposer, client_for):
    proposal = ProposalFactory(call=call, group=group, under_review=True)
    assert client_for(official_user).get(f"/projects/proposals/{proposal.pk}/review/").status_code == 200
    assert client_for(proposer).get(f"/projects/proposals/{proposal.pk}/review/").status_code == 403


@pytest.mark.parametrize("status", ProjectStatus.values)
def test_the_public_sees_adopted_running_and_finished_projects_only(client, status):
    project = ProjectFactory(status=status)
    public = status != ProjectStatus.CANCELLED
    assert AnonymousUser().has_perm("projects.view_project", project) is public
    assert client.get(f"/projects/{project.pk}/").status_code == (200 if public else 404)
    assert (project.title in client.get("/projects/").content.decode()) is public


def test_hidden_projects_are_not_public(client):
    project = ProjectFactory(is_public=False)
    assert client.get(f"/projects/{project.pk}/").status_code == 404


def test_proposals_are_never_public(client, call, group):
    proposal = ProposalFactory(call=call, group=group, adopted=True)
    response = client.get(f"/projects/proposals/{proposal.pk}/")
    assert response.status_code == 302  # to the login page


@pytest.mark.parametrize(
    ("who", "status_code"), [("proposer", 403), ("reviewer_official", 403), ("citizen", 403), ("staff", 200)]
)
def test_staff_pages_are_for_staff(people, client_for, who, status_code, call):
    client = client_for(people[who])
    for url in (
        "/projects/staff/calls/",
        f"/projects/staff/calls/{call.pk}/",
        "/projects/staff/projects/",
        "/projects/staff/support-logs/",
        "/projects/staff/projects/new/",
    ):
        assert client.get(url).status_code == status_code


def test_the_workspace_is_for_the_group_the_department_and_staff(
    proposer, group, official_user, department, other_proposer, client_for, staff_user
):
    project = ProjectFactory(lead_group=group, department=department)
    url = f"/projects/manage/{project.pk}/"
    assert client_for(proposer).get(url).status_code == 200
    assert client_for(official_user).get(url).status_code == 200
    assert client_for(staff_user).get(url).status_code == 200
    assert client_for(other_proposer).get(url).status_code == 403  # public project, but not theirs
    hidden = ProjectFactory(cancelled=True)
    assert client_for(other_proposer).get(f"/projects/manage/{hidden.pk}/").status_code == 404


def test_staff_notes_are_for_staff_only(proposer, group, staff_user, client_for):
    from projects import services

    project = ProjectFactory(lead_group=group)
    services.staff_note_create(project=project, by=staff_user, body="内部の申し送り事項")
    assert (
        "内部の申し送り事項" in client_for(staff_user).get(f"/projects/manage/{project.pk}/").content.decode()
    )
    assert (
        "内部の申し送り事項"
        not in client_for(proposer).get(f"/projects/manage/{project.pk}/").content.decode()
    )
    assert client_for(proposer).get(f"/projects/manage/{project.pk}/add/note/").status_code == 403


@pytest.mark.parametrize(
    ("status", "open_for_evaluation"),
    [(ProjectStatus.RUNNING, True), (ProjectStatus.EVALUATING, True), (ProjectStatus.DONE, False)],
)
def test_who_writes_which_side_of_the_mutual_evaluation(
    people, group, department, official_user, status, open_for_evaluation
):
    """Staff either side; the lead group's members the group's; the responsible department's
    officials the department's; nobody once the project is past evaluation."""
    project = ProjectFactory(status=status, lead_group=group, department=department)
    expected = {
        "proposer": {"group"},
        "reviewer_official": {"department"},
        "staff": {"group", "department"},
        "reviewer_staff": {"group", "department"},
        "other_proposer": set(),
        "outside_official": set(),
        "citizen": set(),
        "anonymous": set(),
    }
    for who, sides in expected.items():
        user = people[who]
        for side in ("group", "department"):
            allowed = open_for_evaluation and side in sides
            assert user.has_perm(f"projects.evaluate_project_as_{side}", project) is allowed, (who, side)
    # An official who is also a member of the lead group writes the group's side only.
    from groups.models import GroupMembership

    GroupMembership.objects.create(group=group, user=official_user)
    official_user.__dict__.pop("_projects_group_ids", None)  # the per-request cache of memberships
    assert official_user.has_perm("projects.evaluate_project_as_group", project) is open_for_evaluation
    assert not official_user.has_perm("projects.evaluate_project_as_department", project)
