"""TOTP enrolment of everyone with a role needs a one-time link: asked for and mailed to their
verified address, or issued by staff. A password alone never enrols; in production they must
have TOTP."""

import datetime as dt
import re

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.urls import reverse
from django.utils import timezone

from core.models import MfaEnrolmentLink, OutboxMessage

pytestmark = pytest.mark.django_db

ACTIVATE = "/accounts/2fa/totp/activate/"
ENROL = "/mfa/enrol/"
LINK = re.compile(r"https://kyodo\.example\.jp(/mfa/enrol/\S+/)")


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = "https://kyodo.example.jp"


def reauthenticated(client, user):
    client.force_login(user)
    client.post("/accounts/reauthenticate/", {"password": "correct-horse-battery-42"})
    return client


def mailed_link(kind: str = "core.mfa_enrol") -> str:
    message = OutboxMessage.objects.filter(kind=kind).latest("id")
    return LINK.search(message.body).group(1)


def activate_totp(client) -> int:
    """Fills the TOTP set-up form with a code of the secret it shows: the answer's status."""
    import time

    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal import auth

    page = client.get(ACTIVATE)
    if page.status_code != 200:
        return page.status_code
    secret = page.context["form"].secret
    code = auth.format_hotp_value(auth.hotp_value(secret, int(time.time()) // app_settings.TOTP_PERIOD))
    return client.post(ACTIVATE, {"code": code}).status_code


def role_holders():
    from core.roles import declared_roles

    return sorted(declared_roles())


@pytest.mark.parametrize("role", role_holders())
def test_a_password_alone_cannot_enrol_anyone_with_a_role(client, make_user, role):
    """Every role the portal declares (staff, officials, committee, reviewers, ...) is covered."""
    user = make_user(roles=(role,), email="holder@example.jp")
    reauthenticated(client, user)
    response = client.get(ACTIVATE)
    assert response.status_code == 302 and response["Location"] == ENROL
    assert client.post(ACTIVATE, {"code": "123456"})["Location"] == ENROL
    assert not Authenticator.objects.filter(user=user).exists()


@pytest.mark.parametrize("fixture", ["staff_user", "official_user", "committee_user"])
def test_the_mailed_link_opens_the_totp_page_once(client, request, fixture):
    user = request.getfixturevalue(fixture)
    reauthenticated(client, user)
    page = client.get(ENROL).content.decode()
    assert "確認のメールを送る" in page and user.email in page

    client.post(ENROL)
    message = OutboxMessage.objects.get(kind="core.mfa_enrol")
    assert message.to == [user.email] and message.body_is_secret
    assert user.email not in message.body.splitlines()[0]  # greeted by name, never by address
    link = mailed_link()
    assert client.get(ACTIVATE).status_code == 302  # not yet: the link was not followed

    assert client.get(link)["Location"] == ACTIVATE
    assert activate_totp(client) == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()

    client.logout()
    reauthenticated(client, user)
    assert client.get(link)["Location"] == ENROL  # used up


def test_the_mailed_link_expires_after_30_minutes(client, staff_user):
    reauthenticated(client, staff_user)
    client.post(ENROL)
    link = mailed_link()
    client.logout()
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=31)):
        reauthenticated(client, staff_user)
        assert client.get(link)["Location"] == ENROL
        assert client.get(ACTIVATE)["Location"] == ENROL


def test_a_new_link_replaces_the_older_one_and_mails_wait_a_minute(client, staff_user):
    reauthenticated(client, staff_user)
    client.post(ENROL)
    first = mailed_link()
    page = client.post(ENROL).content.decode()
    assert "1分に1回" in page and OutboxMessage.objects.filter(kind="core.mfa_enrol").count() == 1
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=61)):
        client.post(ENROL)
        assert OutboxMessage.objects.filter(kind="core.mfa_enrol").count() == 2
        assert client.get(first)["Location"] == ENROL
        assert client.get(mailed_link())["Location"] == ACTIVATE


def test_a_link_for_another_account_or_a_forged_one_does_nothing(client, staff_user, make_user):
    from core.roles import Role

    other = make_user(roles=(Role.STAFF,), email="other-staff@example.jp")
    reauthenticated(client, other)
    client.post(ENROL)
    others_link = mailed_link()
    client.logout()

    reauthenticated(client, staff_user)
    for link in (others_link, reverse("core:mfa_enrol_confirm", args=["forged"])):
        assert client.get(link)["Location"] == ENROL
        assert client.get(ACTIVATE).status_code == 302
    # the other account's link was not used up by the wrong account
    client.logout()
    reauthenticated(client, other)
    assert client.get(others_link)["Location"] == ACTIVATE


