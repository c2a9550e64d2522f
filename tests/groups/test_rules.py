"""Who may do what: every role against every registration state (groups/rules.py + Group.can)."""

import pytest

from core.roles import Role
from groups.models import GroupStatus
from tests.groups.factories import GroupFactory

STATES = ["draft", "pending", "approved", "returned", "paused", "withdrawn"]


@pytest.fixture
def people(make_user, owner, editor, stranger):
    from django.contrib.auth.models import AnonymousUser

    return {
        "anonymous": AnonymousUser(),
        "stranger": stranger,
        "owner": owner,
        "editor": editor,
        "staff": make_user(roles=(Role.STAFF,), email="staff-rules@example.jp"),
        "official": make_user(roles=(Role.OFFICIAL,), email="official-rules@example.jp"),
    }


def make_group(state, owner, editor):
    traits = {state: True} if state != "approved" else {}
    return GroupFactory(owner=owner, editors=[editor], **traits)


# (permission, state) → who is allowed; everyone else is refused.
EXPECTED = {
    "groups.view_group": {
        "approved": {"anonymous", "stranger", "owner", "editor", "staff", "official"},
        **{s: {"owner", "editor", "staff"} for s in STATES if s != "approved"},
    },
    "groups.view_group_private": {s: {"owner", "editor", "staff"} for s in STATES},
    "groups.change_group": {
        **{s: {"owner", "editor", "staff"} for s in ("draft", "returned", "approved", "paused")},
        "pending": set(),
        "withdrawn": set(),
    },
    "groups.submit_group": {
        **{s: set() for s in STATES},
        "draft": {"owner", "editor"},
        "returned": {"owner", "editor"},
    },
    "groups.approve_group": {**{s: set() for s in STATES}, "pending": {"staff"}},
    "groups.return_group": {**{s: set() for s in STATES}, "pending": {"staff"}},
    "groups.pause_group": {**{s: set() for s in STATES}, "approved": {"owner", "staff"}},
    "groups.resume_group": {**{s: set() for s in STATES}, "paused": {"owner", "staff"}},
    "groups.withdraw_group": {**{s: {"owner", "staff"} for s in STATES}, "withdrawn": set()},
    "groups.renew_group": {
        **{s: set() for s in STATES},
        "approved": {"owner", "editor", "staff"},
        "paused": {"owner", "editor", "staff"},
    },
    "groups.manage_members": {
        **{s: {"owner", "staff"} for s in ("draft", "returned", "approved", "paused")},
        "pending": set(),
        "withdrawn": set(),
    },
    "groups.view_group_history": {s: {"staff"} for s in STATES},
}


@pytest.mark.django_db
@pytest.mark.parametrize("state", STATES)
def test_permission_matrix(state, people, owner, editor):
    """Each permission is granted to exactly the expected roles in each state."""
    group = make_group(state, owner, editor)
    for perm, by_state in EXPECTED.items():
        allowed = by_state[state]
        for who, user in people.items():
            assert user.has_perm(perm, group) == (who in allowed), f"{perm} / {state} / {who}"


@pytest.mark.django_db
def test_anyone_signed_in_may_apply_but_not_anonymous(people):
    """団体登録申請 needs an account, nothing more."""
    assert people["stranger"].has_perm("groups.apply_group")
    assert not people["anonymous"].has_perm("groups.apply_group")


@pytest.mark.django_db
def test_an_editor_of_group_a_has_no_rights_on_group_b(owner, editor, make_user):
    """Being an editor is per group: group B's page and actions stay closed to group A's editors."""
    group_a = GroupFactory(owner=owner, editors=[editor])
    group_b = GroupFactory(draft=True, owner=make_user(email="b-owner@example.jp"))
    assert editor.has_perm("groups.change_group", group_a)
    for perm in (
        "groups.view_group",
        "groups.view_group_private",
        "groups.change_group",
        "groups.submit_group",
        "groups.manage_members",
        "groups.withdraw_group",
    ):
        assert not editor.has_perm(perm, group_b), perm
        assert not owner.has_perm(perm, group_b), perm


@pytest.mark.django_db
def test_staff_queue_permission_is_staff_only(people):
    assert people["staff"].has_perm("groups.review_groups")
    for who in ("anonymous", "stranger", "owner", "official"):
        assert not people[who].has_perm("groups.review_groups"), who


@pytest.mark.parametrize(
    ("action", "allowed_from"),
    [
        ("submit", {"draft", "returned"}),
        ("approve", {"pending"}),
        ("return", {"pending"}),
        ("pause", {"approved"}),
        ("resume", {"paused"}),
        ("withdraw", {"draft", "pending", "returned", "approved", "paused"}),
        ("renew", {"approved", "paused"}),
    ],
)
def test_status_transitions(action, allowed_from):
    """Group.can(action) is the one place that says from which states an action may start."""
    from groups.models import Group

    for state in GroupStatus.values:
        assert Group(status=state).can(action) == (state in allowed_from), f"{action} from {state}"
