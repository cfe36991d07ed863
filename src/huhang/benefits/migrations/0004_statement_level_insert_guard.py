"""On PostgreSQL, check "lines are added only while a run is computed" once per INSERT statement
instead of once per row: a monthly run inserts up to a million lines in one statement, and a
row-level trigger doing a lookup per row doubled the computation's time (bench/payroll.py).
Updates and deletes stay row-level (they compare each row's old and new values)."""

from django.db import migrations

FORWARD = [
    # The row-level function keeps handling UPDATE and DELETE; INSERT moves to the new trigger.
    "DROP TRIGGER IF EXISTS benefits_line_guard ON benefits_payrollline;",
    """CREATE TRIGGER benefits_line_guard BEFORE UPDATE OR DELETE ON benefits_payrollline
       FOR EACH ROW EXECUTE FUNCTION benefits_line_guard();""",
    """CREATE OR REPLACE FUNCTION benefits_line_insert_guard() RETURNS trigger AS $$
        BEGIN
          IF EXISTS (SELECT 1 FROM new_lines n JOIN benefits_payrollrun r ON r.id = n.run_id
                     WHERE r.status <> 'draft') THEN
            RAISE EXCEPTION 'payroll lines are added only while a run is computed'
              USING ERRCODE = 'check_violation';
          END IF;
          RETURN NULL;
        END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER benefits_line_insert_guard AFTER INSERT ON benefits_payrollline
       REFERENCING NEW TABLE AS new_lines
       FOR EACH STATEMENT EXECUTE FUNCTION benefits_line_insert_guard();""",
]
BACKWARD = [
    "DROP TRIGGER IF EXISTS benefits_line_insert_guard ON benefits_payrollline;",
    "DROP FUNCTION IF EXISTS benefits_line_insert_guard();",
    "DROP TRIGGER IF EXISTS benefits_line_guard ON benefits_payrollline;",
    """CREATE TRIGGER benefits_line_guard BEFORE INSERT OR UPDATE OR DELETE ON benefits_payrollline
       FOR EACH ROW EXECUTE FUNCTION benefits_line_guard();""",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in FORWARD:
            schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("benefits", "0003_standard_revisions")]
    operations = [migrations.RunPython(forwards, backwards)]
