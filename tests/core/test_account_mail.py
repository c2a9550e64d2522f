"""allauth's mails: links from SITE_URL only, the center's name as greeting, through the outbox;
the person hears of password and MFA changes, and the security log records them."""

import logging

import pytest
from django.core import mail

from core.models import OutboxMessage
from tests.core.accounts import sign_up

pytestmark = pytest.mark.django_db

FORGED_HOST = "portal.example.jp:8080"


def test_reset_link_comes_from_site_url_whatever_the_host_header(
    client, member, settings, django_capture_on_commit_callbacks
):
    settings.ALLOWED_HOSTS = ["*"]
    settings.SITE_URL = "https://kyodo.example.jp"
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": member.email}, HTTP_HOST=FORGED_HOST)
    message = OutboxMessage.objects.get(kind="account.password_reset_key")
    assert "https://kyodo.example.jp/accounts/password/reset/key/" in message.body
    assert FORGED_HOST not in message.body and "portal.example.jp" not in message.body
    assert settings.CENTER_NAME in message.body
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [member.email]


def test_signup_for_a_known_address_links_to_site_url(client, member, settings):
    settings.ALLOWED_HOSTS = ["*"]
    settings.SITE_URL = "https://kyodo.example.jp"
    sign_up(
        client,
        full_name="二重 登録",
        full_name_kana="にじゅう とうろく",
        email=member.email,
        host=FORGED_HOST,
    )
    message = OutboxMessage.objects.get(kind="account.account_already_exists")
    assert FORGED_HOST not in message.body, message.body
    assert "https://kyodo.example.jp/accounts/password/reset/" in message.body
    # The mail goes to the account's owner: greeted by the account's name, not the name typed.
    assert message.body.startswith(f"{member.full_name} 様\n")


def change_password(client, *, old: str):
    new = "aki-no-yuugure-2026"
    return client.post("/accounts/password/change/", {"oldpassword": old, "password1": new, "password2": new})


def test_password_change_is_mailed_and_logged(client, member, caplog):
    client.force_login(member)
    with caplog.at_level(logging.INFO, logger="kyodo.security"):
        response = change_password(client, old="correct-horse-battery-42")
    assert response.status_code == 302
    message = OutboxMessage.objects.get(kind="account.password_changed")
    assert message.to == [member.email]
    assert any(f"password_changed user_id={member.pk}" in r.getMessage() for r in caplog.records)


def test_totp_enrolment_is_mailed_and_logged(client, staff_user, caplog, django_capture_on_commit_callbacks):
    from allauth.mfa.totp.internal.auth import (
        SECRET_SESSION_KEY,
        format_hotp_value,
        hotp_value,
        yield_hotp_counters_from_time,
    )

    # allauth asks for the password again before MFA settings change.
    client.force_login(staff_user)
    client.post("/accounts/reauthenticate/", {"password": "correct-horse-battery-42"})
    client.post("/mfa/enrol/")  # the enrolment is confirmed by the mailed link first (core/mfa.py)
    link = (
        OutboxMessage.objects.get(kind="core.mfa_enrol").body.split("http://127.0.0.1:8000", 1)[1].split()[0]
    )
    client.get(link)
    assert client.get("/accounts/2fa/totp/activate/").status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    code = format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))
    with (
        caplog.at_level(logging.INFO, logger="kyodo.security"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post("/accounts/2fa/totp/activate/", {"code": code})
    assert response.status_code == 302, response.content.decode()[:500]
    assert OutboxMessage.objects.filter(kind="account.totp_activated", to=[staff_user.email]).exists()
    assert any("mfa_enrolled" in r.getMessage() for r in caplog.records)


def test_role_changes_are_logged(make_user, caplog):
    from django.contrib.auth.models import Group as RoleGroup

    person = make_user(email="role@example.jp")
    with caplog.at_level(logging.WARNING, logger="kyodo.security"):
        person.groups.add(RoleGroup.objects.get(name="センター職員"))
        person.is_staff = True
        person.save()
    messages = [r.getMessage() for r in caplog.records]
    assert any("role_changed action=add" in m and "センター職員" in m for m in messages)
    assert any("account_flags_changed" in m and "is_staff" in m for m in messages)


def test_a_wrong_current_password_is_called_wrong_and_nothing_changes(client, member):
    client.force_login(member)
    response = change_password(client, old="not-my-password")
    assert response.status_code == 200
    assert "現在のパスワードが正しくありません。" in response.content.decode()
    member.refresh_from_db()
    assert member.check_password("correct-horse-battery-42")
    assert not OutboxMessage.objects.filter(kind="account.password_changed").exists()
