"""TOTP enrolment of staff, officials and committee members needs the link mailed to their
verified address; in production they must have TOTP."""

import re

import pytest
from django.urls import reverse

from core.models import OutboxMessage

pytestmark = pytest.mark.django_db

ACTIVATE = "/accounts/2fa/totp/activate/"


def reauthenticated(client, user):
    client.force_login(user)
    client.post("/accounts/reauthenticate/", {"password": "correct-horse-battery-42"})
    return client


@pytest.mark.parametrize("fixture", ["staff_user", "official_user", "committee_user"])
def test_the_totp_page_opens_only_after_the_mailed_link(client, request, fixture, settings):
    settings.SITE_URL = "https://kyodo.example.jp"
    user = request.getfixturevalue(fixture)
    reauthenticated(client, user)
    response = client.get(ACTIVATE)
    assert response.status_code == 302 and response["Location"] == reverse("core:mfa_enrol")
    page = client.get(reverse("core:mfa_enrol")).content.decode()
    assert "確認のメールを送る" in page and user.email in page

    client.post(reverse("core:mfa_enrol"))
    message = OutboxMessage.objects.get(kind="core.mfa_enrol")
    assert message.to == [user.email]
    link = re.search(r"https://kyodo\.example\.jp(/mfa/enrol/\S+/)", message.body).group(1)
    assert client.get(ACTIVATE).status_code == 302  # not yet: the link was not followed

    assert client.get(link)["Location"] == ACTIVATE
    assert client.get(ACTIVATE).status_code == 200


def test_a_link_for_another_account_or_a_forged_one_does_nothing(client, staff_user, make_user):
    from core import mfa
    from core.roles import Role

    other = make_user(roles=(Role.STAFF,), email="other-staff@example.jp")
    reauthenticated(client, staff_user)
    for token in (mfa.enrolment_token(other), "forged"):
        response = client.get(reverse("core:mfa_enrol_confirm", args=[token]))
        assert response["Location"] == reverse("core:mfa_enrol")
        assert client.get(ACTIVATE).status_code == 302


def test_members_enrol_without_the_mail(client, member):
    reauthenticated(client, member)
    assert client.get(ACTIVATE).status_code == 200


def test_committee_members_must_have_totp_in_production(client, committee_user, settings):
    settings.KYODO_REQUIRE_MFA_FOR_STAFF = True
    client.force_login(committee_user)
    response = client.get(reverse("core:mypage"))
    assert response.status_code == 302 and response["Location"].startswith(ACTIVATE)
