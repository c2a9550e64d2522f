"""On PostgreSQL, the database itself keeps the consultation access log append-only.

A trigger refuses every DELETE and every UPDATE of consultations_consultationaccesslog, except
the one Django makes when an account is deleted (on_delete=SET_NULL): user_id becomes NULL and
nothing else changes, so the entry still says who it was (user_label). TRUNCATE (used by test
database flushes) is not a row operation and is not affected. Other databases rely on the ORM
guard (consultations.models.AppendOnlyQuerySet).
"""

from django.db import migrations

TABLE = "consultations_consultationaccesslog"
FUNCTION = "consultations_accesslog_append_only"
TRIGGER = "consultations_accesslog_append_only"

CREATE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND OLD.user_id IS NOT NULL AND NEW.user_id IS NULL
       AND NEW.id = OLD.id
       AND NEW.at IS NOT DISTINCT FROM OLD.at
       AND NEW.user_label IS NOT DISTINCT FROM OLD.user_label
       AND NEW.action IS NOT DISTINCT FROM OLD.action
       AND NEW.consultation_ids::text IS NOT DISTINCT FROM OLD.consultation_ids::text
       AND NEW.record_count IS NOT DISTINCT FROM OLD.record_count
       AND NEW.path IS NOT DISTINCT FROM OLD.path THEN
        RETURN NEW;  -- an account was deleted: the entry keeps user_label
    END IF;
    RAISE EXCEPTION 'consultation access log is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""
CREATE_TRIGGER = f"""
DROP TRIGGER IF EXISTS {TRIGGER} ON {TABLE};
CREATE TRIGGER {TRIGGER} BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION {FUNCTION}();
"""
DROP = f"""
DROP TRIGGER IF EXISTS {TRIGGER} ON {TABLE};
DROP FUNCTION IF EXISTS {FUNCTION}();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(CREATE_FUNCTION, params=None)
    schema_editor.execute(CREATE_TRIGGER, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("consultations", "0003_related_projects")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
