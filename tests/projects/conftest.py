"""Fixtures for the projects app: a call with reviewers, proposers and their groups."""

from __future__ import annotations

import pytest

from core.roles import Role
from core.services import official_assign
from tests.factories import DepartmentFactory
from tests.projects.factories import CallFactory, ProjectGroupFactory


@pytest.fixture
def proposer(make_user):
    return make_user(email="proposer@example.jp", full_name="提案 花子")


@pytest.fixture
def group(proposer):
    return ProjectGroupFactory(owner=proposer, name="さくらんぼの会")


@pytest.fixture
def other_proposer(make_user):
    return make_user(email="other@example.jp")


@pytest.fixture
def other_group(other_proposer):
    return ProjectGroupFactory(owner=other_proposer, name="ほかの会")


@pytest.fixture
def department(official_user):
    return official_user.departments.get()


@pytest.fixture
def outside_official(make_user):
    """An official of a department that reviews no call."""
    user = make_user(roles=(Role.OFFICIAL,), email="outside@example.jp")
    official_assign(user=user, department=DepartmentFactory(name="都市計画課"))
    return user


@pytest.fixture
def reviewer_staff(make_user):
    return make_user(roles=(Role.STAFF,), email="reviewer-staff@example.jp", full_name="審査 職員")


@pytest.fixture
def call(department, reviewer_staff):
    """Open 1-30 November 2026; reviewed by 子ども家庭支援課's officials and one staff member."""
    return CallFactory(departments=[department], staff=[reviewer_staff])
