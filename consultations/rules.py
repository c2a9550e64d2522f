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


@rules.predicate
def is_not_anonymised(user, consultation) -> bool:
    return consultation is not None and not consultation.is_anonymised


can_access_consultations = is_center_staff & holds_access_permission
can_audit_consultations = is_center_staff & holds_audit_permission

# Named apart from the model permissions (consultations.access_consultation and the like), which
# stay with Django's backend and are what holds_*_permission ask: these decide access.
rules.add_perm("consultations.access", can_access_consultations)
rules.add_perm("consultations.audit", can_audit_consultations)
# Anonymised records are kept for the figures only: nothing may be added to them.
rules.add_perm("consultations.change_record", can_access_consultations & is_not_anonymised)
# The change history of a consultation (core.history) is the record itself: the same rule.
rules.add_perm("consultations.view_history", can_access_consultations)


def user_can_access(user) -> bool:
    return rules.has_perm("consultations.access", user)


def user_can_audit(user) -> bool:
    return rules.has_perm("consultations.audit", user)
