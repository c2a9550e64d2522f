"""Opening a page never changes data: every GET in the matrix leaves every table's row count as it was.

(Links are followed by browsers, prefetchers and mail scanners; only a POST may change things.)
Allowed exceptions: the consultation access log (reading a consultation is itself recorded),
sessions, and the records of sign-ins and refused accesses.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from tests.trust.access_matrix import MATRIX

pytestmark = pytest.mark.django_db

WRITTEN_ON_READ = {"consultations.consultationaccesslog", "sessions.session"}
CASES = [
    (name, index)
    for name, cases in MATRIX.items()
    for index, case in enumerate(cases)
    if case.allowed and not case.post
]


def row_counts() -> dict[str, int]:
    return {
        model._meta.label_lower: model._base_manager.count()
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy and model._meta.label_lower not in WRITTEN_ON_READ
    }


@pytest.mark.parametrize(("name", "index"), CASES, ids=[f"{n}-{i}" for n, i in CASES])
def test_a_get_changes_no_data(world, name, index):
    case = MATRIX[name][index]
    client = Client()
    for role in sorted(case.allowed):
        if world.user(role) is not None:
            client.force_login(world.user(role))
        before = row_counts()
        client.get(reverse(name, args=case.args(world)) + case.query)
        after = row_counts()
        changed = {label: (before[label], after[label]) for label in before if before[label] != after[label]}
        assert not changed, f"GET {name} as {role} changed {changed}"
