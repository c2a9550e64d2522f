"""On PostgreSQL a page view's line in the consultation access log is committed without waiting for
the disk, in a transaction of its own; every other line, and a view line written inside a caller's
transaction, waits for it (consultations.services.access_log_write).

The tests watch the statements sent to the database (the setting is local to one transaction, so
nothing else can show it) and ask the session afterwards that nothing of it stayed behind.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from consultations.models import AccessAction, ConsultationAccessLog
from consultations.services import access_log_write
from tests.services import require_postgres

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ASYNC_COMMIT = "SET LOCAL synchronous_commit TO OFF"


def asks_not_to_wait(sent: list[str]) -> bool:
    return any(statement.startswith(ASYNC_COMMIT) for statement in sent)


def statements_of(write) -> list[str]:
    sent: list[str] = []

    def watch(execute, sql, params, many, context):
        sent.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        write()
    return sent


def session_synchronous_commit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0]


@pytest.fixture(autouse=True)
def postgres_only():
    require_postgres()


def test_a_view_line_of_its_own_does_not_wait_and_is_kept():
    written = []
    sent = statements_of(
        lambda: written.append(
            access_log_write(user=None, action=AccessAction.VIEW, consultations=[3, 1], path="/c/")
        )
    )
    # One message: the setting and the INSERT (one transaction), no BEGIN and COMMIT around them.
    assert len(sent) == 1 and asks_not_to_wait(sent) and "INSERT INTO" in sent[0]
    assert session_synchronous_commit() == "on"
    entry = ConsultationAccessLog.objects.get()
    assert (entry.action, entry.consultation_ids, entry.record_count) == ("view", [1, 3], 2)
    assert entry.user_label == "システム（自動処理）" and entry.path == "/c/" and entry.at is not None
    assert written[0].pk == entry.pk and not written[0]._state.adding


def test_with_server_side_binding_the_view_line_is_written_in_a_transaction_block(monkeypatch):
    """A message then holds one statement: the setting goes in a block of its own statements."""
    monkeypatch.setitem(connection.settings_dict, "OPTIONS", {"server_side_binding": True})
    sent = statements_of(lambda: access_log_write(user=None, action=AccessAction.VIEW, consultations=[2]))
    assert (
        ASYNC_COMMIT in sent and len(sent) == 2
    )  # the SET, then the INSERT (BEGIN and COMMIT are not shown)
    assert session_synchronous_commit() == "on"
    assert ConsultationAccessLog.objects.get().consultation_ids == [2]


def test_every_other_line_waits_for_the_disk(settings):
    """Changes and exports; a view line inside a caller's transaction (the setting would reach the
    caller's own writes); every view line when CONSULTATION_VIEW_LOG_DURABLE is on. One test, as
    each test here empties the whole database afterwards."""

    def inside_a_transaction():
        with transaction.atomic():
            access_log_write(user=None, action=AccessAction.VIEW, consultations=[1])

    writes = {
        action.label: lambda action=action: access_log_write(user=None, action=action, consultations=[1])
        for action in (AccessAction.CREATE, AccessAction.CHANGE, AccessAction.EXPORT)
    }
    writes["view inside a transaction"] = inside_a_transaction
    waited = {name: not asks_not_to_wait(statements_of(write)) for name, write in writes.items()}
    settings.CONSULTATION_VIEW_LOG_DURABLE = True
    waited["view, durable"] = not asks_not_to_wait(
        statements_of(lambda: access_log_write(user=None, action=AccessAction.VIEW, consultations=[1]))
    )
    assert waited == dict.fromkeys(waited, True)
    assert ConsultationAccessLog.objects.count() == 5


def test_a_refused_view_line_writes_nothing_and_leaves_the_session_as_it_was():
    with pytest.raises(ValidationError):
        access_log_write(user=None, action="peek", consultations=[1])
    assert ConsultationAccessLog.objects.count() == 0
    assert session_synchronous_commit() == "on"
