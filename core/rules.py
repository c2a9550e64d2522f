"""core's permissions: the staff pages, the outbox, who is asked to use two-factor sign-in."""

import rules

from core.predicates import is_center_staff, is_official

rules.add_perm("core.view_staff_pages", is_center_staff)
rules.add_perm("core.view_outbox", is_center_staff)
rules.add_perm("core.resend_outboxmessage", is_center_staff)
rules.add_perm("core.mfa_expected", is_center_staff | is_official)
