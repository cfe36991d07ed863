"""The installation's health, for monitoring (/healthz) and the operator (`huhang check`).

Each check answers a status — "ok", "warn" (worth a look, the application still serves) or
"fail" (it cannot serve correctly) — and, for fail and warn, one line saying what is wrong.
No check reads or reports personal data: counts of nothing, names of nothing, no paths.

- database: one query answers;
- migrations (only `huhang check`: it loads the migration graph): nothing left to apply;
- key: the field-encryption key is present and right (`core.crypto.key_problems`);
- disk: the data directory's disk has at least HUHANG_MIN_FREE_DISK_MB free;
- worker: a background-task worker (`huhang db_worker`) was seen within
  HUHANG_WORKER_SILENT_MINUTES (a warning only: pages still serve, but imports, screenings and
  payroll computations started from them wait). Not checked when tasks run in the request
  (HUHANG_TASKS_IMMEDIATE).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

OK, WARN, FAIL = "ok", "warn", "fail"
_RANK = {OK: 0, WARN: 1, FAIL: 2}


@dataclass
class Check:
    name: str
    status: str
    message: str = ""
    facts: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"status": self.status, **self.facts}
        if self.message:
            out["message"] = self.message
        return out


def missing_database() -> str | None:
    """The path of the embedded database when its file does not exist yet (None: it exists,
    or the database is PostgreSQL). Connecting would create an empty file: callers ask first."""
    db = settings.DATABASES[DEFAULT_DB_ALIAS]
    if db["ENGINE"] != "django.db.backends.sqlite3":
        return None
    name = str(db["NAME"])
    if name == ":memory:" or name.startswith("file:") or Path(name).exists():
        return None
    return name


def database() -> Check:
    if missing_database() is not None:
        return Check("database", FAIL, "no database in the data directory (run `huhang migrate`)")
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver's error: the database does not answer
        return Check("database", FAIL, f"the database does not answer ({type(exc).__name__})")
    return Check("database", OK)


def migrations() -> Check:
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:
        return Check("migrations", FAIL, f"cannot read the migrations ({type(exc).__name__})")
    if plan:
        return Check(
            "migrations",
            FAIL,
            f"the database is not migrated: {len(plan)} migration(s) to apply"
            " (run `huhang migrate`)",
            {"pending": len(plan)},
        )
    return Check("migrations", OK)


def key() -> Check:
    from huhang.core.crypto import key_problems

    problems = key_problems()
    if problems:
        return Check("key", FAIL, "; ".join(problems))
    return Check("key", OK)


def disk() -> Check:
    free_mb = shutil.disk_usage(settings.DATA_DIR).free // (1024 * 1024)
    if free_mb < settings.HUHANG_MIN_FREE_DISK_MB:
        return Check(
            "disk",
            FAIL,
            f"only {free_mb} MB free on the data directory's disk"
            f" (HUHANG_MIN_FREE_DISK_MB={settings.HUHANG_MIN_FREE_DISK_MB})",
            {"free_mb": free_mb},
        )
    return Check("disk", OK, facts={"free_mb": free_mb})


def tasks_in_request() -> bool:
    backend = settings.TASKS["default"]["BACKEND"]
    return not backend.startswith("django_tasks_db.")


def worker() -> Check:
    from huhang.core.heartbeat import last_worker_seen

    if tasks_in_request():
        return Check("worker", OK, facts={"mode": "immediate"})
    try:
        seen = last_worker_seen()
    except Exception as exc:
        return Check("worker", FAIL, f"cannot read the worker heartbeat ({type(exc).__name__})")
    silent = timedelta(minutes=settings.HUHANG_WORKER_SILENT_MINUTES)
    if seen is None:
        return Check("worker", WARN, "no background-task worker has run (start `huhang db_worker`)")
    ago = int((timezone.now() - seen).total_seconds())
    if ago > silent.total_seconds():
        return Check(
            "worker",
            WARN,
            f"the background-task worker was last seen {ago // 60} minutes ago"
            " (is `huhang db_worker` running?)",
            {"seen_seconds_ago": ago},
        )
    return Check("worker", OK, facts={"seen_seconds_ago": ago})


def overall(checks: list[Check]) -> str:
    return max((c.status for c in checks), key=_RANK.__getitem__, default=OK)


def healthz_checks() -> list[Check]:
    """What /healthz runs: cheap enough to be asked every few seconds under load."""
    db = database()
    checks = [db, key(), disk()]
    # Without a database the heartbeat cannot be read: the database's failure says it all.
    checks.append(worker() if db.status == OK else Check("worker", WARN, "not checked"))
    return checks
