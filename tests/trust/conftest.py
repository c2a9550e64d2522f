"""The trust tests share one world per module (built once, rolled back at the end of the module)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connections, transaction


@pytest.fixture(scope="module")
def private_media() -> Path:
    """Where private files really go: the storage the file fields were built with (settings.test's)."""
    from django.conf import settings

    from projects.models import Attachment

    location = Path(Attachment._meta.get_field("file").storage.location)
    assert location == Path(settings.PRIVATE_MEDIA_ROOT)
    return location


@pytest.fixture(scope="module")
def _world(django_db_setup, django_db_blocker):
    """Every role and objects that belong to someone (tests/trust/world.py), for the whole module.

    Built inside a transaction that is rolled back after the module's last test; each test runs in a
    savepoint of it (pytest-django's `db`), so what a test changes is undone before the next.
    """
    from django.db import connection

    from tests.trust.world import build_world

    with django_db_blocker.unblock():
        # pytest-django creates the test database only for sessions with a django_db test: a
        # module without the mark would build this world in the development database.
        name = str(connection.settings_dict["NAME"])
        assert name.startswith(("test_", "file:memorydb")), (
            f"not a test database ({name}): mark the module with pytestmark = pytest.mark.django_db"
        )
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            for connection in connections.all():
                connection.close()


@pytest.fixture
def world(_world, _media_root):
    """The module's world, with its private files written again (every test starts with none)."""
    from tests.trust.world import restore_private_files

    restore_private_files(_world)
    return _world
