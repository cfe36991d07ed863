"""`huhang demo_data --size small|demo|district|large [--seed N] [--feeds DIR]`: load the synthetic
district.

`--feeds DIR` also writes the seven department feeds of the district into DIR (see
`huhang.demo.feeds`). Alone, it writes the feeds of the district already loaded (loading the
`demo` size first if there is none); with `--size` it loads (or tops up) that size first."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils import timezone

from huhang.demo import generator


class Command(BaseCommand):
    help = "生成演示用的合成数据（昆都仑区）：行政区划、机构、演示账号、人员与儿童档案。"

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--size",
            choices=generator.SIZES,
            default=None,
            help="small：数百人（测试用）；demo：约2万人；district：约80万人；large：约160万人",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=generator.DEFAULT_SEED,
            help="随机种子：同一种子生成相同的数据",
        )
        parser.add_argument(
            "--feeds",
            type=Path,
            default=None,
            metavar="DIR",
            help="同时把本区七个部门的共享数据文件写入 DIR（单独使用时按已加载的数据生成）",
        )

    def handle(
        self, *args, size: str | None, seed: int, feeds: Path | None, verbosity: int, **options
    ) -> None:
        out = self.stdout if verbosity > 0 else None
        if feeds is None or size is not None or not generator.people_loaded():
            generator.generate(size or "demo", seed, stdout=out)
            if out is not None:
                self._print_accounts()
        if feeds is not None:
            self._write_feeds(feeds, seed, out)

    def _write_feeds(self, directory: Path, seed: int, out) -> None:
        from huhang.demo.feeds import write_feeds

        paths = write_feeds(directory, as_of=timezone.localdate(), seed=seed)
        if out is not None:
            out.write("\n部门共享数据文件：")
            for source, path in paths.items():
                out.write(f"  {source:<11}{path}")
            out.write(f"\n导入：huhang import_feed police {paths['police']}（其余六个同理）")

    def _print_accounts(self) -> None:
        rows = [("用户名", "角色", "范围"), *generator.accounts_table()]
        widths = [max(_width(row[i]) for row in rows) + 2 for i in range(2)]
        self.stdout.write("\n演示账号：")
        for username, role, scope in rows:
            self.stdout.write(f"  {_pad(username, widths[0])}{_pad(role, widths[1])}{scope}")
        self.stdout.write(
            self.style.WARNING(
                f"\n所有演示账号的密码均为 {generator.DEMO_PASSWORD}，仅用于演示数据，"
                "切勿用于真实数据或生产环境。"
            )
        )


def _width(text: str) -> int:
    # Chinese characters take two columns in a terminal.
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
