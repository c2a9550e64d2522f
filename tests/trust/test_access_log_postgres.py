"""On PostgreSQL the consultation access log refuses UPDATE and DELETE in the database itself.

The ORM refuses too (consultations.models.AppendOnlyQuerySet); these tests go around it with raw
SQL, as a shell session or a careless script would. The one change the database lets through is
the one Django makes when an account is deleted (on_delete=SET_NULL): user_id becomes NULL and
nothing else changes, so the entry keeps who it was (user_label).
"""

from __future__ import annotations

from importlib import import_module

import pytest
from django.db import DatabaseError, connection, transaction

from tests.services import require_postgres

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

TABLE = "consultations_consultationaccesslog"
MIGRATION = "consultations.migrations.0004_access_log_append_only_postgres"


@pytest.fixture
def log_entry(make_user):
    require_postgres()
    from consultations.models import AccessAction
    from consultations.services import access_log_write
    from core.roles import Role

    user = make_user(roles=(Role.STAFF,), email="log-writer@example.jp", full_name="記録 職員")
    return access_log_write(
        user=user, action=AccessAction.VIEW, consultations=[1, 2], path="/consultations/1/"
    )


def raw(sql: str, params=()) -> int:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def row(pk: int):
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT user_id, user_label, action, consultation_ids::text, path FROM {TABLE} WHERE id = %s",
            [pk],
        )
        return cursor.fetchone()


@pytest.mark.parametrize(
    "sql",
    [
        f"UPDATE {TABLE} SET path = '/消した' WHERE id = %s",
        f"UPDATE {TABLE} SET consultation_ids = '[]'::jsonb, record_count = 0 WHERE id = %s",
        f"UPDATE {TABLE} SET at = now() - interval '10 years' WHERE id = %s",
        f"UPDATE {TABLE} SET user_id = NULL, user_label = '' WHERE id = %s",
        f"DELETE FROM {TABLE} WHERE id = %s",
    ],
)
def test_raw_update_and_delete_are_refused(log_entry, sql):
    """Each statement raises in the database and the entry is unchanged afterwards."""
    before = row(log_entry.pk)
    with pytest.raises(DatabaseError, match="append-only"):
        raw(sql, [log_entry.pk])
    assert row(log_entry.pk) == before


def test_deleting_an_account_keeps_its_entries(log_entry):
    """The account goes; its entries stay, with user_id NULL and the name and address in user_label."""
    from core.models import User

    label = log_entry.user_label
    User.objects.filter(pk=log_entry.user_id).delete()
    user_id, user_label, *_rest = row(log_entry.pk)
    assert user_id is None
    assert user_label == label


def test_the_reverse_migration_drops_the_trigger(log_entry):
    """Migrating back removes the trigger (and forward again restores it)."""
    migration = import_module(MIGRATION)
    with connection.schema_editor() as editor:
        migration.drop_trigger(None, editor)
    assert raw(f"UPDATE {TABLE} SET path = path WHERE id = %s", [log_entry.pk]) == 1
    with connection.schema_editor() as editor:
        migration.create_trigger(None, editor)
    with pytest.raises(DatabaseError):
        raw(f"DELETE FROM {TABLE} WHERE id = %s", [log_entry.pk])


def test_retention_never_touches_log_rows(log_entry, make_user):
    """Anonymising expired consultations appends to the log and changes no existing entry."""
    from consultations.services import consultations_anonymise_expired
    from tests.consultations.factories import ConsultationFactory

    ConsultationFactory(old=True)
    before = row(log_entry.pk)
    assert consultations_anonymise_expired() == 1
    assert row(log_entry.pk) == before
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {TABLE}")
        assert cursor.fetchone()[0] == 2
