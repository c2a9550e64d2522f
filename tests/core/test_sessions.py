"""Sessions: a new key at login, logout and deactivation end every session of that person."""

import pytest
from django.test import Client

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def log_in(email: str) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"login": email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def test_session_key_changes_at_login(member):
    """The key of an anonymous session is not the key after login (no session fixation)."""
    client = Client()
    client.get("/accounts/login/")
    session = client.session
    session["seen"] = True
    session.save()
    before = client.session.session_key
    client.post("/accounts/login/", {"login": member.email, "password": PASSWORD})
    assert client.session.session_key != before
    assert client.session.get("_auth_user_id") == str(member.pk)


def test_logout_ends_every_session_of_that_person(member):
    """Logging out on one device signs the person out on the others too."""
    phone, office = log_in(member.email), log_in(member.email)
    assert phone.get("/mypage/").status_code == 200
    assert office.get("/mypage/").status_code == 200
    phone.post("/accounts/logout/")
    assert office.get("/mypage/").status_code == 302


def test_deactivating_an_account_ends_its_sessions(member, staff_user):
    """When staff deactivate an account, its open sessions end at once."""
    client = log_in(member.email)
    other = log_in(staff_user.email)
    member.is_active = False
    member.save()
    assert client.get("/mypage/").status_code == 302
    assert other.get("/mypage/").status_code == 200


def test_refused_access_is_logged_with_who_and_where(client_for, member, caplog):
    """A 403 is logged with the user, the path and the address."""
    client = client_for(member)
    with caplog.at_level("WARNING", logger="kyodo.security"):
        assert client.get("/staff/").status_code == 403
    record = next(r for r in caplog.records if "access_refused" in r.getMessage())
    message = record.getMessage()
    assert f"user_id={member.pk}" in message and "path=/staff/" in message and "ip=127.0.0.1" in message
