"""PostgreSQL only: pg_trgm and a GIN trigram index on Group.search_text.

The directory's keyword search is `search_text LIKE '%<normalised query>%'` (Django `contains`);
this index serves it for queries of 3 characters or more. pg_trgm makes trigrams from Japanese
only when the database's LC_CTYPE is not C (use C.UTF-8 or ja_JP.UTF-8). SQLite skips this.
"""

from django.db import migrations

INDEX_NAME = "groups_group_search_trgm"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX_NAME} ON groups_group USING gin (search_text gin_trgm_ops)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX_NAME}")


class Migration(migrations.Migration):
    dependencies = [("groups", "0002_invitations_renewals")]
    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
