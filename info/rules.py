"""Who may do what in the info app (object permissions through the `rules` package)."""

from __future__ import annotations

import rules

from core.predicates import is_center_staff, is_official


@rules.predicate
def is_grant_department_official(user, grant) -> bool:
    """A city official of the department that runs this grant."""
    return (
        grant is not None
        and grant.department_id is not None
        and is_official(user)
        and user.departments.filter(pk=grant.department_id).exists()
    )


@rules.predicate
def is_search_owner(user, search) -> bool:
    return search is not None and search.user_id == user.pk


# Staff post any grant; officials post their own departments' programs.
rules.add_perm("info.add_grant", is_center_staff | is_official)
rules.add_perm("info.change_grant", is_center_staff | (is_official & is_grant_department_official))
rules.add_perm("info.manage_grants", is_center_staff | is_official)
# Staff manage every grant; officials only their departments' (grants_managed_by, GrantForm).
rules.add_perm("info.manage_every_grant", is_center_staff)
rules.add_perm("info.save_search", rules.is_authenticated)
rules.add_perm("info.change_savedsearch", rules.is_authenticated & is_search_owner)


@rules.predicate
def is_flyer_on_display(user, flyer) -> bool:
    from django.utils import timezone

    return flyer is not None and flyer.is_on_display(timezone.localdate())


@rules.predicate
def is_flyer_group_editor(user, flyer) -> bool:
    return flyer is not None and rules.has_perm("groups.change_group", user, flyer.group)


@rules.predicate
def edits_listed_group(user, group) -> bool:
    return group is not None and group.is_listed and rules.has_perm("groups.change_group", user, group)


# A group's editors put up its flyers while the group is listed in the directory.
rules.add_perm("info.add_flyer", edits_listed_group)
rules.add_perm("info.view_flyer", is_flyer_on_display | is_flyer_group_editor | is_center_staff)
rules.add_perm("info.review_flyers", is_center_staff)
rules.add_perm("info.manage_newsletter", is_center_staff)
