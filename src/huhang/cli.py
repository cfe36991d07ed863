"""The `huhang` command: the project's manage.py (`huhang migrate`, `huhang demo_data`, ...).

Run against a data directory that has no database yet (embedded SQLite, no file), a command
that needs one says so in one line and exits 1, instead of creating an empty database file and
failing with a traceback about a missing table. The commands that make or do not need a
database run as usual (`NO_DATABASE_NEEDED`).
"""

import os
import sys

# Commands that create the database, never open it, or say themselves that it is missing
# (`check`).
NO_DATABASE_NEEDED = frozenset(
    {
        "check",
        "migrate",
        "restore",
        "help",
        "version",
        "--help",
        "-h",
        "--version",
        "collectstatic",
        "compilemessages",
        "makemessages",
        "makemigrations",
        "sqlmigrate",
        "diffsettings",
        "startapp",
        "startproject",
        "squashmigrations",
    }
)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huhang.settings")
    from django.core.management import execute_from_command_line

    command = sys.argv[1] if len(sys.argv) > 1 else "help"
    if command not in NO_DATABASE_NEEDED:
        from huhang.core.health import missing_database

        try:
            path = missing_database()
        except Exception:  # settings refused: Django's own handling reports it below
            path = None
        if path is not None:
            sys.stderr.write(
                f"huhang: 数据目录中没有数据库（{path}）：请先运行 `huhang migrate`"
                "（演示数据：`make demo`）或 `huhang restore`。\n"
            )
            sys.exit(1)
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
