"""Accounts: sign-up by e-mail with verification, roles, the admin login, staff sessions."""

import re
import time

import pytest
from django.contrib.auth.models import Group as RoleGroup
from django.core import mail

from core.middleware import SESSION_LAST_SEEN, SESSION_STARTED
from core.models import User
from core.predicates import is_center_staff, is_committee_member, is_official
from core.roles import Role
from tests.core.accounts import SIGN_UP_PASSWORD, sign_up

pytestmark = pytest.mark.django_db


def test_sign_up_sends_a_japanese_verification_email_and_blocks_login_until_verified(
    client, django_capture_on_commit_callbacks
):
    """A new account must verify its e-mail address before it can sign in (the mail goes by the outbox)."""
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_up(
            client, full_name="春野 さくら", full_name_kana="はるの さくら", email="sakura@example.jp"
        )
    assert response.status_code == 302
    assert User.objects.filter(email="sakura@example.jp").exists()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert "メールアドレス" in message.subject or "確認" in message.subject
    link = re.search(r"http://\S+/accounts/confirm-email/\S+/", message.body).group(0)

    client.logout()
    login = client.post("/accounts/login/", {"login": "sakura@example.jp", "password": SIGN_UP_PASSWORD})
    assert login.status_code == 302
    assert "confirm-email" in login["Location"] or "verification" in login["Location"]

    path = link.split("://", 1)[1].split("/", 1)[1]
    confirm = client.post("/" + path)
    assert confirm.status_code == 302
    login = client.post("/accounts/login/", {"login": "sakura@example.jp", "password": SIGN_UP_PASSWORD})
    assert login.status_code == 302
    assert login["Location"] == "/mypage/"


def test_sign_up_has_no_username_and_explains_errors_in_japanese(client):
    """The form asks only for e-mail and password; a mismatch is explained in Japanese and the e-mail kept."""
    page = client.get("/accounts/signup/").content.decode()
    assert 'name="username"' not in page
    response = client.post(
        "/accounts/signup/", {"email": "kaede@example.jp", "password1": "abc", "password2": "abd"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "入力内容を確認してください" in body
    assert 'value="kaede@example.jp"' in body
    assert not User.objects.filter(email="kaede@example.jp").exists()


def test_login_page_is_in_japanese_with_labels(client):
    """The login page is Japanese, labels every field and marks required ones in words."""
    body = client.get("/accounts/login/").content.decode()
    assert '<html lang="ja">' in body
    assert "ログイン" in body
    assert '<label for="id_login">' in body
    assert "必須" in body


def test_failed_logins_are_rate_limited(client, member):
    """After repeated wrong passwords for one address, even the right one is refused for a while."""
    for _ in range(6):
        client.post("/accounts/login/", {"login": member.email, "password": "wrong-password"})
    response = client.post(
        "/accounts/login/", {"login": member.email, "password": "correct-horse-battery-42"}
    )
    assert response.status_code in (200, 429)
    assert "_auth_user_id" not in client.session


def test_admin_login_goes_through_the_site_login(client):
    """The admin has no login form of its own: it sends people to allauth's."""
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_admin_is_titled_for_the_center_in_japanese(client_for, staff_user, settings):
    """The admin index greets staff in Japanese with the center's name."""
    staff_user.is_superuser = True
    staff_user.save()
    body = client_for(staff_user).get("/admin/").content.decode()
    assert settings.CENTER_NAME in body
    assert "管理" in body


def test_roles_exist_with_permissions_declared_by_the_apps():
    """The three roles are Django groups; staff may edit reference data, officials only read it."""
    assert set(RoleGroup.objects.values_list("name", flat=True)) >= set(Role.ALL)
    staff = set(RoleGroup.objects.get(name=Role.STAFF).permissions.values_list("codename", flat=True))
    official = set(RoleGroup.objects.get(name=Role.OFFICIAL).permissions.values_list("codename", flat=True))
    assert {"change_theme", "change_area", "change_department"} <= staff
    assert "view_theme" in official and "change_theme" not in official


def test_role_predicates(member, staff_user, official_user, committee_user):
    """Each account answers for its own role only."""
    assert is_center_staff(staff_user) and staff_user.is_staff
    assert not is_center_staff(member) and not is_official(member) and not is_committee_member(member)
    assert is_official(official_user) and not is_center_staff(official_user)
    assert official_user.departments.get().name == "子ども家庭支援課"
    assert is_committee_member(committee_user) and not is_center_staff(committee_user)


def stamp_session(client, key: str, timestamp: int) -> None:
    """Records `timestamp` in the client's session under `key`, as the middleware would have."""
    session = client.session
    session[key] = timestamp
    session.save()


def test_staff_session_ends_when_idle(client_for, staff_user, settings):
    """A staff session idle for longer than the limit is logged out and sent to the login page."""
    client = client_for(staff_user)
    assert client.get("/staff/").status_code == 200
    stamp_session(client, SESSION_LAST_SEEN, int(time.time()) - settings.STAFF_SESSION_IDLE_SECONDS - 5)
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


def test_staff_activity_keeps_the_session_alive(client_for, staff_user, settings):
    """A page seen after most of the idle period restarts the idle clock; within a minute of the
    last recorded activity, the session is not rewritten."""
    client = client_for(staff_user)
    client.get("/staff/")
    almost_idle = int(time.time()) - settings.STAFF_SESSION_IDLE_SECONDS + 30
    stamp_session(client, SESSION_LAST_SEEN, almost_idle)
    assert client.get("/staff/").status_code == 200
    refreshed = client.session[SESSION_LAST_SEEN]
    assert refreshed >= int(time.time()) - 5
    assert client.get("/staff/").status_code == 200
    assert client.session[SESSION_LAST_SEEN] == refreshed


def test_staff_session_has_an_absolute_lifetime(client_for, staff_user, settings):
    """Even an active staff session ends after the absolute lifetime."""
    client = client_for(staff_user)
    client.get("/staff/")
    stamp_session(client, SESSION_STARTED, int(time.time()) - settings.STAFF_SESSION_ABSOLUTE_SECONDS - 5)
    assert client.get("/staff/").status_code == 302


def test_member_sessions_are_not_cut_by_the_staff_idle_limit(client_for, member, settings):
    """Ordinary members keep their session; the idle rule is for staff and officials."""
    client = client_for(member)
    client.get("/mypage/")
    stamp_session(client, SESSION_LAST_SEEN, int(time.time()) - settings.STAFF_SESSION_IDLE_SECONDS - 5)
    assert client.get("/mypage/").status_code == 200


def test_mfa_is_required_for_staff_when_the_setting_is_on(
    client_for, staff_user, official_user, member, settings
):
    """With REQUIRE_MFA_FOR_STAFF, staff and officials are sent to set up TOTP; members are not."""
    settings.KYODO_REQUIRE_MFA_FOR_STAFF = True
    for user in (staff_user, official_user):
        response = client_for(user).get("/staff/" if is_center_staff(user) else "/mypage/")
        assert response.status_code == 302
        assert response["Location"] == "/mfa/enrol/"  # the one-time link first (core/mfa.py)
        client_for(user).logout()
    assert client_for(member).get("/mypage/").status_code == 200


def test_staff_dashboard_is_for_staff_only(client, client_for, member, official_user):
    """The staff dashboard sends strangers to log in and refuses members and officials."""
    assert client.get("/staff/").status_code == 302
    assert client_for(member).get("/staff/").status_code == 403
    client.logout()
    assert client_for(official_user).get("/staff/").status_code == 403
