"""The payroll computation: one INSERT ... SELECT, the same SQL on SQLite and PostgreSQL.

For every month (every September, for a yearly programme) from the lookback horizon to the
run's month, each entitled, unsuspended child with a confirmed payee is owed the standard in force for
that month, less what non-failed lines already paid for it. What is owed and positive becomes a
line. That one rule pays the month itself, the differences after a back-dated standard (补发),
and lines the bank returned as failed — and, because already-paid amounts are subtracted, never
pays anything twice. A lowered standard is not clawed back (a negative difference is ignored).
"""

from __future__ import annotations

from datetime import date

from django.db import connection

COMPUTE_SQL = """
WITH std AS (
    SELECT s.id, s.amount_fen, s.effective_from,
           LEAD(s.effective_from) OVER (ORDER BY s.effective_from) AS next_from
    FROM benefits_standard s
    WHERE s.programme_id = %(programme)s
      AND NOT EXISTS (  -- a later revision of the same month supersedes this one
        SELECT 1 FROM benefits_standard r
        WHERE r.programme_id = s.programme_id AND r.effective_from = s.effective_from
          AND r.revision > s.revision)
),
due AS (
    SELECT e.child_id, cal.month AS for_month, std.id AS standard_id, std.amount_fen
    FROM benefits_entitlement e
    JOIN benefits_calendar cal
      ON cal.month >= e.starts_on
     AND (e.ends_on IS NULL OR cal.month <= e.ends_on)
     AND cal.month >= %(horizon)s AND cal.month <= %(month)s
     AND (%(yearly)s = 0 OR cal.school_year_start)
    JOIN std
      ON std.effective_from <= cal.month AND (std.next_from IS NULL OR cal.month < std.next_from)
    WHERE e.programme_id = %(programme)s
      AND NOT EXISTS (
        SELECT 1 FROM benefits_suspension su
        WHERE su.entitlement_id = e.id AND cal.month >= su.from_month
          AND (su.to_month IS NULL OR cal.month <= su.to_month))
),
paid AS (
    SELECT l.child_id, l.for_month, SUM(l.amount_fen) AS paid_fen
    FROM benefits_payrollline l
    WHERE l.programme_id = %(programme)s AND l.status <> 'failed'
      AND l.for_month >= %(horizon)s AND l.for_month <= %(month)s
    GROUP BY l.child_id, l.for_month
),
owed AS (
    SELECT due.child_id, due.for_month, due.standard_id,
           due.amount_fen - COALESCE(paid.paid_fen, 0) AS amount_fen,
           (SELECT p.id FROM benefits_payee p
             WHERE p.child_id = due.child_id AND p.valid_from <= %(today)s
             ORDER BY p.valid_from DESC, p.id DESC LIMIT 1) AS payee_id
    FROM due
    LEFT JOIN paid ON paid.child_id = due.child_id AND paid.for_month = due.for_month
    WHERE due.amount_fen - COALESCE(paid.paid_fen, 0) > 0
)
INSERT INTO benefits_payrollline
    (run_id, seq, child_id, programme_id, for_month, standard_id, amount_fen,
     payee_name, payee_bank, payee_account_cipher, payee_account_last4, status, failure_reason)
SELECT %(run)s, ROW_NUMBER() OVER (ORDER BY owed.child_id, owed.for_month),
       owed.child_id, %(programme)s, owed.for_month, owed.standard_id, owed.amount_fen,
       p.name, p.bank, p.account_cipher, p.account_last4, 'pending', ''
FROM owed
JOIN benefits_payee p ON p.id = owed.payee_id AND p.confirmed_at IS NOT NULL
"""

# What is owed but cannot be paid for want of a payee, or because the current payee's account
# has not been confirmed by a second officer (four eyes): the arrears list shows these.
UNPAYABLE_SQL = (
    COMPUTE_SQL.split("INSERT INTO")[0]
    + """
SELECT owed.child_id, owed.for_month, owed.amount_fen FROM owed
LEFT JOIN benefits_payee p ON p.id = owed.payee_id
WHERE owed.payee_id IS NULL OR p.confirmed_at IS NULL
ORDER BY owed.child_id, owed.for_month
"""
)


def params(
    *, run_id: int | None, programme: str, month: date, horizon: date, today: date, yearly: bool
) -> dict:
    """A yearly programme (the scholarship) is owed once per school year, in its first month."""
    return {
        "run": run_id,
        "programme": programme,
        "month": month,
        "horizon": horizon,
        "today": today,
        "yearly": 1 if yearly else 0,
    }


def insert_lines(**kwargs) -> int:
    with connection.cursor() as cursor:
        cursor.execute(COMPUTE_SQL, params(**kwargs))
        return cursor.rowcount


def unpayable(**kwargs) -> list[tuple[int, date, int]]:
    with connection.cursor() as cursor:
        cursor.execute(UNPAYABLE_SQL, params(run_id=None, **kwargs))
        return cursor.fetchall()
