"""core's permissions: the staff pages, the outbox, two-factor sign-in and session lifetimes."""

import rules

from core.predicates import holds_a_role, is_admin_site_user, is_center_staff, is_official

rules.add_perm("core.view_staff_pages", is_center_staff)
rules.add_perm("core.view_outbox", is_center_staff)
rules.add_perm("core.resend_outboxmessage", is_center_staff)
# Who may not stay signed in with a password alone (REQUIRE_MFA_FOR_STAFF) and enrols TOTP only
# through a one-time link (core/mfa.py): everyone who sees unpublished or personal data, that is
# the admin's users and whoever holds a role (committee members download draft reports; a role
# an app adds, such as 審査委員, is included by holds_a_role).
strong_authentication = is_admin_site_user | is_center_staff | holds_a_role
rules.add_perm("core.needs_strong_authentication", strong_authentication)
rules.add_perm("core.mfa_expected", strong_authentication)
# Staff who know the person issue a one-time TOTP set-up link (core/mfa.py).
rules.add_perm("core.issue_mfa_enrolment", is_center_staff)
# Sessions that end after an idle period and an absolute lifetime (STAFF_SESSION_*_SECONDS).
rules.add_perm("core.short_session", is_admin_site_user | is_center_staff | is_official)
