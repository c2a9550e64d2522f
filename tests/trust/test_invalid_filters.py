"""Invalid filter values are errors that name the field, never a silent "everything"."""

import datetime as dt

import pytest
from django.urls import reverse

from tests.consultations.factories import ConsultationFactory

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 6, 10)


@pytest.fixture
def records():
    mine = ConsultationFactory(with_group=True, consulted_on=DAY)
    others = [ConsultationFactory(consulted_on=DAY, question=f"別の相談{i}") for i in range(3)]
    return mine, others


@pytest.mark.parametrize(
    ("params", "label"),
    [
        ({"group": "abc"}, "団体ID"),
        ({"date_from": "2025-13-01"}, "期間（から）"),
        ({"channel": "visitt"}, "相談方法"),
        ({"staff": "999999"}, "対応職員"),
        ({"fiscal_year": "99999999"}, "年度"),
    ],
)
def test_consultation_export_refuses_an_invalid_filter(client_for, staff_user, records, params, label):
    """The most sensitive export: an invalid value answers 400 in Japanese naming the field, no rows."""
    response = client_for(staff_user).get(reverse("consultations:export"), params)
    assert response.status_code == 400
    body = response.content.decode()
    assert "書き出しませんでした" in body and f"「{label}」" in body
    assert "子ども食堂" not in body and "別の相談" not in body


def test_consultation_export_with_a_valid_group_exports_only_that_group(client_for, staff_user, records):
    mine, _others = records
    response = client_for(staff_user).get(reverse("consultations:export"), {"group": mine.group_id})
    assert response.status_code == 200
    body = response.content.decode("utf-8-sig")
    assert mine.group.name in body and "別の相談" not in body


def test_consultation_list_shows_the_error_and_no_records(client_for, staff_user, records):
    response = client_for(staff_user).get(reverse("consultations:index"), {"channel": "visitt"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "入力内容を確認してください" in body and "相談方法" in body
    assert "別の相談" not in body


@pytest.mark.parametrize(
    ("url", "params", "as_staff"),
    [
        ("groups:index", {"theme": "abc"}, False),
        ("events:index", {"program": "nope"}, False),
        ("projects:index", {"fiscal_year": "abc"}, False),
        ("matching:index", {"kind": "x"}, False),
        ("projects:staff_projects", {"status": "zzz"}, True),
    ],
)
def test_every_list_answers_an_invalid_filter_with_its_error(client, staff_user, url, params, as_staff):
    if as_staff:
        client.force_login(staff_user)
    response = client.get(reverse(url), params)
    assert response.status_code == 400
    assert "入力内容を確認してください" in response.content.decode()


def test_the_access_log_answers_an_invalid_filter_with_its_error(client, make_user):
    from consultations.apps import CONSULTATION_AUDITOR_ROLE
    from core.roles import Role

    auditor = make_user(roles=(Role.STAFF, CONSULTATION_AUDITOR_ROLE), email="auditor@example.jp")
    client.force_login(auditor)
    response = client.get(reverse("consultations:access_log"), {"action": "zzz"})
    assert response.status_code == 400
    assert "入力内容を確認してください" in response.content.decode()


def test_statistics_export_refuses_an_unknown_fiscal_year(client_for, staff_user):
    response = client_for(staff_user).get(
        reverse("consultations:statistics_export"), {"fiscal_year": "99999999"}
    )
    assert response.status_code == 400
    assert "年度" in response.content.decode()


def test_every_personal_data_export_is_covered():
    """The exports known to this test; a new one must be added here and refuse invalid filters."""
    from tests.trust.access_matrix import MATRIX

    # groups:staff_export has no filter (every group, by design); the consultation exports are
    # tested above.
    exports = {name for name in MATRIX if "export" in name}
    assert exports == {"groups:staff_export", "consultations:export", "consultations:statistics_export"}
