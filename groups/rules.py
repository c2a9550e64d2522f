"""Who may do what with a group (object permissions through the `rules` package).

Whether the registration *status* allows an action lives in one place, Group.can(action)
(groups.models.GROUP_WORKFLOW); these rules add who may do it.
"""

from __future__ import annotations

import rules

from core.predicates import is_center_staff
from groups.models import GroupAction, GroupMembership, GroupStatus


def _role_of(user, group) -> str | None:
    if group is None or not getattr(user, "is_authenticated", False):
        return None
    cache = getattr(group, "_membership_roles", None)
    if cache is None:
        cache = {}
        group._membership_roles = cache
    if user.pk not in cache:
        cache[user.pk] = (
            GroupMembership.objects.filter(group=group, user=user).values_list("role", flat=True).first()
        )
    return cache[user.pk]


@rules.predicate
def is_group_member(user, group) -> bool:
    """An owner or co-editor of this group."""
    return _role_of(user, group) is not None


@rules.predicate
def is_group_owner(user, group) -> bool:
    return _role_of(user, group) == GroupMembership.Role.OWNER


@rules.predicate
def is_listed(user, group) -> bool:
    return group is not None and group.status == GroupStatus.APPROVED


@rules.predicate
def is_editable_status(user, group) -> bool:
    return group is not None and group.is_editable_status


def status_allows(action: str):
    @rules.predicate(name=f"status_allows_{action}")
    def predicate(user, group) -> bool:
        return group is not None and group.can(action)

    return predicate


# Applying: anyone signed in.
rules.add_perm("groups.apply_group", rules.is_authenticated)
# Reading the group page: approved groups for everyone; others for their editors and staff.
rules.add_perm("groups.view_group", is_listed | is_group_member | is_center_staff)
# Private contact details, status, history of the status.
rules.add_perm("groups.view_group_private", is_group_member | is_center_staff)
rules.add_perm(
    "groups.change_group", (is_group_member & is_editable_status) | (is_center_staff & is_editable_status)
)
rules.add_perm("groups.submit_group", is_group_member & status_allows(GroupAction.SUBMIT))
rules.add_perm("groups.approve_group", is_center_staff & status_allows(GroupAction.APPROVE))
rules.add_perm("groups.return_group", is_center_staff & status_allows(GroupAction.RETURN))
rules.add_perm("groups.pause_group", (is_group_owner | is_center_staff) & status_allows(GroupAction.PAUSE))
rules.add_perm("groups.resume_group", (is_group_owner | is_center_staff) & status_allows(GroupAction.RESUME))
rules.add_perm(
    "groups.withdraw_group", (is_group_owner | is_center_staff) & status_allows(GroupAction.WITHDRAW)
)
rules.add_perm("groups.recall_group", is_group_member & status_allows(GroupAction.RECALL))
rules.add_perm("groups.renew_group", (is_group_member | is_center_staff) & status_allows(GroupAction.RENEW))
rules.add_perm("groups.manage_members", (is_group_owner | is_center_staff) & is_editable_status)
rules.add_perm("groups.view_group_history", is_center_staff)
# Staff work pages without an object: queue, renewal status, CSV import and export.
rules.add_perm("groups.review_groups", is_center_staff)
