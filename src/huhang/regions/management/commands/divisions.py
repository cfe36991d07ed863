"""`huhang divisions load [FILE…]` and `huhang divisions rename OLD NEW | --file MAPPING`.

load    the official table shipped with Huhang (统计用区划代码, provinces down to streets and
        towns) for the installation's root HUHANG_ROOT_DIVISION (or --root): the root's
        ancestors and its whole subtree; with FILEs (the bureau's copy of the community and
        village level: CSV with code, name, streetCode, …; UTF-8 or GB18030, may be gzipped)
        also the communities and villages under the root. Idempotent.
rename  a 区划调整: the old division's records move to the new code, the old code is kept as
        retired and still accepted in feeds.

Each prints one summary line on stdout and exits 0; a refusal prints the reason on stderr, exits
non-zero and stores nothing. Audited as the console operator (channel "cli").
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from huhang.core.context import acting_from
from huhang.core.exceptions import DomainError
from huhang.regions import services, table


class Command(BaseCommand):
    help = (
        "行政区划：load 导入随系统提供的统计用区划代码（省至街道/乡镇）及民政局提供的社区/村文件；"
        "rename 区划调整（旧代码 → 新代码，记录随之迁移，旧代码仍可在部门数据中使用）。"
    )

    def add_arguments(self, parser) -> None:
        steps = parser.add_subparsers(dest="step", required=True, metavar="STEP")

        load = steps.add_parser("load", help="导入区划表（幂等，可重复执行）")
        load.add_argument(
            "files",
            nargs="*",
            type=Path,
            metavar="FILE",
            help="社区/村级区划文件（CSV：code、name、streetCode……），只导入根区划以下的行",
        )
        load.add_argument(
            "--root",
            default=None,
            metavar="CODE",
            help="根区划（省、市或区县代码；默认 HUHANG_ROOT_DIVISION）",
        )

        rename = steps.add_parser("rename", help="区划调整：旧代码改为新代码（更名、合并）")
        rename.add_argument("old", nargs="?", metavar="OLD", help="旧区划代码")
        rename.add_argument("new", nargs="?", metavar="NEW", help="新区划代码")
        rename.add_argument("--name", default="", help="新区划的名称（默认沿用旧名称）")
        rename.add_argument(
            "--file",
            type=Path,
            default=None,
            metavar="MAPPING",
            help="对照文件（CSV：old、new，可选 name），代替 OLD NEW",
        )
        rename.add_argument("--on", default=None, metavar="YYYY-MM-DD", help="调整日期（默认今天）")
        rename.add_argument("--note", default="", help="说明（如批准文号），记入审计")

    def handle(self, *args, step: str, **options) -> None:
        with acting_from(None, "cli"):
            try:
                line = getattr(self, f"_{step}")(**options)
            except DomainError as exc:
                raise CommandError(exc.message) from exc
        self.stdout.write(line)

    def _load(self, *, files: list[Path], root: str | None, **_) -> str:
        summary = services.divisions_load(
            by=None, root=root or settings.HUHANG_ROOT_DIVISION, files=files
        )
        return summary.line()

    def _rename(
        self,
        *,
        old: str | None,
        new: str | None,
        name: str,
        file: Path | None,
        on: str | None,
        note: str,
        **_,
    ) -> str:
        if file is not None and (old or new):
            raise CommandError("请给出 OLD NEW 或 --file，不要同时给出。")
        if file is not None:
            mapping = table.mapping_rows(file)
            changes, names = mapping.changes, mapping.names
        elif old and new:
            changes, names = {old: new}, ({new: name} if name else {})
        else:
            raise CommandError("请给出旧代码和新代码（OLD NEW），或对照文件 --file。")
        summary = services.divisions_rename(
            by=None,
            changes=changes,
            names=names,
            on=_day(on),
            note=note,
            root=settings.HUHANG_ROOT_DIVISION,
        )
        return summary.line()


def _day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"日期无法识别：{text}（应为 YYYY-MM-DD）") from exc
