"""Two-factor enrolment for people who handle personal or unpublished data.

Whoever knows a staff member's password could otherwise sign in and enrol their own TOTP, and
own the account for good. So for staff, officials and committee members, the TOTP set-up page
opens only after they follow a link mailed to the account's verified address (valid 30 minutes,
for that account only). In production (REQUIRE_MFA_FOR_STAFF) these people must have TOTP.
"""

from __future__ import annotations

import time

from django.core import signing

SALT = "kyodo.mfa.enrolment"
LINK_MAX_AGE = 30 * 60
SESSION_KEY = "kyodo_mfa_enrolment_confirmed_at"


def needs_strong_authentication(user) -> bool:
    """Staff, officials and committee members (who download unpublished reports)."""
    from core.permissions import may

    return may(user, "core.needs_strong_authentication")


def enrolment_token(user) -> str:
    return signing.dumps({"user": user.pk}, salt=SALT)


def token_is_for(token: str, user) -> bool:
    try:
        data = signing.loads(token, salt=SALT, max_age=LINK_MAX_AGE)
    except signing.BadSignature:
        return False
    return data.get("user") == user.pk


def mark_confirmed(request) -> None:
    request.session[SESSION_KEY] = int(time.time())


def enrolment_confirmed(request) -> bool:
    at = request.session.get(SESSION_KEY)
    return bool(at) and time.time() - at < LINK_MAX_AGE
