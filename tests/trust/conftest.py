"""The trust tests share one world per module (built once, rolled back at the end of the module)."""

from __future__ import annotations

import pytest
from django.db import connections, transaction


@pytest.fixture(scope="module")
def private_media(tmp_path_factory):
    return tmp_path_factory.mktemp("private")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, private_media):
    """Every role and objects that belong to someone (tests/trust/world.py), for the whole module.

    Built inside a transaction that is rolled back after the module's last test; each test runs in a
    savepoint of it (pytest-django's `db`), so what a test changes is undone before the next.
    """
    from django.conf import settings
    from django.test.utils import override_settings

    from tests.trust.world import build_world

    storages = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": private_media, "base_url": None},
        },
    }
    with override_settings(STORAGES=storages, PRIVATE_MEDIA_ROOT=private_media), django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            for connection in connections.all():
                connection.close()
