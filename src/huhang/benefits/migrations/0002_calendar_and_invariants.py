"""Fill the month calendar, and make the database itself keep the payroll invariants:

- lines are added to a run only while it is a draft (being computed);
- once a run is approved, its lines' amounts, children, months, standards and payees are frozen
  (only the bank's result — status and failure reason — may still be written);
- an approved (or later) run's total and count equal the sum and count of its lines;
- on PostgreSQL, lines of an approved run cannot be deleted (on SQLite the test flush deletes
  rows, so the model layer alone refuses there).
"""

from datetime import date

from django.db import migrations

from huhang.benefits import reference

FROZEN = "('approved', 'exported', 'reconciled', 'closed')"
CHANGED = (
    "NEW.amount_fen <> OLD.amount_fen OR NEW.child_id <> OLD.child_id"
    " OR NEW.for_month <> OLD.for_month OR NEW.standard_id <> OLD.standard_id"
    " OR NEW.run_id <> OLD.run_id OR NEW.seq <> OLD.seq"
    " OR NEW.payee_account_cipher <> OLD.payee_account_cipher"
)
TOTAL_WRONG = (
    "NEW.total_fen <> (SELECT COALESCE(SUM(amount_fen), 0) FROM benefits_payrollline"
    " WHERE run_id = NEW.id)"
    " OR NEW.line_count <> (SELECT COUNT(*) FROM benefits_payrollline WHERE run_id = NEW.id)"
)

SQLITE = [
    """CREATE TRIGGER benefits_line_insert_draft BEFORE INSERT ON benefits_payrollline
        WHEN (SELECT status FROM benefits_payrollrun WHERE id = NEW.run_id) <> 'draft'
        BEGIN SELECT RAISE(ABORT, 'payroll lines are added only while a run is computed'); END;""",
    f"""CREATE TRIGGER benefits_line_frozen BEFORE UPDATE ON benefits_payrollline
        WHEN (SELECT status FROM benefits_payrollrun WHERE id = OLD.run_id) IN {FROZEN}
         AND ({CHANGED})
        BEGIN SELECT RAISE(ABORT, 'lines of an approved payroll run cannot be changed'); END;""",
    f"""CREATE TRIGGER benefits_run_total BEFORE UPDATE ON benefits_payrollrun
        WHEN NEW.status IN {FROZEN} AND ({TOTAL_WRONG})
        BEGIN SELECT RAISE(ABORT, 'a payroll run total must equal the sum of its lines'); END;""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS benefits_line_insert_draft;",
    "DROP TRIGGER IF EXISTS benefits_line_frozen;",
    "DROP TRIGGER IF EXISTS benefits_run_total;",
]

POSTGRES = [
    f"""CREATE OR REPLACE FUNCTION benefits_line_guard() RETURNS trigger AS $$
        DECLARE run_status text;
        BEGIN
          IF TG_OP = 'INSERT' THEN
            SELECT status INTO run_status FROM benefits_payrollrun WHERE id = NEW.run_id;
            IF run_status <> 'draft' THEN
              RAISE EXCEPTION 'payroll lines are added only while a run is computed' USING ERRCODE = 'check_violation';
            END IF;
            RETURN NEW;
          END IF;
          SELECT status INTO run_status FROM benefits_payrollrun WHERE id = OLD.run_id;
          IF run_status IN {FROZEN} THEN
            IF TG_OP = 'DELETE' THEN
              RAISE EXCEPTION 'lines of an approved payroll run cannot be deleted' USING ERRCODE = 'check_violation';
            ELSIF {CHANGED} THEN
              RAISE EXCEPTION 'lines of an approved payroll run cannot be changed' USING ERRCODE = 'check_violation';
            END IF;
          END IF;
          IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
          RETURN NEW;
        END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER benefits_line_guard BEFORE INSERT OR UPDATE OR DELETE ON benefits_payrollline
       FOR EACH ROW EXECUTE FUNCTION benefits_line_guard();""",
    f"""CREATE OR REPLACE FUNCTION benefits_run_total() RETURNS trigger AS $$
        BEGIN
          IF NEW.status IN {FROZEN} AND ({TOTAL_WRONG}) THEN
            RAISE EXCEPTION 'a payroll run total must equal the sum of its lines' USING ERRCODE = 'check_violation';
          END IF;
          RETURN NEW;
        END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER benefits_run_total BEFORE UPDATE ON benefits_payrollrun
       FOR EACH ROW EXECUTE FUNCTION benefits_run_total();""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS benefits_line_guard ON benefits_payrollline;",
    "DROP FUNCTION IF EXISTS benefits_line_guard();",
    "DROP TRIGGER IF EXISTS benefits_run_total ON benefits_payrollrun;",
    "DROP FUNCTION IF EXISTS benefits_run_total();",
]


# Reference data lives in huhang.benefits.reference (also re-ensured after a test flush).
SCHOOL_YEAR_MONTH = reference.SCHOOL_YEAR_MONTH
PROGRAMMES = reference.PROGRAMMES


def programmes(apps, schema_editor):
    Programme = apps.get_model("benefits", "Programme")
    for code, name, frequency, category, living in PROGRAMMES:
        Programme.objects.get_or_create(
            code=code,
            defaults={"name": name, "frequency": frequency, "category": category, "living": living},
        )


def calendar(apps, schema_editor):
    Calendar = apps.get_model("benefits", "Calendar")
    Calendar.objects.bulk_create(
        Calendar(month=date(year, month, 1), school_year_start=month == SCHOOL_YEAR_MONTH)
        for year in range(2000, 2100)
        for month in range(1, 13)
    )


def forwards(apps, schema_editor):
    statements = {"sqlite": SQLITE, "postgresql": POSTGRES}.get(schema_editor.connection.vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}.get(vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("benefits", "0001_initial")]
    operations = [
        migrations.RunPython(calendar, migrations.RunPython.noop),
        migrations.RunPython(programmes, migrations.RunPython.noop),
        migrations.RunPython(forwards, backwards),
    ]