def test_staff_issue_a_link_that_works_once_and_expires(client, staff_user, committee_user):
    client.force_login(staff_user)
    response = client.post(reverse("core:mfa_staff_issue", args=[committee_user.pk]))
    assert response["Location"] == reverse("core:mfa_staff_list")
    message = OutboxMessage.objects.get(kind="core.mfa_enrol_staff")
    assert message.to == [committee_user.email] and message.body_is_secret
    link = mailed_link("core.mfa_enrol_staff")
    assert MfaEnrolmentLink.objects.get().issued_by == staff_user

    # the staff member cannot use it: the link is for the committee member's account only
    assert client.get(link)["Location"] == ENROL
    client.logout()

    reauthenticated(client, committee_user)
    assert client.get(link)["Location"] == ACTIVATE
    assert client.get(ACTIVATE).status_code == 200
    client.logout()
    reauthenticated(client, committee_user)
    assert client.get(link)["Location"] == ENROL  # once

    client.force_login(staff_user)
    client.post(reverse("core:mfa_staff_issue", args=[committee_user.pk]))
    late = mailed_link("core.mfa_enrol_staff")
    client.logout()
    with time_machine.travel(timezone.now() + dt.timedelta(days=3, minutes=1)):
        reauthenticated(client, committee_user)
        assert client.get(late)["Location"] == ENROL


def test_staff_cannot_issue_a_link_for_a_member_or_someone_enrolled(
    client, staff_user, member, official_user
):
    Authenticator.objects.create(user=official_user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client.force_login(staff_user)
    assert client.post(reverse("core:mfa_staff_issue", args=[member.pk])).status_code == 404
    response = client.post(reverse("core:mfa_staff_issue", args=[official_user.pk]), follow=True)
    assert "設定済み" in response.content.decode()
    assert not OutboxMessage.objects.filter(kind__startswith="core.mfa_enrol").exists()


def test_the_staff_page_lists_role_holders_in_a_fixed_number_of_queries(
    client, staff_user, make_user, django_assert_max_num_queries
):
    from core.roles import Role

    client.force_login(staff_user)
    for n in range(2):
        make_user(roles=(Role.COMMITTEE,), email=f"committee{n}@example.jp", full_name=f"委員 {n}")
    with django_assert_max_num_queries(12):
        small = client.get(reverse("core:mfa_staff_list"))
    for n in range(2, 12):
        make_user(roles=(Role.OFFICIAL,), email=f"official{n}@example.jp", full_name=f"市職員 {n}")
    with django_assert_max_num_queries(12) as captured:
        large = client.get(reverse("core:mfa_staff_list"))
    assert small.status_code == large.status_code == 200
    page = large.content.decode()
    assert "委員 0" in page and "市職員 11" in page and "未設定" in page
    assert "<td>センター職員</td>" in page  # the roles of each account
    assert len(captured.captured_queries) <= 12


def test_people_with_a_role_cannot_change_their_email_address(client, committee_user):
    from allauth.account.models import EmailAddress

    reauthenticated(client, committee_user)
    response = client.post("/accounts/email/", {"action_add": "", "email": "thief@example.jp"})
    assert response.status_code == 302
    assert not EmailAddress.objects.filter(email="thief@example.jp").exists()


def test_members_enrol_without_the_mail(client, member):
    reauthenticated(client, member)
    assert client.get(ACTIVATE).status_code == 200
    assert activate_totp(client) == 302


def test_committee_members_are_sent_to_enrol_in_production(client, committee_user, settings):
    """Production turns REQUIRE_MFA_FOR_STAFF on (tests/core/test_deployment.py checks the default)."""
    settings.KYODO_REQUIRE_MFA_FOR_STAFF = True
    client.force_login(committee_user)
    response = client.get(reverse("reports:index"))
    assert response.status_code == 302 and response["Location"] == ENROL
    assert client.get(ENROL).status_code == 200
    Authenticator.objects.create(user=committee_user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    assert client.get(reverse("reports:index")).status_code == 200
