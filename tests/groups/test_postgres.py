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
    assert ctype not in ("C", "POSIX"), f"LC_CTYPE is {ctype}: create the database with C.UTF-8 or ja_JP.UTF-8"
    assert trigrams, "show_trgm('市民協働') is empty"


def test_the_gin_trigram_index_exists():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'groups_group_search_trgm'")
        row = cursor.fetchone()
    assert row is not None
    assert "gin" in row[0].lower() and "gin_trgm_ops" in row[0] and "search_text" in row[0]


def test_keyword_search_uses_the_index_on_a_large_table():
    """With thousands of groups, a 3+ character keyword is answered through the trigram index."""
    groups = []
    for i in range(5000):
        group = Group(name=f"市民活動団体{i:05d}", name_kana=f"しみんかつどうだんたい{i:05d}",
                      legal_form=LegalForm.VOLUNTARY, status=GroupStatus.APPROVED,
                      purpose="地域の清掃と見守り", activities="毎月活動しています")
        group.refresh_search_fields()
        groups.append(group)
    rare = Group(name="かもめ子ども食堂", name_kana="かもめこどもしょくどう", legal_form=LegalForm.VOLUNTARY,
                 status=GroupStatus.APPROVED)
    rare.refresh_search_fields()
    Group.objects.bulk_create([*groups, rare], batch_size=1000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE groups_group")
    directory = group_directory(params={"q": "ｶﾓﾒｺﾄﾞﾓ"})
    assert [g.name for g in directory.qs] == ["かもめ子ども食堂"]
    plan = directory.qs.explain()
    assert "groups_group_search_trgm" in plan, plan
