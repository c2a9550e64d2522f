"""Roles are Django groups. The data migration creates them; their permissions are declared by
each app (AppConfig.role_permissions) and granted after every migrate.

    class GroupsConfig(AppConfig):
        role_permissions = {Role.STAFF: model_permissions("groups", group="view change")}
"""

from __future__ import annotations

import functools

from django.apps import apps as global_apps
from django.utils.translation import gettext_lazy as _


class Role:
    STAFF = "センター職員"  # data, not UI text
    OFFICIAL = "市職員"  # data, not UI text
    COMMITTEE = "委員"  # data, not UI text
    REVIEWER = "審査委員"  # data, not UI text

    ALL = (STAFF, OFFICIAL, COMMITTEE, REVIEWER)
    LABELS = {
        STAFF: _("センター職員"),
        OFFICIAL: _("市職員"),
        COMMITTEE: _("委員"),
        REVIEWER: _("審査委員"),
    }


def model_permissions(app_label: str, **actions: str) -> list[str]:
    """The permission names of an app's models, from each model's actions (space-separated):

    model_permissions("reports", report="view add") == ["reports.view_report", "reports.add_report"]
    """
    return [f"{app_label}.{action}_{model}" for model, names in actions.items() for action in names.split()]


def user_has_role(user, role: str) -> bool:
    # The names are cached on the user object: templates ask several times per page.
    return role in user_role_names(user)


def user_role_names(user) -> set[str]:
    """The names of the roles (Django groups) the user holds, cached on the user object."""
    if not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_kyodo_role_names", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        remember_role_names(user, cached)
    return cached


def remember_role_names(user, names: set[str]) -> None:
    """Caches the role names on the user object (core.backends loads them with the user)."""
    user._kyodo_role_names = names


@functools.cache
def declared_roles() -> frozenset[str]:
    """Every role of the portal: Role.ALL and the roles apps declare in role_permissions."""
    return frozenset(declared_role_permissions())


def declared_role_permissions() -> dict[str, set[str]]:
    declared: dict[str, set[str]] = {role: set() for role in Role.ALL}
    for config in global_apps.get_app_configs():
        for role, perms in getattr(config, "role_permissions", {}).items():
            declared.setdefault(role, set()).update(perms)
    return declared


def sync_role_permissions(**kwargs) -> None:
    """post_migrate: make each role group hold exactly the permissions the apps declare."""
    from django.contrib.auth.models import Group, Permission

    from core.reference import ensure_reference_data

    ensure_reference_data()

    for role, perm_names in declared_role_permissions().items():
        group, _created = Group.objects.get_or_create(name=role)
        wanted = []
        for dotted in sorted(perm_names):
            app_label, codename = dotted.split(".", 1)
            perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if perm is not None:
                wanted.append(perm)
        group.permissions.set(wanted)
