"""Two-factor enrolment for people who handle personal or unpublished data.

Whoever knows such a person's password could otherwise sign in, enrol their own TOTP and own
the account for good. So for everyone with a role or the admin flag (the rule
core.needs_strong_authentication: staff, officials, reviewers, committee members, any role an
app declares) the TOTP set-up page opens only after the person followed a one-time link
(core.models.MfaEnrolmentLink) that is either

- asked for on /mfa/enrol/ and mailed to the account's verified address (valid 30 minutes), or
- issued by center staff on /staff/mfa/ after they checked who the person is (mailed to the
  same address, valid 3 days).

A link works once, for the signed-in account it was made for; a new link replaces older ones.
These people cannot change their e-mail address themselves (staff do it in the admin), so a
password alone can never redirect the link. In production (REQUIRE_MFA_FOR_STAFF) they must
have TOTP before they reach any other page.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
import time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

SELF_LINK_MAX_AGE = dt.timedelta(minutes=30)
# A person may ask for a new link once a minute (the mails cannot be used to flood their inbox).
SELF_LINK_INTERVAL = dt.timedelta(minutes=1)
STAFF_LINK_MAX_AGE = dt.timedelta(days=3)
# After the link was followed, the TOTP set-up must be finished within this time (same session).
CONFIRMED_SECONDS = 30 * 60
SESSION_KEY = "kyodo_mfa_enrolment_confirmed_at"

security_log = logging.getLogger("kyodo.security")


def needs_strong_authentication(user) -> bool:
    """Everyone with a role or the admin flag (the rule core.needs_strong_authentication)."""
    from core.permissions import may

    return may(user, "core.needs_strong_authentication")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def verified_address(user) -> str | None:
    """The account's verified primary e-mail address, where enrolment links go."""
    from allauth.account.models import EmailAddress

    address = EmailAddress.objects.filter(user=user, verified=True, primary=True).first()
    return address.email if address else None


def user_has_totp(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


@transaction.atomic
def enrolment_link_issue(*, user, issued_by=None):
    """Makes a one-time link for `user` and mails it to their verified address (through the
    outbox, in this transaction). `issued_by` is the staff member who issued it, or None when the
    person asked for it. Earlier unused links of the person stop working."""
    from core.models import MfaEnrolmentLink, absolute_url
    from core.outbox import outbox_enqueue_template

    if not needs_strong_authentication(user):
        raise ValidationError(_("この利用者には二段階認証の設定リンクは必要ありません。"))
    address = verified_address(user)
    if address is None:
        raise ValidationError(_("確認済みのメールアドレスがないため、設定リンクを送れません。"))
    now = timezone.now()
    if (
        issued_by is None
        and MfaEnrolmentLink.objects.filter(
            user=user, issued_by__isnull=True, created_at__gt=now - SELF_LINK_INTERVAL
        ).exists()
    ):
        raise ValidationError(_("確認のメールは1分に1回まで送れます。少し待ってからもう一度お試しください。"))
    unused = MfaEnrolmentLink.objects.filter(user=user, used_at__isnull=True, expires_at__gt=now)
    unused.update(expires_at=now)
    token = secrets.token_urlsafe(32)
    max_age = STAFF_LINK_MAX_AGE if issued_by is not None else SELF_LINK_MAX_AGE
    link = MfaEnrolmentLink.objects.create(
        user=user, token_hash=_hash(token), issued_by=issued_by, expires_at=now + max_age
    )
    outbox_enqueue_template(
        to=[address],
        template="core/email/mfa_enrol_staff" if issued_by is not None else "core/email/mfa_enrol",
        context={
            "name": user.full_name,
            "link": absolute_url(reverse("core:mfa_enrol_confirm", args=[token])),
            "expires_at": timezone.localtime(link.expires_at),
            "minutes": int(SELF_LINK_MAX_AGE.total_seconds() // 60),
        },
        kind="core.mfa_enrol_staff" if issued_by is not None else "core.mfa_enrol",
    )
    security_log.info(
        "mfa_enrolment_link_issued user_id=%s issued_by=%s",
        user.pk,
        getattr(issued_by, "pk", "self"),
    )
    return link


def enrolment_link_redeem(*, token: str, user) -> bool:
    """True (once) when `token` is an unused, unexpired link made for `user`; it is then used up.
    One conditional UPDATE, so two requests with the same link cannot both succeed."""
    from core.models import MfaEnrolmentLink

    now = timezone.now()
    redeemed = MfaEnrolmentLink.objects.filter(
        token_hash=_hash(token), user=user, used_at__isnull=True, expires_at__gt=now
    ).update(used_at=now)
    if redeemed:
        security_log.info("mfa_enrolment_link_used user_id=%s", user.pk)
    else:
        security_log.warning("mfa_enrolment_link_refused user_id=%s", getattr(user, "pk", None))
    return bool(redeemed)


def mark_confirmed(request) -> None:
    request.session[SESSION_KEY] = int(time.time())


def enrolment_confirmed(request) -> bool:
    at = request.session.get(SESSION_KEY)
    return bool(at) and time.time() - at < CONFIRMED_SECONDS
