"""A date typed with an impossible year (0001, 9999) is refused in words next to the field and
keeps what was typed; nothing is saved that would break the exports and the fiscal-year labels."""

import pytest
from django.urls import reverse

from consultations.models import Consultation

pytestmark = pytest.mark.django_db

MESSAGE = "2000年から2100年までの日付を入力してください。"


@pytest.mark.parametrize(
    ("field", "typed", "extra"),
    [
        ("consulted_on", "0001-01-01", {}),
        ("consulted_on", "1999-12-31", {}),
        ("follow_up_due_on", "9999-12-31", {"follow_up_description": "電話で確認する", "status": "open"}),
    ],
)
def test_a_consultation_with_an_impossible_year_is_refused_keeping_the_input(
    record, client_for, staff_user, field, typed, extra
):
    response = record(is_anonymous="on", **{field: typed}, **extra)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors[field] == [MESSAGE]
    assert f'value="{typed}"' in response.content.decode()
    assert not Consultation.objects.exists()
    # The export every staff member downloads stays whole.
    assert client_for(staff_user).get(reverse("consultations:export")).status_code == 200


def test_a_consultation_in_the_portal_s_years_is_recorded(record):
    response = record(is_anonymous="on", consulted_on="2000-01-01")
    assert response.status_code == 302
    assert Consultation.objects.get().consulted_on.isoformat() == "2000-01-01"
