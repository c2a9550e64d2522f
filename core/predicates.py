"""The predicates every app's rules.py builds its permissions from: who someone is.

Each app's rules.py adds what depends on its own objects (a group's editors, a proposal's
reviewers) and declares its permissions; whether a person is center staff, a city official or a
committee member is decided here and nowhere else.
"""

from __future__ import annotations

import rules
from django.apps import apps

from core.roles import Role, declared_roles, user_role_names


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def remembered(user, name: str, compute):
    """compute() once per user object, then kept on it as `name`: one request asks the same
    question of its user many times (menus, templates, rules)."""
    value = getattr(user, name, None)
    if value is None:
        value = compute()
        setattr(user, name, value)
    return value


@rules.predicate
def is_admin_site_user(user) -> bool:
    """Signs in to the Django admin (is_staff) or is a superuser, whatever their roles."""
    return _signed_in(user) and (user.is_staff or user.is_superuser)


@rules.predicate
def is_center_staff(user) -> bool:
    """センター職員: the staff role, or a superuser."""
    return _signed_in(user) and (user.is_superuser or user.has_role(Role.STAFF))


@rules.predicate
def is_official(user) -> bool:
    """市職員: a member of the official role (which departments is the app's question)."""
    return _signed_in(user) and user.has_role(Role.OFFICIAL)


@rules.predicate
def is_committee_member(user) -> bool:
    """委員: reads the annual outcome reports."""
    return _signed_in(user) and user.has_role(Role.COMMITTEE)


@rules.predicate
def holds_a_role(user) -> bool:
    """Holds any role of the portal: Role.ALL (staff, officials, committee members) and every role
    an app declares in role_permissions (core.roles.declared_roles), e.g. 審査委員, so a new role
    is covered without changing the rules that ask this (core.needs_strong_authentication)."""
    return _signed_in(user) and bool(user_role_names(user) & declared_roles())


@rules.predicate
def is_external_reviewer(user) -> bool:
    """審査委員: an external reviewer of the calls staff invited them to (which ones: the app's question)."""
    return _signed_in(user) and user.has_role(Role.REVIEWER)


def _has_rows(user, name: str, model: str, /, **lookup) -> bool:
    """Whether `model` ("app.Model", looked up by name: core imports no app) has a row matching
    `lookup` for this signed-in user; asked once per user object (remembered as `name`)."""
    if not _signed_in(user):
        return False
    return remembered(user, name, lambda: apps.get_model(model).objects.filter(**lookup).exists())


@rules.predicate
def is_group_editor(user) -> bool:
    """Edits at least one group (owner or co-editor), whatever its status."""
    return _has_rows(user, "_kyodo_is_group_editor", "groups.GroupMembership", user=user)


@rules.predicate
def is_business_member(user) -> bool:
    """Keeps the profile of at least one business (企業・事業者), whatever its status."""
    return _has_rows(user, "_kyodo_is_business_member", "matching.Business", members=user)
