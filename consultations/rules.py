"""Who may see consultations (personal information) and their access log.

Consultations: active centre staff who also hold `consultations.access_consultation`. Officials,
committee members and members never do, whatever permissions they are given by mistake.
The access log: active centre staff holding `consultations.view_accesslog` (audit).
"""

import rules

from consultations.apps import ACCESS_PERMISSION, AUDIT_PERMISSION
from core.predicates import is_center_staff


@rules.predicate
def holds_access_permission(user) -> bool:
    return user.has_perm(ACCESS_PERMISSION)


@rules.predicate
def holds_audit_permission(user) -> bool:
    return user.has_perm(AUDIT_PERMISSION)


can_access_consultations = is_center_staff & holds_access_permission
can_audit_consultations = is_center_staff & holds_audit_permission

# Rules (not permissions): the model permissions stay with Django's backend, these decide access.
rules.add_rule("consultations.access", can_access_consultations)
rules.add_rule("consultations.audit", can_audit_consultations)


def user_can_access(user) -> bool:
    return rules.test_rule("consultations.access", user)


def user_can_audit(user) -> bool:
    return rules.test_rule("consultations.audit", user)
