"""Server errors reach the process log; password reset and MFA pages work in Japanese."""

import copy
import io
import json
import logging
import logging.config

import pytest
from django.core import mail
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db


@pytest.fixture
def process_log(settings):
    """The project's logging configuration, with its console handler writing into a buffer."""
    buffer = io.StringIO()
    config = copy.deepcopy(settings.LOGGING)
    config["handlers"]["console"]["stream"] = buffer
    logging.config.dictConfig(config)
    yield buffer
    logging.config.dictConfig(settings.LOGGING)


@override_settings(ROOT_URLCONF="tests.core.urls_failing")
def test_a_server_error_writes_its_traceback_to_the_process_log(process_log):
    """An unhandled exception answers 500 and its traceback is printed to the process's stderr."""
    client = Client(raise_request_exception=False)
    response = client.get("/broken/")
    assert response.status_code == 500
    err = process_log.getvalue()
    assert "Traceback" in err
    assert "boom: the traceback must reach the log" in err


def test_json_log_lines_in_production(settings):
    """With LOG_FORMAT json, each record is one JSON object on one line."""
    buffer = io.StringIO()
    config = copy.deepcopy(settings.LOGGING)
    config["handlers"]["console"].update(formatter="json", stream=buffer)
    logging.config.dictConfig(config)
    try:
        logging.getLogger("kyodo.security").warning("login_failed email=%s", "someone@example.jp")
        line = [entry for entry in buffer.getvalue().splitlines() if "login_failed" in entry][-1]
        record = json.loads(line)
        assert record["level"] == "WARNING"
        assert record["logger"] == "kyodo.security"
        assert "someone@example.jp" in record["message"]
    finally:
        logging.config.dictConfig(settings.LOGGING)


def test_failed_login_is_logged_without_the_password(client, member, process_log):
    """A failed sign-in is logged with the address tried and the client IP, never the password."""
    client.post("/accounts/login/", {"login": member.email, "password": "himitsu-no-password"})
    err = process_log.getvalue()
    assert "login_failed" in err and member.email in err
    assert "himitsu-no-password" not in err


def test_password_reset_sends_a_japanese_email(client, member, django_capture_on_commit_callbacks):
    """A forgotten password is reset through a link sent by e-mail (by the outbox), in Japanese."""
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": member.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "パスワード" in mail.outbox[0].subject
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_staff_can_open_the_two_factor_settings(client_for, staff_user):
    """Staff reach the two-factor settings, in Japanese, with TOTP on offer."""
    response = client_for(staff_user).get("/accounts/2fa/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "二段階認証" in body and "認証アプリ" in body
    assert "/accounts/2fa/totp/activate/" in body
