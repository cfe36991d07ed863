"""A line's programme is its run's programme: checked by the insert trigger instead of a foreign
key (one check per statement on PostgreSQL instead of a key lookup per line; bench/payroll.py).

On SQLite, altering the column rebuilds the table, which drops its triggers: they are created
again here, the insert trigger now also checking the programme.
"""

import importlib

import django.db.models.deletion
from django.db import migrations, models

previous = importlib.import_module("huhang.benefits.migrations.0002_calendar_and_invariants")

# Every trigger that names the lines table must go before SQLite rebuilds it, or the rebuild's
# rename fails ("no such table" in benefits_run_total); all come back after.
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS benefits_line_insert_draft;",
    "DROP TRIGGER IF EXISTS benefits_line_frozen;",
    "DROP TRIGGER IF EXISTS benefits_run_total;",
]

SQLITE = [
    previous.SQLITE[2],  # benefits_run_total, as migration 0002 made it
    """CREATE TRIGGER benefits_line_insert_draft BEFORE INSERT ON benefits_payrollline
       WHEN (SELECT status FROM benefits_payrollrun WHERE id = NEW.run_id) IS NOT 'draft'
         OR (SELECT programme_id FROM benefits_payrollrun WHERE id = NEW.run_id)
            IS NOT NEW.programme_id
       BEGIN SELECT RAISE(ABORT, 'payroll lines are added only to a draft run of their programme'); END;""",
    f"""CREATE TRIGGER benefits_line_frozen BEFORE UPDATE ON benefits_payrollline
        WHEN (SELECT status FROM benefits_payrollrun WHERE id = OLD.run_id) IN {previous.FROZEN}
         AND ({previous.CHANGED})
        BEGIN SELECT RAISE(ABORT, 'lines of an approved payroll run cannot be changed'); END;""",
]

POSTGRES = [
    """CREATE OR REPLACE FUNCTION benefits_line_insert_guard() RETURNS trigger AS $$
        BEGIN
          IF EXISTS (SELECT 1 FROM new_lines n LEFT JOIN benefits_payrollrun r ON r.id = n.run_id
                     WHERE r.id IS NULL OR r.status <> 'draft'
                        OR r.programme_id <> n.programme_id) THEN
            RAISE EXCEPTION 'payroll lines are added only to a draft run of their programme'
              USING ERRCODE = 'check_violation';
          END IF;
          RETURN NULL;
        END; $$ LANGUAGE plpgsql;""",
]


def drop_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_DROP:
            schema_editor.execute(sql)


def forwards(apps, schema_editor):
    for sql in {"sqlite": SQLITE, "postgresql": POSTGRES}.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("benefits", "0004_statement_level_insert_guard")]

    operations = [
        migrations.RunPython(drop_sqlite_triggers, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="payrollline",
            name="programme",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="benefits.programme",
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
