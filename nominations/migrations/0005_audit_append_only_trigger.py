"""On PostgreSQL the database itself refuses UPDATE and DELETE on the audit table.

A superuser can still disable the trigger; the keyed chain and the signed checkpoints
outside the database are what detect that (manage.py verify_audit_chain). SQLite has no
such guard: the embedded setup relies on the chain and checkpoints alone.
"""
from django.db import migrations

TABLE = "nominations_auditentry"
NAME = "nominations_auditentry_append_only"

CREATE = f"""
CREATE OR REPLACE FUNCTION {NAME}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING
        MESSAGE = '{TABLE} is append-only: ' || TG_OP || ' refused',
        ERRCODE = 'insufficient_privilege';
END
$$;
DROP TRIGGER IF EXISTS {NAME} ON {TABLE};
CREATE TRIGGER {NAME} BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION {NAME}();
"""

DROP = f"""
DROP TRIGGER IF EXISTS {NAME} ON {TABLE};
DROP FUNCTION IF EXISTS {NAME}();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):

    dependencies = [("nominations", "0004_keyed_audit_chain")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
