"""core's permissions: the staff pages, the outbox, two-factor sign-in and session lifetimes."""

import rules

from core.predicates import is_admin_site_user, is_center_staff, is_committee_member, is_official

rules.add_perm("core.view_staff_pages", is_center_staff)
rules.add_perm("core.view_outbox", is_center_staff)
rules.add_perm("core.resend_outboxmessage", is_center_staff)
rules.add_perm("core.mfa_expected", is_center_staff | is_official)
# Who may not stay signed in with a password alone (REQUIRE_MFA_FOR_STAFF): everyone who sees
# unpublished or personal data, committee members included (they download draft reports).
rules.add_perm(
    "core.needs_strong_authentication",
    is_admin_site_user | is_center_staff | is_official | is_committee_member,
)
# Sessions that end after an idle period and an absolute lifetime (STAFF_SESSION_*_SECONDS).
rules.add_perm("core.short_session", is_admin_site_user | is_center_staff | is_official)
