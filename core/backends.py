"""Signing in by e-mail (allauth's backend), and loading the signed-in person once per request
together with the names of their roles.

Every page a signed-in person opens asks their roles (the header's workspace, the session
lifetime, two-factor rules, the reports link): loading the user and then their roles cost two
queries per request; here one query with a LEFT JOIN on the roles gives both (a row per role).
"""

from __future__ import annotations

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth import get_user_model
from django.db.models import F

from core.roles import remember_role_names

ROLE_ALIAS = "_kyodo_joined_role_name"


class AuthenticationBackend(AllauthBackend):
    def get_user(self, user_id):
        people = get_user_model()._default_manager.filter(pk=user_id)
        rows = list(people.annotate(**{ROLE_ALIAS: F("groups__name")}).order_by())
        if not rows:
            return None
        user = rows[0]
        remember_role_names(user, {getattr(row, ROLE_ALIAS) for row in rows if getattr(row, ROLE_ALIAS)})
        return user if self.user_can_authenticate(user) else None
