"""Who may see and resend the outgoing e-mails (the outbox)."""

import rules

from core.predicates import is_center_staff

rules.add_perm("core.view_staff_pages", is_center_staff)
rules.add_perm("core.view_outbox", is_center_staff)
rules.add_perm("core.resend_outboxmessage", is_center_staff)
