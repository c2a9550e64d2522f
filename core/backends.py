"""Signing in by e-mail (allauth's backend), and loading the signed-in person once per request
together with the names of their roles.

Every page a signed-in person opens asks their roles (the header's workspace, the session
lifetime, two-factor rules, the reports link): loading the user and then their roles cost two
queries per request; here one query with a LEFT JOIN on the roles gives both (a row per role).
"""

from __future__ import annotations

import functools

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db.models import F

from core.roles import remember_role_names

ROLE_ALIAS = "_kyodo_joined_role_name"


@functools.cache
def _user_with_roles_sql() -> str:
    """The query's SQL, made by the ORM once per process: building and compiling it again on
    every request cost more CPU than running it."""
    people = get_user_model()._default_manager.filter(pk=0).annotate(**{ROLE_ALIAS: F("groups__name")})
    sql, params = people.order_by().query.sql_with_params()
    if params != (0,):  # the user's id must be the query's one parameter
        raise ImproperlyConfigured(f"unexpected parameters of the user query: {params!r}")
    return sql


class AuthenticationBackend(AllauthBackend):
    def get_user(self, user_id):
        try:
            user_id = get_user_model()._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        rows = list(get_user_model()._default_manager.raw(_user_with_roles_sql(), [user_id]))
        if not rows:
            return None
        user = rows[0]
        remember_role_names(user, {getattr(row, ROLE_ALIAS) for row in rows if getattr(row, ROLE_ALIAS)})
        return user if self.user_can_authenticate(user) else None
