"""PostgreSQL: the trigram index that serves Japanese substring search in the directory."""

from __future__ import annotations

import pytest
from django.db import connection

from groups.models import Group, GroupStatus, LegalForm
from groups.selectors import group_directory
from tests.services import require_postgres

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _postgres_only():
    require_postgres()


def test_database_can_make_japanese_trigrams():
    """LC_CTYPE must not be C/POSIX, or pg_trgm makes no trigrams from Japanese (and the index is useless)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT datctype FROM pg_database WHERE datname = current_database()")
        (ctype,) = cursor.fetchone()
        cursor.execute("SELECT show_trgm('市民協働')")
        (trigrams,) = cursor.fetchone()
    assert ctype not in ("C", "POSIX"), (
        f"LC_CTYPE is {ctype}: create the database with C.UTF-8 or ja_JP.UTF-8"
    )
    assert trigrams, "show_trgm('市民協働') is empty"


def test_the_gin_trigram_index_exists():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'groups_group_search_trgm'")
        row = cursor.fetchone()
    assert row is not None
    assert "gin" in row[0].lower() and "gin_trgm_ops" in row[0] and "search_text" in row[0]


# No serialized_rollback here or below: the flush after a transactional test sends post_migrate,
# which makes the reference data and role groups again (core/apps.py), and reloading the saved
# copies on top of those fails on their unique names when another transactional test ran first.
@pytest.mark.django_db(transaction=True)
def test_keyword_search_uses_the_index_on_a_large_table():
    """With thousands of groups, a 3+ character keyword is answered through the trigram index.

    Committed rows and VACUUM ANALYZE, as in a real database: rows that earlier tests inserted and
    rolled back leave dead entries in the GIN index, which would make the planner (rightly) avoid it."""
    # Rows like the demo data (a few hundred characters of text each), 10,000 of them: the size
    # of `make bench`, where a sequential scan costs more than the index.
    purpose = "地域の子どもたちと高齢者が安心して暮らせるまちをつくるため、清掃と見守りを続けています。"
    activities = "毎月第2・第4土曜日に地区センターで活動しています。年に一度、活動報告会を開いています。" * 2
    groups = []
    for i in range(10_000):
        group = Group(
            name=f"市民活動団体{i:05d}",
            name_kana=f"しみんかつどうだんたい{i:05d}",
            legal_form=LegalForm.VOLUNTARY,
            status=GroupStatus.APPROVED,
            purpose=purpose,
            activities=activities,
        )
        groups.append(group)
    rare = Group(
        name="かもめ子ども食堂",
        name_kana="かもめこどもしょくどう",
        legal_form=LegalForm.VOLUNTARY,
        status=GroupStatus.APPROVED,
    )
    Group.objects.bulk_create([*groups, rare], batch_size=1000)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE groups_group")
    directory = group_directory(params={"q": "ｶﾓﾒｺﾄﾞﾓ"})
    assert [g.name for g in directory.qs] == ["かもめ子ども食堂"]
    plan = directory.qs.explain()
    assert "groups_group_search_trgm" in plan, plan


@pytest.mark.django_db(transaction=True)
def test_concurrent_approvals_never_share_a_registration_number(make_user):
    """Six staff approve six applications at the same moment: six different, consecutive numbers."""
    from core.roles import Role
    from groups.services import group_approve
    from tests.concurrency import run_at_once
    from tests.groups.factories import GroupFactory

    staff = make_user(roles=(Role.STAFF,), email="concurrent-staff@example.jp")
    pending = [GroupFactory(pending=True).pk for _ in range(6)]

    def approve(pk: int) -> None:
        group_approve(group=Group.objects.get(pk=pk), staff=staff)

    errors = run_at_once(approve, [(pk,) for pk in pending], timeout=30)
    assert not errors, errors
    numbers = sorted(Group.objects.filter(pk__in=pending).values_list("registration_number", flat=True))
    assert len(set(numbers)) == 6
    assert [n.split("-")[1] for n in numbers] == [f"{i:04d}" for i in range(1, 7)]
