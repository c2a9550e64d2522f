"""Fixtures for the consultation tests: one account per role, with and without the permission."""

import pytest
from django.contrib.auth.models import Group as RoleGroup
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from consultations.apps import CONSULTATION_AUDITOR_ROLE, CONSULTATION_HANDLER_ROLE
from consultations.models import Topic
from core.roles import Role

from .factories import ConsultationFactory


def take_access_from_staff_role() -> None:
    """The centre decides that not every staff member may see consultations."""
    permission = Permission.objects.get(
        content_type__app_label="consultations", codename="access_consultation"
    )
    RoleGroup.objects.get(name=Role.STAFF).permissions.remove(permission)


@pytest.fixture
def staff_without_access(make_user):
    take_access_from_staff_role()
    return make_user(roles=(Role.STAFF,), email="staff-no-access@example.jp")


@pytest.fixture
def auditor(make_user):
    return make_user(roles=(Role.STAFF, CONSULTATION_AUDITOR_ROLE), email="auditor@example.jp")


@pytest.fixture
def handler_role_name():
    return CONSULTATION_HANDLER_ROLE


@pytest.fixture
def consultation(db):
    return ConsultationFactory(with_group=True)


@pytest.fixture
def record(client_for, staff_user):
    """Posts the record screen as staff_user: a valid closed walk-in, changed by `overrides`.

    An override of None leaves that field out of the post.
    """

    def post(**overrides):
        data = {
            "consulted_on": timezone.localdate().isoformat(),
            "channel": "visit",
            "duration_minutes": "30",
            "topics": [Topic.objects.get(code="funding").pk],
            "question": "助成金を探している",
            "answer": "",
            "status": "closed",
            "staff": staff_user.pk,
            "_another": "1",
        }
        data.update(overrides)
        data = {key: value for key, value in data.items() if value is not None}
        return client_for(staff_user).post(reverse("consultations:create"), data)

    return post
