"""An expected refusal is one line in the log, never a traceback."""

import io
import logging

import pytest
from django.urls import reverse


@pytest.fixture
def django_request_log():
    """What the django.request logger writes through its configured filters."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    yield stream
    logger.removeHandler(handler)


@pytest.mark.django_db
def test_a_403_leaves_no_traceback(client_for, member, django_request_log):
    response = client_for(member).get(reverse("consultations:index"))
    assert response.status_code == 403
    assert "Traceback" not in django_request_log.getvalue()
    assert "Forbidden" not in django_request_log.getvalue()  # kyodo.security has the one line


@pytest.mark.django_db
def test_a_404_is_one_line(client, django_request_log):
    assert client.get("/groups/999999/").status_code == 404
    text = django_request_log.getvalue()
    assert "Traceback" not in text and text.count("\n") <= 1


def test_a_server_error_keeps_its_traceback():
    from core.logging import ExpectedRefusalFilter

    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        record = logging.LogRecord("django.request", logging.ERROR, "", 0, "err", (), sys.exc_info())
    record.status_code = 500
    assert ExpectedRefusalFilter().filter(record) and record.exc_info


@pytest.mark.django_db
def test_an_export_of_personal_data_is_in_the_security_log(client, staff_user, caplog):
    client.force_login(staff_user)
    with caplog.at_level(logging.INFO, logger="kyodo.security"):
        response = client.get(reverse("groups:staff_export"))
    assert response.status_code == 200
    assert any(
        f"download user_id={staff_user.pk} path=/groups/staff/export.csv type=text/csv" in r.getMessage()
        for r in caplog.records
    )
