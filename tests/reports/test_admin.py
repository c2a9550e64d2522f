"""The admin writes outcome records through the same services as the staff pages."""

import pytest
from django.urls import reverse

from core.services import user_create
from reports.models import OutcomeRecord

pytestmark = pytest.mark.django_db


def test_adding_and_changing_an_outcome_in_the_admin_goes_through_the_services(client):
    """The ○ and ・ the service strips are stripped, the recorder is set, the links are kept."""
    from tests.groups.factories import GroupFactory

    admin_user = user_create(
        email="admin@example.jp", password="x-long-password-1", is_superuser=True, is_staff=True
    )
    client.force_login(admin_user)
    group = GroupFactory()
    data = {
        "fiscal_year": 2025,
        "axis": "learning",
        "category": "○担い手育成の入口",
        "episode": "・講座の前に様子を知る場になった",
        "source": OutcomeRecord._meta.get_field("source").choices[0][0],
        "groups": [group.pk],
        "order": 100,
    }
    response = client.post(reverse("admin:reports_outcomerecord_add"), data)
    assert response.status_code == 302 and response.url == reverse("admin:reports_outcomerecord_changelist")
    record = OutcomeRecord.objects.get()
    assert record.category == "担い手育成の入口" and record.episode == "講座の前に様子を知る場になった"
    assert record.recorded_by == admin_user
    assert list(record.groups.all()) == [group]

    response = client.post(
        reverse("admin:reports_outcomerecord_change", args=[record.pk]),
        data | {"category": "○○交流の場", "groups": []},
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.category == "交流の場" and not record.groups.exists()
